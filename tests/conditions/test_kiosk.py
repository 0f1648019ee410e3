"""The waiting-room kiosk: start screen, profiles, locked-in links, QR codes, reset, no-store."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import resolve, reverse

from conditions import kiosk_middleware
from conditions.models import KioskProfile, Outcome, Questionnaire, Status
from tests.factories import (
    SMALL_SELF_CARE_PATHS,
    ComparisonRowFactory,
    ConditionFactory,
    QuestionnaireFactory,
    ReferenceFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    UserFactory,
    editors,
    make_live,
)
from tests.qr import decode_svg_qr

pytestmark = pytest.mark.django_db

EXTERNAL = "https://my.clevelandclinic.org/health/diseases/17868-milia"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area"):
            self.links.append(dict(attrs))


def links_in(html: str) -> list[dict]:
    parser = Links()
    parser.feed(html)
    return parser.links


def svgs_in(html: str, css_class: str) -> list[str]:
    """The QR code SVGs inside elements of `css_class`."""
    pattern = re.compile(rf'class="{css_class}"[^>]*>.*?(<svg\b.*?</svg>)', re.S)
    return pattern.findall(html)


@pytest.fixture
def milia():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    SectionFactory(
        condition=condition,
        heading="More to read",
        body=(
            "See [the NHS page](https://www.nhs.uk/conditions/milia/), "
            "[our other page](/conditions/milia/#more), [email us](mailto:help@clinic.example) "
            "and [staff](/admin/)."
        ),
    )
    ReferenceFactory(condition=condition, url=EXTERNAL, title="Milia: causes and treatment")
    make_live(condition)  # patients see the live copy, with the parts added above
    return condition


@pytest.fixture
def comparison(milia):
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(comparison=comparison)
    return comparison


@pytest.fixture
def questionnaire(milia):
    """A small published questionnaire about milia (tests.factories.QuestionnaireFactory)."""
    return QuestionnaireFactory(slug="white-spots", conditions=[milia], published=True)


@pytest.fixture
def printer_profile():
    return KioskProfile.objects.create(
        name="Pharmacy corner", slug="pharmacy", printer_available=True
    )


def choose(client, profile):
    response = client.get(reverse("kiosk_start", args=[profile.slug]))
    assert response.status_code == 302
    return response


# -- start screen and A-Z ---------------------------------------------------------------------
def test_start_screen_shows_featured_topics_and_letter_tiles_without_a_text_box(client, milia):
    ConditionFactory(published=True, name="Acne", slug="acne")
    ConditionFactory(name="Draft rash", slug="draft-rash")  # not published: never shown
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")
    profile.featured_conditions.add(milia)

    response = client.get("/kiosk/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/kiosk/conditions/milia/"' in html
    assert re.search(r'class="kiosk-tile"[^>]*>\s*<span class="kiosk-tile-title">Milia', html)
    assert 'href="/kiosk/az/A/"' in html and 'href="/kiosk/az/M/"' in html
    assert 'href="/kiosk/az/D/"' not in html  # the draft's letter has nothing published
    assert "Draft rash" not in html
    assert not re.search(r'<input(?![^>]*type="hidden")', html)  # nothing to type into
    assert "Start again" in html


def test_letter_page_lists_the_topics_under_that_letter(client, milia):
    ConditionFactory(published=True, name="Acne", slug="acne")

    html = client.get("/kiosk/az/M/").content.decode()

    assert 'href="/kiosk/conditions/milia/"' in html
    assert "/kiosk/conditions/acne/" not in html
    assert 'aria-current="page"' in html


def test_an_unknown_letter_is_a_404_not_an_error(client):
    assert client.get("/kiosk/az/%C3%84/").status_code == 404
    assert client.get("/kiosk/az/AB/").status_code == 404


def test_start_screen_shows_the_profiles_questionnaires(client):
    questionnaire = Questionnaire.objects.create(
        title="White spots on the skin",
        slug="white-spots",
        status=Status.PUBLISHED,
        reviewer=UserFactory(),
        last_reviewed="2026-11-01",
        next_review_due="2027-11-01",
    )
    make_live(questionnaire)
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")
    profile.featured_questionnaires.add(questionnaire)

    html = client.get("/kiosk/").content.decode()

    assert f'href="{reverse("kiosk:questionnaire_start", args=["white-spots"])}"' in html
    assert "White spots on the skin" in html


# -- profiles ---------------------------------------------------------------------------------
def test_start_url_sets_a_signed_profile_cookie_that_the_kiosk_then_uses(client, milia):
    KioskProfile.objects.create(name="A first kiosk", slug="first", welcome_text="Hello first")
    second = KioskProfile.objects.create(name="Second", slug="second", welcome_text="Hello second")

    assert "Hello first" in client.get("/kiosk/").content.decode()  # no cookie: the first one

    response = choose(client, second)
    assert response["Location"] == "/kiosk/"
    cookie = response.cookies[kiosk_middleware.PROFILE_COOKIE]
    assert cookie["path"] == "/" and cookie["httponly"] and cookie["max-age"] > 3600
    assert cookie.value != "second"  # signed, not the bare slug

    assert "Hello second" in client.get("/kiosk/").content.decode()


def test_a_tampered_profile_cookie_is_ignored(client):
    KioskProfile.objects.create(name="A first kiosk", slug="first", welcome_text="Hello first")
    KioskProfile.objects.create(name="Second", slug="second", welcome_text="Hello second")
    client.cookies[kiosk_middleware.PROFILE_COOKIE] = "second"

    assert "Hello first" in client.get("/kiosk/").content.decode()


def test_an_unknown_profile_is_a_404(client):
    assert client.get("/kiosk/start/nope/").status_code == 404


def test_without_any_profile_the_kiosk_uses_safe_defaults(client, milia):
    response = client.get(f"/kiosk/conditions/{milia.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kiosk-idle="90"' in html and 'data-kiosk-warning="30"' in html
    assert 'data-kiosk-printer="false"' in html


def test_profile_timings_reach_the_page(client, milia):
    profile = KioskProfile.objects.create(
        name="Slow", slug="slow", idle_seconds=120, warning_seconds=45
    )
    choose(client, profile)

    html = client.get(f"/kiosk/conditions/{milia.slug}/").content.decode()

    assert 'data-kiosk-idle="120"' in html and 'data-kiosk-warning="45"' in html
    assert re.search(r"data-kiosk-countdown>\s*45\s*<", html)


# -- locked in --------------------------------------------------------------------------------
def crawl_kiosk(client, start="/kiosk/", limit=60) -> dict[str, str]:
    """Every kiosk page reachable from the start screen by following its links."""
    pages, queue, switched = {}, [start], set()
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages or path in switched:
            continue
        if urlsplit(path).path == reverse("kiosk_choose_language"):
            # The language switcher: sets the language and redirects, within the kiosk.
            response = client.get(path)
            assert response.status_code == 302 and kiosk_middleware.is_kiosk_path(
                response["Location"]
            )
            switched.add(path)
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        pages[path] = html
        for link in links_in(html):
            href = link.get("href") or ""
            target = urlsplit(urljoin("http://testserver" + path, href))
            url = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc == "testserver" and url.startswith("/kiosk/") and url not in pages:
                queue.append(url)
    return pages


def assert_locked_in(path: str, html: str) -> None:
    for link in links_in(html):
        href = link.get("href")
        if href is None or href.startswith("#"):
            continue
        target = urlsplit(urljoin("http://testserver" + path, href))
        assert target.scheme == "http" and target.netloc == "testserver", (path, href)
        assert target.path.startswith("/kiosk/"), (path, href)
        assert "admin" not in target.path, (path, href)
        assert "fhir" not in target.path, (path, href)
        assert "download" not in link, (path, href)


def test_no_kiosk_page_links_off_site_to_the_admin_or_to_a_download(client, milia, comparison):
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")
    profile.featured_conditions.add(milia)
    ConditionFactory(published=True, name="Acne", slug="acne")

    pages = crawl_kiosk(client)

    assert {
        "/kiosk/",
        "/kiosk/az/M/",
        "/kiosk/conditions/",
        "/kiosk/conditions/milia/",
        "/kiosk/conditions/acne/",
    } <= set(pages)
    assert "/kiosk/conditions/milia/treatments/" in pages
    for path, html in pages.items():
        assert_locked_in(path, html)


def test_offsite_links_become_plain_text_and_site_links_stay_in_the_kiosk(client, milia):
    html = client.get("/kiosk/conditions/milia/").content.decode()

    assert re.search(r'<span class="kiosk-offsite">\s*Milia: causes and treatment\s*</span>', html)
    assert re.search(r'<span class="kiosk-offsite">the NHS page</span>', html)
    assert re.search(r'<span class="kiosk-offsite">email us</span>', html)
    assert re.search(r'<span class="kiosk-offsite">staff</span>', html)
    assert 'href="/kiosk/conditions/milia/#more"' in html
    # No code beside each off-site link: sentences stay whole.
    assert "kiosk-offsite-qr" not in html
    # The public page keeps its real links.
    public = client.get("/conditions/milia/").content.decode()
    assert f'href="{EXTERNAL}"' in public and "kiosk-offsite" not in public


def test_a_kiosk_source_list_has_one_code_that_opens_the_whole_list(client, milia):
    ReferenceFactory(condition=milia, url="https://www.nhs.uk/conditions/milia/", title="NHS")
    make_live(milia)
    html = client.get("/kiosk/conditions/milia/").content.decode()

    sources = html[html.index('id="sources"') :]
    sources = sources[: sources.index("</section>")]
    assert sources.count("<li") >= 2 and "<a " not in sources
    codes = svgs_in(sources, "kiosk-sources-qr-code")
    assert len(codes) == 1
    assert decode_svg_qr(codes[0]) == "http://testserver/conditions/milia/#sources"
    assert "Open these sources on your phone" in sources
    assert html.count("<svg") == 2  # the sources' code and "Take this home", nothing else
    public = client.get("/conditions/milia/").content.decode()
    assert "kiosk-sources-qr" not in public and 'id="sources"' in public


@pytest.mark.parametrize(
    ("href", "action", "result"),
    [
        ("/conditions/milia/", "rewrite", "/kiosk/conditions/milia/"),
        ("/conditions/?x=1#top", "rewrite", "/kiosk/conditions/?x=1#top"),
        ("/", "rewrite", "/kiosk/"),
        ("http://testserver/conditions/", "rewrite", "/kiosk/conditions/"),
        ("/kiosk/conditions/", "keep", ""),
        ("#top", "keep", ""),
        ("/admin/", "strip", ""),
        ("/healthz", "strip", ""),
        ("/static/css/portal.css", "strip", ""),
        ("mailto:a@b.example", "strip", ""),
        ("javascript:alert(1)", "strip", ""),
        ("https://evil.example/x", "strip", ""),
        ("//evil.example/x", "strip", ""),
    ],
)
def test_which_links_may_stay_in_a_kiosk_page(href, action, result):
    request = RequestFactory().get("/kiosk/conditions/")

    decision = kiosk_middleware.decide_link(href, request)

    assert decision.action == action
    assert decision.href == result


def test_a_link_with_a_download_attribute_becomes_text():
    request = RequestFactory().get("/kiosk/conditions/")
    html = '<p><a href="/kiosk/conditions/" download>Save</a> <a href="#x">here</a></p>'

    assert kiosk_middleware.lock_links(html, request) == (
        '<p><span class="kiosk-offsite">Save</span> <a href="#x">here</a></p>'
    )


def test_downloads_and_previews_are_refused_in_the_kiosk(client):
    for path in ["/kiosk/check/white-spots/fhir/", "/kiosk/check/white-spots/fhir/response/"]:
        assert client.get(path).status_code == 404
    assert client.get("/kiosk/conditions/milia/preview/").status_code == 404
    request = RequestFactory().get("/kiosk/conditions/")
    for href in ["/check/white-spots/fhir/", "/kiosk/check/white-spots/fhir/response/"]:
        assert kiosk_middleware.decide_link(href, request).action == "strip"


# -- take this home ---------------------------------------------------------------------------
def take_home_code(html: str) -> str:
    codes = svgs_in(html, "kiosk-take-home-code")
    assert len(codes) == 1, "expected one 'Take this home' QR code"
    return decode_svg_qr(codes[0])


def test_an_article_qr_code_leads_to_its_public_page(client, milia, comparison):
    html = client.get("/kiosk/conditions/milia/").content.decode()

    assert take_home_code(html) == "http://testserver/conditions/milia/"
    assert "Take this home" in html


def test_a_treatment_comparison_qr_code_leads_to_its_public_page(client, comparison):
    html = client.get("/kiosk/conditions/milia/treatments/").content.decode()

    assert take_home_code(html) == "http://testserver/conditions/milia/treatments/"


def test_the_public_site_shows_no_take_home_code(client, milia):
    assert "kiosk-take-home" not in client.get("/conditions/milia/").content.decode()


def test_a_result_outcome_given_as_the_questionnaire_spec_dict_leads_to_its_advice(rf, milia):
    from django.template import engines

    questionnaire = Questionnaire(title="White spots", slug="white-spots")
    request = rf.get("/kiosk/check/white-spots/result/")
    request.resolver_match = resolve(request.path)
    template = engines["django"].from_string("{% load kiosk_tags %}{% take_home %}")
    context = {"questionnaire": questionnaire, "outcome": {"slug": "self-care"}, "condition": milia}

    html = template.render(context, request)

    assert take_home_code(html) == "http://testserver/check/white-spots/advice/self-care/"


ADULT_SELF_CARE = SMALL_SELF_CARE_PATHS["adult"]


def test_a_kiosk_questionnaire_result_qr_code_leads_to_the_outcome_advice_not_the_answers(
    client, milia, questionnaire
):
    base = "/kiosk/check/white-spots/"
    for key, value in ADULT_SELF_CARE:
        response = client.post(f"{base}q/{key}/", {"answer": value})
        assert response.status_code == 302 and response["Location"].startswith(base), key
    assert client.post(f"{base}review/")["Location"] == f"{base}result/"

    response = client.get(f"{base}result/")

    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    outcome = Outcome.objects.get(
        questionnaire__slug="white-spots",
        questionnaire__is_live=True,
        title__in=re.findall(r"<h1>(.*?)</h1>", html),
    )
    assert take_home_code(html) == "http://testserver" + outcome.get_absolute_url()
    assert "/advice/" in outcome.get_absolute_url()
    assert_locked_in(f"{base}result/", html)
    assert not re.search(r"<button[^>]*data-print(?![^>]*hidden)", html)


# -- printing ---------------------------------------------------------------------------------
def test_no_print_button_without_a_printer(client, milia):
    html = client.get("/kiosk/conditions/milia/").content.decode()

    assert not re.search(r"data-kiosk-print\b(?!er)", html)
    assert 'data-kiosk-printer="false"' in html


def test_a_print_button_where_the_kiosk_has_a_printer(client, milia, printer_profile):
    choose(client, printer_profile)

    html = client.get("/kiosk/conditions/milia/").content.decode()

    assert re.search(r"<button[^>]*data-kiosk-print\b(?!er)[^>]*>\s*Print this page", html)
    assert 'data-kiosk-printer="true"' in html


# -- reset ------------------------------------------------------------------------------------
def expired(response) -> set[tuple[str, str]]:
    return {
        (morsel.key, morsel["path"])
        for morsel in response.cookies.values()
        if morsel["max-age"] == 0 and morsel.value == ""
    }


def test_reset_flushes_the_session_and_expires_every_cookie_but_the_profile(client, milia):
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")
    choose(client, profile)
    Questionnaire.objects.create(title="White spots", slug="white-spots")
    session = client.session
    session["something"] = "from the last patient"
    session.save()
    session_key = session.session_key
    client.cookies["questionnaire_answers"] = "signed-answers"
    client.cookies["leftover"] = "1"
    client.cookies["csrftoken"] = "x" * 32

    response = client.post("/kiosk/reset/")

    assert response.status_code == 303 and response["Location"] == "/kiosk/"
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response["Cache-Control"] == "no-store"
    gone = expired(response)
    assert {("leftover", "/"), ("leftover", "/kiosk/")} <= gone
    assert {("questionnaire_answers", "/"), ("questionnaire_answers", "/kiosk/")} <= gone
    assert ("sessionid", "/") in gone
    for name in ("conditions:questionnaire_start", "kiosk:questionnaire_start"):
        assert ("questionnaire_answers", reverse(name, args=["white-spots"])) in gone
    names = {morsel.key for morsel in response.cookies.values()}
    assert kiosk_middleware.PROFILE_COOKIE not in names and "csrftoken" not in names
    # Each expiry is its own Set-Cookie line, also for one name at several paths.
    # (at /, and at the kiosk in every language: /kiosk/, /pl/kiosk/, /ur/kiosk/)
    assert response.cookies.output().count("Set-Cookie: leftover=") == 1 + len(settings.LANGUAGES)
    from django.contrib.sessions.backends.cached_db import SessionStore

    assert not SessionStore().exists(session_key)


def test_reset_is_post_only(client):
    assert client.get("/kiosk/reset/").status_code == 405


def test_reset_works_without_a_csrf_token(milia):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/kiosk/reset/")

    assert response.status_code == 303


# -- caching and errors -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/kiosk/", "/kiosk/conditions/", "/kiosk/conditions/milia/", "/kiosk/nope/"]
)
def test_kiosk_pages_are_never_stored(client, milia, path):
    response = client.get(path)

    assert response["Cache-Control"] == "no-store"


def test_a_server_error_on_the_kiosk_shows_the_calm_one_moment_page(milia):
    from django.test import Client

    client = Client(raise_request_exception=False)
    with mock.patch("conditions.views.kiosk.Condition") as condition:
        condition.objects.published.side_effect = ImproperlyConfigured("database gone")
        response = client.get("/kiosk/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "One moment" in html and "data-kiosk-unavailable" in html
    assert "database gone" not in html and "Traceback" not in html
    assert response["Cache-Control"] == "no-store"


# -- admin and demo ---------------------------------------------------------------------------
def test_staff_can_edit_kiosk_profiles_in_the_admin(admin_client):
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")

    assert admin_client.get(reverse("admin:conditions_kioskprofile_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:conditions_kioskprofile_change", args=[profile.pk]))
    assert page.status_code == 200
    assert "/kiosk/start/waiting-room/" in page.content.decode()


def test_the_admin_refuses_a_countdown_under_20_seconds(admin_client):
    response = admin_client.post(
        reverse("admin:conditions_kioskprofile_add"),
        {"name": "Quick", "slug": "quick", "idle_seconds": 60, "warning_seconds": 5},
    )

    assert response.status_code == 200
    assert not KioskProfile.objects.filter(slug="quick").exists()


def test_demo_kiosk_features_milia_and_warns_about_what_is_missing(milia, capsys):
    from conditions.demo import kiosk as demo

    user = UserFactory()
    profile = demo.load(user, user)
    demo.load(user, user)  # idempotent

    assert KioskProfile.objects.filter(slug="waiting-room").count() == 1
    assert list(profile.featured_conditions.all()) == [milia]
    assert "white-spots" in capsys.readouterr().err
    assert profile.get_absolute_url() == "/kiosk/start/waiting-room/"


def test_a_kiosk_number_question_comes_with_a_number_pad_and_no_keyboard(
    client, milia, questionnaire
):
    for base in ("/kiosk/check/white-spots/", "/check/white-spots/"):
        assert client.post(f"{base}q/who/", {"answer": "baby"}).status_code == 302
        assert client.post(f"{base}q/unwell/", {"answer": ["none"]}).status_code == 302
    kiosk_html = client.get("/kiosk/check/white-spots/q/baby-age/").content.decode()
    public_html = client.get("/check/white-spots/q/baby-age/").content.decode()

    assert 'data-kiosk-keypad="answer-input"' in kiosk_html
    assert re.search(r'id="answer-input"', kiosk_html) and 'inputmode="none"' in kiosk_html
    assert all(f'data-key="{key}"' in kiosk_html for key in "0123456789")
    assert "data-kiosk-keypad" not in public_html and 'inputmode="decimal"' in public_html


def test_kiosk_questionnaire_forms_swap_the_page_in_place_so_history_does_not_grow(
    client, milia, questionnaire
):
    base = "/kiosk/check/white-spots/"
    for key, value in ADULT_SELF_CARE:
        client.post(f"{base}q/{key}/", {"answer": value})
    review = client.get(f"{base}review/").content.decode()
    public = client.get("/check/white-spots/").content.decode()

    confirm = client.get(f"{base}clear/?from=review").content.decode()
    for page, action in ((review, f"{base}review/"), (confirm, f"{base}clear/")):
        form = re.search(rf'<form method="post" action="{action}"[^>]*>', page)
        assert form, action
        for attribute in (f'hx-post="{action}"', 'hx-target="#main"', 'hx-select="#main"'):
            assert attribute in form[0], (action, attribute)
    # "Clear my answers" and "No, go back" are links, swapped into the page the same way.
    for page, href in ((review, f"{base}clear/?from=review"), (confirm, f"{base}review/")):
        main = page[page.index('<main id="main"') :]  # the header's Back leads there too
        link = re.search(rf'<a [^>]*href="{re.escape(href)}"[^>]*>', main)
        assert link, href
        for attribute in (f'hx-get="{href}"', 'hx-target="#main"', 'hx-select="#main"'):
            assert attribute in link[0], (href, attribute)
    assert 'hx-target="#main"' not in public
    # An HTMX "Clear my answers" is a plain redirect that htmx follows (no HX-Redirect, which
    # would push a history entry).
    response = client.post(f"{base}clear/", HTTP_HX_REQUEST="true")
    assert response.status_code == 302 and "HX-Redirect" not in response


def test_the_demo_kiosk_features_milia_and_its_questionnaire_on_the_start_screen(client, milia):
    from conditions.demo import kiosk as demo_kiosk
    from conditions.demo import questionnaires as demo_questionnaires

    author, reviewer = editors()
    demo_questionnaires.load(author, reviewer)
    profile = demo_kiosk.load(author, reviewer)

    assert list(profile.featured_conditions.values_list("slug", flat=True)) == ["milia"]
    assert list(profile.featured_questionnaires.values_list("slug", flat=True)) == ["white-spots"]
    assert not profile.printer_available and profile.idle_seconds == 90
    choose(client, profile)
    html = client.get("/kiosk/").content.decode()
    assert 'href="/kiosk/conditions/milia/"' in html
    assert 'href="/kiosk/check/white-spots/"' in html


# -- one "Take this home", one Back, one Start again -------------------------------
def test_every_kiosk_page_has_one_take_home_code_before_its_content(client, milia, questionnaire):
    expected = {
        "/kiosk/": "http://testserver/",
        "/kiosk/az/M/": "http://testserver/conditions/?letter=M",
        "/kiosk/conditions/": "http://testserver/conditions/",
        "/kiosk/conditions/milia/": "http://testserver/conditions/milia/",
        "/kiosk/check/white-spots/": "http://testserver/check/white-spots/",
        "/kiosk/check/white-spots/q/who/": "http://testserver/check/white-spots/",
        "/kiosk/about/privacy/": "http://testserver/about/privacy/",
        "/kiosk/start-again/": "http://testserver/",
    }
    for path, url in expected.items():
        html = client.get(path).content.decode()
        assert take_home_code(html) == url, path
        main = html[html.index('<main id="main"') :]
        assert main.index("kiosk-take-home") < main.index("<h1"), path


def nav_of(html: str) -> str:
    return re.search(r'<nav class="kiosk-nav".*?</nav>', html, re.S)[0]


def back_href(html: str) -> str | None:
    match = re.search(r'<a class="kiosk-button kiosk-back" href="([^"]*)"', nav_of(html))
    return match[1] if match else None


def test_the_kiosk_has_one_back_and_one_start_again_in_its_header(client, milia, questionnaire):
    base = "/kiosk/check/white-spots/"
    client.post(f"{base}q/who/", {"answer": "adult"})
    for path in ("/kiosk/conditions/milia/", f"{base}q/who/", f"{base}q/unwell/", "/kiosk/"):
        html = client.get(path).content.decode()
        assert html.count(">Back</") == 1, path
        assert len(re.findall(r">\s*Start again\s*<", html)) == 1, path
        assert "back-link" not in html, path  # no second, in-page Back
        assert re.search(r'class="kiosk-button kiosk-restart" href="/kiosk/start-again/', html)
    # The start screen has nothing before it: its Back is an invisible place-holder.
    assert back_href(client.get("/kiosk/").content.decode()) is None


def test_back_is_the_previous_step(client, milia, comparison, questionnaire):
    base = "/kiosk/check/white-spots/"
    client.post(f"{base}q/who/", {"answer": "adult"})
    client.post(f"{base}q/unwell/", {"answer": ["none"]})
    third = client.post(f"{base}q/unwell/", {"answer": ["none"]})["Location"]
    assert third.startswith(f"{base}q/") and third != f"{base}q/unwell/"

    expected = {
        third: f"{base}q/unwell/",  # question 3: question 2, not the intro
        f"{base}q/unwell/": f"{base}q/who/",
        f"{base}q/who/": base,  # the first question: the intro
        base: "/kiosk/",
        "/kiosk/conditions/milia/": "/kiosk/az/M/",  # an article: its A-Z letter
        "/kiosk/conditions/milia/treatments/": "/kiosk/conditions/milia/",
        "/kiosk/az/M/": "/kiosk/",
    }
    for path, back in expected.items():
        assert back_href(client.get(path).content.decode()) == back, path
    # Under HTMX the swapped-in step carries its Back for kiosk.js to move to the header.
    fragment = client.get(third, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-kiosk-back-url="{base}q/unwell/"' in fragment


def test_start_again_asks_first_on_a_page_that_works_without_javascript(client, milia):
    html = client.get("/kiosk/conditions/milia/").content.decode()
    href = re.search(r'class="kiosk-button kiosk-restart" href="([^"]+)"', html)[1]
    assert href == "/kiosk/start-again/?back=%2Fkiosk%2Fconditions%2Fmilia%2F"

    response = client.get(href.replace("&amp;", "&"))

    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "<h1" in page and "Start again?" in page
    assert re.search(r'<form method="post" action="/kiosk/reset/">', page)
    assert re.search(
        r'<a class="kiosk-button" href="/kiosk/conditions/milia/">No, go back</a>', page
    )
    assert back_href(page) == "/kiosk/conditions/milia/"
    # Its own "Start again" is itself, not a page more.
    assert re.search(rf'class="kiosk-button kiosk-restart" href="{re.escape(href)}"', page)


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/kiosk/", "/admin/", "/kiosk/start-again/"]
)
def test_start_again_goes_back_only_to_a_kiosk_page(client, back):
    page = client.get("/kiosk/start-again/", {"back": back}).content.decode()

    assert re.search(r'<a class="kiosk-button" href="/kiosk/">No, go back</a>', page)
