"""Patient pages keep working when Redis is down or hung, and are never stale once it is back."""

import time

import pytest
import redis
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse

from conditions import caching
from conditions.models import ContentVersion
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    make_live,
    reviewer_user,
)
from tests.netfaults import HungServer

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/13"
PREFIX = "resilience-pages-test"


def redis_cache(location: str, **options) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": PREFIX,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options},
        }
    }


@pytest.fixture
def site():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    comparison = TreatmentComparisonFactory(published=True, condition=condition)
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    return condition


PAGES = [
    "/",
    "/conditions/",
    "/conditions/milia/",
    "/conditions/milia/treatments/",
    "/search/?q=milia",
    "/about/privacy/",
    "/kiosk/",
]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    settings.PAGE_CACHE_VERIFY_SECONDS = 10


@pytest.fixture
def real_redis(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")

    def forget():
        keys = list(client.scan_iter(f"{PREFIX}:*"))
        if keys:
            client.delete(*keys)

    forget()
    settings.CACHES = redis_cache(REDIS_URL, RETRY_SECONDS=0)
    settings.PAGE_CACHE_VERIFY_SECONDS = 10
    yield client
    forget()


@pytest.mark.parametrize("path", PAGES)
def test_every_patient_page_answers_with_redis_on_a_closed_port(client, site, redis_down, path):
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get("X-Page-Cache") in (None, "miss")


def test_a_questionnaire_runs_with_redis_down(client, redis_down):
    from tests.conditions.questionnaire_factories import make_questionnaire

    make_questionnaire(
        slug="check",
        questions=[{"key": "q1", "text": "Any spots?", "options": [("yes", "Yes"), ("no", "No")]}],
        outcomes=[
            {"slug": "self-care", "title": "Self-care", "urgency": "self_care", "rule": "default"}
        ],
    )
    assert client.get("/check/check/").status_code == 200
    response = client.post("/check/check/q/q1/", {"answer": "no"})
    assert response.status_code == 302
    assert client.post("/check/check/review/").status_code == 302
    assert client.get("/check/check/result/").status_code == 200


def test_a_hung_redis_slows_the_first_request_only(client, site, settings):
    with HungServer() as hung:
        settings.CACHES = redis_cache(f"redis://127.0.0.1:{hung.port}/0", RETRY_SECONDS=30)
        started = time.monotonic()
        assert client.get("/conditions/milia/").status_code == 200
        assert time.monotonic() - started < 2.5
        started = time.monotonic()
        for path in PAGES:
            assert client.get(path).status_code == 200, path
        assert time.monotonic() - started < 2.5  # Redis left alone: no more socket timeouts


def test_content_saved_with_redis_down_at_least_writes_the_database(site, redis_down):
    before = ContentVersion.objects.get().version if ContentVersion.objects.exists() else None
    section = SectionFactory(condition=site, heading="Saved while Redis was down")
    assert section.pk
    assert ContentVersion.objects.get().version != before


def _article():
    return reverse("conditions:condition_detail", args=["milia"])


def _publish_with_redis_down(condition, monkeypatch, heading):
    client = cache._cache

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    for name in ("get", "set", "get_many", "add", "delete"):
        monkeypatch.setattr(client, name, down)
    SectionFactory(condition=condition, heading=heading)
    condition.record_change()
    condition.publish(by=reviewer_user(), attested=True)
    monkeypatch.undo()


def test_a_change_published_while_redis_was_down_shows_as_soon_as_it_is_back(
    client, site, real_redis, monkeypatch
):
    assert client.get(_article())["X-Page-Cache"] == "miss"
    assert client.get(_article())["X-Page-Cache"] == "hit"
    _publish_with_redis_down(site, monkeypatch, "Published during the outage")
    response = client.get(_article())
    assert response["X-Page-Cache"] == "miss"
    assert b"Published during the outage" in response.content


def test_a_server_that_did_not_see_the_outage_shows_the_change_once_its_check_lapses(
    client, site, real_redis, monkeypatch
):
    client.get(_article())
    _publish_with_redis_down(site, monkeypatch, "Published during the outage")
    caching._outages_seen = cache.outages  # as another process, which saw no outage, would
    # Until its next check (at most PAGE_CACHE_VERIFY_SECONDS away) it trusts Redis ...
    assert b"Published during the outage" not in client.get(_article()).content
    real_redis.delete(f"{PREFIX}:1:{caching.GENERATION_CHECKED_KEY}")  # ... the check is due
    response = client.get(_article())
    assert response["X-Page-Cache"] == "miss"
    assert b"Published during the outage" in response.content


def test_a_cache_hit_with_redis_needs_no_database_query(
    client, site, real_redis, django_assert_num_queries
):
    assert client.get(_article())["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(_article())["X-Page-Cache"] == "hit"
    with django_assert_num_queries(0):
        assert client.get("/conditions/milia/?utm_source=newsletter")["X-Page-Cache"] == "hit"


def test_cached_pages_are_served_while_the_database_is_down(client, site, real_redis, monkeypatch):
    first = client.get(_article())

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ContentVersion, "current", database_down)
    real_redis.delete(f"{PREFIX}:1:{caching.GENERATION_CHECKED_KEY}")  # the check is due
    again = client.get(_article())
    assert again.status_code == 200
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
