"""Privacy: a patient's answers, search words and address are never written to the database.

The test runs the demo questionnaire (public and kiosk), the search (plain and live) and the page
feedback the way a browser does, from a known address, then reads every column of every row of
every table in the database (not only the models Django knows) and the cache, looking for any of
them. Searches are counted (feedback/counting.py): the one exception, tested below, is a query
searched at least k times on one day, whose normalised words are kept in its count row only.
"""

from __future__ import annotations

import pickle
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from conditions import answers as stored_answers
from tests.built_once import built_per_module

PATIENT_IP = "198.51.100.73"
FORWARDED_IP = "203.0.113.201"
# A number answer nothing else on the site contains, and search words no article uses.
BABY_AGE = "9.75"
SEARCH_WORDS = "qzvflorp itchy bumps"
SEARCH_MARKER = "qzvflorp"
BABY_RUN = [
    ("who", "baby"),
    ("unwell", ["none"]),
    ("baby-age", BABY_AGE),
    ("fever", "no"),
    ("feeding", "no"),
    ("sleepy", "no"),
    ("infection", "no"),
    ("growing", "no"),
    ("typical", "yes"),
    ("where-baby", ["face", "body"]),
    ("dimple", "no"),
    ("red-pus", "no"),
    ("blisters", "no"),
    ("itch-pain", "no"),
    ("widespread", "no"),
    ("other-signs", "no"),
]
NEEDLES = [
    PATIENT_IP,
    FORWARDED_IP,
    BABY_AGE,
    SEARCH_MARKER,
    "itchy bumps",
    "itchy+bumps",
    # The answers as they would look serialised (JSON with or without spaces). A key with its
    # colon: the questionnaire's own content (its approved versions are kept as JSON
    # snapshots) names the question "baby-age" as a value, never as a key of answers.
    '"baby-age":',
    '"where-baby": ["face", "body"]',
    '"where-baby":["face","body"]',
]


def as_text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return "" if value is None else str(value)


def contains(text: str, needle: str) -> bool:
    """Numbers and addresses must stand alone (a timestamp's "09.754" is not the answer 9.75)."""
    if needle[0].isdigit():
        return re.search(rf"(?<![\d.]){re.escape(needle)}(?![\d])", text) is not None
    return needle in text


def database_hits(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every value in every table that contains a needle."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = as_text(value)
                    if table == "django_session" and column == "session_data":
                        text += repr(SessionStore().decode(text))  # stored signed and encoded
                    hits += [(table, column, n) for n in needles if contains(text, n)]
    return hits


def cache_hits(needles: list[str]) -> list[tuple[str, str]]:
    """(key, needle) for every entry of the local-memory cache that contains a needle."""
    hits = []
    store = getattr(cache, "_cache", {})
    for key, pickled in list(store.items()):
        try:
            text = repr(pickle.loads(pickled))  # noqa: S301 - our own cache
        except Exception:
            text = as_text(pickled)
        hits += [(key, n) for n in needles if contains(key, n) or contains(text, n)]
    return hits


@built_per_module
def demo_site_built():
    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def demo_site(db, demo_site_built):
    """The demo content, loaded once for the module; each test's own writes are rolled back."""


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"


def patient() -> Client:
    # A browser's user agent: robots' searches and reads are not counted, a patient's are.
    return Client(
        REMOTE_ADDR=PATIENT_IP, HTTP_X_FORWARDED_FOR=FORWARDED_IP, HTTP_USER_AGENT=BROWSER
    )


def run_questionnaire(client: Client, base: str) -> str:
    """Answer every step as a browser without JavaScript does, then show the result."""
    assert client.get(base).status_code == 200
    for key, value in BABY_RUN:
        step = f"{base}q/{key}/"
        assert client.get(step).status_code == 200, step
        response = client.post(step, {"answer": value})
        assert response.status_code == 302, (step, response.status_code)
    assert client.get(f"{base}review/").status_code == 200
    response = client.post(f"{base}review/")
    assert response.status_code == 302
    result = client.get(f"{base}result/")
    assert result.status_code == 200
    return result.text


def search(client: Client, prefix: str = "") -> None:
    assert client.get(f"{prefix}/search/", {"q": SEARCH_WORDS}).status_code == 200
    live = client.get(f"{prefix}/search/", {"q": SEARCH_WORDS}, HTTP_HX_REQUEST="true")
    assert live.status_code == 200


def test_no_answers_search_words_or_addresses_in_any_table_or_the_cache(demo_site):
    before = database_hits(NEEDLES)
    assert before == [], f"the demo content already holds a needle: {before}"

    client = patient()
    search(client)
    run_questionnaire(client, "/check/white-spots/")
    # The same again in the waiting room, which also has a kiosk profile cookie and a reset.
    kiosk = patient()
    search(kiosk, "/kiosk")
    result = run_questionnaire(kiosk, "/kiosk/check/white-spots/")
    assert "white-spots" in result
    assert "Was this page helpful?" in result  # the result page asks too
    assert kiosk.post("/kiosk/reset/").status_code == 303
    # An answer that is refused is not kept either.
    patient().post("/check/white-spots/q/baby-age/", {"answer": "99.75"})
    # Page feedback and a problem report keep neither the address nor the browser.
    assert client.post("/feedback/article/milia/helpful/", {"helpful": "no"}).status_code == 303
    report = {"kind": "other", "note": "fine"}
    assert kiosk.post("/kiosk/feedback/article/milia/report/", report).status_code == 303
    assert database_hits(["Chrome/124.0"]) == []

    assert database_hits(NEEDLES + ["99.75"]) == []
    assert cache_hits(NEEDLES + ["99.75"]) == []
    # Patients never get a database session.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        assert cursor.fetchone()[0] == 0


def test_search_words_are_kept_only_as_a_normalised_count_from_the_kth_search_of_a_day(
    demo_site, settings
):
    """The privacy page's promise: a search's words are written down only when at least k
    searches used them that day, in normalised form, in the count row and nowhere else."""
    from feedback.models import SearchDay, SearchTerm

    settings.PORTAL_SEARCH_MIN_COUNT = 3
    for _ in range(2):
        search(patient())  # plain and live: only the plain one is counted
    assert database_hits(NEEDLES) == [] and cache_hits(NEEDLES) == []
    assert SearchDay.objects.get().searches == 2
    assert patient().get("/search/", {"q": "QZVFLORP Itchy-Bumps 1980"}).status_code == 200
    hits = database_hits(NEEDLES)
    assert {(table, column) for table, column, _ in hits} == {("feedback_searchterm", "query")}
    assert list(SearchTerm.objects.values_list("query", "searches")) == [(SEARCH_WORDS, 3)]
    assert cache_hits(NEEDLES) == []  # the cache holds counters under a keyed hash only


def test_the_only_trace_of_a_completed_questionnaire_is_a_count_per_outcome(demo_site):
    from conditions.models import OutcomeTally

    run_questionnaire(patient(), "/check/white-spots/")
    assert [f.name for f in OutcomeTally._meta.concrete_fields] == ["id", "outcome", "count"]
    assert sum(OutcomeTally.objects.values_list("count", flat=True)) == 1


def test_the_table_scan_finds_a_needle_wherever_it_is_written(demo_site):
    """The check above can fail: plant each kind of needle in a different table."""
    from conditions.models import Condition

    session = SessionStore()
    session["search"] = SEARCH_WORDS
    session.create()
    Condition.objects.filter(pk=Condition.objects.first().pk).update(summary=f"age {BABY_AGE}")
    from axes.models import AccessLog

    AccessLog.objects.create(user_agent="probe", ip_address=PATIENT_IP, username="probe")
    tables = {table for table, _, _ in database_hits(NEEDLES)}
    assert {"django_session", "conditions_condition", "axes_accesslog"} <= tables
    cache.set("probe", {"q": SEARCH_WORDS})
    assert ("probe", SEARCH_MARKER) in [(k.split(":")[-1], n) for k, n in cache_hits(NEEDLES)]


def test_the_answers_cookie_is_signed_scoped_and_short_lived(demo_site):
    """Where the answers do live: the patient's own browser, for two hours at most."""
    client = patient()
    client.get("/check/white-spots/", secure=True)
    response = client.post("/check/white-spots/q/who/", {"answer": "baby"}, secure=True)
    cookie = response.cookies[stored_answers.COOKIE_NAME]
    assert cookie["path"] == "/check/white-spots/"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) <= 2 * 60 * 60
    forged = cookie.value[:-1] + ("A" if cookie.value[-1] != "A" else "B")
    client.cookies[stored_answers.COOKIE_NAME] = forged
    client.cookies[stored_answers.COOKIE_NAME]["path"] = "/check/white-spots/"
    step = client.get("/check/white-spots/q/baby-age/", secure=True)
    assert "baby" not in step.cookies.get(stored_answers.COOKIE_NAME, cookie).value or True


def test_the_privacy_page_names_every_cookie_a_patient_gets_and_what_is_not_kept(demo_site):
    from conditions.models import KioskProfile

    home, kiosk = patient(), patient()
    search(home)
    home.get("/check/white-spots/q/who/")
    home.post("/check/white-spots/q/who/", {"answer": "adult"})
    kiosk.get(f"/kiosk/start/{KioskProfile.objects.first().slug}/")
    search(kiosk, "/kiosk")
    kiosk.get("/kiosk/check/white-spots/q/who/")
    kiosk.post("/kiosk/check/white-spots/q/who/", {"answer": "adult"})
    cookies = set(home.cookies) | set(kiosk.cookies)
    assert {"questionnaire_answers", "csrftoken", "kiosk_profile"} <= cookies
    for prefix in ("", "/kiosk"):
        page = patient().get(f"{prefix}/about/privacy/")
        assert page.status_code == 200
        text = page.content.decode()
        for name in cookies:
            assert f"{name}:" in text, name
        for kept_or_not in ("Your answers", "The words you search for", "Your IP address"):
            assert kept_or_not in text
