"""Every patient page: the security headers, strict cookies, and markup the strict CSP allows.

The crawl loads the demo content, then follows every same-site link from the public and kiosk
home pages (plus a search), so new pages are checked as soon as they are linked.
"""

from __future__ import annotations

import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import path

from conditions.demo.questionnaires import SELF_CARE_PATHS
from tests.built_once import built_per_module

SKIP_PREFIXES = ("/static/", "/media/", f"/{settings.ADMIN_PATH}")
# The crawl visits every linked page, less repeats of one page with other query strings: at
# most QUERY_VARIANTS addresses per path (the language switch and "start again" links carry the
# page they came from, one per page of the site; the same view and template each time), and
# one printed leaflet per language (each is a PDF rendered by WeasyPrint, about a second, and
# all come from one view). MAX_PAGES only stops a crawl that runs away; reaching it fails.
QUERY_VARIANTS = 2
MAX_PAGES = 500


class MarkupProblems(HTMLParser):
    """Collects anything in a page that a strict CSP would block or that loads from elsewhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_inline_script = False

    @staticmethod
    def _kiosk_leaflet_frame(attributes: dict) -> bool:
        """The one frame allowed: the kiosk leaflet screen's own print view, sandboxed with
        no scripts and no navigation (templates/kiosk/leaflet.html)."""
        src = attributes.get("src") or ""
        sandbox = (attributes.get("sandbox") or "").split()
        return (
            src.startswith("/kiosk/conditions/")
            and "/leaflet/print/" in src
            and sorted(sandbox) == ["allow-modals", "allow-same-origin"]
        )

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.problems.append(f"<{tag} {name}=...> inline handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            if name in {"href", "src", "action", "formaction", "data", "poster"} and (
                value or ""
            ).strip().lower().startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}> script URL")
        if tag == "style":
            self.problems.append("<style> element")
        if tag in {"object", "embed", "frame", "base"}:
            self.problems.append(f"<{tag}> element")
        if tag == "iframe" and not self._kiosk_leaflet_frame(attributes):
            self.problems.append("<iframe> element")
        if tag == "script":
            src = attributes.get("src")
            if src is None:
                if attributes.get("type") != "application/ld+json":
                    self.problems.append("inline <script>")
                    self._in_inline_script = True
            elif not self._same_origin(src):
                self.problems.append(f"<script src={src!r}> from elsewhere")
        stylesheet = tag == "link" and "stylesheet" in (attributes.get("rel") or "")
        if stylesheet and not self._same_origin(attributes.get("href") or ""):
            self.problems.append(f"stylesheet from elsewhere: {attributes.get('href')}")
        if tag in {"img", "source", "video", "audio"} and attributes.get("src"):
            src = attributes["src"]
            if not (self._same_origin(src) or src.startswith("data:image/")):
                self.problems.append(f"<{tag}> from elsewhere: {src}")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    @staticmethod
    def _same_origin(url: str) -> bool:
        parts = urlsplit(url)
        return not parts.scheme and not parts.netloc


def page_problems(html: str) -> tuple[list[str], list[str]]:
    parser = MarkupProblems()
    parser.feed(html)
    return parser.problems, parser.links


def header_problems(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if not csp:
        problems.append("no Content-Security-Policy")
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"):
        if bad in csp.split():
            problems.append(f"CSP allows {bad}")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    expected = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    for name, value in expected.items():
        if directives.get(name) != value:
            problems.append(f"CSP {name} is {directives.get(name)}")
    wanted = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    for name, value in wanted.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}")
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        if f"{feature}=()" not in policy:
            problems.append(f"Permissions-Policy does not deny {feature}")
    if response.get("Strict-Transport-Security") is None:
        problems.append("no Strict-Transport-Security")
    return problems


def cookie_problems(response) -> list[str]:
    problems = []
    for name, morsel in response.cookies.items():
        if not morsel["secure"]:
            problems.append(f"cookie {name} is not Secure")
        if not morsel["httponly"]:
            problems.append(f"cookie {name} is not HttpOnly")
        if (morsel["samesite"] or "").lower() not in {"lax", "strict"}:
            problems.append(f"cookie {name} has SameSite={morsel['samesite']!r}")
    return problems


@built_per_module
def demo_site_built():
    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def demo_site(db, demo_site_built):
    """The demo content, loaded once for the module; each test's own writes are rolled back."""


def _leaflet_kind(path: str) -> str:
    """ "leaflet <language>" for a printed leaflet's address; "" for any other page."""
    if not path.endswith(".pdf"):
        return ""
    first = path.strip("/").split("/", 1)[0]
    languages = {code for code, _name in settings.LANGUAGES}
    return f"leaflet {first if first in languages else settings.LANGUAGE_CODE}"


def crawl(client: Client, start: list[str], walk: Walk | None = None) -> dict[str, list[str]]:
    """Every same-site page reachable from `start`: {url: problems}. Over https, as in production.

    With a `walk`, also record each page's view and the templates it rendered, and list in
    `walk.unrendered` the pages that came from the page cache (rendering no template)."""
    from django.urls import resolve

    seen: dict[str, list[str]] = {}
    variants: Counter = Counter()
    skipped: set[str] = set()
    queue = list(start)
    while queue:
        assert len(seen) < MAX_PAGES, f"the crawl found more than {MAX_PAGES} pages"
        url = queue.pop(0)
        if url in seen or url in skipped:
            continue
        path = url.split("?", 1)[0]
        kind = _leaflet_kind(path) or path
        variants[kind] += 1
        if variants[kind] > (1 if kind != path else QUERY_VARIANTS):
            skipped.add(url)
            continue
        response = client.get(url, secure=True)
        problems = []
        links: list[str] = []
        location = response.get("Location", "") if response.status_code in (301, 302) else ""
        if location.startswith("/") and not location.startswith("//"):
            # A section's own address leads to the page holding it (a part, or the one-page
            # article at its anchor): the redirect is checked too, then its target.
            links.append(location)
        elif response.status_code != 200:
            problems.append(f"status {response.status_code}")
        problems += header_problems(response) + cookie_problems(response)
        if response.get("Content-Type", "").startswith("text/html"):
            markup, page_links = page_problems(response.text)
            links += page_links
            problems += markup
        if walk is not None:
            if response.status_code not in (200, 302):
                problems.append(f"status {response.status_code}, expected 200 or 302")
            if response.status_code != 404:
                walk.views.add(resolve(url.split("?")[0]).view_name)
            rendered = {t.name for t in response.templates if t.name}
            walk.templates |= rendered
            if not rendered and response.status_code == 200:
                walk.unrendered.append(url)
        seen[url] = problems
        for href in links:
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.scheme in {"http", "https"} and parts.netloc not in {"", "testserver"}:
                continue
            if parts.scheme and parts.scheme not in {"http", "https"}:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(SKIP_PREFIXES) or target in seen or target in skipped:
                continue
            queue.append(target)
    return seen


def test_the_checker_itself_catches_inline_script_style_and_handlers():
    html = (
        '<script>alert(1)</script><p style="color:red" onclick="x()">x</p><style>p{}</style>'
        '<a href="JavaScript:alert(1)">x</a><div hx-on:click="x()"></div>'
        '<script src="https://cdn.example/x.js"></script>'
        '<script type="application/ld+json">{}</script><script src="/static/js/portal.js"></script>'
    )
    problems, _ = page_problems(html)
    assert problems == [
        "inline <script>",
        "<p style=...> inline style",
        "<p onclick=...> inline handler",
        "<style> element",
        "<a href='JavaScript:alert(1)'> script URL",
        "<div hx-on:click=...> inline handler",
        "<script src='https://cdn.example/x.js'> from elsewhere",
    ]


def test_csp_has_no_unsafe_keywords_and_forbids_framing(client, db):
    response = client.get("/about/privacy/")
    assert header_problems(response) == ["no Strict-Transport-Security"]  # http: no HSTS
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_hsts_is_sent_over_https_for_a_year_with_subdomains(client, db):
    response = client.get("/about/privacy/", secure=True)
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert response["Strict-Transport-Security"] == (
        f"max-age={settings.SECURE_HSTS_SECONDS}; includeSubDomains"
    )


def test_static_files_and_errors_carry_the_headers_too(client, db):
    not_found = client.get("/no-such-page/", secure=True)
    assert not_found.status_code == 404
    assert header_problems(not_found) == []
    health = client.get("/healthz", secure=True)
    assert health["X-Content-Type-Options"] == "nosniff"
    assert health["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in health["Permissions-Policy"]


def test_csrf_and_session_cookies_are_secure_httponly_and_samesite(db):
    from tests.factories import UserFactory

    UserFactory(username="nurse")
    client = Client()
    login_page = client.get("/admin/login/", secure=True)
    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/",
        {"username": "nurse", "password": "a-long-test-password", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # Staff sessions end with the browser (no Max-Age / Expires on the cookie).
    assert not session["max-age"] and not session["expires"]
    assert cookie_problems(response) == []


def test_uploaded_pictures_are_served_with_safe_headers(client, db, settings, tmp_path):
    settings.SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "conditions").mkdir()
    (tmp_path / "conditions" / "spot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    (tmp_path / "conditions" / "page.html").write_text("<script>alert(1)</script>")
    (tmp_path / "conditions" / "draw.svg").write_text("<svg onload='alert(1)'/>")
    response = client.get("/media/conditions/spot.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert client.get("/media/conditions/page.html").status_code == 404
    assert client.get("/media/conditions/draw.svg").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404
    settings.SERVE_MEDIA = False
    assert client.get("/media/conditions/spot.png").status_code == 404


# == Every page and every page template, not only the linked ones ==

QUESTIONNAIRE_RUN = SELF_CARE_PATHS["adult"]
# Named URLs that are not HTML pages for patients, and where each is covered instead.
NOT_PAGES = {
    "healthz": "JSON health check (test_static_files_and_errors_carry_the_headers_too)",
    "media": "uploaded pictures (test_uploaded_pictures_are_served_with_safe_headers)",
    "conditions:questionnaire_fhir": "FHIR JSON (tests/conditions/test_fhir.py)",
    "conditions:questionnaire_response": "FHIR JSON download (tests/conditions/test_fhir.py)",
    "kiosk:questionnaire_fhir": "downloads are blocked on the kiosk (404)",
    "kiosk:questionnaire_response": "downloads are blocked on the kiosk (404)",
    "kiosk:home": "/kiosk/ is the kiosk start screen (kiosk_home) in front of it",
    "kiosk:condition_preview": "staff previews are not offered on the kiosk",
    "kiosk:questionnaire_preview": "staff previews are not offered on the kiosk",
    "kiosk:treatment_comparison_preview": "staff previews are not offered on the kiosk",
    "kiosk:condition_leaflet_preview": "staff previews are not offered on the kiosk",
    "kiosk:condition_preview_part": "staff previews are not offered on the kiosk",
    "kiosk:condition_preview_whole": "staff previews are not offered on the kiosk",
    "kiosk:comparison_leaflet_preview": "staff previews are not offered on the kiosk",
    # Framed by the kiosk's leaflet screen, so frame-ancestors 'self' and SAMEORIGIN instead of
    # 'none' and DENY: tests/conditions/test_leaflets.py checks those headers.
    "kiosk_condition_leaflet_print": "leaflet HTML framed by the kiosk leaflet screen",
    "kiosk_comparison_leaflet_print": "leaflet HTML framed by the kiosk leaflet screen",
    # The read-only JSON content API: tests/exchange/test_api.py.
    **{
        f"api-v1:{name}": "JSON content API (tests/exchange/test_api.py)"
        for name in (
            "api-root",
            "conditions",
            "condition",
            "comparisons",
            "comparison",
            "questionnaires",
            "questionnaire",
            "openapi-json",
        )
    },
}
# Page templates rendered only for a server error; checked through the test URLconf below.
ERROR_TEMPLATES = {"500.html", "503.html", "kiosk/unavailable.html"}


def url_names(patterns=None, namespace="") -> set[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def page_templates() -> set[str]:
    root = Path(settings.BASE_DIR) / "templates"
    names = {p.relative_to(root).as_posix() for p in root.rglob("*.html")}
    return {n for n in names if not n.startswith("admin/")}


class Walk:
    """Requests through one client, recording each response's problems, view and templates."""

    def __init__(self, client: Client):
        self.client = client
        self.problems: dict[str, list[str]] = {}
        self.views: set[str] = set()
        self.templates: set[str] = set()
        self.unrendered: list[str] = []

    def check(self, method: str, url: str, status: int = 200, **kwargs):
        from django.urls import resolve

        response = getattr(self.client, method)(url, secure=True, **kwargs)
        label = f"{method.upper()} {url} {kwargs.get('headers') or ''}".strip()
        problems = []
        if response.status_code != status:
            problems.append(f"status {response.status_code}, expected {status}")
        problems += header_problems(response) + cookie_problems(response)
        if response.get("Content-Type", "").startswith("text/html"):
            problems += page_problems(response.content.decode())[0]
        self.problems[label] = problems
        self.templates |= {t.name for t in response.templates if t.name}
        if response.status_code != 404:
            self.views.add(resolve(url.split("?")[0]).view_name)
        return response

    def failures(self) -> dict[str, list[str]]:
        return {url: p for url, p in self.problems.items() if p}


def walk_questionnaire(walk: Walk, base: str) -> None:
    """Every step with and without HTMX, a refused answer, the review, the result, its links."""
    htmx = {"HX-Request": "true"}
    walk.check("get", base)
    for key, value in QUESTIONNAIRE_RUN:
        step = f"{base}q/{key}/"
        walk.check("get", step)
        walk.check("get", step, headers=htmx)
        walk.check("post", step, 400, data={"answer": "not-an-option"})
        walk.check("post", step, 400, data={"answer": "not-an-option"}, headers=htmx)
        walk.check("post", step, 302, data={"answer": value})
    walk.check("get", f"{base}q/who/?change=1")
    walk.check("get", f"{base}review/")
    walk.check("post", f"{base}review/", 302)
    result = walk.check("get", f"{base}result/")
    for href in page_problems(result.content.decode())[1]:
        if href.startswith(base.replace("/check/white-spots/", "/")) and "/advice/" in href:
            walk.check("get", href)
    # After the result the answers are gone: the result page now asks to start again.
    walk.check("get", f"{base}result/", 200)
    walk.check("post", f"{base}q/who/", 302, data={"answer": "adult"})
    walk.check("post", f"{base}clear/", 302)
    walk.check("get", f"{base}?cleared=1")


def walk_feedback(walk: Walk, prefix: str) -> None:
    """Page feedback and problem reports (feedback app), with and without HTMX."""
    import re

    htmx = {"HX-Request": "true"}
    base = f"{prefix}/feedback/article/milia"
    said_no = walk.check("post", f"{base}/helpful/", 303, data={"helpful": "no"})
    thanks = walk.check("get", said_no["Location"])
    answer = re.search(r'name="answer" value="([^"]+)"', thanks.content.decode()).group(1)
    walk.check("post", f"{base}/note/", 303, data={"answer": answer, "note": "more"})
    walk.check("post", f"{base}/helpful/", 200, data={"helpful": "yes"}, headers=htmx)
    walk.check("get", f"{base}/report/")
    walk.check("get", f"{base}/report/", headers=htmx)
    walk.check("post", f"{base}/report/", 400, data={})
    reported = walk.check("post", f"{base}/report/", 303, data={"kind": "other"})
    walk.check("get", reported["Location"])
    walk.check("get", f"{prefix}/feedback/open/milia/?t=not-a-token", 302)


def test_every_page_and_page_template_has_the_headers_and_no_inline_script_or_style(demo_site):
    from tests.factories import UserFactory

    walk = Walk(Client())
    # The crawl checks every linked page once and records its view and templates; a page it
    # got from the page cache rendered no template, so it is rendered again, uncached.
    linked = crawl(walk.client, ["/", "/kiosk/", "/search/?q=white+spots", "/about/privacy/"], walk)
    assert len(linked) >= 5 and not {url: p for url, p in linked.items() if p}, linked
    for url in walk.unrendered:
        cache.clear()
        walk.check("get", url)
    for prefix in ("", "/kiosk"):
        walk.check("get", f"{prefix}/search/?q=milk+spots", headers={"HX-Request": "true"})
        walk.check("get", f"{prefix}/search/?q=qqqqzzzz")
        walk.check("get", f"{prefix}/about/privacy/")
        walk.check("get", f"{prefix}/about/editorial/")
        walk.check("get", f"{prefix}/conditions/milia/treatments/?evidence=strong")
        walk.check("get", f"{prefix}/conditions/no-such-condition/", 404)
        walk.check("get", f"{prefix}/no-such-page/", 404)
        walk_questionnaire(walk, f"{prefix}/check/white-spots/")
        walk_feedback(walk, prefix)
    from conditions.models import KioskProfile

    profile = KioskProfile.objects.first()
    walk.check("get", f"/kiosk/start/{profile.slug}/", 302)
    # The crawl followed the language switcher, whose cookie sends /kiosk/ on to /ur/kiosk/.
    walk.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    walk.check("get", "/kiosk/")
    walk.check("post", "/kiosk/reset/", 303)
    walk.check("get", f"/{settings.ADMIN_PATH}login/")
    # Staff previews of the patient pages.
    staff = Client()
    staff.force_login(UserFactory(username="reviewer", is_superuser=True))
    staff_walk = Walk(staff)
    staff_walk.check("get", "/conditions/milia/preview/")
    staff_walk.check("get", "/conditions/milia/treatments/preview/")
    staff_walk.check("get", "/conditions/milia/preview/all/")
    staff_walk.check("get", "/conditions/milia/preview/questions/")
    staff_walk.check("get", "/check/white-spots/preview/")
    staff_walk.check("post", "/check/white-spots/preview/", data={"who": "adult"})
    # Printed leaflets: PDFs on the patient site, the staff's draft leaflets, and on
    # a kiosk with a printer the leaflet screen (its PDF addresses lead there).
    walk.check("get", "/conditions/milia/leaflet.pdf")
    walk.check("get", "/conditions/milia/treatments/leaflet.pdf?size=large")
    printer = KioskProfile.objects.create(name="Desk", slug="desk-printer", printer_available=True)
    walk.check("get", f"/kiosk/start/{printer.slug}/", 302)
    walk.check("get", "/kiosk/conditions/milia/leaflet.pdf", 302)
    walk.check("get", "/kiosk/conditions/milia/treatments/leaflet.pdf?size=large", 302)
    walk.check("get", "/kiosk/conditions/milia/leaflet/")
    walk.check("get", "/kiosk/conditions/milia/treatments/leaflet/?size=large")
    staff_walk.check("get", "/conditions/milia/preview/leaflet.pdf")
    staff_walk.check("get", "/conditions/milia/treatments/preview/leaflet.pdf")
    # The infobutton's own pages: choose, language notice, nothing found, bad request.
    icd = "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c="
    walk.check("get", f"/infobutton/?{icd}L72.0", 302)
    walk.check("get", f"/infobutton/?{icd}L71.9")
    walk.check("get", f"/infobutton/?{icd}L72.0&informationRecipient.languageCode.c=es")
    walk.check("get", f"/infobutton/?{icd}Z99.89")
    walk.check("get", f"/infobutton/?{icd}L72.0&age.v.v=x", 400)

    failures = {**walk.failures(), **staff_walk.failures()}
    assert not failures, failures
    visited = walk.views | staff_walk.views
    assert url_names() - visited - set(NOT_PAGES) == set(), "pages this test does not visit yet"
    rendered = walk.templates | staff_walk.templates
    missing_templates = page_templates() - rendered - ERROR_TEMPLATES
    assert missing_templates == set(), "page templates this test does not render yet"


def explode(request):
    raise RuntimeError("boom")


def database_away(request):
    from django.db import OperationalError

    raise OperationalError("the database did not answer")


urlpatterns = [
    path("kiosk/test-only/explode/", explode),
    path("test-only/explode/", explode),
    path("test-only/database-away/", database_away),
]


def test_the_server_error_pages_have_the_headers_and_no_inline_script_or_style(db, settings):
    from portal import urls as portal_urls

    module = sys.modules[__name__]
    module.urlpatterns = [*urlpatterns[:3], *portal_urls.urlpatterns]
    module.handler500 = portal_urls.handler500
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    rendered = set()
    for url, status in (
        ("/test-only/explode/", 500),
        ("/kiosk/test-only/explode/", 500),
        ("/test-only/database-away/", 503),
    ):
        response = client.get(url, secure=True)
        assert response.status_code == status
        assert header_problems(response) == [], url
        assert page_problems(response.content.decode())[0] == [], url
        rendered.add(response.content.decode())
    assert any("Sorry, something went wrong" in html for html in rendered)
    assert any("Sorry, this service is busy" in html for html in rendered)
    assert len(rendered) == 3  # the kiosk has its own calm page


@pytest.mark.parametrize("url", ["/about/privacy/", "/kiosk/"])
def test_htmx_is_configured_to_need_no_inline_style_eval_or_script(client, db, url):
    """No indicator <style> element, no eval (hx-on, js: values), no scripts in swapped HTML."""
    import html
    import json
    import re

    page = client.get(url, secure=True).content.decode()
    meta = re.search(r'<meta name="htmx-config" content="([^"]*)">', page)
    assert meta, "no htmx-config meta"
    config = json.loads(html.unescape(meta.group(1)))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    assert config["historyCacheSize"] == 0  # no copies of pages (answers) in sessionStorage
