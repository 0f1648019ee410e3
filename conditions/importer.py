"""Pure parsing for `import_article`: plain-text article in, a tidy draft structure out.

No ORM here. The shape we expect is the one of the texts clinics collect from the web: an
opening paragraph, then short title-case heading lines (no final full stop), each followed by
paragraphs, one paragraph per line. Such texts repeat themselves and often end in an advert;
repeated paragraphs are merged and promotional lines dropped, and both are reported so the
author can see exactly what was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher


class ImportProblem(ValueError):
    """The text cannot become a draft; the message is one plain line for the user."""


@dataclass
class ImportedSection:
    heading: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class ImportedArticle:
    title: str
    summary: str
    sections: list[ImportedSection]
    dropped_promotions: list[str] = field(default_factory=list)
    merged_paragraphs: list[str] = field(default_factory=list)
    merged_headings: list[str] = field(default_factory=list)
    skipped_headings: list[str] = field(default_factory=list)


OVERVIEW_HEADING = "Overview"
MAX_HEADING_CHARS = 100
MAX_HEADING_WORDS = 14
NEAR_DUPLICATE_RATIO = 0.85

# Lines that sell something. Matched case-insensitively against one line (or an advert's
# line joined with the short line that completes it).
PROMOTION_PATTERNS = [
    r"\border (?:now|today|online|yours|here)\b",
    r"\bbuy (?:now|online|today|here|yours|direct(?:ly)?|our|from us)\b",
    r"\bbuy\b.*(?:https?://|www\.)",
    r"\bpurchase (?:now|today|online|here)\b",
    r"\bdiscount",
    r"\b\d+\s?% off\b",
    r"\b(?:promo|coupon|discount|voucher) code\b",
    r"\b(?:special|limited[- ]time|exclusive) offer\b",
    r"\bfree (?:shipping|delivery|trial|sample)\b",
    r"\bmoney[- ]back\b",
    r"\b(?:advert(?:isement)?|sponsored|affiliate)\b",
    r"\bclick here\b",
    r"\bshop now\b",
    r"\bour\b[^.?!]{0,60}\b(?:cream|creams|serum|serums|product|products|kit|kits|formula|"
    r"range|gel|lotion|ointment|balm|mask|supplement|supplements|device|remover)\b",
    r"\bour\b[^.?!]{0,40}\b(?:affordable|cheap|best[- ]selling|bestselling|award[- ]winning)\b",
    r"(?:https?://|www\.)\S*(?:shop|store|buy|cart|checkout|product|amazon|ebay|offer)",
]
_PROMOTION_RE = re.compile("|".join(f"(?:{p})" for p in PROMOTION_PATTERNS), re.IGNORECASE)
_GLUED_PARAGRAPHS_RE = re.compile(r"(?<=[a-z0-9)][.!?])(?=[A-Z][a-z])")
_WORD_RE = re.compile(r"[A-Za-z][\w'’-]*")
_SUBJECT_RE = re.compile(r"\s*([A-Z][\w'’-]*(?:\s+[\w'’-]+){0,3}?)\s+(?:are|is)\b")


# -- reading bytes ----------------------------------------------------------------------------
def decode_text(data: bytes) -> str:
    """Bytes of a text file to str; refuse empty, binary and non-UTF-8 files."""
    if not data.strip():
        raise ImportProblem("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem(
            "cannot read the text: it is saved as UTF-16, not UTF-8; "
            "save it as UTF-8 text and try again"
        )
    if b"\x00" in data[:8192]:
        raise ImportProblem("this looks like a binary file, not plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"cannot read the text: it is not UTF-8 (bad byte at position {exc.start}); "
            "save it as UTF-8 text and try again"
        ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise ImportProblem("this looks like a binary file, not plain text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- classifying lines ------------------------------------------------------------------------
def is_promotional(line: str) -> bool:
    return bool(_PROMOTION_RE.search(line))


def is_heading(line: str) -> bool:
    """A short title-case line without final punctuation (a question mark is fine)."""
    text = line.strip()
    if not text:
        return False
    if re.match(r"#{1,6}\s+\S", text):
        return True
    if len(text) > MAX_HEADING_CHARS or text[-1] in ".,;:!":
        return False
    words = _WORD_RE.findall(text)
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    significant = [w for i, w in enumerate(words) if i == 0 or len(w) > 3]
    capitalised = sum(1 for w in significant if w[0].isupper())
    return capitalised / len(significant) >= 0.6


def _heading_text(line: str) -> str:
    return re.sub(r"^#{1,6}\s+", "", line.strip()).strip()


def _ends_sentence(line: str) -> bool:
    return line.rstrip()[-1:] in ".!?\"'”’)"


# -- duplicates -------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def near_duplicate(a: str, b: str) -> bool:
    """Same paragraph, or the same with a few words changed."""
    wa, wb = _words(a), _words(b)
    if wa == wb:
        return True
    if not wa or not wb or min(len(wa), len(wb)) / max(len(wa), len(wb)) < 0.75:
        return False
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio() >= NEAR_DUPLICATE_RATIO


def _normal_heading(heading: str) -> str:
    return " ".join(_words(heading))


def _title_from(first_paragraph: str, headings: list[str]) -> str:
    match = _SUBJECT_RE.match(first_paragraph)
    if match:
        subject = match.group(1).strip()
        return subject[0].upper() + subject[1:]
    for heading in headings:
        candidate = heading.rstrip("?").strip()
        if candidate:
            return candidate
    raise ImportProblem("cannot find a title in the text")


# -- parsing ----------------------------------------------------------------------------------
def parse_article(text: str) -> ImportedArticle:
    """Turn a plain-text article into a title, a summary and one section per heading."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ImportProblem("the file is empty")

    dropped: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_promotional(line):
            advert = line
            # An advert cut over two lines ("... with our very affordable" / "Some Cream").
            if (
                not _ends_sentence(line)
                and i + 1 < len(lines)
                and len(_WORD_RE.findall(lines[i + 1])) <= 8
            ):
                advert = f"{line} {lines[i + 1]}"
                i += 1
            dropped.append(advert)
        elif (
            not is_heading(line)
            and not _ends_sentence(line)
            and i + 1 < len(lines)
            and is_promotional(f"{line} {lines[i + 1]}")
        ):
            dropped.append(f"{line} {lines[i + 1]}")
            i += 1
        else:
            kept.append(line)
        i += 1

    if not any(is_heading(line) for line in kept):
        raise ImportProblem(
            "no headings found: put each section heading on its own short line, "
            "in title case and without a full stop"
        )

    title = None
    if is_heading(kept[0]):
        title = _heading_text(kept[0]).rstrip("?").strip()
        kept = kept[1:]

    intro: list[str] = []
    sections: list[ImportedSection] = []
    by_heading: dict[str, ImportedSection] = {}
    merged_headings: list[str] = []
    merged_paragraphs: list[str] = []
    seen: list[str] = []
    current: ImportedSection | None = None
    for line in kept:
        if is_heading(line):
            heading = _heading_text(line)
            key = _normal_heading(heading)
            if key in by_heading:
                merged_headings.append(heading)
                current = by_heading[key]
            else:
                current = ImportedSection(heading)
                by_heading[key] = current
                sections.append(current)
            continue
        for paragraph in _GLUED_PARAGRAPHS_RE.split(line):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            if any(near_duplicate(paragraph, earlier) for earlier in seen):
                merged_paragraphs.append(paragraph)
                continue
            seen.append(paragraph)
            (current.paragraphs if current else intro).append(paragraph)

    skipped = [s.heading for s in sections if not s.paragraphs]
    sections = [s for s in sections if s.paragraphs]
    if not sections:
        raise ImportProblem("no section has any text under its heading")
    if title is None:
        title = _title_from(
            intro[0] if intro else sections[0].paragraphs[0], [s.heading for s in sections]
        )
    if intro:
        summary = intro[0]
        if intro[1:]:
            sections.insert(0, ImportedSection(OVERVIEW_HEADING, intro[1:]))
    else:
        summary = sections[0].paragraphs[0]
    return ImportedArticle(
        title=title[:120],
        summary=summary,
        sections=sections,
        dropped_promotions=dropped,
        merged_paragraphs=merged_paragraphs,
        merged_headings=merged_headings,
        skipped_headings=skipped,
    )
