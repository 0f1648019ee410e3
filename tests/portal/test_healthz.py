"""/healthz reports each dependency and answers within 2 s whatever is wrong."""

import time

import pytest
from django.db import OperationalError, connection

import portal.views
from tests.netfaults import FreezableProxy, HungServer

pytestmark = pytest.mark.django_db


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "resilience-healthz-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def timed_health(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


def test_healthz_says_the_cache_is_down_but_answers_200_when_redis_is_stopped(client, settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    response, seconds = timed_health(client)
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "down"}
    assert seconds < 2


def test_healthz_says_the_cache_is_down_within_2_seconds_when_redis_hangs(client, settings):
    with HungServer() as hung:
        settings.CACHES = redis_cache(f"redis://127.0.0.1:{hung.port}/0")
        response, seconds = timed_health(client)
    assert response.status_code == 200
    assert response.json()["cache"] == "down"
    assert seconds < 2


def test_healthz_says_the_cache_is_ok_when_redis_answers(client, settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:6379/13")
    from django.core.cache import cache

    if not cache.ping():
        pytest.skip("no Redis at 127.0.0.1:6379")
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_503_at_once_when_the_database_raises(client, monkeypatch):
    def down():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(portal.views, "_check_database", down)
    response, seconds = timed_health(client)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "cache": "ok"}
    assert seconds < 0.5
    assert response["Cache-Control"].startswith("max-age=0")


def _point_probe_at(monkeypatch, port: int) -> None:
    """The health check copies the default connection's settings: aim it elsewhere."""
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", port)


@pytest.mark.postgres
def test_healthz_answers_503_within_2_seconds_when_postgresql_hangs_while_connecting(
    client, monkeypatch
):
    with HungServer() as hung:
        _point_probe_at(monkeypatch, hung.port)
        response, seconds = timed_health(client)
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert seconds < 2


@pytest.mark.postgres
def test_healthz_answers_503_within_2_seconds_when_postgresql_hangs_mid_query(client, monkeypatch):
    with FreezableProxy("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)) as proxy:
        _point_probe_at(monkeypatch, proxy.port)
        assert client.get("/healthz").status_code == 200  # through the proxy
        proxy.freeze()
        response, seconds = timed_health(client)
        assert response.status_code == 503
        assert seconds < 2


@pytest.mark.postgres
def test_healthz_answers_503_at_once_when_postgresql_is_stopped(client, monkeypatch):
    _point_probe_at(monkeypatch, 1)  # nothing listens there: connection refused
    response, seconds = timed_health(client)
    assert response.status_code == 503
    assert seconds < 1


def test_a_report_is_given_again_only_within_the_reuse_window(client, settings, monkeypatch):
    settings.PORTAL_HEALTH_REUSE_SECONDS = 0.5
    portal.views._last_report[:] = [float("-inf"), None]
    checks = []
    check = portal.views._check_dependencies
    monkeypatch.setattr(
        portal.views, "_check_dependencies", lambda deadline: checks.append(1) or check(deadline)
    )
    assert client.get("/healthz").json()["status"] == "ok"
    monkeypatch.setattr(portal.views, "_cache_ok", lambda: False)
    assert client.get("/healthz").json()["cache"] == "ok"  # the same report, within 0.5 s
    assert len(checks) == 1
    time.sleep(0.6)
    assert client.get("/healthz").json()["cache"] == "down"  # checked again
    assert len(checks) == 2
    settings.PORTAL_HEALTH_REUSE_SECONDS = 0
    client.get("/healthz")
    client.get("/healthz")
    assert len(checks) == 4
