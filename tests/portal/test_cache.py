"""The Redis cache backend degrades: unreachable or hung Redis is a miss, never an error."""

import logging
import time

import pytest
import redis

from portal.cache import RateLimitedLogger, ResilientRedisCache, TrackedReads
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


# -- reads kept in this process until Redis says they changed (TrackedReads) --------------------
@pytest.fixture
def tracked(real_redis):
    """The cache, a plain client writing as another server would, and the keys' Redis names."""
    other = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    real_redis.tracked_max_age = 60  # only invalidations make it ask again, in these tests
    yield real_redis, other, lambda key: real_redis.make_key(key)
    other.close()


def _tracking(cache):
    (reads,) = cache._cache._tracked.values()
    return reads


def _soon(cache, keys, expected, within=1.0):
    """A tracked read, repeated until it gives `expected` or `within` seconds have passed.

    Redis queues the invalidation for a tracked key before the writer's reply, but may send
    the reply first: for a moment (microseconds; longer when the machine is busy) the writer
    knows of a change this connection has not been told of yet. Without invalidations the
    kept value would be served for the fixture's 60 s, so the change showing within a second
    still proves they arrive."""
    deadline = time.monotonic() + within
    while (found := cache.get_many_tracked(keys)) != expected and time.monotonic() < deadline:
        time.sleep(0.001)
    return found


def test_a_tracked_read_is_answered_here_until_another_server_changes_the_value(tracked):
    cache, other, redis_key = tracked
    cache.set("k", "before")
    cache.delete("n")
    assert cache.get_many_tracked(["k", "n"]) == {"k": "before"}
    reads = _tracking(cache)
    for _ in range(5):
        assert cache.get_many_tracked(["k", "n"]) == {"k": "before"}
    assert reads.round_trips == 1

    # Another server writes: a read here has it as soon as Redis's invalidation arrives.
    other.set(redis_key("k"), cache._cache._serializer.dumps("after"))
    assert _soon(cache, ["k", "n"], {"k": "after"}) == {"k": "after"}
    # A key that was missing is tracked too: its creation is seen.
    other.set(redis_key("n"), cache._cache._serializer.dumps(7))
    assert _soon(cache, ["k", "n"], {"k": "after", "n": 7}) == {"k": "after", "n": 7}
    other.delete(redis_key("k"))
    assert _soon(cache, ["k", "n"], {"n": 7}) == {"n": 7}
    assert reads.round_trips == 4  # one per change, none while waiting for its invalidation
    # This process's own writes invalidate as well.
    cache.set("n", 8)
    assert _soon(cache, ["k", "n"], {"n": 8}) == {"n": 8}


def _kill_tracking_connection(reads, other) -> None:
    """Close the tracking connection from the server's side, as a restart would."""
    connection = reads._connection
    connection.send_command("CLIENT", "ID")
    other.execute_command("CLIENT", "KILL", "ID", connection.read_response())


def test_a_redis_gone_is_an_outage_after_one_try_on_a_new_connection(tracked):
    cache, other, _key = tracked
    cache.set("k", "kept")
    assert cache.get_many_tracked(["k"]) == {"k": "kept"}
    reads = _tracking(cache)
    _kill_tracking_connection(reads, other)
    port = reads.pool.connection_kwargs["port"]
    reads.pool.connection_kwargs["port"] = 1  # the new connection finds nothing listening
    try:
        assert cache.get_many_tracked(["k"]) == {}
        assert cache.outages == 1 and reads.failures == 1 and not cache.available
    finally:
        reads.pool.connection_kwargs["port"] = port


def test_tracked_values_are_confirmed_with_a_round_trip_after_max_age(tracked):
    cache, _other, _key = tracked
    cache.set("k", 1)
    cache.get_many_tracked(["k"])
    reads = _tracking(cache)
    now = [reads.clock()]
    reads.clock = lambda: now[0]
    reads.confirmed = now[0]
    reads.max_age = 0.1
    cache.get_many_tracked(["k"])
    now[0] += 0.05
    cache.get_many_tracked(["k"])
    assert reads.round_trips == 1
    now[0] += 0.1
    assert cache.get_many_tracked(["k"]) == {"k": 1}
    assert reads.round_trips == 2


def test_a_lost_tracking_connection_drops_what_it_kept_and_never_serves_it(tracked):
    cache, other, redis_key = tracked
    cache.retry_seconds = 0
    cache.set("k", "before")
    assert cache.get_many_tracked(["k"]) == {"k": "before"}
    reads = _tracking(cache)
    reads._connection.send_command("CLIENT", "ID")
    tracking_id = reads._connection.read_response()
    # Redis drops the connection (a restart, a network cut); the change it would have been
    # told about is made meanwhile.
    other.client_kill_filter(_id=tracking_id)
    other.set(redis_key("k"), cache._cache._serializer.dumps("after"))
    outages = cache.outages
    # Never the kept "before": a new connection reads what Redis holds now, and tracks it. A
    # connection the server closed is no outage (misses for RETRY_SECONDS would be, and with
    # PostgreSQL away at that moment a miss is a 503: seen in the fault suite).
    assert cache.get_many_tracked(["k"]) == {"k": "after"}
    assert cache.outages == outages and reads.failures == 0
    other.set(redis_key("k"), cache._cache._serializer.dumps("later"))
    assert _soon(cache, ["k"], {"k": "later"}) == {"k": "later"}


def test_tracked_values_stay_within_their_byte_budget(tracked):
    cache, _other, _key = tracked
    cache.tracked_budget = 4000
    for name in ("m1", "m2", "a"):
        cache.set(name, "x" * 1000)
        cache.get_many_tracked([name])
    reads = _tracking(cache)
    assert reads.size <= 4000
    assert cache.make_key("m1") not in reads.values  # the least recently used went first
    assert cache.get_many_tracked(["m1", "m2", "a"]) == {n: "x" * 1000 for n in ("m1", "m2", "a")}


def test_tracked_reads_with_redis_closed_or_hung_are_misses():
    cache = make_cache(CLOSED_PORT_URL, RETRY_SECONDS=0)
    assert cache.get_many_tracked(["k"]) == {}
    assert cache.outages == 1
    with HungServer() as hung:
        cache = make_cache(f"redis://127.0.0.1:{hung.port}/0", RETRY_SECONDS=30)
        started = time.monotonic()
        assert cache.get_many_tracked(["k"]) == {}
        assert time.monotonic() - started < 1.5
        assert cache.get_many_tracked(["k"]) == {}  # left alone: no second wait
        assert time.monotonic() - started < 1.6


def test_a_redis_that_refuses_tracking_is_read_plainly_not_taken_for_an_outage(
    tracked, monkeypatch, caplog
):
    cache, other, redis_key = tracked

    def refuse(connection):
        raise redis.exceptions.ResponseError("NOPERM this user has no permissions to run CLIENT")

    monkeypatch.setattr(TrackedReads, "_enable_tracking", staticmethod(refuse))
    cache.set("k", "before")
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get_many_tracked(["k"]) == {"k": "before"}
        other.set(redis_key("k"), cache._cache._serializer.dumps("after"))
        assert cache.get_many_tracked(["k"]) == {"k": "after"}  # a round trip each time
    assert cache.outages == 0 and cache.available
    assert _tracking(cache).refused
    assert [r.getMessage() for r in caplog.records if r.name == "portal.cache"] == [
        "Redis refused client-side tracking (NOPERM this user has no permissions to run "
        "CLIENT); reading without it"
    ]


def test_threads_queued_behind_a_hung_tracked_read_give_up_with_it():
    import threading

    with HungServer() as hung:
        cache = make_cache(f"redis://127.0.0.1:{hung.port}/0", RETRY_SECONDS=30)
        start = threading.Barrier(4)
        took = []

        def read():
            start.wait()
            began = time.monotonic()
            assert cache.get_many_tracked(["k"]) == {}
            took.append(time.monotonic() - began)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert len(took) == 4
    # One socket timeout (0.5 s) for all, not one each in turn (2 s for the last).
    assert max(took) < 1.2, took


def test_a_kept_value_is_unpickled_once_until_it_changes(tracked, monkeypatch):
    cache, other, redis_key = tracked
    cache.set("k", {"page": "before"})
    loads = []
    cache.get_many_tracked(["k"])  # the first read makes the table
    (values,) = cache._cache._decoded.values()
    real = values.loads
    monkeypatch.setattr(values, "loads", lambda raw: loads.append(raw) or real(raw))
    for _ in range(5):
        assert cache.get_many_tracked(["k"]) == {"k": {"page": "before"}}
    assert loads == []  # kept here and unchanged: not unpickled again
    other.set(redis_key("k"), cache._cache._serializer.dumps({"page": "after"}))
    assert _soon(cache, ["k"], {"k": {"page": "after"}}) == {"k": {"page": "after"}}


def test_the_local_memory_cache_reads_tracked_as_it_reads_plainly(monkeypatch):
    from portal.cache import TrackedLocMemCache

    local = TrackedLocMemCache("tracked-test", {})
    local.set("a", {"n": 1})
    local.set("gone", 1, timeout=0.01)
    time.sleep(0.02)
    assert local.get_many_tracked(["a", "gone", "never"]) == local.get_many(["a", "never"])
    unpickled = []
    real = local._decoded.loads
    monkeypatch.setattr(local._decoded, "loads", lambda raw: unpickled.append(raw) or real(raw))
    for _ in range(3):
        assert local.get_many_tracked(["a"]) == {"a": {"n": 1}}
    assert unpickled == []  # unchanged: unpickled once, at the first read
    local.set("a", {"n": 2})
    assert local.get_many_tracked(["a"]) == {"a": {"n": 2}}
    local.delete("a")
    assert local.get_many_tracked(["a"]) == {}
