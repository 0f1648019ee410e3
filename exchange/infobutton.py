"""HL7 Infobutton (URL-based knowledge requests): what was asked, and which published pages answer.

An EHR opens /infobutton/?mainSearchCriteria.v.c=L72.0&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90
next to a coded problem. `KnowledgeRequest.from_query()` reads and checks the parameters
(a malformed one raises `RequestProblem`, which the view turns into a 400 with the reason);
`find_pages()` finds up to three published articles, best first:

1. an article carrying the code itself (the requested ICD-10 edition first, then the other);
2. an article carrying one of its parents (L72.01 -> L72.0 -> L72): a broader code covers it;
3. the display name (mainSearchCriteria.v.dn), through the site search;
4. articles coded elsewhere in the same category, then the same ICD-10 block (L60-L75):
   related pages, not about the coded condition, so never opened without a choice.

Only live copies (`Condition.objects.published()`) are read, so drafts never answer.
SNOMED CT has no hierarchy here (that needs a terminology server): exact code, then the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr
from django.http import QueryDict
from django.utils.translation import get_language_info
from stdnum import verhoeff

from conditions.models import ClinicalCode, Condition, Section
from exchange import icd10

MAX_MATCHES = 3

# Code system OIDs (HL7) -> ClinicalCode.System
ICD10CM_OID = "2.16.840.1.113883.6.90"
ICD10_OID = "2.16.840.1.113883.6.3"
SNOMED_OID = "2.16.840.1.113883.6.96"
CODE_SYSTEMS = {
    ICD10CM_OID: ClinicalCode.System.ICD10CM,
    ICD10_OID: ClinicalCode.System.ICD10,
    SNOMED_OID: ClinicalCode.System.SNOMED,
}
ICD_SYSTEMS = {
    ClinicalCode.System.ICD10CM: [ClinicalCode.System.ICD10CM],
    ClinicalCode.System.ICD10: [ClinicalCode.System.ICD10, ClinicalCode.System.ICD10GM],
}

HTML = "text/html"
JSON = "application/json"
ATOM = "application/atom+xml"
# MedlinePlus Connect calls its Atom answer text/xml; accept both names, and the "+" of an
# EHR template that did not percent-encode it (it arrives as a space).
RESPONSE_TYPES = {
    HTML: HTML,
    JSON: JSON,
    ATOM: ATOM,
    "application/atom xml": ATOM,
    "text/xml": ATOM,
}

RECIPIENTS = {"PAT": "patient", "PROV": "provider", "PAYOR": "payor"}
# UCUM units of age.v.u -> years
AGE_UNITS = {
    "a": 1.0,
    "mo": 1 / 12,
    "wk": 7 / 365.25,
    "d": 1 / 365.25,
    "h": 1 / 8766,
    "min": 1 / 525960,
}
LANGUAGE_SHAPE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
GENDERS = {"M", "F", "UN", "O", "U"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Section headings that are the article's part about babies (see baby_part_anchor).
BABY_WORDS = re.compile(r"\b(newborns?|bab(?:y|ies)|infants?)\b", re.IGNORECASE)

# Match kinds, best first. Only the first three may open a page without a choice.
EXACT, BROADER, NAME, SAME_CATEGORY, SAME_GROUP = (
    "exact",
    "broader",
    "name",
    "same-category",
    "same-group",
)
DIRECT_KINDS = {EXACT, BROADER, NAME}


class RequestProblem(ValueError):
    """A parameter the portal cannot use; the message says which and why."""


def content_languages() -> list[str]:
    """Primary language subtags the portal's content is written in.

    English only: settings.LANGUAGES lists the interface languages, and articles have
    no translations yet; translated content adds its languages here and to the article lookup."""
    return [settings.LANGUAGE_CODE.split("-")[0].lower()]


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code.split("-")[0].lower())["name"])
    except KeyError:
        return code


@dataclass
class KnowledgeRequest:
    code: str = ""
    system: str = ""  # a ClinicalCode.System value, "" when none or not supported
    system_oid: str = ""
    display_name: str = ""
    recipient: str = "patient"
    language: str = ""  # as requested
    served_language: str = "en"
    age_years: float | None = None
    gender: str = ""
    response_type: str = HTML
    notes: list[str] = field(default_factory=list)

    @property
    def infant(self) -> bool:
        return self.age_years is not None and self.age_years < 1

    @property
    def language_label(self) -> str:
        return f"{language_name(self.language)} ({self.language})" if self.language else ""

    @property
    def language_note(self) -> str:
        if not self.language or self.language.split("-")[0].lower() == self.served_language:
            return ""
        return (
            f"{language_name(self.language)} ({self.language}) was asked for; "
            f"these pages are in {language_name(self.served_language)} only."
        )

    @classmethod
    def from_query(cls, query: QueryDict) -> KnowledgeRequest:
        def get(name: str) -> str:
            # Control characters (a %00 in the link) have no place in any parameter, and XML
            # (the Atom answer) cannot carry them.
            return CONTROL_CHARACTERS.sub("", query.get(name) or "").strip()

        request = cls()
        response_type = get("knowledgeResponseType") or HTML
        if response_type not in RESPONSE_TYPES:
            raise RequestProblem(
                f"knowledgeResponseType “{response_type[:60]}” is not offered: "
                "use text/html, application/json or application/atom+xml."
            )
        request.response_type = RESPONSE_TYPES[response_type]
        request.display_name = (get("mainSearchCriteria.v.dn") or get("mainSearchCriteria.v.ot"))[
            :200
        ]
        request.system_oid = get("mainSearchCriteria.v.cs")
        raw_code = get("mainSearchCriteria.v.c")[:40]
        if raw_code:
            request._read_code(raw_code)
        if not request.code and not request.display_name:
            raise RequestProblem(
                "Give a code (mainSearchCriteria.v.c with mainSearchCriteria.v.cs) "
                "or a name (mainSearchCriteria.v.dn)."
                + (f" {request.notes[0]}" if request.notes else "")
            )
        recipient = get("informationRecipient").upper()
        if recipient:
            request.recipient = RECIPIENTS.get(recipient, "patient")
        request._read_language(get("informationRecipient.languageCode.c"))
        request._read_age(get("age.v.v"), get("age.v.u"))
        gender = get("administrativeGender.c").upper()
        request.gender = gender if gender in GENDERS else ""
        return request

    def _read_code(self, raw: str) -> None:
        system = CODE_SYSTEMS.get(self.system_oid)
        if system is None:
            self.notes.append(
                "The code system (mainSearchCriteria.v.cs) is missing or not one this portal "
                f"uses ({ICD10CM_OID} ICD-10-CM, {ICD10_OID} ICD-10, {SNOMED_OID} SNOMED CT)."
            )
            return
        if system == ClinicalCode.System.SNOMED:
            if not verhoeff.is_valid(raw) or not raw.isdigit() or not 6 <= len(raw) <= 18:
                self.notes.append(f"“{raw}” is not a SNOMED CT identifier (check digit).")
                return
            code = raw
        else:
            code = icd10.normalise(raw)
            if code is None:
                self.notes.append(f"“{raw}” is not shaped like an ICD-10 code.")
                return
        self.code, self.system = code, system

    def _read_language(self, raw: str) -> None:
        if not raw:
            return
        if not LANGUAGE_SHAPE.match(raw):
            raise RequestProblem(
                f"informationRecipient.languageCode.c “{raw[:20]}” is not a language code "
                "(for example en or es)."
            )
        self.language = raw.replace("_", "-")
        primary = self.language.split("-")[0].lower()
        available = content_languages()
        self.served_language = primary if primary in available else available[0]

    def _read_age(self, value: str, unit: str) -> None:
        if not value:
            return
        try:
            number = float(value)
        except ValueError:
            raise RequestProblem(f"age.v.v “{value[:20]}” is not a number.") from None
        unit = unit or "a"
        if unit not in AGE_UNITS:
            raise RequestProblem(
                f"age.v.u “{unit[:10]}” is not a UCUM unit of age: use a, mo, wk, d, h or min."
            )
        if not 0 <= number < 200 / AGE_UNITS[unit] or number != number:
            raise RequestProblem(f"age.v.v “{value[:20]}” is not a possible age.")
        self.age_years = number * AGE_UNITS[unit]


@dataclass
class Match:
    condition: Condition
    kind: str
    code: ClinicalCode | None = None  # the article's code that matched
    anchor: str = ""  # the article part for this person (the baby part), "" for the top


@dataclass
class Answer:
    request: KnowledgeRequest
    matches: list[Match]

    @property
    def direct(self) -> Match | None:
        """The one page to open without asking: a single code match, or the article the
        display name names (the best name match)."""
        if len(self.matches) == 1 and self.matches[0].kind in DIRECT_KINDS:
            return self.matches[0]
        if self.matches and self.matches[0].kind == NAME:
            return self.matches[0]
        return None


CONDITION_FIELDS = (
    "pk",
    "name",
    "slug",
    "summary",
    "also_known_as",
    "last_reviewed",
    "next_review_due",
    "updated_at",
    "is_example",
)


def find_pages(request: KnowledgeRequest) -> Answer:
    """Up to MAX_MATCHES published articles for the request, best first (3 to 5 queries)."""
    published = Condition.objects.published()
    found: list[tuple[int, str, ClinicalCode | None]] = []  # (condition id, kind, code)
    if request.code:
        found = _by_code(request, published)
    if not found and request.display_name:
        found = _by_name(request.display_name)
    if not found and request.system in ICD_SYSTEMS:
        found = _related(request, published)
    ids = [pk for pk, _kind, _code in found]
    conditions = {c.pk: c for c in published.filter(pk__in=ids).only(*CONDITION_FIELDS)}
    matches = [Match(conditions[pk], kind, code) for pk, kind, code in found if pk in conditions]
    if request.infant and matches:
        sections = Section.objects.filter(condition__in=[m.condition for m in matches])
        by_condition: dict[int, list[Section]] = {}
        for section in sections.only("pk", "condition_id", "order", "heading", "slug"):
            by_condition.setdefault(section.condition_id, []).append(section)
        for match in matches:
            match.anchor = baby_part_anchor(by_condition.get(match.condition.pk, []))
    return Answer(request, matches)


def _by_name(name: str) -> list[tuple[int, str, None]]:
    """Articles whose name or a synonym is the display name (typo-tolerant, site search).

    Pages that only mention the words in their text are left to the search page: a display
    name such as "Dependence on machines" must not open an article that happens to say
    "machines"."""
    results = Condition.objects.search(name, limit=MAX_MATCHES)
    return [(c.pk, NAME, None) for c in results if c.matched_name or c.matched_synonym]


def _codes(published, **lookups):
    return ClinicalCode.objects.filter(condition__in=published, **lookups).only(
        "pk", "condition_id", "system", "version", "code", "display"
    )


def _by_code(request: KnowledgeRequest, published) -> list[tuple[int, str, ClinicalCode]]:
    """Articles carrying the code, or (ICD-10) its nearest parent; one query."""
    if request.system == ClinicalCode.System.SNOMED:
        rows = list(_codes(published, system=request.system, code=request.code))
        return _first_per_condition(rows, lambda row: (0,), EXACT)
    levels = [request.code, *icd10.parents(request.code)]
    preferred = ICD_SYSTEMS[request.system]
    systems = [s for group in ICD_SYSTEMS.values() for s in group]
    rows = list(_codes(published, system__in=systems, code__in=levels))
    if not rows:
        return []

    def rank(row):  # the requested edition first, then the nearest level
        return (row.system not in preferred, levels.index(row.code))

    best = min(rank(row) for row in rows)
    rows = [row for row in rows if rank(row) == best]
    return _first_per_condition(rows, rank, EXACT if best[1] == 0 else BROADER)


def _related(request: KnowledgeRequest, published) -> list[tuple[int, str, ClinicalCode]]:
    """Articles coded elsewhere in the code's category, else in its block (one query)."""
    edition = icd10.WHO if request.system == ClinicalCode.System.ICD10 else icd10.CM
    category = icd10.category(request.code)
    block = icd10.block_of(request.code, edition)
    categories = icd10.block_categories(block[0], edition) if block else [category]
    systems = [s for group in ICD_SYSTEMS.values() for s in group]
    rows = list(
        _codes(published, system__in=systems)
        .annotate(category=Substr("code", 1, 3))
        .filter(Q(category__in=categories) | Q(category=category))
        .order_by("condition__name", "code")
    )
    same = [row for row in rows if row.category == category]
    if same:
        return _first_per_condition(same, lambda row: (0,), SAME_CATEGORY)
    return _first_per_condition(rows, lambda row: (0,), SAME_GROUP)


def _first_per_condition(rows, rank, kind) -> list[tuple[int, str, ClinicalCode]]:
    chosen: dict[int, ClinicalCode] = {}
    for row in sorted(rows, key=lambda r: (rank(r), r.code)):
        chosen.setdefault(row.condition_id, row)
    return [(pk, kind, code) for pk, code in list(chosen.items())[:MAX_MATCHES]]


def baby_part_anchor(sections: list[Section]) -> str:
    """The anchor of the article's part about babies, "" when it has none.

    The first section whose heading names newborns, babies or infants ("Milia in newborn
    babies"). Anchors are worked out as the article page does (conditions.views.articles),
    so the link lands on the heading.
    """
    from conditions.views.articles import _with_anchors

    ordered = _with_anchors(sorted(sections, key=lambda s: (s.order, s.pk)))
    for section in ordered:
        if BABY_WORDS.search(section.heading):
            return section.anchor
    return ""


def page_url(match: Match) -> str:
    """The path of the page to open for a match, with the baby part's anchor: on a one-page
    article the section itself, on a long one its entry in the list of parts."""
    url = match.condition.get_absolute_url()
    return f"{url}#{match.anchor}" if match.anchor else url


def absolute(path: str) -> str:
    """An address on the clinic's public site (settings.PORTAL_PUBLIC_URL), whatever host
    the request came in on: machine-readable answers must not depend on it."""
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + path
