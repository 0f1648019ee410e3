"""Patient pages for condition articles. Every query starts from published()."""

from __future__ import annotations

import json
import re
import string
from html import unescape

import nh3
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Aggregate, Count, OuterRef, Q, Subquery, TextField
from django.db.models.functions import JSONObject, Substr, Upper
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from conditions import article_parts, content_languages
from conditions.caching import cache_patient_page
from conditions.languages import language_entry_point
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    ComparisonRow,
    Condition,
    ConditionImage,
    Questionnaire,
    Recommendation,
    Reference,
    Section,
    TreatmentComparison,
)
from conditions.models.articles import anchor_aliases
from conditions.purge import LIST_KEY

LETTERS = list(string.ascii_uppercase)
OTHER = "#"  # names that start with a digit or a letter outside A-Z
# Up to this many published conditions the A-Z page lists them all on one page with anchors;
# beyond it (a big clinic group) it shows one letter at a time.
ALL_ON_ONE_PAGE = 400


# -- A to Z ---------------------------------------------------------------------------------
def letter_counts(conditions) -> dict[str, int]:
    """How many conditions start with each letter, in one grouped query."""
    counts: dict[str, int] = {}
    rows = (
        conditions.order_by()
        .annotate(initial=Upper(Substr("name", 1, 1)))
        .values_list("initial")
        .annotate(n=Count("pk"))
    )
    for initial, n in rows:
        key = initial if initial in LETTERS else OTHER
        counts[key] = counts.get(key, 0) + n
    return counts


def letter_index(counts: dict[str, int], one_page: bool, current: str = "") -> list[dict]:
    """The A-Z index: every letter, linked when it has conditions (anchor or ?letter=)."""
    index = []
    for letter in [*LETTERS, OTHER]:
        if letter == OTHER and not counts.get(OTHER):
            continue
        label = "0–9" if letter == OTHER else letter
        anchor = "letter-other" if letter == OTHER else f"letter-{letter}"
        query = "0-9" if letter == OTHER else letter
        href = f"#{anchor}" if one_page else f"?letter={query}#{anchor}"
        index.append(
            {
                "letter": letter,
                "label": label,
                "count": counts.get(letter, 0),
                "href": href,
                "anchor": anchor,
                "current": letter == current,
            }
        )
    return index


def _starting_with(conditions, letter: str):
    if letter == OTHER:
        return conditions.exclude(name__regex=r"^[A-Za-z]")
    return conditions.filter(name__istartswith=letter)


@language_entry_point
@cache_patient_page(surrogate_keys=(LIST_KEY,))
@require_safe
def home(request):
    conditions = Condition.objects.published()
    counts = letter_counts(conditions)
    one_page = sum(counts.values()) <= ALL_ON_ONE_PAGE
    context = {
        "featured": conditions.filter(featured=True).only("name", "slug", "summary")[:12],
        "questionnaires": Questionnaire.objects.published()
        .filter(featured=True)
        .only("title", "slug", "intro")[:6],
        "letters": letter_index(counts, one_page),
    }
    return TemplateResponse(request, "conditions/home.html", context)


@cache_patient_page(params=("letter",), surrogate_keys=(LIST_KEY,))
@require_safe
def condition_list(request):
    published = Condition.objects.published()
    counts = letter_counts(published)
    one_page = sum(counts.values()) <= ALL_ON_ONE_PAGE
    requested = request.GET.get("letter", "").strip().upper()
    letter = OTHER if requested in {"0-9", OTHER} else requested
    if letter and letter not in LETTERS and letter != OTHER:
        raise Http404("No such letter")
    if not letter and not one_page:
        letter = next((x for x in [*LETTERS, OTHER] if counts.get(x)), "A")
    shown = _starting_with(published, letter) if letter else published
    groups: dict[str, list] = {}
    for condition in shown.only("name", "slug", "summary"):
        initial = condition.name[:1].upper()
        groups.setdefault(initial if initial in LETTERS else OTHER, []).append(condition)
    index = letter_index(counts, one_page and not letter, current=letter)
    context = {
        "index": index,
        "groups": [
            (entry, groups[entry["letter"]]) for entry in index if entry["letter"] in groups
        ],
        "letter": letter,
        "one_page": one_page,
        "total": sum(counts.values()),
    }
    return TemplateResponse(request, "conditions/condition_list.html", context)


# -- the article ------------------------------------------------------------------------------
class JSONRows(Aggregate):
    """Rows of a related table as one JSON array (as text): one query for the whole article."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="JSON_AGG",
            template="%(function)s(%(expressions)s)::text",
            **extra_context,
        )


def _rows(queryset, link: str, **fields) -> Subquery:
    """A correlated subquery giving the rows of `queryset` for the outer condition as JSON."""
    return Subquery(
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONRows(JSONObject(**fields)))
        .values("rows")
    )


def _fields(*names: str) -> dict[str, str]:
    return {name: name for name in names}


ARTICLE_PARTS = {
    "sections": (
        Section,
        _fields(
            "id",
            "order",
            "heading",
            "slug",
            "previous_anchors",
            "part_title",
            "body_html",
            "body_text",
            "source_id",  # the working row: what translations are keyed by
        ),
    ),
    "faqs": (FAQ, _fields("id", "order", "question", "verdict", "answer_html", "source_id")),
    "references": (
        Reference,
        _fields("id", "order", "title", "publisher", "year", "url", "checked_on"),
    ),
    "codes": (ClinicalCode, _fields("id", "system", "version", "code", "display")),
    "care_advice": (CareAdvice, _fields("id", "level", "signs_html", "action", "source_id")),
    "images": (
        ConditionImage,
        _fields(
            "id",
            "order",
            "image",
            "alt_text",
            "caption",
            "skin_tone",
            "origin",
            "credit",
            "renditions",
        ),
    ),
}


def _instances(model, raw: str | None, order=("order", "id")) -> list:
    """Unsaved model instances from a JSON array of rows, in the model's display order."""
    rows = json.loads(raw) if raw else []
    objects = [
        model(**{key: model._meta.get_field(key).to_python(value) for key, value in row.items()})
        for row in rows
    ]
    return sorted(objects, key=lambda obj: tuple(getattr(obj, key) or 0 for key in order))


def article_queryset(conditions=None):
    """Conditions with everything the article page shows, fetched in one query.

    `conditions` is the base queryset the page may show. Patients get the default,
    `Condition.objects.published()`; only the staff preview passes a wider one. Related
    conditions and questionnaires are always limited to published ones, so a preview shows
    exactly the links a patient would see.
    """
    if conditions is None:
        conditions = Condition.objects.published()
    # A live article links to live copies; a working copy (the preview) links to working
    # copies, shown when their live copy is published.
    live_conditions = Condition.objects.published()
    related = Condition.related.through.objects.filter(
        Q(to_condition__in=live_conditions) | Q(to_condition__live__in=live_conditions)
    )
    live_questionnaires = Questionnaire.objects.published()
    questionnaires = Questionnaire.conditions.through.objects.filter(
        Q(questionnaire__in=live_questionnaires) | Q(questionnaire__live__in=live_questionnaires)
    )
    parts = {
        f"{name}_json": _rows(model.objects.all(), "condition", **fields)
        for name, (model, fields) in ARTICLE_PARTS.items()
    }
    return conditions.select_related("reviewer", "comparison").annotate(
        **parts,
        related_json=_rows(
            related, "from_condition", name="to_condition__name", slug="to_condition__slug"
        ),
        questionnaires_json=_rows(
            questionnaires,
            "condition",
            title="questionnaire__title",
            slug="questionnaire__slug",
        ),
        # For the JSON-LD's possibleTreatment: the live comparison's options, except those
        # the clinicians do not recommend.
        treatments_json=_rows(
            ComparisonRow.objects.filter(
                comparison__in=TreatmentComparison.objects.published()
            ).exclude(recommendation=Recommendation.NOT_RECOMMENDED),
            "comparison__condition",
            order="order",
            name="treatment__name",
            no_treatment="treatment__is_no_treatment",
        ),
    )


URGENT_LEVELS = {CareAdvice.Level.EMERGENCY, CareAdvice.Level.URGENT}

# Ids the page itself uses; a section called "Questions" must not take them.
RESERVED_IDS = {"main", "header-q", "contents", "when-to-get-help", "questions", "sources"}
RESERVED_IDS |= {"related", "next-steps", "urgent-help", "top", "parts"}
# Addresses under /conditions/<slug>/ that are not parts: a section must not take them.
RESERVED_IDS |= {"all", "treatments", "preview"}


def _with_anchors(sections: list) -> list:
    """Give each section a unique id for the contents list."""
    seen = set(RESERVED_IDS)
    for section in sections:
        base = section.slug or f"section-{section.id}"
        if base.startswith("ref-"):  # #ref-2 belongs to the reference list (inline citations)
            base = f"section-{base}"
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        section.anchor = anchor
    anchor_aliases(sections)  # renamed headings: their old anchors still land here
    return sections


def article_content(condition: Condition) -> dict:
    """Turn the JSON columns of article_queryset() into lists the template can loop over."""
    try:
        comparison = condition.comparison
    except ObjectDoesNotExist:
        comparison = None
    advice = _instances(CareAdvice, condition.care_advice_json, order=("level_rank",))
    return {
        # The urgent-help card near the top (999 first, then same day); the rest stays in
        # "When to get help" further down. Both lists: most serious first.
        "urgent_advice": [a for a in reversed(advice) if a.level in URGENT_LEVELS],
        "other_advice": [a for a in reversed(advice) if a.level not in URGENT_LEVELS],
        "sections": _with_anchors(_instances(Section, condition.sections_json)),
        "faqs": _instances(FAQ, condition.faqs_json),
        "references": _instances(Reference, condition.references_json),
        "codes": _instances(ClinicalCode, condition.codes_json, order=("system", "code")),
        "care_advice": advice,
        "images": _instances(ConditionImage, condition.images_json),
        "related": _instances(Condition, condition.related_json, order=("name",)),
        "questionnaires": _instances(Questionnaire, condition.questionnaires_json, ("title",)),
        "comparison": comparison if comparison and comparison.is_published else None,
    }


# A section describing what the condition looks like or feels like (its signs).
SIGNS_HEADING = re.compile(r"\b(looks? like|symptoms?|signs?)\b", re.IGNORECASE)


def _treatments(condition: Condition) -> list[dict]:
    """schema.org MedicalTherapy entries: the live comparison's options the clinicians
    recommend or offer as an option (not-recommended ones are left out)."""
    raw = getattr(condition, "treatments_json", None)
    rows = sorted(json.loads(raw) if raw else [], key=lambda row: (row["order"], row["name"]))
    return [{"@type": "MedicalTherapy", "name": row["name"]} for row in rows]


def _plain(html: str) -> str:
    """Text of rendered section HTML, without the inline citation numbers ([2], [1, 5])."""
    text = unescape(nh3.clean(html, tags=set()))
    text = re.sub(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _first_sentence(text: str, limit: int = 300) -> str:
    """The opening sentence (the page weight stays small on every part of a long article)."""
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _signs(canonical: str, sections: list) -> list[dict]:
    """schema.org MedicalSignOrSymptom: the article's "What ... look like" section(s)."""
    return [
        {
            "@type": "MedicalSignOrSymptom",
            "name": section.heading,
            "description": _first_sentence(_plain(section.body_html)),
            "url": f"{canonical}#{section.anchor}",
        }
        for section in sections
        if SIGNS_HEADING.search(section.heading)
    ]


def json_ld(
    condition: Condition,
    canonical: str,
    content: dict,
    part_of: str = "",
    in_language: str = "en-GB",
) -> str:
    """schema.org MedicalWebPage about a MedicalCondition, escaped for a <script> element.

    A part of a long article names its title and the article it is part of (`part_of`)."""
    about = {
        "@type": "MedicalCondition",
        "name": condition.name,
        "description": condition.summary,
    }
    if condition.synonyms:
        about["alternateName"] = condition.synonyms
    if content["codes"]:
        about["code"] = [
            {
                "@type": "MedicalCode",
                "codeValue": code.code,
                "codingSystem": code.get_system_display(),
                "name": code.display,
            }
            for code in content["codes"]
        ]
    treatments = _treatments(condition)
    if treatments:
        about["possibleTreatment"] = treatments
    signs = _signs(canonical, content["sections"])
    if signs:
        about["signOrSymptom"] = signs
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": condition.name,
        "url": canonical,
        "description": condition.summary,
        "inLanguage": in_language,
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": about,
    }
    part = content.get("part")
    if part is not None and part_of:
        data["name"] = f"{condition.name}: {part.title}"
        data["isPartOf"] = {"@type": "MedicalWebPage", "url": part_of, "name": condition.name}
    if condition.last_reviewed:
        data["lastReviewed"] = condition.last_reviewed.isoformat()
    if condition.reviewer_id:
        data["reviewedBy"] = {"@type": "Person", "name": condition.reviewer_name()}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    escapes = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    return mark_safe(text.translate(escapes))  # noqa: S308 - JSON with <, > and & escaped


class ArticleUrls:
    """Addresses of an article's pages: the patient site's (in the kiosk, the kiosk's) or the
    staff preview's, so the preview's links stay in the preview."""

    def __init__(self, request, slug: str, preview: bool = False):
        match = getattr(request, "resolver_match", None)
        self.namespace = match.namespace if match and match.namespace else "conditions"
        self.slug = slug
        self.preview = preview
        self.prefix = "condition_preview" if preview else "condition"

    def _url(self, name: str, *args) -> str:
        return reverse(f"conditions:{name}", args=[self.slug, *args], current_app=self.namespace)

    def opening(self) -> str:
        return self._url("condition_preview" if self.preview else "condition_detail")

    def whole(self) -> str:
        return self._url(f"{self.prefix}_whole")

    def part(self, part_slug: str) -> str:
        return self._url(f"{self.prefix}_part", part_slug)


def _cite_to(html: str, sources_url: str) -> str:
    """Inline citations (links to #ref-2 on the same page) pointed at the sources part."""
    html = html.replace('href="#ref-', f'href="{sources_url}#ref-')
    return html.replace("in the list below", "in the sources")


def _part_context(parts: list, part, urls: ArticleUrls, content: dict) -> dict:
    """What a part's page shows beyond the article's content: its neighbours, and citations
    that lead to the sources part."""
    index = parts.index(part)
    sources = next((p for p in parts if p.kind == article_parts.SOURCES), None)
    if sources is not None and part is not sources:
        for section in part.sections:
            section.body_html = _cite_to(section.body_html, sources.url)
        if part.kind == article_parts.QUESTIONS:
            for faq in content["faqs"]:
                faq.answer_html = _cite_to(faq.answer_html, sources.url)
    return {
        "part": part,
        "previous_part": parts[index - 1] if index > 0 else None,
        "next_part": parts[index + 1] if index + 1 < len(parts) else None,
    }


def article_page(
    request,
    conditions,
    slug: str,
    part_slug: str | None = None,
    whole: bool = False,
    preview: bool = False,
    **extra_context,
):
    """The article page for `slug`, looked up in `conditions` (404 when it is not there).

    The patient view and the staff preview both render through here, so a preview cannot
    drift from what patients will see; they differ only in the base queryset they pass.
    A long article (conditions/article_parts.py) opens with its summary, urgent help and a
    list of parts; `part_slug` is one part (or a section in one: a redirect to it there);
    `whole` is the article on one page, for printing.
    """
    try:
        condition = article_queryset(conditions).get(slug=slug)
    except Condition.DoesNotExist:
        raise Http404("No condition with that address") from None
    content = article_content(condition)
    if not preview:  # the patient's language: the approved translation whole, or the English
        request.content_language = content_languages.localise_article(condition, content)
    urls = ArticleUrls(request, condition.slug, preview=preview)
    parts = article_parts.article_parts(
        content["sections"], content["other_advice"], content["faqs"], content["references"]
    )
    for part in parts:
        part.url = urls.part(part.slug)
        part.condition_slug = condition.slug
    one_page = article_parts.fits_one_page(condition.summary, parts)
    template = "conditions/condition_detail.html"
    canonical = request.build_absolute_uri(condition.get_absolute_url())
    page_url, part_of = canonical, ""
    if part_slug is not None:
        part, anchor = article_parts.part_of(parts, part_slug)
        if part is None:
            raise Http404("No such part of this article")
        if one_page:  # a short article has no parts: the section is on its one page
            return HttpResponseRedirect(f"{urls.opening()}#{anchor or part.slug}")
        if anchor:
            return HttpResponseRedirect(f"{part.url}#{anchor}")
        content.update(_part_context(parts, part, urls, content))
        template = "conditions/condition_part.html"
        page_url, part_of = request.build_absolute_uri(part.get_absolute_url()), canonical
    shown = getattr(request, "content_language", None)  # the language of the content shown
    context = {
        "condition": condition,
        "canonical_url": page_url,
        "json_ld": json_ld(
            condition,
            page_url,
            content,
            part_of=part_of,
            in_language=shown.lang if shown and shown.translated else "en-GB",
        ),
        "parts": parts,
        # Everything on one page: a short article, or the whole article asked for.
        "one_page": one_page or whole,
        "is_whole": whole and not one_page,
        "opening_url": urls.opening(),
        "whole_url": urls.whole(),
        "reading_minutes": article_parts.minutes(
            article_parts.words(condition.summary) + sum(p.word_count for p in parts)
        ),
        **content,
        **extra_context,
    }
    return TemplateResponse(request, template, context)


@cache_patient_page
@require_safe
def condition_detail(request, slug):
    return article_page(request, Condition.objects.published(), slug)


@cache_patient_page
@require_safe
def condition_part(request, slug, part):
    return article_page(request, Condition.objects.published(), slug, part_slug=part)


@cache_patient_page
@require_safe
def condition_whole(request, slug):
    return article_page(request, Condition.objects.published(), slug, whole=True)
