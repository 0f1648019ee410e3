"""Pure: text pasted from web pages and Word, made into clean Markdown (and plain-text checks).

One function, `clean_markdown`, serves every way text gets in: the admin's Markdown fields
(section bodies, FAQ answers, "when to get help" signs), the "Import a text" page and the
`import_article` command (for .docx files, through mammoth's HTML). It keeps what carries
meaning, lists, headings, emphasis, links, and removes what must not reach patients (scripts,
styles, pasted images, embedded frames, forms, tracking links, empty headings), naming each
removal so the editor can check it.

`markup_problem` is the other half: fields shown to patients as plain text (names, summaries,
headings, synonyms, questions, alt text) refuse markup instead of showing literal tags.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Elements removed with everything inside them, and how the removal is named.
REMOVED_ELEMENTS = {
    "script": ("script", "scripts"),
    "style": ("style block", "style blocks"),
    "img": ("picture", "pictures"),
    "picture": ("picture", "pictures"),
    "svg": ("picture", "pictures"),
    "iframe": ("embedded frame", "embedded frames"),
    "object": ("embedded object", "embedded objects"),
    "embed": ("embedded object", "embedded objects"),
    "video": ("video", "videos"),
    "audio": ("audio clip", "audio clips"),
    "form": ("form", "forms"),
    "button": ("button", "buttons"),
    "input": ("form field", "form fields"),
    "select": ("form field", "form fields"),
    "textarea": ("form field", "form fields"),
    "noscript": ("script", "scripts"),
    "template": ("template", "templates"),
}
# Dropped silently: they carry nothing a reader sees.
INVISIBLE_ELEMENTS = {"head", "meta", "link", "title", "base", "xml"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Query parameters that only track who clicked: their links are unwrapped (the words stay).
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_eid", "mc_cid", "igshid", "yclid"}
TRACKING_PREFIXES = ("utm_", "aff", "ref_", "_hs")
TRACKING_HOSTS = (
    "doubleclick.net",
    "googleadservices.com",
    "awin1.com",
    "clickbank.net",
    "go.skimresources.com",
)

# Bullets Word and web pages leave in plain text: • · ▪ ● ◦ ‣ – and Word's "o" (second level).
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<mark>[•·▪●◦‣∙■□➢►✓✔*–-]|o(?=\t| {2,}))[ \t]+(?P<text>\S.*)$"
)
_NUMBERED = re.compile(r"^(?P<indent>[ \t]*)\(?(?P<n>\d{1,2})[.)][ \t]+(?P<text>\S.*)$")
_SECOND_LEVEL = {"◦", "o", "▪", "■", "□", "–"}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|br|ul|ol|li|h[1-6]|strong|b|em|i|u|a|img|script|style|table|tr|td|th|"
    r"font|meta|html|body|head|section|article|header|footer|nav|blockquote|iframe|o:p|sup|sub)"
    r"\b[^>]*>",
    re.IGNORECASE,
)


@dataclass
class Cleaned:
    text: str
    removed: list[str] = field(default_factory=list)  # what was taken out, for the editor
    changed: list[str] = field(default_factory=list)  # what was turned into Markdown

    def notes(self) -> list[str]:
        return self.removed + self.changed


def looks_like_html(text: str) -> bool:
    return bool(_HTML_TAG.search(text or ""))


def clean_markdown(text: str, *, heading_levels: tuple[int, int] = (3, 4)) -> Cleaned:
    """Pasted text (HTML, Word's plain text or Markdown) as tidy Markdown, and what changed.

    `heading_levels`: the Markdown levels headings become (the first for h1-h3, the second
    for h4-h6); inside a section body the page's own h2 is the section heading, so 3 and 4.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text).replace("\u00a0", " ")
    result = Cleaned(text)
    if looks_like_html(text):
        result = html_to_markdown(text, heading_levels=heading_levels)
    result.text, bullets, numbers = _word_lists(result.text.replace("\u00a0", " "))
    if bullets:
        result.changed.append(
            ngettext(
                "%(n)s bulleted line became a list item",
                "%(n)s bulleted lines became list items",
                bullets,
            )
            % {"n": bullets}
        )
    if numbers:
        result.changed.append(
            ngettext(
                "%(n)s numbered line became a numbered list item",
                "%(n)s numbered lines became numbered list items",
                numbers,
            )
            % {"n": numbers}
        )
    result.text = re.sub(r"\n{3,}", "\n\n", result.text).strip()
    return result


def html_to_markdown(html: str, *, heading_levels: tuple[int, int] = (3, 4)) -> Cleaned:
    """HTML (a web page, Word's clipboard, mammoth's output) as Markdown, and what was removed."""
    from bs4 import BeautifulSoup, Comment
    from markdownify import MarkdownConverter

    html = _WORD_CONDITIONAL.sub("", html)
    soup = BeautifulSoup(html, "html.parser")
    _word_list_paragraphs(soup)
    removed: Counter = Counter()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()  # Word's conditional comments hold its list and style machinery
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        name = tag.name.lower()
        if name in REMOVED_ELEMENTS:
            removed[REMOVED_ELEMENTS[name]] += 1
            tag.decompose()
        elif name in INVISIBLE_ELEMENTS or ":" in name and name != "o:p":
            tag.decompose()
    for tag in soup.find_all("o:p"):
        tag.unwrap()
    tracking_hosts = []
    for link in soup.find_all("a"):
        href = (link.get("href") or "").strip()
        if href and is_tracking_link(href):
            tracking_hosts.append(urlsplit(href).hostname or href)
            link.unwrap()
        elif not href.lower().startswith(("https://", "http://", "mailto:", "tel:")):
            link.unwrap()  # anchors, javascript:, relative links of the page it came from
    empty_headings = 0
    for heading in soup.find_all(HEADING_TAGS):
        if not heading.get_text(strip=True):
            empty_headings += 1
            heading.decompose()

    first, second = heading_levels

    class Converter(MarkdownConverter):
        def convert_hN(self, n, el, text, parent_tags):  # noqa: N802 - markdownify's name
            level = first if n <= 3 else second
            text = " ".join(text.split())
            return f"\n\n{'#' * level} {text}\n\n" if text else ""

    markdown = Converter(
        heading_style="ATX", bullets="-", strong_em_symbol="*", escape_misc=False
    ).convert_soup(soup)
    markdown = "\n".join(line.rstrip() for line in markdown.split("\n"))
    notes = [_count(label, n) for label, n in removed.items()]
    if tracking_hosts:
        notes.append(
            ngettext(
                "%(n)s tracking link (%(hosts)s); its words were kept",
                "%(n)s tracking links (%(hosts)s); their words were kept",
                len(tracking_hosts),
            )
            % {"n": len(tracking_hosts), "hosts": ", ".join(dict.fromkeys(tracking_hosts))}
        )
    if empty_headings:
        notes.append(_count(("empty heading", "empty headings"), empty_headings))
    return Cleaned(markdown.strip(), removed=notes)


_WORD_CONDITIONAL = re.compile(r"<!\[(?:if [^\]]*|endif)\]>", re.IGNORECASE)
_WORD_LEVEL = re.compile(r"mso-list:\s*\S+\s+level(\d)", re.IGNORECASE)


def _word_list_paragraphs(soup) -> None:
    """Word's clipboard HTML writes a list as paragraphs (style "mso-list: l0 level1 lfo1")
    whose bullet or number is typed text in a span marked mso-list:Ignore. Rebuild them as
    real ul/ol lists, nested by level, so they convert like any other list."""
    paragraphs = [p for p in soup.find_all("p") if _WORD_LEVEL.search(p.get("style", ""))]
    stack: list = []  # (level, list element)
    previous = None
    for p in paragraphs:
        level = int(_WORD_LEVEL.search(p.get("style", ""))[1])
        marker = ""
        for span in p.find_all("span", style=re.compile(r"mso-list:\s*Ignore", re.I)):
            marker += span.get_text()
            span.decompose()
        ordered = bool(
            re.match(r"\s*\(?[0-9a-zA-Z]{1,3}[.)]", marker.strip() + " ")
        ) and marker.strip() not in {"o", "·", "§", "•", "▪", "-", "–"}
        if previous is None or p.find_previous_sibling(True) is not previous:
            stack = []  # not straight after the last list paragraph: a new list
        while stack and stack[-1][0] > level:
            stack.pop()
        if not stack or stack[-1][0] < level:
            new_list = soup.new_tag("ol" if ordered else "ul")
            if stack and stack[-1][1].contents:
                stack[-1][1].contents[-1].append(new_list)  # nested in the last item
            else:
                p.insert_before(new_list)
            stack.append((level, new_list))
        item = soup.new_tag("li")
        for child in list(p.contents):
            item.append(child.extract())
        stack[-1][1].append(item)
        p.decompose()
        previous = stack[0][1]  # the next list paragraph continues it if it follows directly


def _count(label: tuple[str, str], n: int) -> str:
    return f"{n} {label[0] if n == 1 else label[1]}"


def is_tracking_link(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in TRACKING_HOSTS):
        return True
    for key, _value in parse_qsl(parts.query, keep_blank_values=True):
        key = key.lower()
        if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES) or key in ("tag", "ref"):
            return True
    return False


def _word_lists(text: str) -> tuple[str, int, int]:
    """Word's "•" / "·" / "o" bullets and "1)" numbering as Markdown lists, each list with a
    blank line before it (Markdown reads a list glued to a paragraph as more paragraph)."""
    out: list[str] = []
    bullets = numbers = 0
    in_list = False
    kind = ""  # "-" or "1": the kind of the top-level list being written
    for line in text.split("\n"):
        bullet = _BULLET.match(line)
        numbered = None if bullet else _NUMBERED.match(line)
        if bullet:
            mark = bullet["mark"]
            nested = in_list and (mark in _SECOND_LEVEL or len(bullet["indent"].expandtabs(4)) >= 2)
            if mark not in "*-":
                bullets += 1
            new = ("    " if nested else "") + "- " + bullet["text"].strip()
        elif numbered:
            nested = in_list and len(numbered["indent"].expandtabs(4)) >= 2
            if not re.match(r"^\s*\d{1,2}\.\s", line):
                numbers += 1
            new = ("    " if nested else "") + f"{numbered['n']}. " + numbered["text"].strip()
        else:
            if line.strip() and in_list and line.startswith((" ", "\t")):
                out.append(line)  # a list item's continuation
                continue
            if in_list and line.strip():
                out.append("")  # a paragraph after a list starts a new block
            in_list = False
            out.append(line)
            continue
        new_kind = "-" if bullet else "1"
        if out and out[-1].strip() and (not in_list or (not nested and new_kind != kind)):
            out.append("")  # a blank line before a list, and between a bulleted and a numbered one
        if not nested:
            kind = new_kind
        in_list = True
        out.append(new)
    return "\n".join(out), bullets, numbers


# -- plain-text fields -------------------------------------------------------------------------
_PLAIN_CHECKS = [
    (re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?\s*>"), "HTML tags such as {0}"),
    (re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});"), "HTML codes such as {0}"),
    (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "Markdown bold such as {0}"),
    (re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"), "a Markdown link such as {0}"),
    (re.compile(r"(?m)^#{1,6}\s+\S"), "a Markdown heading mark (#)"),
    (re.compile(r"`[^`\n]+`"), "Markdown code marks (`)"),
]
_LIST_MARK = re.compile(r"(?m)^\s*(?:[-*+•·▪●◦]|\d{1,2}[.)])\s+\S")


def markup_problem(
    value: str, label: str, *, allow_lines: bool = False, advice: str | None = None
) -> str:
    """Why `value` cannot go in the plain-text field `label` ("" when it can).

    `allow_lines`: the field holds one item per line (synonyms); a bullet in front of each is
    still refused, because patients would see it. `advice`: where lists, headings or links can
    go instead on this form (by default, an article's section text).
    """
    if not value:
        return ""
    elsewhere = advice or _("use a section's text, which takes Markdown")
    for pattern, what in _PLAIN_CHECKS:
        match = pattern.search(value)
        if match:
            found = what.format(f"“{match.group(0)[:40]}”")
            return _(
                "%(field)s is shown to patients as plain text, so %(found)s would appear as "
                "typed. Remove the markup and write plain words; for lists, headings or links "
                "%(elsewhere)s."
            ) % {"field": label, "found": found, "elsewhere": elsewhere}
    if _LIST_MARK.search(value):
        if allow_lines:
            return _("%(field)s: write one entry per line without bullets or numbers in front.") % {
                "field": label
            }
        return _(
            "%(field)s is shown to patients as plain text, so a bullet or number at the start "
            "of a line would appear as typed. Write it as a sentence; for a list, %(elsewhere)s."
        ) % {"field": label, "elsewhere": elsewhere}
    return ""
