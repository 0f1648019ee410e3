"""Pure text functions: clinician Markdown to safe HTML, and reading grades.

Markdown is rendered and sanitised when a model is saved (stored beside its source) and
the stored HTML is sanitised again when a template shows it (see templatetags/portal.py).
"""

from __future__ import annotations

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


def render_markdown(source: str) -> str:
    """Clinician Markdown (or HTML) to sanitised HTML. Headings shift down to h3/h4."""
    html = markdown.markdown(
        source or "", extensions=["tables", "sane_lists"], output_format="html"
    )
    # Article sections are h2; anything the author marks as a heading sits below them.
    html = re.sub(r"<(/?)h[12](\b[^>]*)>", r"<\1h3\2>", html)
    html = re.sub(r"<(/?)h[56](\b[^>]*)>", r"<\1h4\2>", html)
    return sanitise_html(html)


def markdown_to_text(source: str) -> str:
    """Plain text of clinician Markdown: for search, snippets and reading grades."""
    html = render_markdown(source)
    html = re.sub(r"</(p|li|h3|h4|tr|blockquote)>", ".\n", html)
    text = nh3.clean(html, tags=set())
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n", text).strip()


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
