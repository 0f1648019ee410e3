"""The WSGI wrapper in front of Django (portal/wsgi.py): a stored page is answered before
Django's handler, exactly as the middleware would answer it; everything else reaches Django,
which looks the page up only once."""

import io
import sys

import pytest
from django.core.cache import cache
from django.core.signals import request_started
from django.urls import reverse

from portal import fastpath
from portal.wsgi import application
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db(transaction=True)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def call(path, method="GET", **headers):
    """(status, headers as a dict, body, whether Django's handler ran) for one WSGI request."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": BROWSER,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }
    started = []

    def on_start(**kwargs):
        started.append(True)

    request_started.connect(on_start)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = response_headers

    try:
        chunks = application(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.disconnect(on_start)
    return answer["status"], dict(answer["headers"]), body, bool(started)


@pytest.fixture
def article():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    cache.clear()
    return reverse("conditions:condition_detail", args=[condition.slug])


def test_a_stored_page_is_answered_before_django_with_the_same_headers_and_body(article):
    status, miss_headers, miss_body, through_django = call(article)
    assert status.startswith("200") and through_django
    status, hit_headers, hit_body, through_django = call(article)
    assert status == "200 OK" and not through_django
    assert hit_headers["X-Page-Cache"] == "hit"
    assert hit_body == miss_body
    for name in ("Content-Security-Policy", "Cache-Control", "Surrogate-Key", "ETag", "Vary"):
        assert hit_headers[name] == miss_headers[name], name


def test_a_conditional_request_gets_304_without_a_body_before_django(article):
    call(article)
    _, headers, _, _ = call(article)
    status, _, body, through_django = call(article, if_none_match=headers["ETag"])
    assert status.startswith("304") and body == b"" and not through_django


def test_a_miss_asks_the_cache_once_and_is_stored_for_the_next_request(article, monkeypatch):
    looked = []
    get_many = fastpath._get_many  # the look-up's read: get_many_tracked, else get_many

    def counting(backend):
        read = get_many(backend)

        def counted(keys):
            if any(str(k).startswith(fastpath.FAST_KEY_PREFIX) for k in keys):
                looked.append(keys)
            return read(keys)

        return counted

    monkeypatch.setattr(fastpath, "_get_many", counting)
    status, headers, _, through_django = call(article)
    assert status.startswith("200") and through_django
    assert len(looked) == 1  # the wrapper looked; the middleware only stored
    assert call(article)[3] is False


@pytest.mark.parametrize(
    "how",
    [
        {"cookie": "sessionid=abc"},  # a member of staff: their own pages, not the stored ones
        {"method": "POST"},
        {"host": "evil.example"},
    ],
    ids=["session cookie", "POST", "other host"],
)
def test_anything_but_a_plain_visitors_get_goes_to_django(article, settings, how):
    settings.ALLOWED_HOSTS = ["testserver"]
    call(article)
    method = how.pop("method", "GET")
    status, _, _, through_django = call(article, method=method, **how)
    assert through_django
    if "host" in how:
        assert status.startswith("400")


def test_the_host_check_is_remembered_only_until_the_allowed_hosts_change(article, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert call(article, host="clinic.example")[0].startswith("400")
    assert call(article, host="clinic.example")[0].startswith("400")  # remembered: refused
    settings.ALLOWED_HOSTS = ["testserver", "clinic.example"]
    status, _, _, through_django = call(article, host="clinic.example")
    assert status.startswith("200") and through_django  # a miss: stored for this host
    status, headers, _, through_django = call(article, host="clinic.example")
    assert status == "200 OK" and not through_django and headers["X-Page-Cache"] == "hit"
    settings.ALLOWED_HOSTS = ["testserver"]
    assert call(article, host="clinic.example")[0].startswith("400")  # never the stored page


def test_a_fault_in_the_wrapper_leaves_the_answer_to_django(article, monkeypatch):
    call(article)

    def broken(self, environ):
        environ[fastpath.LOOKED_UP] = ("half-done", "look-up")
        raise RuntimeError("boom")

    monkeypatch.setattr(fastpath.FastPathMiddleware, "serve_early", broken)
    status, _, body, through_django = call(article)
    assert through_django and status.startswith("200") and b"Milia" in body


def test_healthz_is_answered_before_django_with_the_first_answers_headers_and_a_fresh_check(
    monkeypatch,
):
    import json

    from portal import views

    first_status, first, _, _ = call("/healthz")
    status, again, body, through_django = call("/healthz")
    assert first_status == status == "200 OK" and not through_django
    for name in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "Content-Type"):
        assert again[name] == first[name], name
    assert again["Expires"]  # the time of this answer, as never_cache writes it
    assert json.loads(body)["status"] == "ok"
    # The headers are kept; the checks are not: each answer looks again.
    monkeypatch.setattr(views, "_cache_ok", lambda: False)
    assert json.loads(call("/healthz")[2])["cache"] == "down"

    def database_down():
        raise views.OperationalError("gone")

    monkeypatch.setattr(views, "_check_database", database_down)
    status, headers, body, _ = call("/healthz")
    assert status.startswith("503") and json.loads(body)["database"] == "down"
    assert headers["Content-Security-Policy"] == first["Content-Security-Policy"]
