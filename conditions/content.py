"""Pure text functions: clinician Markdown to safe HTML, and reading grades.

Markdown is rendered and sanitised when a model is saved (stored beside its source) and
the stored HTML is sanitised again when a template shows it (see templatetags/portal.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
    "sup",
    "sub",
    "hr",
    "code",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": set(),
}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _drop_disguised_schemes(element: str, attribute: str, value: str) -> str | None:
    """Drop a link whose scheme only becomes visible once whitespace is squeezed out.

    nh3 already refuses javascript:, data: and friends; Markdown turns a tab inside
    "java<tab>script:" into spaces, which no browser runs, but nothing clinical needs it either.
    """
    if attribute == "href":
        squeezed = "".join(ch for ch in value if ch > " ").lower()
        match = _SCHEME.match(squeezed)
        if match and match.group(1) not in ALLOWED_URL_SCHEMES:
            return None
    return value


def sanitise_html(html: str) -> str:
    """Keep a small set of harmless tags; drop scripts, handlers, styles and odd URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_drop_disguised_schemes,
    )


# An inline citation: [2], or several at once: [1, 3] or [1,3]. Numbers are positions in
# the article's reference list (1 = the first reference shown).
CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def cited_numbers(source: str) -> list[int]:
    """Every reference number cited inline in clinician Markdown, in order of appearance."""
    numbers = []
    for match in CITATION.finditer(source or ""):
        numbers += [int(n) for n in match.group(1).split(",")]
    return numbers


def _link_citations(html: str) -> str:
    """Turn [2] in the text (never inside a tag or an existing link) into a link to #ref-2."""

    def links(match: re.Match) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        inner = ", ".join(
            f'<a href="#ref-{n}" title="Source {n} in the list below">{n}</a>' for n in numbers
        )
        return f"<sup>[{inner}]</sup>"

    parts, in_link = [], False
    for part in _TAG_OR_TEXT.split(html):
        if part.startswith("<"):
            tag = part[1:].split(maxsplit=1)[0].lower() if len(part) > 2 else ""
            if tag == "a":
                in_link = True
            elif tag == "/a":
                in_link = False
            parts.append(part)
        else:
            parts.append(part if in_link else CITATION.sub(links, part))
    return "".join(parts)


def render_markdown(source: str, citations: bool = False) -> str:
    """Clinician Markdown (or HTML) to sanitised HTML. Headings shift down to h3/h4.

    With `citations`, inline citations such as [2] become links to the page's reference
    list (anchors #ref-1, #ref-2 ...): for article sections and FAQ answers.
    """
    html = markdown.markdown(
        source or "", extensions=["tables", "sane_lists"], output_format="html"
    )
    # Article sections are h2; anything the author marks as a heading sits below them.
    html = re.sub(r"<(/?)h[12](\b[^>]*)>", r"<\1h3\2>", html)
    html = re.sub(r"<(/?)h[56](\b[^>]*)>", r"<\1h4\2>", html)
    html = sanitise_html(html)
    if citations:
        html = sanitise_html(_link_citations(html))
    return html


def markdown_to_text(source: str) -> str:
    """Plain text of clinician Markdown: for search, snippets and reading grades.

    Inline citations ([2]) are left out: they are not words a patient reads."""
    html = render_markdown(CITATION.sub("", source or ""))
    html = re.sub(r"</(p|li|h3|h4|tr|blockquote)>", ".\n", html)
    text = nh3.clean(html, tags=set())
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def snippet_text(source: str) -> str:
    """Plain text of clinician Markdown for search snippets: markdown_to_text() on one line,
    without the stray full stops that empty table and list lines leave."""
    text = " ".join(html.unescape(markdown_to_text(source)).split())
    return re.sub(r"\.(?:\s*\.)+", ".", text)


@dataclass(frozen=True)
class ReadingGrades:
    flesch_kincaid: float | None
    smog: float | None
    sentences: int

    def over_target(self, target: float) -> bool:
        return self.flesch_kincaid is not None and self.flesch_kincaid > target


SMOG_MIN_SENTENCES = 30


def reading_grades(text: str) -> ReadingGrades:
    """Flesch-Kincaid grade always; SMOG only where there are 30+ sentences (its design)."""
    import textstat

    text = (text or "").strip()
    if not text:
        return ReadingGrades(None, None, 0)
    sentences = textstat.sentence_count(text)
    # The formula goes below zero for a few very short sentences; no text is easier than grade 0.
    fk = max(round(textstat.flesch_kincaid_grade(text), 1), 0.0)
    smog = round(textstat.smog_index(text), 1) if sentences >= SMOG_MIN_SENTENCES else None
    return ReadingGrades(fk, smog, sentences)


# A sentence ends at . ! or ? followed by space or the end; markdown_to_text() ends every
# paragraph, list item and heading with a full stop, so those count as sentence ends too.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if len(s.strip().split()) >= 2]


@dataclass(frozen=True)
class HardSentence:
    text: str
    grade: float


def hardest_sentences(text: str, target: float, limit: int = 3) -> list[HardSentence]:
    """The sentences above the target grade, hardest first (Flesch-Kincaid per sentence), so
    the writer knows which ones to shorten."""
    import textstat

    graded = []
    for sentence in sentences(text):
        grade = max(round(textstat.flesch_kincaid_grade(sentence), 1), 0.0)
        if grade > target:
            graded.append(HardSentence(sentence, grade))
    graded.sort(key=lambda s: s.grade, reverse=True)
    return graded[:limit]
