"""Translations in the admin: the English read-only beside each translated field, and the
translation's own review (submit, approve by a reviewer who reads the language, send back).

The rules are on the model (conditions/models/translations.py); this only calls them. Saving the
form changes the working texts only: patients keep reading the approved translation.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conditions.admin.review import admin_views, check_version, problems_html
from conditions.models import Condition, Questionnaire, TreatmentComparison
from conditions.models.translations import (
    ContentTranslation,
    ReviewerProfile,
    offered_languages,
    translatable_texts,
)

FIELD_PREFIX = "t__"


class TranslationForm(forms.ModelForm):
    """The item and language (on adding), then one field per text of the English source."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ContentTranslation
        fields = ["condition", "comparison", "questionnaire", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            self.fields["language"] = forms.ChoiceField(
                label=_("Language"), choices=list(offered_languages().items())
            )
        working = {
            "condition": Condition.objects.all(),
            "comparison": TreatmentComparison.objects.all(),
            "questionnaire": Questionnaire.objects.all(),
        }
        for name, queryset in working.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
        self.rows = []
        if self.instance.pk:
            for name in ("condition", "comparison", "questionnaire", "language"):
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["version"].initial = self.instance.version
            for text in translatable_texts(self.instance.source()):
                long = text.markdown or len(text.english) > 120 or "\n" in text.english
                attrs = {"lang": self.instance.language}
                if long:
                    widget = forms.Textarea(attrs={**attrs, "rows": 8 if text.markdown else 3})
                else:
                    widget = forms.TextInput(attrs={**attrs, "size": 60})
                field = forms.CharField(
                    label=text.label,
                    required=False,
                    widget=widget,
                    initial=self.instance.texts.get(text.key, ""),
                )
                name = FIELD_PREFIX + text.key
                self.fields[name] = field
                self.rows.append((text, name))

    def translation_rows(self):
        """(English source text, bound translation field) pairs, in page order."""
        return [(text, self[name]) for text, name in self.rows]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            check_version(self.instance, data.get("version"))
        else:
            chosen = [n for n in ("condition", "comparison", "questionnaire") if data.get(n)]
            if len(chosen) != 1:
                raise ValidationError(_("Choose one article, comparison or questionnaire."))
            item = data[chosen[0]]
            if ContentTranslation.objects.filter(
                **{chosen[0]: item, "language": data.get("language")}
            ).exists():
                raise ValidationError(_("That item already has a translation into that language."))
        return data

    def collected_texts(self) -> dict:
        texts = dict(self.instance.texts)
        for text, name in self.rows:
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                texts[text.key] = value
            else:
                texts.pop(text.key, None)
        return texts


class OutOfDateFilter(admin.SimpleListFilter):
    title = gettext_lazy("English changed")
    parameter_name = "out_of_date"

    def lookups(self, request, model_admin):
        return [("yes", _("Out of date: the English changed since approval"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.out_of_date()
        return queryset


@admin.register(ContentTranslation)
class ContentTranslationAdmin(admin.ModelAdmin):
    form = TranslationForm
    change_form_template = "admin/conditions/translation_change_form.html"
    list_display = ("__str__", "language", "status_column", "reviewer", "last_reviewed")
    list_filter = ("language", "status", OutOfDateFilter)
    search_fields = ("condition__name", "questionnaire__title", "comparison__condition__name")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("condition", "comparison__condition", "questionnaire", "reviewer")
        )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return request.user.has_perm("conditions.change_condition")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("conditions.change_condition")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("conditions.change_condition") and not (
            obj is not None and obj.approved_at
        )

    @admin.display(description=gettext_lazy("status"))
    def status_column(self, obj):
        return obj.status_label()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["condition", "comparison", "questionnaire", "language"]
        return ["language", "version"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
            obj.save()
            return
        obj.texts = form.collected_texts()
        obj.record_change(request.user)

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(request, _("Now translate each text beside its English."))
        return HttpResponseRedirect(
            reverse("admin:conditions_contenttranslation_change", args=[obj.pk])
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["translation"] = obj
            context["publish_problems"] = problems_html(obj.publish_problems())
            context["workflow_url"] = reverse(
                "admin:conditions_contenttranslation_workflow", args=[obj.pk, "x"]
            ).removesuffix("x/")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        custom = admin_views(
            self, ("<path:object_id>/workflow/<str:action>/", self.workflow_view, "workflow")
        )
        return custom + super().get_urls()

    def workflow_view(self, request, object_id, action):
        """Submit, approve or send back, from the buttons of the change form."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = get_object_or_404(ContentTranslation, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            if action == "submit":
                obj.submit_for_review(request.user)
                messages.success(request, _("Submitted for review."))
            elif action == "approve":
                seen = request.POST.get("version")
                obj.publish(
                    request.user,
                    attested=request.POST.get("attested") == "on",
                    seen_version=int(seen) if seen and seen.isdigit() else None,
                )
                messages.success(request, _("Approved: patients now read this translation."))
            elif action == "send_back":
                obj.send_back(request.user, request.POST.get("comment", ""))
                messages.success(request, _("Sent back to the translator."))
            else:
                raise Http404
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do that."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(
            reverse("admin:conditions_contenttranslation_change", args=[obj.pk])
        )


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "languages")
    search_fields = ("user__username", "user__first_name", "user__last_name")
