"""A Redis cache that degrades instead of failing: the site serves uncached when Redis is gone.

Every cache user (the page cache, the help card, questionnaire specs) goes through Django's
cache API, so this one backend makes them all behave the same way when Redis is stopped, hung
or unreachable:

- a read that fails is a miss (``get`` returns the default, ``get_many`` returns ``{}``);
- a write that fails is skipped (``set``/``add``/``touch`` return False, ``delete`` False);
- after a failure Redis is left alone for ``RETRY_SECONDS`` (default 5): every call in that
  window is a miss or a skipped write at once, so a hung Redis costs one request per process
  one socket timeout, not every request several;
- failures are logged at most once a minute per process (``RateLimitedLogger``), naming the
  error but never a key (keys can hold page paths).

Short socket timeouts come from OPTIONS (settings.py: DJANGO_REDIS_CONNECT_TIMEOUT and
DJANGO_REDIS_TIMEOUT). ``outages`` counts the times this process lost Redis; the page cache
(conditions/caching.py) checks its content generation against the database after each one,
because writes made while Redis was away could not invalidate it.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("portal.cache")


class RateLimitedLogger:
    """Log a warning at most once per ``interval`` seconds; count what was left out."""

    def __init__(self, log: logging.Logger, interval: float = 60.0, clock=time.monotonic):
        self.log = log
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._suppressed = 0

    def warning(self, message: str, *args) -> bool:
        """Log now, or count it; True when it was written."""
        now = self.clock()
        with self._lock:
            if now - self._last < self.interval:
                self._suppressed += 1
                return False
            self._last = now
            suppressed, self._suppressed = self._suppressed, 0
        if suppressed:
            message += " (%d more cache errors since the last message)"
            args = (*args, suppressed)
        self.log.warning(message, *args)
        return True


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    # RedisError covers ConnectionError and TimeoutError; OSError a socket failing below it.
    return (redis.exceptions.RedisError, OSError)


def _closed_errors() -> tuple[type[BaseException], ...]:
    """A connection the server closed or reset (not a timeout: a hung Redis is not retried)."""
    import redis

    return (redis.exceptions.ConnectionError, ConnectionResetError, BrokenPipeError)


class TrackingRefused(Exception):
    """This Redis will not track reads (older than 6, or CLIENT not allowed to this user)."""


def _refused(exc: BaseException) -> bool:
    import redis

    # An error reply (unknown command, no permission) rather than a connection failure.
    return isinstance(exc, redis.exceptions.ResponseError) or (
        isinstance(exc, redis.exceptions.ConnectionError) and "RESP" in str(exc).upper()
    )


class TrackedReads:
    """Values read through one Redis connection with CLIENT TRACKING, kept in this process.

    Redis remembers which keys this connection read and pushes an invalidation down the same
    connection as soon as one of them is written, deleted, expires or is evicted (queued
    before the writer's reply, though the reply may leave first). So a value kept here is
    served again without a round trip, and a write from any server is seen here as soon as
    its invalidation has arrived (on one network, well within the time it takes the writer's
    response to reach anyone): every read first takes in the invalidations waiting on the
    socket (a poll, no round trip).

    Kept values are used for at most ``max_age`` seconds after the last round trip on this
    connection. A Redis that stops answering sends no invalidations, and nothing written while
    it is away can tell us; the round trip at least every ``max_age`` seconds notices it (the
    cache then counts an outage and serves misses, as for any other read). A dropped connection
    drops every kept value. Values are kept within ``budget`` bytes, the least recently used
    dropped first. One connection per process, behind a lock (threads share it)."""

    def __init__(self, pool, max_age: float, budget: int, clock=time.monotonic):
        self.pool = pool
        self.max_age = max_age
        self.budget = budget
        self.clock = clock
        self.values: OrderedDict[str, bytes | None] = OrderedDict()
        self.size = 0
        self.confirmed = float("-inf")
        self.round_trips = 0
        self.failures = 0
        self.refused = False  # set when Redis refused to track (get_many_tracked reads plainly)
        self._connection = None
        self._pid = None
        self._lock = threading.Lock()

    # -- the connection ---------------------------------------------------------------------
    def _connect(self):
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        self._forget_all()
        kwargs = {**self.pool.connection_kwargs, "protocol": 3}
        connection = self.pool.connection_class(**kwargs)
        try:
            connection.connect()  # says HELLO 3 (Redis 6 and later)
            connection._parser.set_invalidation_push_handler(self._invalidated)
            self._enable_tracking(connection)
        except _errors() as exc:
            connection.disconnect()
            if _refused(exc):
                raise TrackingRefused(str(exc)) from exc
            raise
        self._connection, self._pid = connection, os.getpid()
        return connection

    @staticmethod
    def _enable_tracking(connection) -> None:
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()

    def _disconnect(self):
        connection, self._connection = self._connection, None
        self._forget_all()
        if connection is not None and self._pid == os.getpid():
            connection.disconnect()

    # -- invalidations ----------------------------------------------------------------------
    def _invalidated(self, message):
        """A push ["invalidate", [keys]]; None for every key (FLUSHDB, FLUSHALL)."""
        keys = message[1] if len(message) > 1 else None
        if keys is None:
            self._forget_all()
            return
        for key in keys:
            self._forget(key.decode() if isinstance(key, bytes) else key)

    def _forget(self, key: str) -> None:
        if key in self.values:
            value = self.values.pop(key)
            self.size -= len(key) + len(value or b"")

    def _forget_all(self) -> None:
        self.values.clear()
        self.size = 0
        self.confirmed = float("-inf")

    def _take_invalidations(self, connection) -> None:
        while connection.can_read(timeout=0):
            # Something is there: the rest of it follows within the socket timeout.
            connection.read_response(push_request=True)

    # -- reading ----------------------------------------------------------------------------
    def mget(self, keys: list[str]) -> list[bytes | None]:
        """The raw values of keys (None where missing), from here when every one is kept and
        the last round trip is recent; otherwise one MGET. Raises what Redis raised, having
        dropped the connection and every kept value. A thread that waited for the lock while
        another's round trip failed fails at once too, rather than wait out its own timeout."""
        failures = self.failures
        with self._lock:
            if self.failures != failures:
                raise ConnectionError("Redis failed while this read waited its turn")
            reused = self._connection is not None
            try:
                try:
                    return self._mget(keys)
                except _closed_errors():
                    if not reused:
                        raise
                    # A connection from before a Redis restart, closed by the server: that
                    # is no outage if a new one answers. Once, on a new connection (a Redis
                    # that is down refuses it at once; a hung one times out, never retried).
                    self._disconnect()
                    return self._mget(keys)
            except BaseException:
                self.failures += 1
                self._disconnect()
                raise

    def _mget(self, keys: list[str]) -> list[bytes | None]:
        connection = self._connect()
        self._take_invalidations(connection)
        now = self.clock()
        values = self.values
        if now - self.confirmed < self.max_age and all(k in values for k in keys):
            for key in keys:
                values.move_to_end(key)
            return [values[key] for key in keys]
        connection.send_command("MGET", *keys)
        found = connection.read_response()
        self.round_trips += 1
        self.confirmed = now
        for key, value in zip(keys, found, strict=True):
            self._keep(key, value)
        return found

    def _keep(self, key: str, value: bytes | None) -> None:
        size = len(key) + len(value or b"")
        if size > self.budget // 4:
            self._forget(key)
            return
        self._forget(key)
        self.values[key] = value
        self.size += size
        while self.size > self.budget:
            old, dropped = self.values.popitem(last=False)
            self.size -= len(old) + len(dropped or b"")


def remember(memo: dict, key, value, limit: int = 1024):
    """`value` kept under `key` in a table that never grows past `limit` entries (full: it
    starts again), for requests that may bring ever new values. Returns `value`."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


def made_keys(memo: dict, cache, keys: tuple, version) -> list[str]:
    """cache.make_and_validate_key of each key, worked out once per tuple of keys (the page
    cache's look-up asks for the same three on every hit)."""
    made = memo.get((keys, version))
    if made is None:
        made = [cache.make_and_validate_key(key, version=version) for key in keys]
        remember(memo, (keys, version), made)
    return made


class DecodedValues:
    """Values already unpickled, by key, for as long as the raw bytes they came from are the
    same object: a value kept in this process (TrackedReads, the local-memory cache) is then
    unpickled once, not on every page-cache hit. The values are shared: never change one."""

    def __init__(self, loads, limit: int = 4096):
        self.loads = loads
        self.limit = limit
        self.values: dict[str, tuple[bytes, object]] = {}

    def decode(self, key: str, raw: bytes):
        kept = self.values.get(key)
        if kept is not None and kept[0] is raw:
            return kept[1]
        value = self.loads(raw)
        remember(self.values, key, (raw, value), self.limit)
        return value


class TrackedLocMemCache(LocMemCache):
    """Django's local-memory cache (one process: `make run`, tests, SQLite without Redis), with
    the page cache's get_many_tracked: the same answers as get_many, with the keys made once
    and each value unpickled once for as long as it is unchanged (DecodedValues)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self._made: dict[tuple, list[str]] = {}
        self._decoded = DecodedValues(pickle.loads)

    def get_many_tracked(self, keys, version=None):
        keys = tuple(keys)
        made = made_keys(self._made, self, keys, version)
        found = {}
        with self._lock:  # as LocMemCache.get, for each key
            for key, cache_key in zip(keys, made, strict=True):
                if self._has_expired(cache_key):
                    self._delete(cache_key)
                    continue
                found[key, cache_key] = self._cache[cache_key]
                self._cache.move_to_end(cache_key, last=False)
        decode = self._decoded.decode
        return {key: decode(cache_key, raw) for (key, cache_key), raw in found.items()}


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis.Redis per connection pool.

    Django's makes a new redis.Redis on every cache call, and its constructor fills a table of
    about 170 response callbacks each time: on a page-cache hit that was a third of the
    request's own work. A redis.Redis holds no connection of its own (the pool does) and is
    safe to share between threads, so one per pool does the same work."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._tracked = {}
        self._decoded = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _command(self, *command):
        """One command on a pooled connection, without redis-py's command machinery (retries,
        reply callbacks, events). The pool hands out only a live connection (it reconnects one
        the server closed); a failure disconnects it and raises."""
        pool = self._get_connection_pool(write=False)
        connection = pool.get_connection()
        try:
            connection.send_command(*command)
            return connection.read_response()
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def ping(self) -> bool:
        return self._command("PING") in (b"PONG", "PONG", True)

    def get_many_tracked(self, keys, max_age: float, budget: int):
        """get_many through this process's TrackedReads (one per pool)."""
        pool = self._get_connection_pool(write=False)
        tracked = self._tracked.get(id(pool))
        if tracked is None:
            tracked = self._tracked[id(pool)] = TrackedReads(pool, max_age, budget)
        keys = list(keys)
        if tracked.refused:
            return self.get_many(keys)
        try:
            values = tracked.mget(keys)
        except TrackingRefused as exc:
            # A Redis that cannot track (a managed service may forbid CLIENT): read as before,
            # a round trip each time, rather than go without the page cache.
            tracked.refused = True
            logger.warning("Redis refused client-side tracking (%s); reading without it", exc)
            return self.get_many(keys)
        decoded = self._decoded.get(id(pool))
        if decoded is None:
            decoded = self._decoded[id(pool)] = DecodedValues(self._serializer.loads)
        return {
            key: decoded.decode(key, value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    def get_many(self, keys):
        """One MGET (_command): every page-cache hit makes this call; ResilientRedisCache turns
        a failure into a miss."""
        values = self._command("MGET", *keys)
        loads = self._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with every Redis failure turned into a miss or a skipped write."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        # get_many_tracked: values kept in this process (TrackedReads) at most this long
        # after the last round trip, within this many bytes.
        self.tracked_max_age = float(options.pop("TRACKED_MAX_AGE", 0.1))
        self.tracked_budget = int(options.pop("TRACKED_BYTES", 8 * 1024 * 1024))
        log_interval = float(options.pop("LOG_INTERVAL", 60))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self.outages = 0  # how many times this process lost Redis
        self._made: dict = {}  # get_many_tracked: the keys as made (made_keys)
        self._healthy = True
        self._down_until = 0.0
        self._log = RateLimitedLogger(logger, log_interval)

    # -- the guard ------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """False while this process is leaving Redis alone after a failure."""
        return time.monotonic() >= self._down_until

    def _call(self, operation: str, fallback, function, *args):
        if not self.available:
            return fallback
        try:
            result = function(*args)
        except _errors() as exc:
            if self._healthy:
                self._healthy = False
                self.outages += 1
            self._down_until = time.monotonic() + self.retry_seconds
            self._log.warning(
                "Cache unavailable (%s on %s: %s); serving uncached, retrying in %g s",
                type(exc).__name__,
                operation,
                exc,
                self.retry_seconds,
            )
            return fallback
        self._healthy = True
        return result

    def ping(self) -> bool:
        """One round trip to Redis now, even while calls are being skipped (for /healthz)."""
        try:
            return self._cache.ping()
        except _errors():
            return False

    def validate_key(self, key):
        """Nothing to check: Django's check warns about keys memcached would refuse (spaces,
        control characters, over 250 bytes), one character at a time on every call. Redis takes
        any key, and this is the Redis backend."""

    # -- Django's cache API -----------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """True when stored, False when Redis could not be reached (Django's returns None)."""

        def store():
            super(ResilientRedisCache, self).set(key, value, timeout, version)
            return True

        return self._call("set", False, store)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def get_many_tracked(self, keys, version=None):
        """get_many, answered from this process where Redis has not said the values changed
        (TrackedReads): the page cache's look-up on every hit. A failure is a miss."""

        def read():
            asked = tuple(keys)
            key_map = dict(zip(made_keys(self._made, self, asked, version), asked, strict=True))
            found = self._cache.get_many_tracked(key_map, self.tracked_max_age, self.tracked_budget)
            return {key_map[key]: value for key, value in found.items()}

        return self._call("get_many_tracked", {}, read)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
