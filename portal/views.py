"""The health check, the error pages, uploaded media and the site icons."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

# /healthz answers within this many seconds whatever is wrong (load balancers wait ~2 s).
HEALTH_DEADLINE_SECONDS = 1.5
# The database check runs here, so a hung server cannot hold the request; two threads at most,
# each bounded by the check's own timeouts (connect 2 s, wait 1 s).
_health_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")


_probes = threading.local()


def _check_database() -> None:
    """SELECT 1 on the database, raising DatabaseError when it does not answer.

    A connection of its own: on PostgreSQL with short timeouts, so neither a hung server nor
    the request's pooled connection can make the check wait (on SQLite, a local file, it saves
    opening the file and its PRAGMAs on every check, which two workers contend for). The probe's
    connection is kept (one per check thread) while its settings stay the same, so a check is
    one round trip, not a new connection each time; a kept connection that fails is closed and
    the check tried once more on a fresh one (a restarted server is not reported down).
    """
    from django.db import connections

    settings_dict = {**connections["default"].settings_dict}
    options = {**settings_dict.get("OPTIONS", {})}
    if connection.vendor == "postgresql":
        options.update(connect_timeout=2, wait_timeout=1.0, ping_timeout=1.0)
        options["options"] = (options.get("options", "") + " -c statement_timeout=1000").strip()
        options.pop("pool", None)
    settings_dict.update(OPTIONS=options, CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=False)
    fingerprint = repr(sorted((k, repr(v)) for k, v in settings_dict.items()))
    kept = getattr(_probes, "probe", None)
    if kept is not None and kept[0] != fingerprint:
        _close(kept[1])
        kept = None
    if kept is not None:
        try:
            _select_one(kept[1])
            return
        except DatabaseError:
            _close(kept[1])
            _probes.probe = None
    probe = connections["default"].__class__(settings_dict, alias="healthz")
    try:
        _select_one(probe)
    except BaseException:
        _close(probe)
        raise
    _probes.probe = (fingerprint, probe)


def _select_one(probe) -> None:
    with probe.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _close(probe) -> None:
    with contextlib.suppress(DatabaseError):
        probe.close()


def _cache_ok() -> bool:
    """A round trip to a shared cache (bounded by its socket timeouts); local memory is ok."""
    ping = getattr(cache, "ping", None)
    return ping() if ping is not None else True


# The last report and when it was made (time.monotonic()), per process.
_last_report: list = [float("-inf"), None]


def health_response() -> JsonResponse:
    """Each dependency: 200 while the database answers (the cache may be down: the site then
    serves uncached), 503 when it does not. Answers within HEALTH_DEADLINE_SECONDS.

    A report made less than PORTAL_HEALTH_REUSE_SECONDS ago (0.1 s by default; 0: never) is
    given again instead of checking again. A load balancer probing every few seconds always
    gets a fresh check; a flood of requests to this unauthenticated address (a misconfigured
    probe, or someone hostile) costs the database at most ten queries a second per process."""
    reuse = settings.PORTAL_HEALTH_REUSE_SECONDS
    made, report = _last_report
    now = time.monotonic()
    if report is None or now - made >= reuse:
        report = _check_dependencies(now + HEALTH_DEADLINE_SECONDS)
        _last_report[:] = [time.monotonic(), report]
    body, status = report
    return JsonResponse(body, status=status)


def _check_dependencies(deadline: float) -> tuple[dict, int]:
    # PostgreSQL in a thread, so a hung server cannot hold the answer; SQLite is a local file.
    database_check = (
        _health_checks.submit(_check_database) if connection.vendor == "postgresql" else None
    )
    cache_state = "ok" if _cache_ok() else "down"
    try:
        if database_check is None:
            _check_database()
        else:
            database_check.result(timeout=max(0.0, deadline - time.monotonic()))
        database = True
    except (DatabaseError, FutureTimeout):
        database = False
    body = {
        "status": ("ok" if cache_state == "ok" else "degraded") if database else "unavailable",
        "database": "ok" if database else "down",
        "cache": cache_state,
    }
    return body, 200 if database else 503


@require_GET
@never_cache
def healthz(request):
    """The health check (portal/fastpath.py answers it before the rest of the stack)."""
    return health_response()


def page_not_found(request, exception=None):
    """The friendly 404: says nothing about why (no path echo, no resolver details)."""
    from django.template.response import TemplateResponse

    response = TemplateResponse(request, "404.html", status=404)
    return response.render()


# Shown if even the 500 or 503 template cannot be loaded.
BARE_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, something went wrong</title></head><body><h1>Sorry, something went wrong</h1>"
    "<p>Please try again in a few minutes.</p></body></html>"
)
BARE_503 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, this service is busy</title></head><body><h1>Sorry, this service is busy</h1>"
    "<p>Please try again shortly. If you need help now, call NHS 111. "
    "In an emergency, call 999.</p></body></html>"
)
# The database is down, hung or timed out: a temporary condition, not a bug.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """A page that cannot itself break: a tag-free template rendered with an empty context.

    No {% static %} (a missing manifest would raise), no database, cache, session or context
    processors, and nothing about the error itself. When the error is the database being
    unreachable or too slow, a 503 "try again shortly" page with Retry-After instead.
    """
    from django.http import HttpResponse
    from django.template.loader import get_template

    unavailable = isinstance(sys.exc_info()[1], UNAVAILABLE_ERRORS)
    name, bare, status = ("503.html", BARE_503, 503) if unavailable else ("500.html", BARE_500, 500)
    try:
        html = get_template(name).render({})
    except Exception:  # the last line of defence: never fail while reporting a failure
        html = bare
    response = HttpResponse(html, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
    return response


# Uploaded pictures, served by Django only when nothing in front does it (DEBUG, or one-server
# installs with DJANGO_SERVE_MEDIA=1). In production put MEDIA_ROOT on shared storage and
# let the web server or object store serve it with the same headers.
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@require_GET
def media(request, path):
    """An uploaded picture with safe headers: only picture types, never sniffed or scripted."""
    from pathlib import PurePosixPath

    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if not settings.SERVE_MEDIA or content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# Browsers ask for these at the site root whatever the page says (/favicon.ico always,
# /apple-touch-icon.png on Apple devices); the pages also link them, with the SVG icon.
ROOT_ICONS = {"favicon.ico": "image/x-icon", "apple-touch-icon.png": "image/png"}
ICON_CACHE_SECONDS = 24 * 60 * 60


@require_safe
def site_icon(request, name: str):
    """A site icon from static/icons/ at the root of the site, cached for a day."""
    from django.conf import settings
    from django.http import HttpResponse

    data = (settings.BASE_DIR / "static" / "icons" / name).read_bytes()
    response = HttpResponse(data, content_type=ROOT_ICONS[name])
    response["Cache-Control"] = f"public, max-age={ICON_CACHE_SECONDS}"
    return response
