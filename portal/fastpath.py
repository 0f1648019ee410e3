"""The first middleware: cached patient pages and /healthz without the rest of the stack.

A hit in the page cache (conditions/caching.py) used to run every middleware around the view:
sessions, CSRF, auth, OTP, messages, CSP, kiosk, history, lockout. For an anonymous visitor
none of that changes a cached page, so this middleware, first in settings.MIDDLEWARE, answers
such a request itself with the *final* response stored the first time round: body and every
header the stack added (CSP, HSTS, Referrer-Policy, X-Frame-Options, Vary, Cache-Control,
Surrogate-Key ...), less Date and Set-Cookie. A hit reads the content generation and the
page in one look-up (one MGET on Redis), plus the page-view count in memory; with Redis the
look-up is usually answered in the process itself (get_many_tracked, portal/cache.py
TrackedReads: what it read last, until Redis says it changed), with no round trip at all.

Only for a GET with no personal cookie (session, messages, questionnaire answers), outside the
admin, static files, media and questionnaires (conditions/caching.py PERSONAL_COOKIES and
BYPASS_PREFIXES); and only pages the view-level page cache itself marked cacheable
(X-Page-Cache) whose final response sets no cookie, is a 200 and is not private/no-store.
Everything else goes down the stack as before. Entries belong to a content generation, like
the view-level ones, so any content change makes them stale on every server at once.

Each process also keeps the last pages it served (LOCAL_BYTES in all) so that a hit need not
move the page itself from Redis: the round trip still fetches the generation, and the local
copy is used only when its generation is current and the shared entry's digest matches.

/healthz is answered here too, by the view with only the header middlewares around it
(HEALTHZ_MIDDLEWARE), so a load balancer's probe costs a cache ping and one SELECT 1.

In production the look-up happens one step earlier still: portal/wsgi.py wraps Django's WSGI
handler in FastPathApplication, which asks this middleware for the stored page before Django
sends its request signals (database connection checks, URL resets) or builds a response through
the handler. A hit is then written straight back to the server (a StoredPage: the stored body
and headers as they are, unless the request asks for a 304); a miss goes to Django with the
look-up's result in the environ, so the middleware stores the page without asking the cache
twice. The test client and runserver do without the wrapper: the middleware alone does both.

What a hit costs, in one process on the bench machine (/conditions/milia/, local-memory
cache; a bare Django hello-world: 40 us): 62 us before the work below, 25 us after. The key's
host check and path language are remembered per request values (cleared when a setting
changes), and the cache's look-up unpickles a value once while it is unchanged
(portal/cache.py DecodedValues).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.module_loading import import_string

from conditions import caching
from feedback import counting
from feedback.middleware import COUNTED_NAMESPACES, PageViewMiddleware
from feedback.pages import KIND_OF_URL_NAME
from portal.cache import remember
from portal.views import health_response

# Bumped whenever the stored entry changes shape, so a new release never reads an old entry.
FAST_KEY_PREFIX = "fastpage2"
# The header middlewares every response gets (settings.MIDDLEWARE, in order, less those that
# read or write the session, user, CSRF token, messages or the database).
HEALTHZ_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.security_headers",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
)
HEALTHZ_HEADERS_MADE_EACH_TIME = {"content-length", "content-type", "date", "expires", "set-cookie"}
STORED_HEADERS_EXCLUDED = {"date", "set-cookie", caching.HEADER_CACHE_STATUS.lower()}
# Per process: the pages served last, at most this many bytes of bodies.
LOCAL_BYTES = 8 * 1024 * 1024

logger = logging.getLogger(__name__)


def _bypass_prefixes() -> tuple[str, ...]:
    admin = "/" + getattr(settings, "ADMIN_PATH", "admin/").lstrip("/")
    return (
        admin,
        "/admin",
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
        settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else "/media/",
        *caching.BYPASS_PREFIXES,
        # The same pages in every other offered language (/pl/check/, /pl/kiosk/check/).
        *(
            f"/{code}{prefix}"
            for code, _name in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
            for prefix in caching.BYPASS_PREFIXES
        ),
    )


def _get_many(backend):
    """The cache's get_many_tracked where it has one (Redis: values kept in this process until
    Redis says they changed, so most hits need no round trip), else its get_many."""
    return getattr(backend, "get_many_tracked", None) or backend.get_many


_today = [0.0, ""]


def _local_today() -> str:
    now = time.time()
    if now >= _today[0]:
        local = timezone.localtime()
        midnight = (local + datetime.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        _today[:] = [midnight.timestamp(), local.date().isoformat()]
    return _today[1]


class _LocalPages:
    """The bodies of the last pages served by this process, by key, within a byte budget."""

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self.pages: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, digest: str) -> bytes | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None or found[0] != digest:
                return None
            self.pages.move_to_end(key)
            return found[1]

    def put(self, key: str, digest: str, content: bytes) -> None:
        if len(content) > self.budget // 4:
            return
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self.pages[key] = (digest, content)
            self.size += len(content)
            while self.size > self.budget:
                _, (_, dropped) = self.pages.popitem(last=False)
                self.size -= len(dropped)


# Set by the WSGI wrapper on a miss it looked up: (key, generation token).
LOOKED_UP = "portal.fastpath.looked_up"

_middleware: list = []  # the instance Django's handler made, for the WSGI wrapper


class FastPathMiddleware:
    def __init__(self, get_response):
        _middleware[:] = [self]
        self.get_response = get_response
        self.bypass = _bypass_prefixes()
        self.local = _LocalPages(LOCAL_BYTES)
        self.many_languages = len(settings.LANGUAGES) > 1
        # What _key worked out before, by the request values it read (bounded: remember).
        self.hosts: dict = {}
        self.languages: dict = {}
        setting_changed.connect(self.forget, weak=True)
        from portal.views import healthz

        self.healthz_headers = {}  # scheme: the headers every /healthz answer gets
        handler = healthz
        for path in reversed(HEALTHZ_MIDDLEWARE):
            if path in settings.MIDDLEWARE:
                handler = import_string(path)(handler)
        self.healthz = handler

    # -- which requests ---------------------------------------------------------------------
    def _key(self, request) -> str | None:
        """Where this request's final page would be, or None when it is not one to look up."""
        if request.method != "GET":
            return None
        path = request.path
        if path.startswith(self.bypass):
            return None
        meta = request.META
        cookies = request.COOKIES if meta.get("HTTP_COOKIE") else {}
        if cookies and any(name in cookies for name in caching.PERSONAL_COOKIES):
            return None
        host = self._host(request)
        if host is None:
            return None  # the stack answers 400
        kept = sorted(
            (name, value) for name, value in cookies.items() if name not in caching.IGNORED_COOKIES
        )
        parts = [
            request.scheme,
            host,
            path,
            meta.get("QUERY_STRING", ""),
            *(meta.get(h, "") for h in _VARY_META),
            # The path names the language (portal.middleware.PathLocaleMiddleware); only the
            # entry points read the cookie or Accept-Language, and they are never stored.
            self._path_language(path) if self.many_languages else "",
            _local_today(),
            repr(kept),
        ]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        return f"{FAST_KEY_PREFIX}:{digest}"

    def _host(self, request) -> str | None:
        """request.get_host(), or None where it is refused (DisallowedHost). Remembered for
        the request values it reads, as the same few hosts ask again and again."""
        meta = request.META
        asked = (
            request.scheme,
            meta.get("HTTP_HOST"),
            meta.get("HTTP_X_FORWARDED_HOST"),
            meta.get("HTTP_X_FORWARDED_PORT"),
            meta.get("SERVER_NAME"),
            meta.get("SERVER_PORT"),
        )
        try:
            return self.hosts[asked]
        except KeyError:
            pass
        try:
            host = request.get_host()
        except DisallowedHost:
            host = None
        remember(self.hosts, asked, host)
        return host

    def _path_language(self, path: str) -> str:
        """The language the path names (only its first segment counts), else the default."""
        first = path[1:].split("/", 1)[0]
        try:
            return self.languages[first]
        except KeyError:
            pass
        language = translation.get_language_from_path(f"/{first}/") or settings.LANGUAGE_CODE
        remember(self.languages, first, language)
        return language

    def forget(self, **kwargs) -> None:
        """Drop what was remembered from the settings (a test changed them)."""
        self.hosts.clear()
        self.languages.clear()

    # -- the middleware ---------------------------------------------------------------------
    def answer_healthz(self, request):
        """/healthz: the first answer per scheme goes through the header middlewares, and the
        headers they add (none depends on the request but for its scheme: HSTS is for https
        only) are kept and given to every later answer as they are."""
        if request.method != "GET":
            return self.healthz(request)  # 405, as the view says
        headers = self.healthz_headers.get(request.scheme)
        if headers is None:
            response = self.healthz(request)
            self.healthz_headers[request.scheme] = {
                lower: pair
                for lower, pair in response.headers._store.items()
                if lower not in HEALTHZ_HEADERS_MADE_EACH_TIME
            }
            return response
        response = health_response()
        response.headers._store.update(headers)
        response.headers["Expires"] = http_date(time.time())  # as never_cache writes it
        return response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.answer_healthz(request)
        looked_up = request.META.pop(LOOKED_UP, None)
        if looked_up is not None:  # the WSGI wrapper looked and missed
            key, token = looked_up
        else:
            key = self._key(request)
            if key is None:
                return self.get_response(request)
            found = self._look_up(request, key)
            if found is None:
                return self.get_response(request)
            token, response = found
            if response is not None:
                return response
        response = self.get_response(request)
        if response.get(caching.HEADER_CACHE_STATUS) in ("hit", "miss"):
            self._store(request, key, token, response)
        return response

    def _look_up(self, request, key: str, *, plain: bool = False):
        """(generation token, the stored response or None); None when the cache is down.
        plain: the response may be a StoredPage (for the WSGI wrapper), not an HttpResponse."""
        try:
            found = _get_many(cache)([caching.GENERATION_KEY, caching.GENERATION_CHECKED_KEY, key])
        except Exception:  # noqa: BLE001 - any cache failure: the page is made as if missed
            logger.warning("page cache unavailable; serving %s through the stack", request.path)
            return None
        token = caching.generation(found)
        entry = found.get(key)
        if entry is not None and entry["generation"] == token:
            return token, self._serve(request, key, entry, plain=plain)
        return token, None

    def serve_early(self, environ):
        """For the WSGI wrapper: the stored response for this request (an HttpResponse or a
        StoredPage), or None to go on to Django (with the look-up's result in the environ for
        the store after a miss)."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        request = WSGIRequest(environ)
        if request.path == "/healthz":
            return self.answer_healthz(request)
        key = self._key(request)
        if key is None:
            return None
        found = self._look_up(request, key, plain=True)
        if found is None:
            return None
        token, response = found
        if response is None:
            environ[LOOKED_UP] = (key, token)
        return response

    def _serve(self, request, key: str, entry: dict, *, plain: bool = False):
        content = entry.get("content")
        if content is None:
            content = self.local.get(key, entry["digest"])
            if content is None:
                # Not here: fetch the body once (the entry's twin holds it).
                full = cache.get(f"{key}:body")
                if full is None or full[0] != entry["digest"]:
                    return None
                content = full[1]
                self.local.put(key, entry["digest"], content)
        counted = entry.get("count")
        if counted is not None and _counting() and PageViewMiddleware._a_reader(request):
            counting.count_view(*counted)
        if plain and not any(name in request.META for name in _CONDITIONAL_META):
            # Nothing to compare with (no If-None-Match and the like): the page as stored,
            # without building a response only to read its headers back.
            return StoredPage(content, [*entry["headers"].values(), _HIT])
        response = HttpResponse(content, status=entry["status"])
        # The stored headers came from a real response, already checked and encoded when they
        # were set on it: put back as they were (by lower-case name, as ResponseHeaders keeps
        # them) rather than checked again one by one on every hit.
        response.headers._store.update(entry["headers"])
        response.headers[caching.HEADER_CACHE_STATUS] = "hit"
        return get_conditional_response(
            request,
            etag=entry.get("etag"),
            last_modified=entry.get("last_modified"),
            response=response,
        )

    def _store(self, request, key: str, token: str, response) -> None:
        if response.status_code != 200 or response.streaming or response.cookies:
            return
        control = response.get("Cache-Control", "").lower()
        if "private" in control or "no-store" in control:
            return
        # Only what the key holds may vary: a page that varies on anything else (Origin for the
        # API's CORS headers, say) is made each time rather than served to the wrong requester.
        varies = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
        if not varies <= _KEYED_HEADERS:
            return
        content = response.content
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        match = getattr(request, "resolver_match", None)
        count = None
        if match is not None and match.namespace in COUNTED_NAMESPACES:
            kind = KIND_OF_URL_NAME.get(match.url_name)
            if kind is not None:
                count = (kind.name, match.kwargs.get("slug", ""))
        last_modified = response.get("Last-Modified")
        entry = {
            "generation": token,
            "status": 200,
            "digest": digest,
            "headers": {
                lower: pair
                for lower, pair in response.headers._store.items()
                if lower not in STORED_HEADERS_EXCLUDED
            },
            "etag": response.get("ETag"),
            "last_modified": _parse_http_date(last_modified),
            "count": count,
        }
        seconds = caching.PAGE_SECONDS
        # The small entry (read on every hit) and the body apart: a process that has the body
        # already never moves it again.
        try:
            cache.set_many({key: entry, f"{key}:body": (digest, content)}, seconds)
        except Exception:  # noqa: BLE001 - not stored is only slower next time
            logger.warning("page cache unavailable; %s not stored", request.path)
        self.local.put(key, digest, content)


class StoredPage(NamedTuple):
    """A stored page for the WSGI wrapper to write as it is: a 200 with these headers."""

    content: bytes
    headers: list[tuple[str, str]]
    status_code: int = 200
    reason_phrase: str = "OK"

    def items(self):
        return self.headers


_HIT = (caching.HEADER_CACHE_STATUS, "hit")
# A request that asks for a comparison gets get_conditional_response's answer (304 or 412).
_CONDITIONAL_META = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
_VARY_META = tuple("HTTP_" + h.upper().replace("-", "_") for h in caching.VARY_REQUEST_HEADERS)
# Request headers a stored page may vary on: those in the key, and Cookie and Accept-Language,
# whose part in a stored page the key also holds (the kept cookies, the path's language).
_KEYED_HEADERS = {h.lower() for h in caching.VARY_REQUEST_HEADERS} | {"cookie", "accept-language"}


class FastPathApplication:
    """WSGI: a stored page straight from the cache, before Django's handler; see the top."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        response = None
        if _middleware:
            try:
                response = _middleware[0].serve_early(environ)
            except Exception:  # noqa: BLE001 - never worse than no fast path: Django answers
                logger.exception(
                    "fast path failed; serving %s through Django", environ.get("PATH_INFO")
                )
                environ.pop(LOOKED_UP, None)
                response = None
        if response is None:
            return self.application(environ, start_response)
        # As django.core.handlers.wsgi.WSGIHandler writes a response. A stored page sets no
        # cookie, and its body is in memory: no file wrapper, and nothing to close.
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]


def _counting() -> bool:
    return counting.counting_views()


def _parse_http_date(value: str | None) -> int | None:
    if not value:
        return None
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value)
