"""Pure parsing for `import_article` and the admin's "Import a text" page: a text in, a tidy
draft structure out.

No ORM here (conditions/drafts.py writes the draft). Files may be plain text, Markdown or Word
(.docx, read by mammoth into HTML and then cleaned like pasted HTML, conditions/cleaning.py),
so headings and lists survive. The shape we expect is the one of the texts clinics collect from the web: an
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
    removed_markup: list[str] = field(default_factory=list)  # scripts, pictures, tracking links
    converted: list[str] = field(default_factory=list)  # Word bullets that became lists
    source_text: str = ""  # the cleaned Markdown the article was parsed from

    def dropped(self) -> list[str]:
        """Everything left out, one line each, for the command's report and the admin page."""
        lines = [f"promotional line dropped: {line}" for line in self.dropped_promotions]
        lines += [f"empty heading skipped: {heading}" for heading in self.skipped_headings]
        lines += [f"repeated paragraph merged: {_short(p)}" for p in self.merged_paragraphs]
        lines += [f"repeated heading merged: {heading}" for heading in self.merged_headings]
        lines += [f"removed from the file: {what}" for what in self.removed_markup]
        return lines


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d{1,2}\.)\s+\S")
_BOLD_LINE_RE = re.compile(r"^(\*\*|__)(?P<text>[^*_]+)\1$")

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
SUFFIXES[".docx"] = "docx"
MAX_BYTES = 2_000_000


def read_file(name: str, data: bytes) -> ImportedArticle:
    """A file's bytes (its name says the kind) as an article; ImportProblem when it cannot be."""
    from pathlib import PurePath

    from conditions import cleaning

    suffix = PurePath(name or "").suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        raise ImportProblem(
            f"cannot import a {suffix or 'file without an extension'}: use a plain-text "
            "(.txt), Markdown (.md) or Word (.docx) file"
        )
    if len(data) > MAX_BYTES:
        raise ImportProblem("the file is too large for an article (over 2 MB)")
    if kind == "docx":
        cleaned = cleaning.html_to_markdown(docx_to_html(data), heading_levels=(2, 3))
        text, removed = cleaned.text, cleaned.removed
    else:
        text, removed = decode_text(data), []
    return parse_text(text, removed)


def parse_text(text: str, removed: list[str] | None = None) -> ImportedArticle:
    """Text (plain, Markdown, pasted HTML or Word text) as an article: HTML becomes Markdown
    and Word bullets become lists first, and what that removed is reported."""
    from conditions import cleaning

    cleaned = cleaning.clean_markdown(text, heading_levels=(2, 3))
    article = parse_article(cleaned.text)
    article.removed_markup = [*(removed or []), *cleaned.removed]
    article.converted = cleaned.changed
    article.source_text = cleaned.text
    return article


def docx_to_html(data: bytes) -> str:
    """A Word file's text as HTML (headings, lists, emphasis, tables and links), by mammoth."""
    import io
    import zipfile

    import mammoth

    if not data.strip(b"\0 \n"):
        raise ImportProblem("the file is empty")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportProblem(
            "this is not a Word .docx file (a .docx is a zip archive, this file is not): "
            "open it in Word and use Save As, Word Document (.docx)"
        )
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), ignore_empty_paragraphs=True)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportProblem(
            "cannot read this Word file: it has no document text inside (it may be damaged, "
            "or another kind of file renamed to .docx)"
        ) from exc
    except Exception as exc:  # mammoth raises plain errors on malformed XML  # noqa: BLE001
        raise ImportProblem(f"cannot read this Word file ({type(exc).__name__})") from exc
    return result.value


def plain_inline(text: str) -> str:
    """Markdown emphasis and links as their plain words: for the title, summary and headings."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.replace("\\", "")


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


def is_list_block(line: str) -> bool:
    return bool(_LIST_ITEM_RE.match(line))


def is_heading(line: str) -> bool:
    """A short title-case line without final punctuation (a question mark is fine)."""
    text = line.strip()
    if not text or "\n" in text or is_list_block(text):
        return False
    if re.match(r"#{1,6}\s+\S", text):
        return True
    bold = _BOLD_LINE_RE.match(text)
    if bold:  # a bold line on its own: how Word texts without heading styles mark headings
        text = bold["text"].strip()
    if len(text) > MAX_HEADING_CHARS or text[-1] in ".,;:!":
        return False
    words = _WORD_RE.findall(text)
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    significant = [w for i, w in enumerate(words) if i == 0 or len(w) > 3]
    capitalised = sum(1 for w in significant if w[0].isupper())
    return capitalised / len(significant) >= 0.6


def _is_title_line(line: str, rest: list[str]) -> bool:
    """A short first line in sentence case ("Seborrhoeic keratosis") on its own, before a
    paragraph: a web page's title as it is copied, though not in title case."""
    text = line.strip()
    words = _WORD_RE.findall(text)
    return (
        bool(rest)
        and "\n" not in text
        and not is_list_block(text)
        and 0 < len(words) <= MAX_HEADING_WORDS
        and not _ends_sentence(text)
        and text[-1:] not in ",;:"
        and text[:1].isupper()
        and not is_heading(rest[0])
    )


def _heading_text(line: str) -> str:
    text = re.sub(r"^#{1,6}\s+", "", line.strip()).strip()
    return plain_inline(text).strip()


def _blocks(text: str) -> list[str]:
    """Non-empty lines, stripped, except that a Markdown list (its items and their indented
    sub-items) is one block with its lines kept."""
    blocks: list[str] = []
    in_list = False
    for raw in text.split("\n"):
        if not raw.strip():
            in_list = False
            continue
        if (
            is_list_block(raw)
            and not raw.startswith((" ", "\t"))
            or (in_list and raw.startswith((" ", "\t")))
        ):
            if in_list:
                blocks[-1] += "\n" + raw.rstrip()
            else:
                blocks.append(raw.strip())
            in_list = True
            continue
        in_list = False
        blocks.append(raw.strip())
    return blocks


def _without_promotions(block: str, dropped: list[str]) -> str:
    """A list block less the items that sell something (each one reported)."""
    kept = []
    for item in block.split("\n"):
        if is_promotional(item):
            dropped.append(re.sub(r"^\s*(?:[-*+]|\d{1,2}\.)\s+", "", item))
        else:
            kept.append(item)
    return "\n".join(kept) if any(is_list_block(k) for k in kept) else ""


def _sentences_without_promotions(paragraph: str, dropped: list[str]) -> str:
    """A paragraph of several sentences less the ones that sell something (each reported), or
    "" when every sentence sells (the caller then drops the whole line)."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])", paragraph.strip())
    if len(sentences) < 2:
        return ""
    kept = [sentence for sentence in sentences if not is_promotional(sentence)]
    if not kept or len(kept) == len(sentences):
        return ""
    dropped.extend(sentence for sentence in sentences if is_promotional(sentence))
    return " ".join(kept)


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
    lines = _blocks(text)
    if not lines:
        raise ImportProblem("the file is empty")

    dropped: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\n" in line or is_list_block(line):
            block = _without_promotions(line, dropped)
            if block:
                kept.append(block)
        elif is_promotional(line) and _sentences_without_promotions(line, dropped):
            kept.append(_sentences_without_promotions(line, []))
        elif is_promotional(line):
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
    if is_heading(kept[0]) or _is_title_line(kept[0], kept[1:]):
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
        pieces = [line] if is_list_block(line) else _GLUED_PARAGRAPHS_RE.split(line)
        for paragraph in pieces:
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
    # The summary is plain text: the first paragraph that is not a list, without its marks.
    if intro and not is_list_block(intro[0]):
        summary = intro.pop(0)
    else:
        summary = next(
            (p for s in sections for p in s.paragraphs if not is_list_block(p)),
            sections[0].paragraphs[0],
        )
    if intro:
        sections.insert(0, ImportedSection(OVERVIEW_HEADING, intro))
    return ImportedArticle(
        title=plain_inline(title)[:120],
        summary=" ".join(plain_inline(summary).split()),
        sections=sections,
        dropped_promotions=dropped,
        merged_paragraphs=merged_paragraphs,
        merged_headings=merged_headings,
        skipped_headings=skipped,
    )
