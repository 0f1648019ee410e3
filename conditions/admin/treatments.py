"""Admin for treatments and the per-condition treatment comparison.

Rows are edited as ordered inlines on the comparison. The comparison follows the shared review
workflow: status changes only through the actions, which call the model methods, so the rules
(reviewer, dates, a "no treatment" row) cannot be skipped, and a refusal lists what is missing.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conditions.admin.editorial import (
    PeopleMenusMixin,
    can_edit,
    can_publish,
    publish_problems_html,
)
from conditions.models import ComparisonRow, Reference, Treatment, TreatmentComparison

# Setting the reviewer and review dates is for clinical reviewers (conditions/admin/editorial.py).
REVIEW_FIELDS = ("reviewer", "last_reviewed", "next_review_due")


class ReviewWorkflowActionsMixin:
    """Submit / publish / archive actions that call the Reviewable methods.

    Each object is handled on its own: one refusal does not stop the others, and the message
    names the object and every problem that stops it.
    """

    actions = ["submit_for_review", "publish", "archive"]

    def _run_workflow(self, request, queryset, method: str, done: str) -> None:
        succeeded = 0
        for obj in queryset:
            try:
                getattr(obj, method)(by=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(obj)s was not changed: %(problems)s")
                    % {"obj": obj, "problems": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"count": succeeded}, messages.SUCCESS)

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._run_workflow(request, queryset, "submit_for_review", _("%(count)d submitted."))

    @admin.action(description=_("Publish (as the reviewer)"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run_workflow(request, queryset, "publish", _("%(count)d published."))

    @admin.action(description=_("Archive (hide from patients)"), permissions=["publish"])
    def archive(self, request, queryset):
        self._run_workflow(request, queryset, "archive", _("%(count)d archived."))

    @admin.display(description=_("What stops publishing"))
    def publish_problems_display(self, obj):
        return publish_problems_html(
            obj,
            unsaved=_("Save first, then add the options."),
            ready=_("Nothing: this can be published."),
        )


@admin.register(Treatment)
class TreatmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "setting", "who_does_it", "is_no_treatment"]
    list_filter = ["setting", "is_no_treatment"]
    search_fields = ["name", "description", "who_does_it"]
    prepopulated_fields = {"slug": ["name"]}


class ComparisonRowFormSet(BaseInlineFormSet):
    """Offers only the references of the comparison's own condition for each row."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get("references")
        if field is not None:
            condition_id = getattr(self.instance, "condition_id", None)
            field.queryset = (
                Reference.objects.filter(condition_id=condition_id)
                if condition_id
                else Reference.objects.none()
            )


class TreatmentComparisonForm(forms.ModelForm):
    """Carries the version the editor started from; a stale save is refused, not merged."""

    class Meta:
        model = TreatmentComparison
        fields = ["condition", "intro", "author", *REVIEW_FIELDS, "version"]
        widgets = {"version": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "version" in self.fields:
            live = (
                TreatmentComparison.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if live is not None and cleaned.get("version") != live:
                history = reverse(
                    "admin:conditions_treatmentcomparison_history", args=[self.instance.pk]
                )
                raise ValidationError(
                    format_html(
                        _(
                            "Someone else saved this comparison after you opened it, so your "
                            "changes were not saved and nothing was overwritten. "
                            '<a href="{url}">See what they changed in the history</a>, then '
                            "open the comparison again and make your changes there."
                        ),
                        url=history,
                    ),
                    code="stale",
                )
        return cleaned


class ComparisonRowInline(admin.StackedInline):
    model = ComparisonRow
    formset = ComparisonRowFormSet
    extra = 0
    ordering = ["order", "pk"]
    autocomplete_fields = ["treatment"]
    formfield_overrides = {
        # Short texts: patients read each one in a table cell.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})},
    }
    fieldsets = [
        (None, {"fields": [("order", "treatment"), "involves", "effectiveness", "evidence"]}),
        (_("Harms and practicalities"), {"fields": ["pain", "downtime", "risks", "cost"]}),
        (_("Who it suits"), {"fields": [("near_eyes", "children")]}),
        (_("Our view"), {"fields": ["recommendation", "reason", "references"]}),
    ]

    # Rows follow the comparison's workflow: editable only while the comparison is.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit(request.user, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "references":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["help_text"] = _(
                "Only this condition's references are listed; add new ones on the article."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(TreatmentComparison)
class TreatmentComparisonAdmin(PeopleMenusMixin, ReviewWorkflowActionsMixin, SimpleHistoryAdmin):
    form = TreatmentComparisonForm
    inlines = [ComparisonRowInline]
    list_display = [
        "__str__",
        "status",
        "row_count",
        "reviewer",
        "last_reviewed",
        "next_review_due",
    ]
    list_filter = ["status"]
    search_fields = ["condition__name"]
    list_select_related = ["condition", "reviewer"]
    readonly_fields = ["status", "publish_problems_display", "published_at"]
    fieldsets = [
        (None, {"fields": ["condition", "intro", "version"]}),
        (
            _("Review"),
            {
                "fields": [
                    "status",
                    "publish_problems_display",
                    "author",
                    "reviewer",
                    ("last_reviewed", "next_review_due"),
                    "published_at",
                ],
                "description": _(
                    "Change the status with the actions on the list page: submit for review, "
                    "publish, archive. A draft is never shown to patients."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_row_count=Count("rows"))

    @admin.display(description=_("options"), ordering="_row_count")
    def row_count(self, obj):
        return obj._row_count

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields += REVIEW_FIELDS
        if obj is not None and obj.pk:
            # Rows cite the condition's references, so the condition is fixed once saved.
            fields.append("condition")
        return fields

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def has_publish_permission(self, request, obj=None):
        return can_publish(request.user)

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published else None

    def _run_workflow(self, request, queryset, method, done):
        super()._run_workflow(request, queryset.select_related("condition"), method, done)
