"""Admin for treatments and the per-condition treatment comparison, on the shared review admin.

Rows are edited as ordered inlines on the comparison's working copy. A treatment is shared by
the comparisons that offer it: editing it is a change to each of their drafts, never to what
patients see (each live comparison keeps its own approved copy of the treatment).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conditions.admin import pasting
from conditions.admin.review import (
    BelongsToItemMixin,
    LivePreviewMixin,
    ReviewableAdmin,
    ReviewableForm,
    VersionedForm,
)
from conditions.models import (
    CareSetting,
    ComparisonRow,
    Reference,
    Treatment,
    TreatmentComparison,
)

# Everything on a comparison is shown to patients as plain text (table cells).
PLAIN_ADVICE = _("put them in the article's sections, which take Markdown")


class TreatmentForm(pasting.PastedTextMixin, VersionedForm):
    plain_fields = ("name", "description", "who_does_it")
    markup_advice = PLAIN_ADVICE

    class Meta:
        model = Treatment
        fields = ["name", "slug", "description", "setting", "who_does_it", "is_no_treatment"]


@admin.register(Treatment)
class TreatmentAdmin(pasting.PastedTextAdminMixin, SimpleHistoryAdmin):
    form = TreatmentForm
    list_display = ["name", "setting", "who_does_it", "is_no_treatment", "for_comparison"]
    list_filter = ["setting", "is_no_treatment"]
    search_fields = ["name", "description", "who_does_it"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["for_comparison__condition"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_live=False)

    def get_search_results(self, request, queryset, search_term):
        """The row's treatment picker offers shared treatments, not other comparisons' own."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(for_comparison__isnull=True)
        return queryset, may_have_duplicates

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            # The comparisons that offer it now have a change waiting for approval.
            for comparison in form.instance.comparisons():
                comparison.record_change(request.user)


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


class TreatmentComparisonForm(pasting.PastedTextMixin, ReviewableForm):
    plain_fields = ("intro",)
    markup_advice = PLAIN_ADVICE

    class Meta:
        model = TreatmentComparison
        fields = ["condition", "intro", "author", "next_review_due"]


class ComparisonRowForm(pasting.PastedTextMixin, forms.ModelForm):
    """A row offers a shared treatment, or an option written here for this comparison only
    (such as its own "No treatment" row), whose name need not be unique across comparisons.
    Its texts are table cells, plain text: markup is refused."""

    plain_fields = (
        "involves",
        "effectiveness",
        "pain",
        "downtime",
        "risks",
        "reason",
        "new_name",
        "new_description",
        "new_who_does_it",
    )
    markup_advice = PLAIN_ADVICE

    new_name = forms.CharField(
        label=_("or a new option for this comparison only: name"),
        max_length=150,
        required=False,
        help_text=_("Leave the treatment above empty to add an option just for this comparison."),
    )
    new_description = forms.CharField(
        label=_("its plain description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
    )
    new_setting = forms.ChoiceField(
        label=_("where it happens"),
        choices=[("", "---------"), *CareSetting.choices],
        required=False,
    )
    new_who_does_it = forms.CharField(label=_("who does it"), max_length=200, required=False)
    new_is_no_treatment = forms.BooleanField(
        label=_("this is 'no treatment / wait and see'"), required=False
    )

    class Meta:
        model = ComparisonRow
        fields = ["treatment"]  # the admin adds the fieldsets' fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "treatment" in self.fields:
            self.fields["treatment"].required = False

    def clean(self):
        cleaned = super().clean()
        treatment, name = cleaned.get("treatment"), cleaned.get("new_name", "").strip()
        if treatment and name:
            raise forms.ValidationError(
                _("Pick a treatment or write a new option, not both."), code="both"
            )
        if not treatment and not name:
            self.add_error("treatment", _("Pick a treatment, or write a new option below."))
            return cleaned
        if name:
            for field in ("new_description", "new_setting", "new_who_does_it"):
                if not cleaned.get(field):
                    self.add_error(field, _("A new option needs this too."))
            comparison = self.instance.comparison if self.instance.comparison_id else None
            if comparison and Treatment.objects.filter(for_comparison=comparison, name=name):
                self.add_error("new_name", _("This comparison already has an option so named."))
        return cleaned

    def save(self, commit=True):
        name = self.cleaned_data.get("new_name", "").strip()
        if name and not self.instance.treatment_id:
            comparison = self.instance.comparison
            taken = set(
                Treatment.objects.filter(for_comparison=comparison).values_list("slug", flat=True)
            )
            slug, n = slugify(name)[:140] or "option", 2
            while slug in taken:
                slug, n = f"{slugify(name)[:140] or 'option'}-{n}", n + 1
            self.instance.treatment = Treatment.objects.create(
                for_comparison=comparison,
                name=name,
                slug=slug,
                description=self.cleaned_data["new_description"],
                setting=self.cleaned_data["new_setting"],
                who_does_it=self.cleaned_data["new_who_does_it"],
                is_no_treatment=self.cleaned_data.get("new_is_no_treatment", False),
            )
        return super().save(commit)


class ComparisonRowInline(LivePreviewMixin, admin.StackedInline):
    model = ComparisonRow
    # The longer texts patients read: their reading grade follows the typing.
    preview_fields = ("involves", "effectiveness", "risks", "reason")
    form = ComparisonRowForm
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
        (
            _("A new option for this comparison only"),
            {
                "classes": ["collapse"],
                "fields": [
                    "new_name",
                    "new_description",
                    ("new_setting", "new_who_does_it"),
                    "new_is_no_treatment",
                ],
            },
        ),
        (_("Harms and practicalities"), {"fields": ["pain", "downtime", "risks", "cost"]}),
        (_("Who it suits"), {"fields": [("near_eyes", "babies", "children")]}),
        (_("Our view"), {"fields": ["recommendation", "reason", "references"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "references":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["help_text"] = _(
                "Only this condition's references are listed; add new ones on the article."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(TreatmentComparison)
class TreatmentComparisonAdmin(BelongsToItemMixin, pasting.PastedTextAdminMixin, ReviewableAdmin):
    # Rows cite the condition's references, so the condition is fixed once saved.
    item_field = "condition"
    form = TreatmentComparisonForm
    preview_fields = ("intro",)
    inlines = [ComparisonRowInline]
    list_display = ["__str__", "status_label", "row_count", "reviewer_column", "review_state"]
    list_filter = ReviewableAdmin.list_filter
    search_fields = ["condition__name"]
    list_select_related = ["condition", "live", "reviewer"]
    fieldsets = [
        (None, {"fields": ["condition", "intro", "edit_version"]}),
        (
            _("Review and publishing"),
            {"fields": [*ReviewableAdmin.review_fields, "publish_checklist", "preview_link"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_row_count=Count("rows"))

    @admin.display(description=_("options"), ordering="_row_count")
    def row_count(self, obj):
        return obj._row_count

    def preview_url(self, obj):
        from django.urls import reverse

        return reverse("conditions:treatment_comparison_preview", args=[obj.condition.slug])

    def leaflet_urls(self, obj) -> dict:
        from django.urls import reverse

        live = obj.live if obj.is_published else None
        return {
            "leaflet_live_url": reverse("conditions:comparison_leaflet", args=[live.condition.slug])
            if live
            else None,
            "leaflet_draft_url": reverse(
                "conditions:comparison_leaflet_preview", args=[obj.condition.slug]
            ),
        }
