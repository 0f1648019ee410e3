"""The clinician's editor for condition articles, on the shared review admin.

Authors and reviewers edit the working copy (sections, FAQs, care advice, references, codes,
images inline); patients see the live copy, which only an approval replaces
(conditions/models/review.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conditions import content
from conditions.admin import pasting
from conditions.admin.review import (
    LivePreviewMixin,
    ReviewableAdmin,
    ReviewableForm,
    admin_views,
    review_dashboard,
)
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    Condition,
    ConditionImage,
    Questionnaire,
    Reference,
    Section,
    TreatmentComparison,
    UrgentHelp,
)


class ConditionAdminForm(pasting.PastedTextMixin, ReviewableForm):
    plain_fields = ("name", "summary")
    line_fields = ("also_known_as",)

    class Meta:
        model = Condition
        fields = [
            "name",
            "slug",
            "also_known_as",
            "summary",
            "featured",
            "author",
            "next_review_due",
            "related",
        ]


# -- inlines ---------------------------------------------------------------------------------
# Groups the writer opens when needed are folded (<details>, no JavaScript needed); Django opens a
# folded group that holds an error. Sections, the main writing, stay open.
FOLDED = ["collapse"]


class SectionInline(LivePreviewMixin, admin.StackedInline):
    model = Section
    form = pasting.SectionForm
    preview_fields = ("body",)
    template = "admin/conditions/condition/edit_inline/stacked_folded.html"
    fields = ["order", "heading", "slug", "part_title", "body"]
    ordering = ["order", "pk"]
    extra = 1


class FoldedWritingInline(LivePreviewMixin, admin.StackedInline):
    """A group of Markdown texts with the live preview that the writer opens when needed:
    folded, with no blank form until the writer adds one."""

    classes = FOLDED
    extra = 0


class FAQInline(FoldedWritingInline):
    model = FAQ
    form = pasting.FAQForm
    preview_fields = ("answer",)
    fields = ["order", "question", "verdict", "answer"]
    ordering = ["order", "pk"]


class CareAdviceInline(FoldedWritingInline):
    model = CareAdvice
    form = pasting.CareAdviceForm
    preview_fields = ("signs",)
    fields = ["level", "signs", "action"]
    max_num = len(CareAdvice.Level.choices)

    def get_queryset(self, request):
        """From self-care to emergency, as the patient page shows them."""
        rank = models.Case(
            *(
                models.When(level=level, then=models.Value(index))
                for index, level in enumerate(CareAdvice.LEVEL_ORDER)
            ),
            default=models.Value(len(CareAdvice.LEVEL_ORDER)),
        )
        return super().get_queryset(request).order_by(rank, "pk")


class ReferenceInline(admin.TabularInline):
    model = Reference
    form = pasting.ReferenceForm
    # A plain address box: the admin's "Currently: <link> Change:" widget doubles the row.
    formfield_overrides = {
        models.URLField: {
            "assume_scheme": "https",
            "widget": forms.URLInput(attrs={"class": "vURLField"}),
        }
    }
    fields = ["order", "title", "publisher", "year", "url", "checked_on"]
    ordering = ["order", "pk"]
    extra = 0
    classes = FOLDED


class CodingFilter(admin.SimpleListFilter):
    """Articles without clinical codes: a clinical coder has to add them (the infobutton finds
    such a page by its name only, and its JSON-LD and API entries carry no code)."""

    title = gettext_lazy("clinical codes")
    parameter_name = "codes"

    def lookups(self, request, model_admin):
        return [("none", _("None yet: needs a clinical coder")), ("coded", _("Coded"))]

    def queryset(self, request, queryset):
        coded = models.Exists(ClinicalCode.objects.filter(condition=models.OuterRef("pk")))
        if self.value() == "none":
            return queryset.filter(~coded)
        if self.value() == "coded":
            return queryset.filter(coded)
        return queryset


class ClinicalCodeInline(admin.TabularInline):
    model = ClinicalCode
    form = pasting.ClinicalCodeForm
    fields = ["system", "version", "code", "display"]
    extra = 0
    classes = FOLDED


class ConditionImageInline(admin.TabularInline):
    model = ConditionImage
    form = pasting.ConditionImageForm
    fields = [
        "order",
        "image",
        "held_image",
        "alt_text",
        "caption",
        "origin",
        "credit",
        "skin_tone",
    ]
    ordering = ["order", "pk"]
    extra = 0
    classes = FOLDED


# -- the admin -------------------------------------------------------------------------------
@admin.register(Condition)
class ConditionAdmin(pasting.PastedTextAdminMixin, ReviewableAdmin):
    form = ConditionAdminForm
    change_list_template = "admin/conditions/condition/change_list.html"
    # Laid out for writing: name and summary, then the sections and the other parts (folded
    # groups), then review, reading level and related conditions; a contents list on top.
    change_form_template = "admin/conditions/condition/change_form.html"
    preview_fields = ("summary",)
    inlines = [
        SectionInline,
        FAQInline,
        CareAdviceInline,
        ReferenceInline,
        ClinicalCodeInline,
        ConditionImageInline,
    ]
    list_display = [
        "name",
        "status_label",
        "reviewer_column",
        "review_state",
        "reading_level_column",
        "codes_column",
        "view_link",
    ]
    list_filter = [*ReviewableAdmin.list_filter, "featured", CodingFilter]
    search_fields = ["name", "slug", "also_known_as", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["related"]
    fieldsets = [
        (
            gettext_lazy("Name and summary"),
            {"fields": ["name", "slug", "also_known_as", "summary", "featured", "edit_version"]},
        ),
        (
            gettext_lazy("Review and publishing"),
            {"fields": [*ReviewableAdmin.review_fields, "publish_checklist", "coding_state"]},
        ),
        (gettext_lazy("Reading level"), {"fields": ["reading_level", "preview_link"]}),
        (gettext_lazy("Related conditions"), {"fields": ["related"], "classes": FOLDED}),
    ]

    def form_contents(self, adminform, inlines):
        """The contents list, in the order the template lays the groups out: the first
        fieldset, the inlines, then the other fieldsets."""
        fieldsets = list(adminform)
        entries = [("fieldset-0-0-heading", str(fieldsets[0].name))]
        entries += [
            (f"{inline.formset.prefix}-heading", capfirst(inline.opts.verbose_name_plural))
            for inline in inlines
        ]
        entries += [
            (f"fieldset-0-{index}-heading", str(fieldset.name))
            for index, fieldset in enumerate(fieldsets)
            if index and fieldset.name
        ]
        return entries

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "reading_level", "coding_state"]

    def get_queryset(self, request):
        coded = models.Exists(ClinicalCode.objects.filter(condition=models.OuterRef("pk")))
        return super().get_queryset(request).annotate(has_codes=coded)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related":
            kwargs["queryset"] = Condition.objects.working_copies()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        related = form.base_fields.get("related")
        if related is not None and obj is not None and obj.pk:
            related.queryset = related.queryset.exclude(pk=obj.pk)  # not related to itself
        return form

    def preview_url(self, obj):
        return reverse("conditions:condition_preview", args=[obj.slug])

    def leaflet_urls(self, obj) -> dict:
        live = obj.live if obj.is_published else None
        return {
            "leaflet_live_url": reverse("conditions:condition_leaflet", args=[live.slug])
            if live
            else None,
            "leaflet_draft_url": reverse("conditions:condition_leaflet_preview", args=[obj.slug]),
        }

    def get_urls(self):
        custom = admin_views(
            self,
            ("review/", self.review_dashboard_view, "review"),
            ("import/", self.import_text_view, "import"),
            ("import-pack/", self.import_pack_view, "import_pack"),
        )
        return custom + super().get_urls()

    def import_text_view(self, request):
        from conditions.admin.importing import import_text_view

        return import_text_view(self, request)

    def import_pack_view(self, request):
        from conditions.admin.packs import import_pack_view

        return import_pack_view(self, request)

    def review_dashboard_view(self, request):
        if not self.has_view_or_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return review_dashboard(
            request, self.admin_site, [Condition, TreatmentComparison, Questionnaire, UrgentHelp]
        )

    # -- columns and read-only fields -----------------------------------------------------------
    @admin.display(description=gettext_lazy("clinical codes"), ordering="has_codes")
    def codes_column(self, obj):
        if getattr(obj, "has_codes", True):
            return _("Coded")
        return format_html('<strong class="needs-coder">{}</strong>', _("Needs a clinical coder"))

    @admin.display(description=gettext_lazy("clinical codes"))
    def coding_state(self, obj):
        """Whether a clinical coder still has to code this article (see CodingFilter)."""
        if obj is None or obj.pk is None or not obj.codes.exists():
            return format_html(
                '<strong class="needs-coder">{}</strong> {}',
                _("None yet: needs a clinical coder."),
                _(
                    "Add the ICD-10-CM and SNOMED CT codes a coder has checked, under "
                    "“Clinical codes”. Until then EHR infobutton requests find this page by its "
                    "name only, and the API and search engines get no code for it."
                ),
            )
        return ", ".join(str(code) for code in obj.codes.all())

    @admin.display(description=gettext_lazy("reading grade"), ordering="reading_grade")
    def reading_level_column(self, obj):
        if obj.reading_grade is None:
            return "—"
        return self._grade_html(obj.reading_grade)

    def _grade_html(self, grade: float):
        target = content_target()
        if grade > target:
            return format_html(
                '{} <strong class="reading-over-target">{}</strong>',
                grade,
                _("above target %(target)s") % {"target": target},
            )
        return format_html("{} <span>{}</span>", grade, _("OK"))

    @admin.display(description=gettext_lazy("reading level"))
    def reading_level(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown after the first save.")
        grades = content.reading_grades(obj.patient_text())
        if grades.flesch_kincaid is None:
            return _("No text yet.")
        target = content_target()
        fk = format_html(
            "{}: {} ({})",
            _("Flesch-Kincaid grade"),
            self._grade_html(grades.flesch_kincaid),
            _("target: grade %(target)s or below") % {"target": target},
        )
        if grades.smog is not None:
            smog = format_html("{}: {}", _("SMOG grade"), self._grade_html(grades.smog))
        else:
            smog = _(
                "SMOG grade: not shown, because SMOG needs at least %(min)s sentences "
                "and this article has %(n)s."
            ) % {"min": content.SMOG_MIN_SENTENCES, "n": grades.sentences}
        advice = ""
        if grades.over_target(target):
            advice = _("To lower it: use shorter sentences and everyday words.")
        return format_html("{}<br>{}<br>{}", fk, smog, advice)

    @admin.display(description=gettext_lazy("page"))
    def view_link(self, obj):
        if obj.is_published:
            url = obj.get_absolute_url()
            return format_html('<a href="{}">{}</a>', url, _("Live page"))
        return format_html('<a href="{}">{}</a>', self.preview_url(obj), _("Preview as patient"))


def content_target() -> int:
    from django.conf import settings

    return getattr(settings, "READING_GRADE_TARGET", 8)
