"""Pure: how a long article is cut into parts of a few minutes' reading.

A short article is one page. A long one opens with its summary, the urgent-help card and a
list of parts; each part is a page of its own (`/conditions/<slug>/<part>/`). Sections group
into parts by the content: a section with a part title starts a part (the editor's choice);
an article with no part titles is grouped by length, a new part starting before a section
that would take the part past PART_WORDS. "When to get help", "Questions and myths" and the
sources are parts of their own. No ORM here: the view hands in the article's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

# Reading speed for time estimates: 200 words a minute, a common figure for adults reading
# plain-language health text on screen (slower than the 238 measured for general non-fiction).
WORDS_PER_MINUTE = 200
# About two minutes: a part grows to this before a new one starts (a longer section stays whole).
PART_WORDS = 400
# An article this short (about three minutes) stays on one page.
ONE_PAGE_WORDS = 600

# The parts that are not sections: their addresses (also the ids the one-page article used).
ADVICE, QUESTIONS, SOURCES = "when-to-get-help", "questions", "sources"


def words(text: str) -> int:
    """How many words a patient reads in `text` (HTML or plain)."""
    return len(strip_tags(text or "").split())


def minutes(word_count: int) -> int:
    """Reading time in whole minutes, at least one."""
    return max(1, round(word_count / WORDS_PER_MINUTE))


@dataclass
class Part:
    slug: str
    title: str
    kind: str  # "sections", ADVICE, QUESTIONS or SOURCES
    sections: list = field(default_factory=list)
    word_count: int = 0
    number: int = 0
    condition_slug: str = ""
    url: str = ""  # where this page links to it (the kiosk's or the preview's address)

    @property
    def minutes(self) -> int:
        return minutes(self.word_count)

    def get_absolute_url(self) -> str:
        """The part's public address (what a QR code or a search engine should get)."""
        return reverse("conditions:condition_part", args=[self.condition_slug, self.slug])


def section_words(section) -> int:
    return words(section.heading) + words(section.body_text or section.body_html)


def group_sections(sections: list, budget: int = PART_WORDS) -> list[list]:
    """Consecutive sections grouped into parts: by part titles when the article has any,
    else by length (a new part before a section that would take it past `budget`)."""
    groups: list[list] = []
    by_title = any((s.part_title or "").strip() for s in sections)
    size = 0
    for section in sections:
        count = section_words(section)
        if by_title:
            starts = not groups or bool((section.part_title or "").strip())
        else:
            starts = not groups or (size > 0 and size + count > budget)
        if starts:
            groups.append([])
            size = 0
        groups[-1].append(section)
        size += count
    return groups


def article_parts(sections: list, other_advice: list, faqs: list, references: list) -> list[Part]:
    """Every part of the article in reading order, numbered from 1."""
    parts = []
    for group in group_sections(sections):
        first = group[0]
        parts.append(
            Part(
                slug=first.anchor,
                title=(first.part_title or "").strip() or first.heading,
                kind="sections",
                sections=group,
                word_count=sum(section_words(s) for s in group),
            )
        )
    if other_advice:
        count = sum(words(a.signs_html) + words(a.action) for a in other_advice)
        parts.append(Part(ADVICE, str(_("When to get help")), ADVICE, word_count=count))
    if faqs:
        count = sum(words(f.question) + words(f.answer_html) for f in faqs)
        parts.append(Part(QUESTIONS, str(_("Questions and myths")), QUESTIONS, word_count=count))
    if references:
        title = str(_("Where this information comes from"))
        parts.append(Part(SOURCES, title, SOURCES, word_count=10 * len(references)))
    for number, part in enumerate(parts, start=1):
        part.number = number
    return parts


def fits_one_page(summary: str, parts: list[Part]) -> bool:
    """Whether the whole article is short enough to read on one page (sources not counted)."""
    total = words(summary) + sum(p.word_count for p in parts if p.kind != SOURCES)
    return total <= ONE_PAGE_WORDS


def part_of(parts: list[Part], slug: str) -> tuple[Part | None, str]:
    """The part at address `slug`, or the part holding the section with that anchor and the
    anchor (for a redirect there): (None, "") when neither."""
    for part in parts:
        if part.slug == slug:
            return part, ""
    for part in parts:
        for section in part.sections:
            if section.anchor == slug:
                return part, slug
            if slug in getattr(section, "old_anchors", ()):  # a renamed heading's old address
                return part, section.anchor
    return None, ""
