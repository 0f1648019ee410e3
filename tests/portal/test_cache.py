"""The Redis cache backend degrades: unreachable or hung Redis is a miss, never an error."""

import logging
import time

import pytest
import redis

from portal.cache import RateLimitedLogger, ResilientRedisCache
from tests.netfaults import HungServer

REDIS_URL = "redis://127.0.0.1:6379/13"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


def make_cache(location: str, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        location,
        {
            "KEY_PREFIX": "resilience-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options},
        },
    )


@pytest.fixture
def real_redis():
    cache = make_cache(REDIS_URL)
    if not cache.ping():
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield cache
    cache.delete_many(["k", "n", "a", "m1", "m2"])


def test_a_redis_on_a_closed_port_is_a_miss_and_writes_are_skipped():
    cache = make_cache(CLOSED_PORT_URL, RETRY_SECONDS=0)
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "n"]) == {}
    assert cache.set("k", 1) is False
    assert cache.add("k", 1) is False
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.set_many({"k": 1}) == ["k"]
    assert cache.delete_many(["k"]) is None
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        cache.incr("n")
    assert cache.clear() is False
    assert cache.ping() is False
    assert cache.outages == 1  # one outage, however many calls failed in it


def test_a_hung_redis_costs_one_socket_timeout_then_is_left_alone():
    with HungServer() as hung:
        cache = make_cache(f"redis://127.0.0.1:{hung.port}/0", RETRY_SECONDS=30)
        started = time.monotonic()
        assert cache.get("k") is None
        assert time.monotonic() - started < 1.5
        assert cache.available is False
        started = time.monotonic()
        for _ in range(20):
            assert cache.get_many(["k"]) == {}
            assert cache.set("k", 1) is False
        assert time.monotonic() - started < 0.1  # not asked again within RETRY_SECONDS


def test_redis_is_used_again_once_it_answers(real_redis, monkeypatch):
    cache = real_redis
    cache.retry_seconds = 0
    assert cache.set("k", "before") is True
    client = cache._cache

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(client, "get", down)
    assert cache.get("k") is None
    assert cache.outages == 1
    monkeypatch.undo()
    assert cache.get("k") == "before"
    assert cache.add("a", 1) is True
    assert cache.get_many(["k", "a"]) == {"k": "before", "a": 1}
    assert cache.incr("a") == 2
    assert cache.ping() is True
    assert cache.outages == 1


def test_cache_errors_are_logged_at_most_once_a_minute(caplog):
    cache = make_cache(CLOSED_PORT_URL, RETRY_SECONDS=0)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(10):
            cache.get("page:secret-path-key")
    records = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "Cache unavailable" in message and "ConnectionError" in message
    assert "secret-path-key" not in message  # keys (page paths) are never logged


def test_the_rate_limited_logger_counts_what_it_left_out(caplog):
    now = [1000.0]
    log = RateLimitedLogger(logging.getLogger("portal.cache"), interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert log.warning("down") is True
        now[0] += 30
        assert log.warning("down") is False
        assert log.warning("down") is False
        now[0] += 31
        assert log.warning("down") is True
    assert [r.getMessage() for r in caplog.records] == [
        "down",
        "down (2 more cache errors since the last message)",
    ]
