"""The patient's treatment comparison: one published table per published condition.

Filters and "compare selected" are plain GET parameters, so every state is a bookmarkable URL
that works without JavaScript; htmx only swaps the table fragment. A filter value we cannot
use is ignored and the page says so (never a 500).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from conditions import content_languages
from conditions.caching import cache_patient_page
from conditions.models import (
    EVIDENCE_EXPLANATIONS,
    CareSetting,
    ComparisonRow,
    Condition,
    EvidenceLevel,
    Reference,
    Suitability,
    TreatmentComparison,
)

# "Where it happens", as patients choose it. Home: you can do it yourself without seeing a
# clinician (at home, or with something bought from a pharmacy). Clinic: it needs a clinician
# (a GP surgery, a dermatologist or an aesthetic clinic), including anything on prescription.
SETTING_GROUPS = {
    "home": {CareSetting.HOME, CareSetting.PHARMACY},
    "clinic": {CareSetting.GP, CareSetting.DERMATOLOGIST, CareSetting.AESTHETIC},
}
SETTING_CHOICES = [
    ("", _("Anywhere")),
    ("home", _("Things I can do myself (at home or from a pharmacy)")),
    ("clinic", _("Done by a clinician (GP, dermatologist or clinic)")),
]
# "Suitable near the eyes / for babies / for children" includes options that only a specialist
# should use there; the table says which ones. Babies (under 1) and children (1 and older) are
# separate filters: newborn milia need no treatment, so very few options suit babies.
SUITABLE = {Suitability.YES, Suitability.WITH_CARE}
MIN_COMPARE, MAX_COMPARE = 2, 3
TICK_TWO = _("Tick at least two treatments to compare them.")


class ComparisonFilterForm(forms.Form):
    """Validates the query string; a field with an error is simply not applied."""

    setting = forms.ChoiceField(choices=SETTING_CHOICES, required=False)
    near_eyes = forms.ChoiceField(choices=[("", ""), ("0", ""), ("1", "")], required=False)
    babies = forms.ChoiceField(choices=[("", ""), ("0", ""), ("1", "")], required=False)
    children = forms.ChoiceField(choices=[("", ""), ("0", ""), ("1", "")], required=False)
    compare = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    # Sent by the "Compare" button itself, so that pressing it with nothing ticked gets an
    # answer ("tick at least two") instead of the same page again.
    compare_selected = forms.BooleanField(required=False)

    error_messages = {
        "setting": _("We did not recognise that place, so we are showing options anywhere."),
        "near_eyes": _("We did not understand the 'near the eyes' filter, so it is off."),
        "babies": _("We did not understand the 'babies' filter, so it is off."),
        "children": _("We did not understand the 'children' filter, so it is off."),
    }

    def __init__(self, data, *, rows: list[ComparisonRow]):
        super().__init__(data)
        self.row_ids = {row.pk for row in rows}

    def raw_compare(self) -> list[str]:
        return [value.strip() for value in self.data.getlist("compare") if value.strip()]

    def ticked(self) -> set[int]:
        """The options ticked that are in this comparison, valid choice or not: a page that
        asks for a correction keeps them ticked."""
        return {int(v) for v in self.raw_compare() if v.isdigit() and int(v) in self.row_ids}

    def clean_compare(self) -> list[int]:
        raw = self.raw_compare()
        if not raw:
            if self.data.get("compare_selected"):
                raise forms.ValidationError(TICK_TWO)
            return []
        if not all(value.isdigit() for value in raw):
            raise forms.ValidationError(_("Some of the options chosen to compare were not valid."))
        ids = list(dict.fromkeys(int(value) for value in raw))  # de-duplicated, in order
        if len(ids) > MAX_COMPARE:
            raise forms.ValidationError(
                _("You can compare up to %(max)d options at a time. Please choose fewer."),
                params={"max": MAX_COMPARE},
            )
        if not set(ids) <= self.row_ids:
            raise forms.ValidationError(_("Some of the options chosen are not in this comparison."))
        if len(ids) < MIN_COMPARE:
            raise forms.ValidationError(TICK_TWO)
        return ids

    def problems(self) -> list[str]:
        """One plain message per ignored filter (the choice to compare has its own, shown next
        to the Compare button: see compare_error)."""
        messages = []
        for name, errors in self.errors.items():
            if name in ("compare", "compare_selected"):
                continue
            messages.append(str(self.error_messages.get(name) or errors[0]))
        return messages

    def compare_error(self) -> str:
        errors = self.errors.get("compare")
        return str(errors[0]) if errors else ""

    def value(self, name: str):
        return self.cleaned_data.get(name) if name not in self.errors else None


def filter_rows(rows: list[ComparisonRow], form: ComparisonFilterForm) -> list[ComparisonRow]:
    """Apply the valid filters. "No treatment" always stays: it is what every option is
    compared with (IPDAS), whatever the filters."""
    setting = form.value("setting")
    wanted = SETTING_GROUPS.get(setting) if setting else None
    kept = []
    for row in rows:
        if row.treatment.is_no_treatment:
            kept.append(row)
            continue
        if wanted is not None and row.treatment.setting not in wanted:
            continue
        if form.value("near_eyes") == "1" and row.near_eyes not in SUITABLE:
            continue
        if form.value("babies") == "1" and row.babies not in SUITABLE:
            continue
        if form.value("children") == "1" and row.children not in SUITABLE:
            continue
        kept.append(row)
    return kept


@cache_patient_page(params=ComparisonFilterForm.base_fields)
@require_safe
@vary_on_headers("HX-Request")
def treatment_comparison(request, slug):
    comparisons = TreatmentComparison.objects.published().filter(
        condition__in=Condition.objects.published()
    )
    return comparison_page(request, comparisons, slug)


@never_cache
@require_safe
def treatment_comparison_preview(request, slug):
    """Staff preview of a comparison's working copy, rendered exactly as patients will see it."""
    user = request.user
    if not (
        user.is_active and user.is_staff and user.has_perm("conditions.view_treatmentcomparison")
    ):
        raise Http404
    response = comparison_page(
        request,
        TreatmentComparison.objects.working_copies(),
        slug,
        base_template="conditions/preview_base.html",
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def comparison_page(request, comparisons, slug, base_template=None):
    comparison = get_object_or_404(
        comparisons.select_related("condition", "reviewer"), condition__slug=slug
    )
    rows = list(
        comparison.rows.select_related("treatment").prefetch_related(
            Prefetch("references", queryset=Reference.objects.order_by("order", "pk"))
        )
    )
    if base_template is None:  # patients: the approved translation whole, or the English
        request.content_language = content_languages.localise_comparison(comparison, rows, slug)
    form = ComparisonFilterForm(request.GET, rows=rows)
    form.is_valid()
    compare_ids = form.value("compare") or []
    selected = [row for row in rows if row.pk in compare_ids]
    shown = selected or filter_rows(rows, form)
    filters = {
        "setting": form.value("setting") or "",
        "near_eyes": form.value("near_eyes") == "1",
        "babies": form.value("babies") == "1",
        "children": form.value("children") == "1",
    }
    context = {
        "comparison": comparison,
        "condition": comparison.condition,
        "rows": shown,
        "total": len(rows),
        "comparing": bool(selected),
        "form": form,
        "filters": filters,
        # The valid filters only, for the "back to all the options" link in compare mode.
        "list_query": urlencode({k: "1" if v is True else v for k, v in filters.items() if v}),
        "setting_choices": SETTING_CHOICES,
        "problems": form.problems(),
        "compare_error": form.compare_error(),
        "ticked": form.ticked() if not selected else set(),
        "evidence_scale": [(level.label, EVIDENCE_EXPLANATIONS[level]) for level in EvidenceLevel],
        "max_compare": MAX_COMPARE,
    }
    if base_template:
        context["base_template"] = base_template
        context["is_preview"] = True
    template = "conditions/treatment_comparison.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#comparison-table"
        context["announce"] = True  # "Showing N options" into the page's live region
    return TemplateResponse(request, template, context)
