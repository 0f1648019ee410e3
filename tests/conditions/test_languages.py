"""The patient's language (interface): the path names the language, the entry points
follow the cookie and Accept-Language, the switcher keeps the page, and caches keep languages apart.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from conditions.languages import address_in, strip_language
from tests.factories import ConditionFactory, reviewer_user

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def milia():
    return ConditionFactory(published=True, name="Milia", slug="milia")


def html_attrs(response) -> dict:
    tag = re.search(r"<html\b([^>]*)>", response.content.decode()).group(1)
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def alternates(response) -> dict:
    links = re.findall(
        r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', response.content.decode()
    )
    return dict(links)


def switcher_links(response) -> list[dict]:
    nav = re.search(
        r'<nav class="language-switcher[^"]*"[^>]*>(.*?)</nav>', response.content.decode(), re.S
    )
    assert nav, "no language switcher on the page"
    links = []
    for attrs in re.findall(r"<a ([^>]*)>", nav.group(1)):
        links.append(dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)))
    return links


# -- the path names the language ---------------------------------------------------------------
def test_english_addresses_are_unchanged_and_english(client, milia):
    response = client.get("/conditions/milia/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert html_attrs(response)["lang"] == "en-gb"
    assert response["Content-Language"] == "en-gb"
    assert "Accept-Language" not in response.get("Vary", "")  # the same for every visitor


def test_a_prefixed_address_serves_its_language_whatever_the_cookie_or_browser_says(client, milia):
    client.cookies[COOKIE] = "ur"
    response = client.get("/pl/conditions/milia/", HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 200
    assert html_attrs(response) == {**html_attrs(response), "lang": "pl", "dir": "ltr"}
    assert "Schorzenia od A do Z" in response.content.decode()  # the Polish navigation
    assert "Accept-Language" not in response.get("Vary", "")


def test_urdu_pages_are_right_to_left(client, milia):
    response = client.get("/ur/conditions/milia/")
    assert html_attrs(response)["lang"] == "ur"
    assert html_attrs(response)["dir"] == "rtl"
    assert "بیماریاں A سے Z تک" in response.content.decode()


def test_admin_api_health_and_infobutton_stay_unprefixed(client, milia):
    assert client.get("/healthz").status_code == 200
    assert client.get("/pl/healthz").status_code == 404
    assert client.get("/pl/admin/").status_code == 404
    assert client.get("/pl/api/v1/conditions").status_code == 404
    assert client.get("/pl/infobutton/").status_code == 404
    assert reverse("admin:index") == "/admin/"


def test_an_unoffered_language_prefix_is_a_404(client, milia):
    assert client.get("/de/conditions/milia/").status_code == 404


# -- the entry points ---------------------------------------------------------------------------
def test_first_visit_to_home_follows_accept_language_and_is_kept_from_shared_caches(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/pl/"
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert "private" in response["Cache-Control"]


def test_home_in_english_for_an_english_browser_also_says_it_varies(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert response.status_code == 200
    assert html_attrs(response)["lang"] == "en-gb"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "private" in response["Cache-Control"]


def test_a_language_chosen_in_the_cookie_wins_over_the_browser(client):
    client.cookies[COOKIE] = "en-gb"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="pl").status_code == 200
    client.cookies[COOKIE] = "ur"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response["Location"] == "/ur/"


def test_the_kiosk_start_screen_follows_the_browser_and_its_prefixed_twin_does_not(client):
    response = client.get("/kiosk/", HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 302 and response["Location"] == "/ur/kiosk/"
    assert "Accept-Language" in response["Vary"]
    response = client.get("/ur/kiosk/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert html_attrs(response)["dir"] == "rtl"


def test_only_the_entry_points_redirect(client, milia):
    response = client.get("/conditions/milia/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    client.cookies[COOKIE] = "pl"
    assert client.get("/conditions/").status_code == 200


# -- the switcher and hreflang ------------------------------------------------------------------
def test_every_patient_page_links_each_language_with_hreflang_and_x_default(client, milia):
    response = client.get("/pl/conditions/milia/")
    assert alternates(response) == {
        "en-gb": "http://testserver/conditions/milia/",
        "x-default": "http://testserver/conditions/milia/",
        "pl": "http://testserver/pl/conditions/milia/",
        "ur": "http://testserver/ur/conditions/milia/",
    }


def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(client, milia):
    links = switcher_links(client.get("/conditions/milia/"))
    assert [(link["lang"], link["hreflang"]) for link in links] == [
        ("en-gb", "en-gb"),
        ("pl", "pl"),
        ("ur", "ur"),
    ]
    assert links[0].get("aria-current") == "true"
    assert links[2]["dir"] == "rtl"
    polish = links[1]["href"].replace("&amp;", "&")
    query = parse_qs(urlsplit(polish).query)
    assert query == {"to": ["pl"], "next": ["/conditions/milia/"]}

    response = client.get(polish)
    assert response.status_code == 302
    assert response["Location"] == "/pl/conditions/milia/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "pl" and cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
    assert cookie["path"] == "/" and cookie["samesite"] == "Lax"
    # Remembered: the home page now opens in Polish.
    assert client.get("/")["Location"] == "/pl/"


def test_switching_back_to_english_is_remembered_against_the_browser(client, milia):
    response = client.get(
        "/language/", {"to": "en-gb", "next": "/pl/conditions/milia/"}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert response["Location"] == "/conditions/milia/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="pl").status_code == 200


def test_the_switcher_keeps_the_query_the_page_reads(client, milia):
    response = client.get("/language/", {"to": "ur", "next": "/search/?q=milia"})
    assert response["Location"] == "/ur/search/?q=milia"


def test_the_switcher_refuses_unknown_languages_and_foreign_destinations(client, milia):
    assert client.get("/language/", {"to": "xx", "next": "/"}).status_code == 400
    response = client.get("/language/", {"to": "pl", "next": "https://evil.example/"})
    assert response["Location"] == "/pl/"
    response = client.get("/language/", {"to": "pl", "next": "//evil.example/x"})
    assert response["Location"] == "/pl/"
    assert client.post("/language/", {"to": "pl"}).status_code == 405


def test_the_kiosk_start_screen_has_a_switcher_that_stays_in_the_kiosk(client):
    links = switcher_links(client.get("/pl/kiosk/"))
    english = next(link for link in links if link["lang"] == "en-gb")["href"].replace("&amp;", "&")
    assert english.startswith("/kiosk/language/?")
    response = client.get(english)
    assert response["Location"] == "/kiosk/"
    # A kiosk switch may not lead out of the kiosk.
    response = client.get("/kiosk/language/", {"to": "pl", "next": "/conditions/milia/"})
    assert response["Location"] == "/pl/kiosk/"


def test_a_kiosk_reset_forgets_the_language(client):
    client.cookies[COOKIE] = "ur"
    response = client.post("/ur/kiosk/reset/")
    assert response.status_code == 303
    expired = [morsel for key, morsel in response.cookies.items() if key.split(";")[0] == COOKIE]
    assert expired and all(m["max-age"] == 0 for m in expired)
    assert {m["path"] for m in expired} >= {"/"}


def test_kiosk_links_stay_in_the_kiosk_in_every_language(client, milia):
    html = client.get("/pl/kiosk/conditions/milia/").content.decode()
    assert 'href="/pl/kiosk/conditions/"' in html
    assert 'href="/conditions/' not in html


def test_the_privacy_page_names_the_language_cookie_with_purpose_and_lifetime(client):
    text = client.get("/about/privacy/").content.decode()
    assert f"{COOKIE}: the language you chose" in text
    assert "365 days" in text


def test_address_helpers():
    assert strip_language("/pl/kiosk/") == "/kiosk/"
    assert strip_language("/kiosk/") == "/kiosk/"
    assert strip_language("/pl") == "/"
    assert address_in("/conditions/", "ur") == "/ur/conditions/"
    assert address_in("/ur/conditions/", "en-gb") == "/conditions/"
    assert address_in("/no/such/page/", "pl") is None
    assert translation.get_language() == "en-gb"  # nothing leaked


# -- the page cache ---------------------------------------------------------------------------
def test_a_polish_and_an_english_copy_are_cached_apart_and_both_purged_on_publish(client, milia):
    english = client.get("/conditions/milia/")
    polish = client.get("/pl/conditions/milia/")
    assert english["X-Page-Cache"] == polish["X-Page-Cache"] == "miss"
    assert client.get("/conditions/milia/")["X-Page-Cache"] == "hit"
    again = client.get("/pl/conditions/milia/")
    assert again["X-Page-Cache"] == "hit"
    assert html_attrs(again)["lang"] == "pl"
    assert html_attrs(client.get("/conditions/milia/"))["lang"] == "en-gb"

    section = milia.sections.first()
    section.body = "Freshly edited words about tiny white bumps."
    section.save()
    milia.record_change()
    milia.publish(by=reviewer_user(), attested=True)
    for path in ("/conditions/milia/", "/pl/conditions/milia/", "/ur/conditions/milia/"):
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss", path
        assert b"Freshly edited words" in response.content


def test_the_language_cookie_does_not_split_the_cache(client, milia):
    assert client.get("/pl/conditions/milia/")["X-Page-Cache"] == "miss"
    client.cookies[COOKIE] = "ur"
    assert client.get("/pl/conditions/milia/")["X-Page-Cache"] == "hit"


def test_the_cached_home_page_is_never_served_for_another_language(client):
    assert html_attrs(client.get("/pl/"))["lang"] == "pl"
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and html_attrs(english)["lang"] == "en-gb"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="pl").status_code == 302
