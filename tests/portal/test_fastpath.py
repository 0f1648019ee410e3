"""Issue 21: a cache hit skips the middleware stack; pages carry shared-cache headers and tags;
a content change purges exactly its pages from a shared cache in front."""

import http.server
import logging
import threading
import time

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse

from conditions import purge
from feedback import counting
from tests.factories import ConditionFactory, reviewer_user

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@pytest.fixture
def condition():
    return ConditionFactory(published=True, name="Milia", slug="milia")


@pytest.fixture
def stack_calls(monkeypatch):
    """How often the session and CSRF middlewares ran."""
    calls = []
    session_request = SessionMiddleware.process_request
    csrf_request = CsrfViewMiddleware.process_request

    def session(self, request):
        calls.append("session")
        return session_request(self, request)

    def csrf(self, request):
        calls.append("csrf")
        return csrf_request(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", session)
    monkeypatch.setattr(CsrfViewMiddleware, "process_request", csrf)
    return calls


def article(condition):
    return reverse("conditions:condition_detail", args=[condition.slug])


def test_a_hit_skips_session_and_csrf_work_keeps_every_header_and_is_counted(
    client, condition, stack_calls, monkeypatch, django_assert_num_queries
):
    first = client.get(article(condition), HTTP_USER_AGENT=BROWSER)
    assert first.status_code == 200 and stack_calls  # the miss went down the stack
    stack_calls.clear()
    counted = []
    monkeypatch.setattr(counting, "count_view", lambda *a: counted.append(a))
    with django_assert_num_queries(0):
        hit = client.get(article(condition), HTTP_USER_AGENT=BROWSER)
    assert hit["X-Page-Cache"] == "hit"
    assert stack_calls == [], "a hit ran the session or CSRF middleware"
    assert hit.content == first.content
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "Cache-Control",
        "Surrogate-Key",
        "ETag",
        "Vary",
    ):
        assert hit[name] == first[name], name
    assert counted == [("article", "milia")]
    # A repeat visit with the page's ETag gets a 304 from the fast path too.
    again = client.get(article(condition), HTTP_IF_NONE_MATCH=hit["ETag"])
    assert again.status_code == 304


def test_a_visitor_with_a_session_goes_down_the_whole_stack(client, condition, stack_calls):
    client.get(article(condition))
    client.cookies["sessionid"] = "not-a-session"
    stack_calls.clear()
    response = client.get(article(condition))
    assert response.status_code == 200
    assert "session" in stack_calls and "csrf" in stack_calls
    assert "public" not in response.get("Cache-Control", "")


def test_a_change_makes_the_stored_page_stale_at_once(client, condition):
    client.get(article(condition))
    assert client.get(article(condition))["X-Page-Cache"] == "hit"
    section = condition.sections.first()
    section.body = "Freshly edited words about tiny white bumps."
    section.save()
    condition.record_change()
    condition.publish(by=reviewer_user(), attested=True)
    fresh = client.get(article(condition))
    assert fresh["X-Page-Cache"] == "miss"
    assert b"Freshly edited words" in fresh.content


def test_healthz_is_answered_first_with_the_security_headers(client, stack_calls):
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert stack_calls == []
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert response["Cache-Control"].startswith("max-age=0")


def test_patient_pages_say_public_with_tags_and_steps_never_do(client, condition, settings):
    settings.PORTAL_SHARED_CACHE_SECONDS = 60
    settings.PORTAL_SHARED_CACHE_STALE_SECONDS = 300
    page = client.get(article(condition))
    assert page["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    keys = page["Surrogate-Key"].split()
    live = type(condition).objects.published().get(slug="milia")
    assert f"c{live.pk}" in keys and "site" in keys
    az = client.get(reverse("conditions:condition_list"))
    assert az["Surrogate-Key"].split() == ["list", "site"]
    admin = client.get("/admin/login/")
    assert "public" not in admin["Cache-Control"] and "private" in admin["Cache-Control"]


def test_an_article_is_tagged_with_the_live_articles_it_links_to_and_nothing_unsaved(
    client, condition
):
    """Its look-alikes' names are on the page, so a change to one purges it too. The links
    are drawn from unsaved rows made for the template: they add no key of their own."""
    look_alike = ConditionFactory(published=True, name="Acne", slug="acne")
    condition.related.add(look_alike)
    condition.record_change()
    condition.publish(by=reviewer_user(), attested=True)
    page = client.get(article(condition))
    assert b"Acne" in page.content
    keys = page["Surrogate-Key"].split()
    live_look_alike = type(look_alike).objects.published().get(slug="acne")
    assert f"c{live_look_alike.pk}" in keys
    assert not [key for key in keys if key.endswith("None")], keys


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        Recorder.seen.append(self.headers.get("Surrogate-Key", ""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_endpoint(settings):
    Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PORTAL_PURGE_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    yield Recorder.seen
    server.shutdown()
    server.server_close()


def test_publishing_an_edit_purges_its_article_and_the_lists_once_committed(
    condition, purge_endpoint, django_capture_on_commit_callbacks
):
    live = type(condition).objects.published().get(slug="milia")
    working = condition  # the working copy
    purge_endpoint.clear()
    working.summary = "A new summary."
    with django_capture_on_commit_callbacks(execute=True):
        working.record_change()
    assert purge_endpoint == [], "a draft purged patient pages"
    reviewer = reviewer_user()
    purge_endpoint.clear()
    with django_capture_on_commit_callbacks(execute=True):
        working.publish(by=reviewer, attested=True)
    assert len(purge_endpoint) == 1, purge_endpoint
    keys = set(purge_endpoint[0].split())
    assert {f"c{live.pk}", "list"} <= keys
    assert "site" not in keys


def test_a_purge_endpoint_that_is_down_never_fails_or_holds_a_publish(
    condition, settings, caplog, django_capture_on_commit_callbacks
):
    settings.PORTAL_PURGE_URL = "http://127.0.0.1:9/"
    working = condition
    working.summary = "Another summary."
    working.record_change()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="conditions.purge"):
        purge._log._last = float("-inf")
        with django_capture_on_commit_callbacks(execute=True):
            working.publish(by=reviewer_user(), attested=True)
    assert time.monotonic() - started < 3
    assert type(condition).objects.published().get(slug="milia").summary == "Another summary."
    assert "purge" in caplog.text.lower()
