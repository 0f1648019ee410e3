"""Demo condition articles: milia in full, and short pages for its look-alikes.

Written fresh from shared/content-notes/milia.md (facts and sources carry over, the seed
texts' sentences do not). Every article is published through Condition.publish(), so the
same rules as the admin apply: reviewer, dates, references and sections.

Codes: only verified codes ship (ICD-10-CM L72.0 and SNOMED CT 254679001 for milia, both
from VisualDx). WHO ICD-10 / ICD-10-GM L72.8 and any ICD-11 code are unverified in the
notes and are deliberately left out until a coder checks them in the WHO browser.
Look-alikes: ICD-10-CM L70.0 "Acne vulgaris" and H02.6 "Xanthelasma of eyelid" are
checked against the ICD-10-CM tabular (simple-icd-10-cm, tests/exchange/test_demo_codes.py) and
coder references; SNOMED CT 11381005 "Acne" against a published OpenSAFELY acne codelist, with a
valid check digit. Still awaiting a clinical coder's sign-off like the rest. Left out, not
verified: syringoma (ICD-10-CM codes it by site, D23.1x eyelid or D23.3x face, so no one code
fits the page) and sebaceous hyperplasia (no source names its ICD-10-CM home), and any SNOMED CT
code for xanthelasma, syringoma or sebaceous hyperplasia. Searched again in December 2026: the
ICD-10-CM tabular (simple-icd-10-cm) names neither condition; the content notes give no code for
them; VisualDx's sebaceous hyperplasia page was found but its codes were not in what we could
read; the other pages found were unnamed coder blogs. So both stay uncoded: the admin's article
list and form say they need a clinical coder, and the infobutton finds them by display name.

load() is idempotent: an article whose slug (or name) already exists is left exactly as it
is, so a clinician's edits are never overwritten and a second run changes nothing.
refresh() (`load_demo_content --refresh`) brings a database loaded by an earlier version up to
date, but only for articles that are still unreviewed example content (see refresh()).
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content, signs
from conditions.demo.sources import SOURCES
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    Condition,
    Reference,
    Section,
    Status,
)
from conditions.packs.importing import cite_by_number

NEXT_REVIEW_DUE = content().pack.review.next_review_due

# Admin-visible (the page's history, as the reason for publishing): never shown to patients.
# simple_history keeps at most 100 characters; the full notes are EDITOR_NOTES below.
DEMO_NOTE = "Demo content, awaiting the clinic's own clinical review: see the editor note in demo/articles.py"
DEMO_UPDATE_NOTE = (
    "Demo content updated to the portal's current version (still awaiting clinic review)"
)


def _advice(advice) -> tuple[str, str, str]:
    if advice.from_signs == "urgent":
        return (advice.level, signs.urgent_markdown(), signs.URGENT_ACTION)
    if advice.from_signs == "emergency":
        return (advice.level, signs.emergency_markdown(), signs.EMERGENCY_ACTION)
    return (advice.level, advice.signs, advice.action)


def _as_data(article) -> dict:
    """An article file (conditions/demo/content/articles/) as the loader's field values."""
    return {
        "slug": article.slug,
        "name": article.name,
        "featured": article.featured,
        "also_known_as": list(article.also_known_as),
        "summary": article.summary,
        "parts": dict(article.parts),
        "sections": [(s.heading, s.body) for s in article.sections],
        "faqs": [(f.question, f.verdict, f.answer) for f in article.faqs],
        "care_advice": [_advice(a) for a in article.care_advice],
        "codes": [(c.system, c.version, c.code, c.display) for c in article.codes],
        "references": list(article.references),
        "editor_note": article.editor_note,
    }


ARTICLES = [_as_data(article) for article in content().articles]
MILIA = ARTICLES[0]

# Milia's look-alikes; the relation is symmetrical, so acne also lists milia.
RELATED = [(article.slug, other) for article in content().articles for other in article.related]


def _existing(data: dict) -> Condition | None:
    return (
        Condition.objects.filter(slug=data["slug"]).first()
        or Condition.objects.filter(name=data["name"]).first()
    )


# [[cc, statpearls]] becomes [1, 5], the sources' places in the article's reference list.
with_citations = cite_by_number


def _rows(data: dict) -> dict[type, list[dict]]:
    """The article's parts as this version of the demo has them: model -> field values."""
    keys = data["references"]
    rows: dict[type, list[dict]] = {
        Section: [
            {
                "order": order,
                "heading": heading,
                "part_title": data.get("parts", {}).get(heading, ""),
                "body": with_citations(body, keys),
            }
            for order, (heading, body) in enumerate(data["sections"], start=1)
        ],
        FAQ: [
            {
                "order": order,
                "question": question,
                "verdict": verdict,
                "answer": with_citations(answer, keys),
            }
            for order, (question, verdict, answer) in enumerate(data["faqs"], start=1)
        ],
        # No "link checked on" date: nobody has checked these links for the clinic yet.
        Reference: [
            {
                "order": order,
                "title": SOURCES[key].title,
                "publisher": SOURCES[key].publisher,
                "year": SOURCES[key].year,
                "url": SOURCES[key].url,
            }
            for order, key in enumerate(keys, start=1)
        ],
        CareAdvice: [
            {"level": level, "signs": listed, "action": action}
            for level, listed, action in data["care_advice"]
        ],
        ClinicalCode: [
            {"system": system, "version": version, "code": code, "display": display}
            for system, version, code, display in data["codes"]
        ],
    }
    return rows


def _save_part(row, author) -> None:
    row.full_clean()
    row._history_user = author
    row.save()  # one by one: save() renders the Markdown and writes history


def _create(data: dict, author, reviewer) -> Condition:
    condition = Condition(
        slug=data["slug"],
        name=data["name"],
        featured=data["featured"],
        also_known_as="\n".join(data["also_known_as"]),
        summary=data["summary"],
        author=author,
        next_review_due=NEXT_REVIEW_DUE,
    )
    condition._history_user = author
    condition.save()
    for model, rows in _rows(data).items():
        for values in rows:
            _save_part(model(condition=condition, **values), author)
    condition.refresh_derived()
    condition._change_reason = DEMO_NOTE  # admin-visible in the page's history
    condition.save()
    return condition


# How a part of an existing article is matched to this version's row when refreshing: by
# address, level or code where a part has one (links to it survive), else by its place.
MATCH_BY = {
    Section: None,
    FAQ: None,
    Reference: ("url",),
    CareAdvice: ("level",),
    ClinicalCode: ("system", "version", "code"),
}


def _cited_elsewhere(row) -> bool:
    """A reference a treatment comparison cites (the milia comparison adds its own)."""
    return isinstance(row, Reference) and row.comparisonrow_set.exists()


def _sync_parts(condition: Condition, data: dict, author) -> bool:
    """Make the working copy's parts this version's; True when anything changed.

    Matching rows are updated in place and only where a value differs; rows the demo no
    longer has are removed, except references that something else cites.
    """
    changed = False
    for model, wanted in _rows(data).items():
        existing = list(model.objects.filter(condition=condition).order_by("pk"))
        if model in (Section, FAQ, Reference):
            existing.sort(key=lambda row: (row.order, row.pk))
        fields = MATCH_BY[model]
        if fields is None:
            pairs = list(zip(existing, wanted, strict=False)) + [
                (None, values) for values in wanted[len(existing) :]
            ]
            leftover = existing[len(wanted) :]
        else:
            by_key = {tuple(getattr(row, f) for f in fields): row for row in existing}
            pairs = [(by_key.pop(tuple(v[f] for f in fields), None), v) for v in wanted]
            leftover = list(by_key.values())
        for row, values in pairs:
            if row is None:
                _save_part(model(condition=condition, **values), author)
                changed = True
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                _save_part(row, author)
                changed = True
        for row in leftover:
            if not _cited_elsewhere(row):
                row.delete()
                changed = True
    return changed


def _still_example(condition: Condition) -> bool:
    """Live, approved only by an example account, and nobody has changed it since."""
    live = condition.live
    return (
        condition.status == Status.PUBLISHED
        and condition.is_example
        and live is not None
        and live.status == Status.PUBLISHED
    )


def refresh(author, reviewer) -> list[str]:
    """Bring the demo articles that are still unreviewed example content up to this version.

    For a database loaded by an earlier version (load() leaves existing articles alone): an
    article whose live page only an example account approved, with no draft in progress, gets
    this version's summary, sections, FAQs, references, advice and codes where they differ,
    as a change approved again by the demo reviewer (history kept, still labelled example
    content). What the clinic has approved, is editing, took offline or archived is left as it
    is, and so is an article that already matches. Returns the slugs brought up to date.
    """
    refreshed = []
    with transaction.atomic():
        for data in ARTICLES:
            condition = _existing(data)
            if condition is None or not _still_example(condition):
                continue
            changed = _sync_parts(condition, data, author)
            for name, value in (
                ("summary", data["summary"]),
                ("also_known_as", "\n".join(data["also_known_as"])),
            ):
                if getattr(condition, name) != value:
                    setattr(condition, name, value)
                    changed = True
            if not changed:
                continue
            condition._history_user = author
            condition._change_reason = DEMO_UPDATE_NOTE
            condition.record_change(author)  # a draft, like any edit; refreshes derived text
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
            refreshed.append(data["slug"])
    return refreshed


def load(author, reviewer) -> list[str]:
    """Create the demo articles that do not exist yet; return the slugs created."""
    created = []
    with transaction.atomic():
        for data in ARTICLES:
            if _existing(data) is None:
                _create(data, author, reviewer)
                created.append(data["slug"])
        by_slug = {
            c.slug: c for c in Condition.objects.filter(slug__in=[a["slug"] for a in ARTICLES])
        }
        for one, other in RELATED:
            # Only link pairs made in this run: a clinician's later unlinking is respected.
            # Links are one-way (each article approves its own), so each pair links both ways.
            if one in created and other in by_slug:
                by_slug[one].related.add(by_slug[other])
            if other in created and one in by_slug:
                by_slug[other].related.add(by_slug[one])
        # Approved once complete, links included, like any draft.
        for slug in created:
            condition = by_slug[slug]
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
    return created
