"""Every public page reachable from the home page keeps the site's promises.

One <h1>, a lang attribute, no raw Markdown, valid HTML (html5lib in strict mode), 200 with
JavaScript off (the test client runs none).
"""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import html5lib
import pytest

from conditions import models
from tests.factories import ConditionFactory, FAQFactory, SectionFactory

pytestmark = pytest.mark.django_db

# /language/: the switcher sets a cookie and redirects (tests/conditions/test_languages.py).
SKIP_PREFIXES = ("/admin", "/static/", "/media/", "/healthz", "/language/")
MAX_PAGES = 150


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.hrefs.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture
def site_content():
    milia = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        featured=True,
        also_known_as="milk spots",
        summary="Tiny white bumps under the skin.",
    )
    acne = ConditionFactory(published=True, name="Acne", slug="acne", featured=True)
    ConditionFactory(overdue=True, name="Xanthelasma", slug="xanthelasma")
    ConditionFactory(name="Draft only", slug="draft-only")
    milia.related.add(acne)
    SectionFactory(
        condition=milia,
        heading="Types",
        body="## Heading\n\n- **one**\n- [two](https://example.org)",
    )
    FAQFactory(condition=milia, question="Can I squeeze them?", verdict="myth", answer="**No.**")
    models.CareAdvice.objects.create(condition=milia, level="urgent", signs="- spreading fast")
    models.ClinicalCode.objects.create(
        condition=milia, system="snomed-ct", code="254679001", display="Milium"
    )
    milia.refresh_derived()
    reviewer = milia.reviewer
    models.Questionnaire.objects.create(
        title="Check your white spots",
        slug="white-spots",
        intro="A few questions.",
        featured=True,
        status=models.Status.PUBLISHED,
        reviewer=reviewer,
        last_reviewed=datetime.date.today(),
        next_review_due=datetime.date.today() + datetime.timedelta(days=300),
    )


# The current HTML standard allows a bare "&" before letters with no ";" (as in "A&E");
# html5lib predates that and reports it. Every other parse error counts.
ALLOWED_PARSE_ERRORS = {"expected-named-entity"}


def html_errors(html: str) -> list:
    """Parse errors found by html5lib (the strict-mode checks), minus the one above."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    parser.parse(html)
    lines = html.splitlines()
    return [
        (code, data, lines[line - 1][max(0, col - 80) : col + 20])
        for (line, col), code, data in parser.errors
        if code not in ALLOWED_PARSE_ERRORS
    ]


def crawl(client) -> dict[str, object]:
    seen: dict[str, object] = {}
    queue = ["/", "/search/?q=milia", "/search/?q=zzzz", "/conditions/?letter=M"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            href, _fragment = urldefrag(href)
            parts = urlsplit(href)
            if not href or parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href.startswith(SKIP_PREFIXES) or href in seen:
                continue
            queue.append(href)
    return seen


def test_every_public_page_is_200_with_one_h1_a_lang_valid_html_and_no_raw_markdown(
    client, site_content
):
    pages = crawl(client)
    assert "/conditions/milia/" in pages and "/conditions/acne/" in pages
    assert "/conditions/draft-only/" not in pages
    html_pages = 0
    for url, response in pages.items():
        assert response.status_code == 200, url
        if "text/html" not in response["Content-Type"]:
            continue
        html_pages += 1
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        assert re.search(r'<html lang="[a-z]{2}', html), url
        parser = Links()
        parser.feed(html)
        text = "".join(parser.text)
        for marker in ("**", "](", "## "):
            assert marker not in text, f"raw Markdown {marker!r} on {url}"
        assert html_errors(html) == [], url
    assert html_pages >= 6


def test_404_page_is_friendly_valid_and_has_one_h1(client, site_content):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'href="/conditions/"' in html
    assert html_errors(html) == []


def test_500_page_renders_without_the_database_static_files_or_context(client, monkeypatch):
    from portal.views import server_error

    response = server_error(None)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in html and 'href="/"' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    html5lib.HTMLParser(strict=True).parse(html)  # no exception: no parse error at all


def test_html_check_catches_real_errors():
    assert html_errors("<!doctype html><html lang=en><title>x</title><p><b>x</p></i>")
    assert html_errors("<!doctype html><html lang=en><title>x</title><p>A&E</p>") == []


# -- every patient template, including the ones only reachable with answers -------------------
@pytest.fixture
def full_site():
    from conditions.demo import questionnaires as demo
    from tests.factories import (
        ComparisonRowFactory,
        ReferenceFactory,
        TreatmentComparisonFactory,
        editors,
    )

    milia = ConditionFactory(
        published=True, name="Milia", slug="milia", featured=True, also_known_as="milk spots"
    )
    SectionFactory(condition=milia, heading="Types", body="- **one**\n- two")
    FAQFactory(condition=milia, question="Can I squeeze them?", verdict="myth", answer="No.")
    ReferenceFactory(condition=milia, title="Milia explained", url="https://www.nhs.uk/milia/")
    models.CareAdvice.objects.create(condition=milia, level="emergency", signs="- a glass test")
    milia.refresh_derived()
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(comparison=comparison)
    demo.load(*editors())


def every_patient_page(client) -> dict[str, object]:
    """Every patient template once, with the answers each needs (as a no-JS browser)."""
    base = "/check/white-spots/"
    pages = {
        "home": client.get("/"),
        "A to Z": client.get("/conditions/"),
        "A to Z, one letter": client.get("/conditions/?letter=M"),
        "article": client.get("/conditions/milia/"),
        "treatments": client.get("/conditions/milia/treatments/"),
        "search with results": client.get("/search/?q=milk+spots"),
        "search without results": client.get("/search/?q=zzqx"),
        "search fragment": client.get("/search/?q=milia", HTTP_HX_REQUEST="true"),
        "questionnaire start": client.get(base),
        "choice step": client.get(f"{base}q/who/"),
        "error step": client.post(f"{base}q/who/", {}),
        "refused step": client.post(f"{base}q/who/", {"answer": "x"}),
        "advice": client.get(f"{base}advice/self-care/"),
        "urgent advice": client.get(f"{base}advice/emergency/"),
        "answers cleared": client.get(f"{base}result/"),
        "privacy": client.get("/about/privacy/"),
        "editorial": client.get("/about/editorial/"),
        "404": client.get("/no-such-page/"),
    }
    from conditions.demo.questionnaires import SELF_CARE_PATHS

    client.post(f"{base}q/who/", {"answer": "baby"})
    pages["several-answers step"] = client.get(f"{base}q/unwell/")
    client.post(f"{base}q/unwell/", {"answer": ["none"]})
    pages["number step"] = client.get(f"{base}q/baby-age/")
    pages["number error"] = client.post(f"{base}q/baby-age/", {"answer": "99"})
    for key, value in SELF_CARE_PATHS["baby"][2:]:
        assert client.post(f"{base}q/{key}/", {"answer": value}).status_code == 302, key
    pages["review"] = client.get(f"{base}review/")
    client.post(f"{base}review/")
    pages["result"] = client.get(f"{base}result/")
    client.cookies["questionnaire_answers"] = "tampered"
    pages["please start again"] = client.get(f"{base}q/who/")
    return pages


def test_every_patient_template_is_valid_html_with_one_h1(client, full_site):
    pages = every_patient_page(client)
    for name, response in pages.items():
        assert response.status_code < 500, name
        html = response.content.decode()
        if name == "search fragment":
            parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
            parser.parseFragment(html)  # raises on the first parse error
        else:
            assert html_errors(html) == [], name
            assert len(re.findall(r"<h1[\s>]", html)) == 1, name
            assert re.search(r'<html lang="[a-z]{2}', html), name


def test_every_kiosk_template_is_valid_html(client, full_site):
    for path in [
        "/kiosk/",
        "/kiosk/az/M/",
        "/kiosk/conditions/milia/",
        "/kiosk/conditions/milia/treatments/",
        "/kiosk/check/white-spots/",
        "/kiosk/check/white-spots/q/who/",
        "/kiosk/nope/",
    ]:
        assert html_errors(client.get(path).content.decode()) == [], path


# -- interface text is marked for translation -------------------------------------------------
def visible_template_text(source: str) -> str:
    """What a template shows besides its tags, variables and translated strings."""
    for pattern in (
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}",
        r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
        r"{#.*?#}",
        r"{%.*?%}",
        r"{{.*?}}",
        r"<script.*?</script>",
        r"<style.*?</style>",
        r"<!--.*?-->",
    ):
        source = re.sub(pattern, " ", source, flags=re.S)
    attributes = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', source)
    return " ".join([re.sub(r"<[^>]*>", " ", source), *attributes])


def test_every_patient_and_kiosk_template_marks_its_words_for_translation():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    untranslated = {}
    for path in sorted(root.rglob("*.html")):
        if "admin" in path.relative_to(root).parts:
            continue
        words = re.findall(r"[^\W\d_]{2,}", visible_template_text(path.read_text("utf-8")))
        if words:
            untranslated[str(path.relative_to(root))] = words[:10]
    assert untranslated == {}


def test_the_translation_check_catches_a_bare_word():
    assert re.findall(r"[^\W\d_]{2,}", visible_template_text("<p>Hello {{ x }}</p>")) == ["Hello"]
    assert not re.findall(
        r"[^\W\d_]{2,}",
        visible_template_text('<p aria-label="{% translate "x" %}">{% translate "Hi" %} ›</p>'),
    )
