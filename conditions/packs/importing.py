"""Bring a content pack into this clinic as drafts, never published.

Each article in the pack is compared with this clinic's working copy of the same slug:
- new: created as a draft;
- changed: the working copy takes the pack's text as a new draft (the live page, if any, stays
  as it is until this clinic's reviewer approves the change on "Changes and review");
- unchanged: left alone.
The pack's own review (who reviewed it, where, when) is kept as provenance on the item, shown
to editors and never to patients, and never counted as this clinic's review. Every part goes
through the models' own checks (full_clean), as a save in the admin does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from conditions.admin.editor import text_diff
from conditions.models import FAQ, CareAdvice, ClinicalCode, Condition, Reference, Section
from conditions.packs import files, schema
from conditions.packs.exporting import condition_to_article

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# Comparisons, questionnaires, the search help card and kiosk are read and checked, but not
# brought in yet: each is listed with this state so nobody thinks it arrived.
SKIPPED = "not imported"


@dataclass
class ItemResult:
    kind: str
    slug: str
    name: str
    state: str
    diffs: list[tuple[str, str]] = field(default_factory=list)  # (field, word diff HTML)


def _advice(advice: schema.Advice, content: files.Content) -> tuple[str, str]:
    if advice.from_signs and content.signs:
        signs = content.signs
        items = (
            [s.text for s in signs.emergency] if advice.from_signs == "emergency" else signs.urgent
        )
        action = signs.emergency_action if advice.from_signs == "emergency" else signs.urgent_action
        return "".join(f"- {item.rstrip('.')}.\n" for item in items), action
    return advice.signs, advice.action


def readable(article: schema.Article, sources: dict, content: files.Content | None = None):
    """The article's text, field by field, as an editor compares it."""

    def source(key: str) -> str:
        s = sources[key]
        return f"{s.publisher}: {s.title} ({s.year or 'n.d.'}) {s.url}"

    cite = functools.partial(cite_by_number, references=article.references)
    advice = []
    for a in article.care_advice:
        signs, action = _advice(a, content) if content else (a.signs, a.action)
        advice.append(f"{a.level}: {signs.strip()} {action}")
    return {
        "name": article.name,
        "also known as": "\n".join(article.also_known_as),
        "summary": article.summary.strip(),
        "sections": "\n\n".join(
            f"## {s.heading} ({article.parts.get(s.heading, '')})\n{cite(s.body).strip()}"
            for s in article.sections
        ),
        "questions": "\n\n".join(
            f"{f.question} [{f.verdict}] {cite(f.answer).strip()}" for f in article.faqs
        ),
        "when to get help": "\n\n".join(advice),
        "references": "\n".join(source(key) for key in article.references),
        "codes": "\n".join(f"{c.system} {c.version} {c.code} {c.display}" for c in article.codes),
        "featured": str(article.featured),
    }


def cite_by_number(text: str, references: list[str]) -> str:
    """[[key, key]] (as files cite) -> [1, 5]: the sources' places in the reference list."""

    def numbers(match) -> str:
        keys = [key.strip() for key in match.group(1).split(",")]
        return "[" + ", ".join(str(references.index(key) + 1) for key in keys) + "]"

    return files.CITE.sub(numbers, text)


def _parts(article: schema.Article, content: files.Content) -> dict[type, list[dict]]:
    cite = functools.partial(cite_by_number, references=article.references)
    rows = {
        Section: [
            {
                "order": n,
                "heading": s.heading,
                "part_title": article.parts.get(s.heading, ""),
                "body": cite(s.body),
            }
            for n, s in enumerate(article.sections, start=1)
        ],
        FAQ: [
            {"order": n, "question": f.question, "verdict": f.verdict, "answer": cite(f.answer)}
            for n, f in enumerate(article.faqs, start=1)
        ],
        Reference: [],
        CareAdvice: [],
        ClinicalCode: [
            {"system": c.system, "version": c.version, "code": c.code, "display": c.display}
            for c in article.codes
        ],
    }
    for n, key in enumerate(article.references, start=1):
        s = content.references[key]
        rows[Reference].append(
            {
                "order": n,
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "checked_on": s.checked_on,
            }
        )
    for a in article.care_advice:
        signs, action = _advice(a, content)
        rows[CareAdvice].append({"level": a.level, "signs": signs, "action": action})
    return rows


def _provenance(article: schema.Article, content: files.Content) -> dict:
    review = article.review
    pack = content.pack.review
    out = {
        "reviewed_at": review.reviewed_at or pack.reviewed_at or content.pack.exported_from,
        "reviewed_by": review.reviewed_by or pack.reviewed_by,
        "reviewed_on": (review.reviewed_on or pack.reviewed_on or "")
        and str(review.reviewed_on or pack.reviewed_on),
    }
    return {k: v for k, v in out.items() if v} or {"reviewed_at": "", "reviewed_by": ""}


def _write(condition: Condition, article: schema.Article, content: files.Content, by) -> None:
    condition.name = article.name
    condition.featured = article.featured
    condition.also_known_as = "\n".join(article.also_known_as)
    condition.summary = article.summary
    condition.next_review_due = content.next_review_due(article)
    condition.provenance = _provenance(article, content)
    condition._history_user = by
    condition._change_reason = (
        "Imported from a content pack (a draft awaiting this clinic's review)"
    )
    if condition.pk is None:
        condition.author = by
        condition.full_clean(exclude=["author"])
        condition.save()
    else:
        for model in (Section, FAQ, CareAdvice, ClinicalCode):
            model.objects.filter(condition=condition).delete()
        condition.references.filter(comparisonrow__isnull=True).delete()
    for model, rows in _parts(article, content).items():
        for values in rows:
            if model is Reference:
                existing = condition.references.filter(url=values["url"]).first()
                if existing is not None:
                    for name, value in values.items():
                        setattr(existing, name, value)
                    row = existing
                else:
                    row = model(condition=condition, **values)
            else:
                row = model(condition=condition, **values)
            row.full_clean()
            row._history_user = by
            row.save()
    condition.refresh_derived()
    condition.record_change(by)  # a draft, whatever it was: never published by an import


def import_pack(folder: str | Path, by, *, dry_run: bool = False) -> list[ItemResult]:
    """Read and check the pack, then bring each article in as a draft (all or nothing)."""
    content = files.read(folder)  # ContentFileError lists every problem, before any write
    results = []
    with transaction.atomic():
        created = {}
        for article in content.articles:
            current = Condition.objects.filter(slug=article.slug).first()
            mine = readable(article, content.references, content)
            if current is None:
                results.append(ItemResult("article", article.slug, article.name, NEW))
                if not dry_run:
                    created[article.slug] = condition = Condition(slug=article.slug)
                    _write(condition, article, content, by)
                continue
            keys: dict = {}
            theirs = readable(condition_to_article(current, keys), keys)
            diffs = [
                (name, text_diff(theirs[name], mine[name]))
                for name in mine
                if theirs[name] != mine[name]
            ]
            state = CHANGED if diffs else UNCHANGED
            results.append(ItemResult("article", article.slug, article.name, state, diffs))
            if state == CHANGED and not dry_run:
                _write(current, article, content, by)
                created[article.slug] = current
        for article in content.articles:
            condition = created.get(article.slug)
            if condition is None:
                continue
            wanted = list(Condition.objects.filter(slug__in=article.related))
            if {c.pk for c in condition.related.all()} != {c.pk for c in wanted}:
                condition.related.set(wanted)
        for comparison in content.comparisons:
            results.append(ItemResult("comparison", comparison.condition, "", SKIPPED))
        for questionnaire in content.questionnaires:
            results.append(ItemResult("questionnaire", questionnaire.slug, "", SKIPPED))
        if dry_run:
            transaction.set_rollback(True)
    return results
