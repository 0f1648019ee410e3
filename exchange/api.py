"""/api/v1/: a read-only JSON API of the published content, described by /api/v1/openapi.json.

django-ninja builds the OpenAPI 3.1 document from the same pydantic schemas that shape the
answers, so the description cannot drift from what the API returns; it also gives typed query
parameters (a bad `limit` is a 422 with the reason, never a 500) and limit/offset pagination.
Django REST framework would do the same with more machinery (serializers, viewsets, a
separate schema generator) than five read-only endpoints need.

Only live copies are read (`published()`), so a draft, or a change still waiting for review,
never appears. Every answer goes through the patient page cache (ETag, Last-Modified, a 304
for a repeat, the shared cache) and is public for five minutes. No docs page is served: the
usual one loads Swagger UI from a CDN, which the site's CSP (and its rules) forbid.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Field, NinjaAPI, Schema
from ninja.decorators import decorate_view
from ninja.pagination import LimitOffsetPagination, paginate

from conditions.caching import cache_patient_page
from conditions.models import (
    ClinicalCode,
    ComparisonRow,
    Condition,
    Questionnaire,
    Reference,
    TreatmentComparison,
)
from conditions.views.articles import article_content, article_queryset
from exchange.infobutton import absolute

MAX_AGE_SECONDS = 300
PAGE_PARAMS = ("limit", "offset")
PAGE_SIZE, MAX_PAGE_SIZE, MAX_OFFSET = 50, 200, 1_000_000


class Page(LimitOffsetPagination):
    """limit (1-200, default 50) and offset (0-1,000,000): an out-of-range value is a 422
    with the reason, never a database error."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


api = NinjaAPI(
    title="Patient information content API",
    version="1",
    description=(
        "Read-only, published content only: condition articles, treatment comparisons and "
        "questionnaires (with a link to each one's FHIR R4 Questionnaire). Lists are paginated "
        "with limit and offset. Answers carry ETag and Last-Modified; send If-None-Match or "
        "If-Modified-Since for a 304."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


def cached(view):
    """The page cache around the finished response, then public caching for a few minutes."""

    def public(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
        return response

    return cache_patient_page(params=PAGE_PARAMS)(public)


# -- schemas -----------------------------------------------------------------------------------
class Code(Schema):
    system: str
    system_uri: str
    version: str
    code: str
    display: str


class Review(Schema):
    reviewer: str
    last_reviewed: datetime.date | None
    next_review_due: datetime.date | None
    overdue: bool
    example_content: bool


class ConditionSummary(Schema):
    slug: str
    name: str
    summary: str
    also_called: list[str]
    url: str
    api_url: str
    last_reviewed: datetime.date | None
    codes: list[Code]

    @staticmethod
    def resolve_also_called(obj) -> list[str]:
        return obj.synonyms

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj) -> str:
        return _api_url("condition", obj.slug)

    @staticmethod
    def resolve_codes(obj) -> list[dict]:
        return [_code(code) for code in obj.codes.all()]


class Section(Schema):
    heading: str
    anchor: str
    html: str


class FAQ(Schema):
    question: str
    verdict: str
    answer_html: str


class CareAdvice(Schema):
    level: str
    level_label: str
    signs_html: str
    action: str


class Source(Schema):
    number: int
    title: str
    publisher: str
    year: int | None
    url: str
    checked_on: datetime.date | None


class Link(Schema):
    slug: str
    title: str
    url: str
    api_url: str


class ConditionDetail(Schema):
    slug: str
    name: str
    summary: str
    also_called: list[str]
    url: str
    sections: list[Section]
    faqs: list[FAQ]
    care_advice: list[CareAdvice]
    references: list[Source]
    codes: list[Code]
    related: list[Link]
    questionnaires: list[Link]
    treatment_comparison: Link | None
    reading_grade: float | None
    review: Review


class Option(Schema):
    treatment: str
    description: str
    no_treatment: bool
    setting: str
    who_does_it: str
    involves: str
    effectiveness: str
    evidence: str
    evidence_label: str
    pain: str
    downtime: str
    risks: str
    cost: str
    near_eyes: str
    babies: str
    children: str
    recommendation: str
    reason: str
    references: list[str]


class ComparisonFields(Schema):
    slug: str
    title: str
    condition: str
    url: str
    api_url: str


class ComparisonSummary(ComparisonFields):
    @staticmethod
    def resolve_slug(obj) -> str:
        return obj.condition.slug

    @staticmethod
    def resolve_title(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_condition(obj) -> str:
        return obj.condition.name

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj) -> str:
        return _api_url("comparison", obj.condition.slug)


class ComparisonDetail(ComparisonFields):
    intro: str
    options: list[Option]
    review: Review


class QuestionnaireFields(Schema):
    slug: str
    title: str
    intro: str
    url: str
    api_url: str
    fhir_url: str


class QuestionnaireSummary(QuestionnaireFields):
    @staticmethod
    def resolve_url(obj) -> str:
        return absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj) -> str:
        return _api_url("questionnaire", obj.slug)

    @staticmethod
    def resolve_fhir_url(obj) -> str:
        return absolute(reverse("conditions:questionnaire_fhir", args=[obj.slug]))


class QuestionnaireDetail(QuestionnaireFields):
    version: int
    conditions: list[str]
    review: Review


class Problem(Schema):
    detail: str


# -- helpers -----------------------------------------------------------------------------------
def _api_url(name: str, slug: str) -> str:
    return absolute(reverse(f"api-v1:{name}", args=[slug]))


def _code(code: ClinicalCode) -> dict:
    return {
        "system": code.system,
        "system_uri": code.system_uri,
        "version": code.version,
        "code": code.code,
        "display": code.display,
    }


def _review(item) -> dict:
    return {
        "reviewer": item.reviewer_name() if item.reviewer_id else "",
        "last_reviewed": item.last_reviewed,
        "next_review_due": item.next_review_due,
        "overdue": item.is_overdue,
        "example_content": item.is_example,
    }


def _questionnaire_summary(questionnaire: Questionnaire) -> dict:
    return {
        "slug": questionnaire.slug,
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "url": absolute(questionnaire.get_absolute_url()),
        "api_url": _api_url("questionnaire", questionnaire.slug),
        "fhir_url": absolute(reverse("conditions:questionnaire_fhir", args=[questionnaire.slug])),
    }


def _comparisons():
    return TreatmentComparison.objects.published().filter(
        condition__in=Condition.objects.published()
    )


def _comparison_summary(comparison: TreatmentComparison) -> dict:
    condition = comparison.condition
    return {
        "slug": condition.slug,
        "title": str(comparison),
        "condition": condition.name,
        "url": absolute(comparison.get_absolute_url()),
        "api_url": _api_url("comparison", condition.slug),
    }


# -- conditions --------------------------------------------------------------------------------
@api.get("/conditions/", response=list[ConditionSummary], url_name="conditions")
@paginate(Page)
@decorate_view(cached)
def conditions(request):
    """Published condition articles, A to Z, with their codes."""
    return (
        Condition.objects.published()
        .only("pk", "slug", "name", "summary", "also_known_as", "last_reviewed")
        .prefetch_related(
            Prefetch("codes", queryset=ClinicalCode.objects.order_by("system", "code"))
        )
        .order_by("name", "pk")
    )


@api.get(
    "/conditions/{slug:slug}/",
    response={200: ConditionDetail, 404: Problem},
    url_name="condition",
)
@decorate_view(cached)
def condition(request, slug: str):
    """One published article: summary, sections, FAQs, when to get help, sources, codes and
    review dates. One query."""
    try:
        item = article_queryset().get(slug=slug)
    except Condition.DoesNotExist:
        raise Http404("No published condition with that slug") from None
    content = article_content(item)
    return {
        "slug": item.slug,
        "name": item.name,
        "summary": item.summary,
        "also_called": item.synonyms,
        "url": absolute(item.get_absolute_url()),
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "html": s.body_html}
            for s in content["sections"]
        ],
        "faqs": [
            {"question": f.question, "verdict": f.verdict, "answer_html": f.answer_html}
            for f in content["faqs"]
        ],
        "care_advice": [
            {
                "level": a.level,
                "level_label": str(a.get_level_display()),
                "signs_html": a.signs_html,
                "action": a.action,
            }
            for a in content["care_advice"]
        ],
        "references": [
            {
                "number": number,
                "title": r.title,
                "publisher": r.publisher,
                "year": r.year,
                "url": r.url,
                "checked_on": r.checked_on,
            }
            for number, r in enumerate(content["references"], start=1)
        ],
        "codes": [_code(code) for code in content["codes"]],
        "related": [
            {
                "slug": c.slug,
                "title": c.name,
                "url": absolute(c.get_absolute_url()),
                "api_url": _api_url("condition", c.slug),
            }
            for c in content["related"]
        ],
        "questionnaires": [
            {
                "slug": q.slug,
                "title": q.title,
                "url": absolute(q.get_absolute_url()),
                "api_url": _api_url("questionnaire", q.slug),
            }
            for q in content["questionnaires"]
        ],
        "treatment_comparison": (
            {
                "slug": item.slug,
                "title": str(content["comparison"]),
                "url": absolute(content["comparison"].get_absolute_url()),
                "api_url": _api_url("comparison", item.slug),
            }
            if content["comparison"]
            else None
        ),
        "reading_grade": item.reading_grade,
        "review": _review(item),
    }


# -- treatment comparisons ---------------------------------------------------------------------
@api.get("/comparisons/", response=list[ComparisonSummary], url_name="comparisons")
@paginate(Page)
@decorate_view(cached)
def comparisons(request):
    """Published treatment comparisons, one per condition, by condition name."""
    rows = _comparisons().select_related("condition").order_by("condition__name", "pk")
    return rows.only("pk", "condition__slug", "condition__name")


@api.get(
    "/comparisons/{slug:slug}/",
    response={200: ComparisonDetail, 404: Problem},
    url_name="comparison",
)
@decorate_view(cached)
def comparison(request, slug: str):
    """One condition's treatment comparison: every option with its benefits, harms, evidence
    and recommendation (including the options not recommended, and why)."""
    item = (
        _comparisons()
        .select_related("condition", "reviewer")
        .prefetch_related(
            Prefetch(
                "rows",
                queryset=ComparisonRow.objects.select_related("treatment")
                .prefetch_related(
                    Prefetch("references", queryset=Reference.objects.order_by("order", "pk"))
                )
                .order_by("order", "pk"),
            )
        )
        .filter(condition__slug=slug)
        .first()
    )
    if item is None:
        raise Http404("No published treatment comparison for that condition")
    options = [
        {
            "treatment": row.treatment.name,
            "description": row.treatment.description,
            "no_treatment": row.treatment.is_no_treatment,
            "setting": str(row.treatment.get_setting_display()),
            "who_does_it": row.treatment.who_does_it,
            "involves": row.involves,
            "effectiveness": row.effectiveness,
            "evidence": row.evidence,
            "evidence_label": str(row.get_evidence_display()),
            "pain": row.pain,
            "downtime": row.downtime,
            "risks": row.risks,
            "cost": str(row.get_cost_display()),
            "near_eyes": row.near_eyes,
            "babies": row.babies,
            "children": row.children,
            "recommendation": row.recommendation,
            "reason": row.reason,
            "references": [r.url or r.title for r in row.references.all()],
        }
        for row in item.rows.all()
    ]
    return {
        **_comparison_summary(item),
        "intro": item.intro,
        "options": options,
        "review": _review(item),
    }


# -- questionnaires ----------------------------------------------------------------------------
@api.get("/questionnaires/", response=list[QuestionnaireSummary], url_name="questionnaires")
@paginate(Page)
@decorate_view(cached)
def questionnaires(request):
    """Published questionnaires, with the address of each one's FHIR R4 Questionnaire."""
    rows = Questionnaire.objects.published().only("pk", "slug", "title", "intro")
    return rows.order_by("title", "pk")


@api.get(
    "/questionnaires/{slug:slug}/",
    response={200: QuestionnaireDetail, 404: Problem},
    url_name="questionnaire",
)
@decorate_view(cached)
def questionnaire(request, slug: str):
    """One published questionnaire: what it is for, its FHIR form and review dates."""
    item = (
        Questionnaire.objects.published()
        .select_related("reviewer")
        .prefetch_related(
            Prefetch(
                "conditions",
                queryset=Condition.objects.published().only("pk", "slug").order_by("slug"),
            )
        )
        .filter(slug=slug)
        .first()
    )
    if item is None:
        raise Http404("No published questionnaire with that slug")
    return {
        **_questionnaire_summary(item),
        "version": item.version,
        "conditions": [c.slug for c in item.conditions.all()],
        "review": _review(item),
    }
