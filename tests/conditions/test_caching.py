"""Page cache: served without queries, stale the moment content changes, 304s for repeat visits."""

import datetime
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from conditions import caching
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    UserFactory,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def condition():
    return ConditionFactory(published=True, name="Milia", slug="milia")


def approve(item):
    """A reviewer approves the working copy's changes: patients see them now."""
    item.record_change()
    return item.publish(by=reviewer_user(), attested=True)


def _article(condition):
    return reverse("conditions:condition_detail", args=[condition.slug])


def test_a_cached_article_is_served_without_database_queries_on_the_second_visit(
    client, condition, django_assert_num_queries
):
    first = client.get(_article(condition))
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(_article(condition))
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"].startswith("text/html")


def test_editing_a_section_shows_at_once(client, condition):
    client.get(_article(condition))
    section = condition.sections.first()
    section.body = "Freshly edited words about tiny white bumps."
    section.save()
    condition.record_change()  # a draft: patients still see the approved words
    assert b"Freshly edited words" not in client.get(_article(condition)).content
    condition.publish(by=reviewer_user(), attested=True)
    response = client.get(_article(condition))
    assert response["X-Page-Cache"] == "miss"
    assert b"Freshly edited words" in response.content


def test_publishing_a_new_article_shows_it_on_the_cached_a_to_z_page_at_once(client, condition):
    draft = ConditionFactory(
        name="Keratosis pilaris",
        slug="keratosis-pilaris",
        next_review_due=datetime.date.today() + datetime.timedelta(days=180),
    )
    az = reverse("conditions:condition_list")
    assert b"Keratosis pilaris" not in client.get(az).content
    assert client.get(az)["X-Page-Cache"] == "hit"
    draft.publish(by=reviewer_user(), attested=True)
    assert b"Keratosis pilaris" in client.get(az).content
    assert client.get(_article(draft)).status_code == 200


def test_archiving_an_article_takes_it_down_at_once(client, condition):
    assert client.get(_article(condition)).status_code == 200
    assert client.get(_article(condition))["X-Page-Cache"] == "hit"
    condition.archive(by=reviewer_user(), reason="Out of date")
    assert client.get(_article(condition)).status_code == 404
    assert b"Milia" not in client.get(reverse("conditions:condition_list")).content


def test_deleting_content_and_changing_related_articles_make_pages_stale(client, condition):
    other = ConditionFactory(published=True, name="Acne", slug="acne")
    client.get(_article(condition))
    before = caching.generation()
    condition.related.add(other)
    assert caching.generation() != before
    assert b"Acne" not in client.get(_article(condition)).content  # not approved yet
    approve(condition)
    assert b"Acne" in client.get(_article(condition)).content
    before = caching.generation()
    condition.faqs.create(question="Q?", answer="A.")
    condition.faqs.all().delete()
    assert caching.generation() != before


def test_a_login_does_not_empty_the_cache_but_renaming_a_reviewer_does():
    user = UserFactory()
    before = caching.generation()
    user.save(update_fields=["last_login"])
    assert caching.generation() == before
    user.first_name = "Sam"
    user.save()
    assert caching.generation() != before


def test_a_repeat_visit_with_the_etag_gets_304_not_modified(client, condition):
    first = client.get(_article(condition))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    again = client.get(_article(condition), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    by_date = client.get(_article(condition), headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304


def test_after_an_edit_the_old_etag_gets_the_new_page(client, condition):
    etag = client.get(_article(condition))["ETag"]
    SectionFactory(condition=condition, heading="A brand new section")
    approve(condition)
    response = client.get(_article(condition), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert b"A brand new section" in response.content
    assert response["ETag"] != etag


def test_htmx_and_full_page_versions_are_cached_separately(client):
    comparison = TreatmentComparisonFactory(published=True)
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    url = reverse("conditions:treatment_comparison", args=[comparison.condition.slug])
    fragment = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert "HX-Request" in page["Vary"]
    fragment_again = client.get(url, headers={"HX-Request": "true"})
    page_again = client.get(url)
    assert fragment_again["X-Page-Cache"] == page_again["X-Page-Cache"] == "hit"
    assert fragment_again.content == fragment.content
    assert page_again.content == page.content


def test_the_kiosk_and_the_public_site_are_cached_separately(client, condition):
    public = client.get(_article(condition))
    kiosk = client.get(reverse("kiosk:condition_detail", args=[condition.slug]))
    assert kiosk.status_code == 200
    assert kiosk.content != public.content
    assert client.get(_article(condition)).content == public.content


def test_a_logged_in_clinician_never_gets_or_fills_the_cache(client, condition):
    client.force_login(UserFactory())
    response = client.get(_article(condition))
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    client.logout()
    client.cookies.clear()
    assert client.get(_article(condition))["X-Page-Cache"] == "miss"


def test_a_page_that_sets_a_cookie_or_says_no_store_is_not_cached(rf, db):
    from django.http import HttpResponse

    calls = []

    @caching.cache_patient_page
    def with_cookie(request):
        calls.append(1)
        response = HttpResponse("hello")
        response.set_cookie("kiosk", "x")
        return response

    @caching.cache_patient_page
    def no_store(request):
        calls.append(1)
        response = HttpResponse("hello")
        response["Cache-Control"] = "no-store"
        return response

    for view in (with_cookie, no_store):
        for _ in range(2):
            assert view(rf.get("/x/")).status_code == 200
    assert len(calls) == 4


def test_a_page_with_a_csrf_token_or_a_new_session_is_not_cached(rf, db):
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    calls = []

    @caching.cache_patient_page
    def form_page(request):
        calls.append(1)
        return HttpResponse(f"token {get_token(request)}")

    @caching.cache_patient_page
    def starts_session(request):
        calls.append(1)
        request.session["answers"] = {"q1": "yes"}
        return HttpResponse("step")

    for _ in range(2):
        form_page(rf.get("/form/"))
        request = rf.get("/step/")
        request.session = SessionStore()
        starts_session(request)
    assert len(calls) == 4


def test_only_200s_are_cached_and_a_missing_article_stays_404(client):
    url = reverse("conditions:condition_detail", args=["nothing-here"])
    assert client.get(url).status_code == 404
    ConditionFactory(published=True, name="Nothing here", slug="nothing-here")
    assert client.get(url).status_code == 200


def test_different_query_strings_are_different_pages(client):
    ConditionFactory(published=True, name="Acne", slug="acne")
    ConditionFactory(published=True, name="Boils", slug="boils")
    az = reverse("conditions:condition_list")
    a = client.get(az, {"letter": "A"})
    b = client.get(az, {"letter": "B"})
    assert a.status_code == b.status_code == 200
    assert a.content != b.content


def test_the_generation_survives_a_cache_flush_with_a_new_token():
    from django.core.cache import cache

    first = caching.generation()
    assert caching.generation() == first
    cache.clear()
    assert caching.generation() != first


# -- two app servers, one PostgreSQL database, one Redis ----------------------------------------
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
CACHE_PREFIX = "scaleout-test"
SECRET = "scale-out-test-secret-" + "k" * 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn process with production settings, spoken to over plain HTTP on loopback."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        self.port = _free_port()
        self.log = (log_dir / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log_text()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server did not answer in {timeout} s: {self.log_text()}")

    def request(self, method, path, cookies=None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            content = response.read().decode()
            jar = SimpleCookie()
            for value in response.headers.get_all("Set-Cookie") or []:
                jar.load(value)
            set_cookies = {name: morsel.value for name, morsel in jar.items()}
            return response.status, content, response.headers, set_cookies
        finally:
            conn.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def shared_redis(settings):
    """This test process and both servers use one Redis database, emptied before and after."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
    yield client
    client.flushdb()


@pytest.fixture(scope="module")
def collected_static():
    """Production static files (manifest storage) for the servers (tests/production_static.py)."""
    from tests.production_static import collected_static

    return collected_static()


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _form(fields: dict) -> str:
    return urlencode(fields, doseq=True)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_app_servers_on_one_database_and_one_redis_never_serve_a_stale_page(
    shared_redis, collected_static, tmp_path
):
    from conditions.models import Condition, KioskProfile, Section
    from tests.conditions.article_admin import change_url, form_data, workflow_url

    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    section = SectionFactory(condition=condition, body="The first words about milia.")
    make_live(condition)
    nurse = UserFactory(
        username="lead-nurse", first_name="Grace", last_name="Mensah", is_superuser=True
    )
    second = reviewer_user(username="second-reviewer")
    # The servers run production settings, whose hashers do not read the tests' fast MD5 hash.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for user in (nurse, second):
        user.password = PBKDF2PasswordHasher().encode("a-long-test-password", "test-salt", 1000)
        user.save(update_fields=["password"])
    KioskProfile.objects.create(name="Alpha clinic", slug="alpha", welcome_text="Alpha welcome")
    KioskProfile.objects.create(name="Zulu clinic", slug="zulu", welcome_text="Zulu welcome")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(collected_static),
            "DJANGO_CACHE_PREFIX": CACHE_PREFIX,
            "DATABASE_URL": _database_url(),
            "CACHE_URL": REDIS_URL,
        }
    )
    env.pop("REDIS_URL", None)
    servers = []
    try:
        a = Server("a", env, tmp_path)
        servers.append(a)
        b = Server("b", env, tmp_path)
        servers.append(b)
        a.wait_until_up()
        b.wait_until_up()
        article = "/conditions/milia/"

        # B renders and caches the page in Redis; A then serves B's copy.
        status, body, headers, _ = b.get(article)
        assert status == 200 and "The first words about milia." in body
        assert headers["X-Page-Cache"] == "miss"
        assert b.get(article)[2]["X-Page-Cache"] == "hit"
        assert a.get(article)[2]["X-Page-Cache"] == "hit"

        def log_in(user):
            status, body, _, jar = a.get("/admin/login/?next=/admin/")
            assert status == 200
            login = {
                "csrfmiddlewaretoken": _csrf_token(body),
                "username": user.username,
                "password": "a-long-test-password",
                "next": "/admin/",
            }
            status, _, _, set_cookies = a.request(
                "POST", "/admin/login/?next=/admin/", cookies=jar, body=_form(login)
            )
            assert status == 302, a.log_text()
            jar.update(set_cookies)
            return jar

        # The clinician logs in to the admin on A.
        jar = log_in(nurse)

        # ...and edits the section through A's change form, as a browser would post it.
        status, body, _, set_cookies = a.get(change_url(condition), cookies=jar)
        assert status == 200, a.log_text()
        jar.update(set_cookies)
        condition.refresh_from_db()
        index = [s.pk for s in condition.sections.all()].index(section.pk)
        edit = form_data(condition, **{f"sections-{index}-body": "Edited words, not stale."})
        edit["csrfmiddlewaretoken"] = _csrf_token(body)
        status, body, headers, _ = a.request(
            "POST", change_url(condition), cookies=jar, body=_form(edit)
        )
        assert status == 302, body[:3000]
        assert Section.objects.get(pk=section.pk).body == "Edited words, not stale."
        assert "Edited words" not in b.get(article)[1]  # a draft until approved

        # A second clinician approves it through A's admin.
        reviewer_jar = log_in(second)
        changes = reverse("admin:conditions_condition_changes", args=[condition.pk])
        status, body, _, set_cookies = a.get(changes, cookies=reviewer_jar)
        assert status == 200, a.log_text()
        reviewer_jar.update(set_cookies)
        condition.refresh_from_db()
        approval = {
            "csrfmiddlewaretoken": _csrf_token(body),
            "attest": "on",
            "seen_version": condition.version,
        }
        status, _, _, _ = a.request(
            "POST", workflow_url(condition, "publish"), cookies=reviewer_jar, body=_form(approval)
        )
        assert status == 302, a.log_text()

        # B heard of the edit only through the shared database and Redis, yet it re-renders
        # and serves the new text at once; A then serves B's fresh copy.
        for server, cache_status in ((b, "miss"), (a, "hit")):
            status, body, headers, _ = server.get(article)
            assert status == 200
            assert "Edited words, not stale." in body
            assert "The first words about milia." not in body
            assert headers["X-Page-Cache"] == cache_status

        # Archiving through A's workflow button takes the page down on both.
        status, body, _, set_cookies = a.get(change_url(condition), cookies=jar)
        jar.update(set_cookies)
        status, _, headers, _ = a.request(
            "POST",
            workflow_url(condition, "archive"),
            cookies=jar,
            body=_form({"csrfmiddlewaretoken": _csrf_token(body)}),
        )
        assert status == 302, a.log_text()
        assert Condition.objects.get(pk=condition.pk).status == "archived"
        assert b.get(article)[0] == 404
        assert a.get(article)[0] == 404

        # Sessions: the session A started is good on B; without it B sends you to log in.
        session = {"sessionid": jar["sessionid"]}
        status, body, _, _ = b.get("/admin/", cookies=session)
        assert status == 200
        assert "<title>Content | Patient information admin</title>" in body  # the admin index
        assert b.get("/admin/")[0] == 302

        # Kiosk: the signed profile cookie set by A is accepted by B; a forged one is not.
        status, _, _, set_cookies = a.get("/kiosk/start/zulu/")
        assert status == 302
        kiosk_cookie = {"kiosk_profile": set_cookies["kiosk_profile"]}
        status, body, _, _ = b.get("/kiosk/", cookies=kiosk_cookie)
        assert status == 200
        assert "Zulu welcome" in body and "Alpha welcome" not in body
        forged = {"kiosk_profile": "zulu:forged-signature"}
        assert "Alpha welcome" in b.get("/kiosk/", cookies=forged)[1]
    finally:
        for server in servers:
            server.stop()


# -- query strings: only the parameters a page reads --------------------------------------------
def _page_entries() -> int:
    from django.core.cache import cache

    return sum(1 for key in cache._cache if f":{caching.PAGE_KEY_PREFIX}:" in key)


def test_unknown_query_parameters_share_the_page_s_cache_entry(client, condition):
    assert client.get(_article(condition))["X-Page-Cache"] == "miss"
    assert _page_entries() == 1
    for query in ("?utm=1", "?x=2", "?utm_source=newsletter&utm_medium=email", "?x=2&y=3"):
        response = client.get(_article(condition) + query)
        assert response["X-Page-Cache"] == "hit", query
    assert _page_entries() == 1


def test_a_parameter_the_page_reads_is_its_own_cache_entry(client):
    ConditionFactory(published=True, name="Acne", slug="acne")
    ConditionFactory(published=True, name="Boils", slug="boils")
    az = reverse("conditions:condition_list")
    assert client.get(az, {"letter": "A"})["X-Page-Cache"] == "miss"
    assert client.get(az, {"letter": "B"})["X-Page-Cache"] == "miss"
    assert client.get(az, {"letter": "A", "utm_campaign": "x"})["X-Page-Cache"] == "hit"
    assert _page_entries() == 2


def test_comparison_filters_are_cached_apart_and_in_any_order(client):
    comparison = TreatmentComparisonFactory(published=True)
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    url = reverse("conditions:treatment_comparison", args=[comparison.condition.slug])
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url + "?setting=home&babies=1")["X-Page-Cache"] == "miss"
    assert client.get(url + "?babies=1&setting=home&fbclid=abc")["X-Page-Cache"] == "hit"
    assert client.get(url + "?children=1")["X-Page-Cache"] == "miss"
    assert _page_entries() == 3


def test_a_cached_view_never_sees_parameters_it_did_not_declare(rf, db):
    from django.http import HttpResponse

    seen = []

    @caching.cache_patient_page(params=("letter",))
    def page(request):
        seen.append(dict(request.GET.lists()))
        return HttpResponse("a page")

    page(rf.get("/x/", {"letter": "A", "utm_source": "mail", "x": "2"}))
    assert seen == [{"letter": ["A"]}]


# -- a cache hit needs no database: no session, user, two-factor or lockout lookups -------------
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conditions/",
        "/conditions/?letter=M",
        "/conditions/milia/",
        "/conditions/milia/treatments/",
    ],
)
def test_every_cached_patient_page_is_served_on_a_hit_with_no_query_whatever_the_middleware(
    client, django_assert_num_queries, path
):
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    comparison = TreatmentComparisonFactory(published=True, condition=condition)
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    client.cookies["csrftoken"] = "x" * 32  # a patient who once saw a form
    assert client.get(path)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
