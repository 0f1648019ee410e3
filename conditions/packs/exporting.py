"""Write content from the database as a content pack: the files conditions.packs.files reads.

Articles only, so far (see the report of the content-files branch): each article with its
review metadata, and one references.toml holding every source once, keyed by its address.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomli_w
from django.conf import settings
from django.utils.text import slugify

from conditions.models import Condition, Status
from conditions.packs import schema


def dump(data: dict) -> str:
    return tomli_w.dumps(data, multiline_strings=True)


def source_key(source: schema.Source) -> str:
    """A readable key from the address: dermnetnz-org-topics-milium -> dermnetnz_org_topics_milium."""
    address = re.sub(r"^https?://(www\.)?", "", source.url)
    return slugify(address.replace("/", " ").replace(".", " ")).replace("-", "_")[:60] or "source"


def _review(condition: Condition) -> schema.Review:
    """This clinic's review, or, for an item imported and not reviewed here, its provenance."""
    if condition.last_reviewed and condition.reviewer_id:
        reviewer = condition.reviewer
        return schema.Review(
            next_review_due=condition.next_review_due,
            reviewed_on=condition.last_reviewed,
            reviewed_by=reviewer.get_full_name() or reviewer.get_username(),
            reviewed_at=getattr(settings, "PORTAL_CLINIC_NAME", "") or "",
        )
    provenance = condition.provenance or {}
    return schema.Review(
        next_review_due=condition.next_review_due,
        reviewed_on=provenance.get("reviewed_on") or None,
        reviewed_by=provenance.get("reviewed_by", ""),
        reviewed_at=provenance.get("reviewed_at", ""),
    )


NUMBERS = re.compile(r"\[(\d+(?:, \d+)*)\]")


def cite_by_key(text: str, references: list[str]) -> str:
    """[1, 5] (places in the reference list, as stored) -> [[key, key]] (as files cite)."""

    def keys(match: re.Match) -> str:
        numbers = [int(n) for n in match.group(1).split(", ")]
        if not all(1 <= n <= len(references) for n in numbers):
            return match.group(0)
        return "[[" + ", ".join(references[n - 1] for n in numbers) + "]]"

    return NUMBERS.sub(keys, text)


def condition_to_article(condition: Condition, keys: dict) -> schema.Article:
    """The article as a file's model; `keys` collects its sources (key -> Source)."""
    references = []
    for reference in condition.references.order_by("order", "pk"):
        source = schema.Source(
            title=reference.title,
            publisher=reference.publisher,
            url=reference.url,
            year=reference.year,
            checked_on=reference.checked_on,
        )
        base = key = source_key(source)
        number = 1
        while key in keys and keys[key] != source:  # same address, other title: its own key
            number += 1
            key = f"{base}_{number}"
        keys[key] = source
        references.append(key)
    sections = list(condition.sections.order_by("order", "pk"))
    # Not validated here: a draft may still lack what publishing needs (a reference, say).
    return schema.Article.model_construct(
        slug=condition.slug,
        name=condition.name,
        featured=condition.featured,
        also_known_as=[line for line in condition.also_known_as.splitlines() if line.strip()],
        references=references,
        order=0,
        editor_note="",
        related=sorted(condition.related.values_list("slug", flat=True)),
        parts={s.heading: s.part_title for s in sections if s.part_title},
        codes=[
            schema.Code.model_construct(
                system=c.system, code=c.code, display=c.display, version=c.version
            )
            for c in condition.codes.all()
        ],
        faqs=[
            schema.Faq(
                question=f.question, verdict=f.verdict, answer=cite_by_key(f.answer, references)
            )
            for f in condition.faqs.order_by("order", "pk")
        ],
        care_advice=[
            schema.Advice(level=a.level, signs=a.signs, action=a.action)
            for a in condition.care_advice.all()
        ],
        review=_review(condition),
        summary=condition.summary,
        sections=[
            schema.Section(heading=s.heading, body=cite_by_key(s.body, references))
            for s in sections
        ],
    )


def article_file(article: schema.Article) -> str:
    """The Markdown file of an article: TOML front matter, the summary, then its sections."""
    front = article.model_dump(exclude={"summary", "sections", "order"}, exclude_defaults=True)
    front = {"slug": article.slug, "name": article.name, **front}
    if "review" in front:
        front["review"] = {k: v for k, v in front["review"].items() if v not in ("", None)}
    for advice in front.get("care_advice", []):
        advice.pop("from_signs", None)
    body = article.summary.strip() + "\n"
    for section in article.sections:
        body += f"\n## {section.heading}\n\n{section.body.strip()}\n"
    return "+++\n" + dump(front) + "+++\n\n" + body


def export(folder: str | Path, status: str = Status.PUBLISHED) -> list[str]:
    """Write the articles in `status` (published: their live copies) to folder; return slugs."""
    folder = Path(folder)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    if status == Status.PUBLISHED:
        conditions = Condition.objects.published()
    else:
        conditions = Condition.objects.filter(status=status)
    keys: dict[str, schema.Source] = {}
    written = []
    for condition in conditions.order_by("slug"):
        article = condition_to_article(condition, keys)
        (folder / "articles" / f"{article.slug}.md").write_text(article_file(article))
        written.append(article.slug)
    bibliography = {key: keys[key].model_dump(exclude_defaults=True) for key in sorted(keys)}
    (folder / "references.toml").write_text(dump(bibliography))
    pack = {"exported_from": getattr(settings, "PORTAL_CLINIC_NAME", "") or ""}
    (folder / "pack.toml").write_text(dump({k: v for k, v in pack.items() if v}))
    return written
