"""Clinician Markdown/HTML is sanitised: real XSS payloads never reach a patient executable."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from conditions.content import render_markdown
from conditions.models import Section
from tests.factories import ConditionFactory, FAQFactory, SectionFactory

PAYLOADS = [
    # script tags in many forms
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/src=data:,alert(1)></script>",
    '<script type="text/javascript">alert(1)//',
    "<<script>alert(1)//<</script>",
    "<script\n>alert(1)</script\n>",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<p onmouseover="alert(1)">hover</p>',
    "<a href=# onclick=alert(1)>x</a>",
    '<div/onpointerenter="alert(1)">x</div>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<marquee onstart=alert(1)>x</marquee>",
    # javascript:/data:/vbscript: URLs, encoded and mixed case
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    # SVG and MathML tricks
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    # embedding elements
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # style, base, meta
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width:expression(alert(1))">x</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="Content-Security-Policy" content="script-src *">',
    # broken and unclosed markup
    '<img src="x" onerror="alert(1)"',
    "<a href='javascript:alert(1)'",
    '<p title="</p><script>alert(1)</script>">x</p>',
    "<<img src=x onerror=alert(1)//>",
    '<img """><script>alert(1)</script>">',
    '<a href="x" title=\'" onmouseover=alert(1) \'>x</a>',
    # Markdown link and image tricks
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[click](https://example.org "title" onmouseover="alert(1)")',
    '![x](x" onerror="alert(1))',
    "![x](javascript:alert(1))",
    "[x]: javascript:alert(1)\n\n[reference link][x]",
    "<javascript:alert(1)>",
    "[a](<javascript:alert(1)>)",
    # comments and CDATA
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcdoc"}
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "form",
    "button",
    "input",
    "img",
    "video",
    "audio",
    "source",
    "template",
    "noscript",
    "frame",
    "frameset",
    "details",
    "marquee",
    "body",
}


# The htmx attributes the feedback box's own forms use (templates/feedback/widget.html).
FEEDBACK_HTMX = {"hx-post", "hx-get", "hx-target", "hx-swap", "hx-swap-oob"}


class ExecutableFinder(HTMLParser):
    """Tags, attributes and URLs in sanitised output that could run script."""

    def __init__(self, allow_page_chrome: bool = False):
        super().__init__(convert_charrefs=True)
        self.allow_page_chrome = allow_page_chrome
        self.found: list[str] = []
        # Depth of <section> tags inside the page's feedback box, once inside it (else 0).
        self.feedback_depth = 0

    def handle_endtag(self, tag):
        if tag == "section" and self.feedback_depth:
            self.feedback_depth -= 1

    def handle_starttag(self, tag, attrs):
        # The "Was this page helpful?" box is the template's own htmx form. Content can never
        # open it: the sanitiser keeps no class attribute on anything (ALLOWED_ATTRIBUTES).
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and (self.feedback_depth or "page-feedback" in classes):
            self.feedback_depth += 1
        in_feedback_box = self.allow_page_chrome and self.feedback_depth > 0
        chrome = {"script", "meta", "link", "body", "form", "input", "button", "img"}
        if tag in FORBIDDEN_TAGS and not (self.allow_page_chrome and tag in chrome):
            self.found.append(f"<{tag}>")
        attributes = dict(attrs)
        data_block = attributes.get("type") == "application/ld+json"  # JSON-LD never runs
        if (
            self.allow_page_chrome
            and tag == "script"
            and "src" not in attributes
            and not data_block
        ):
            self.found.append("inline <script>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append("<meta http-equiv>")
        for name, value in attrs:
            # The page's own navigation is boosted; anything else htmx-ish came from content.
            chrome_boost = self.allow_page_chrome and name == "hx-boost" and value == "true"
            feedback_htmx = in_feedback_box and name in FEEDBACK_HTMX
            if (
                name.startswith("on")
                or name == "style"
                or (name.startswith("hx-") and not chrome_boost and not feedback_htmx)
            ):
                self.found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None:
                # The browser strips whitespace/control characters and decodes entities.
                url = "".join(ch for ch in html.unescape(value) if ch > " ").lower()
                if url.startswith(("javascript:", "vbscript:", "livescript:", "data:")):
                    self.found.append(f"<{tag} {name}={value!r}>")


def executable_parts(markup: str, allow_page_chrome: bool = False) -> list[str]:
    finder = ExecutableFinder(allow_page_chrome)
    finder.feed(markup)
    finder.close()
    return finder.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_leaves_nothing_executable(payload):
    output = render_markdown(payload)
    assert executable_parts(output) == [], output
    assert "<!--" not in output and "<![CDATA[" not in output, output


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_inside_ordinary_markdown_is_still_neutralised(payload):
    source = f"## Heading\n\nSome *text* before.\n\n{payload}\n\n- a list item {payload}\n"
    output = render_markdown(source)
    assert executable_parts(output) == [], output


def test_the_finder_itself_spots_each_kind_of_danger():
    """Guard against a checker that cannot fail."""
    assert executable_parts("<script>x</script>") == ["<script>"]
    # The finder reports values as the browser reads them: entities decoded.
    assert executable_parts('<a href=" &#106;avascript:x">x</a>') == ["<a href=' javascript:x'>"]
    assert executable_parts('<a href="java\tscript:x">x</a>') == ["<a href='java\\tscript:x'>"]
    assert executable_parts('<p hx-get="/x">x</p>') == ["<p hx-get>"]
    assert executable_parts('<script type="application/ld+json">{}</script>') == ["<script>"]
    assert executable_parts("<script>x</script>", allow_page_chrome=True) == ["inline <script>"]
    assert executable_parts('<p onclick="x">x</p>') == ["<p onclick>"]
    assert executable_parts('<a href="data:text/html,x">x</a>') == ["<a href='data:text/html,x'>"]
    # The feedback box may carry its own htmx attributes, nothing else and nowhere else.
    box = '<section class="page-feedback"><section><form hx-post="/f/">x</form></section></section>'
    assert executable_parts(box, allow_page_chrome=True) == []
    assert executable_parts(box) == ["<form>", "<form hx-post>"]
    assert executable_parts(
        '<section class="page-feedback"><p onclick="x" hx-trigger="load">x</p></section>'
        '<p hx-post="/f/">after the box</p>',
        allow_page_chrome=True,
    ) == ["<p onclick>", "<p hx-trigger>", "<p hx-post>"]


def test_content_cannot_open_the_feedback_box():
    """The finder trusts class="page-feedback"; the sanitiser keeps no class attribute."""
    output = render_markdown(
        '<section class="page-feedback"><p class="page-feedback">x</p></section>'
    )
    assert "class=" not in output


def test_safe_markdown_still_renders_links_and_emphasis():
    output = render_markdown("See [the NHS page](https://www.nhs.uk/) for **more**.")
    assert '<a href="https://www.nhs.uk/" rel="noopener noreferrer">the NHS page</a>' in output
    assert "<strong>more</strong>" in output


@pytest.mark.django_db
def test_payloads_in_a_published_article_reach_the_patient_page_harmless(client):
    condition = ConditionFactory(
        published=True,
        slug="xss-test",
        summary="<script>alert('summary')</script> plain summary",
        also_known_as="<img src=x onerror=alert(1)>",
    )
    for number, payload in enumerate(PAYLOADS):
        SectionFactory(condition=condition, heading=f"Part {number} <b onclick=x>", body=payload)
    FAQFactory(condition=condition, question="<svg onload=alert(1)>?", answer=PAYLOADS[0])
    response = client.get(condition.get_absolute_url())
    assert response.status_code == 200
    assert "plain summary" in response.text
    assert executable_parts(response.text, allow_page_chrome=True) == []


@pytest.mark.django_db
def test_html_written_straight_to_the_database_is_sanitised_again_on_render(client):
    condition = ConditionFactory(published=True, slug="tampered")
    Section.objects.filter(condition=condition).update(body_html="\n".join(PAYLOADS))
    response = client.get(condition.get_absolute_url())
    assert response.status_code == 200
    assert executable_parts(response.text, allow_page_chrome=True) == []
