"""The one place for page caching and its invalidation.

A "content generation" token lives in the configured cache (local memory by default, Redis in
production, shared by every app server). Saving or deleting any content model replaces the
token (receivers wired in ConditionsConfig.ready()), so every cached page is stale at once, on
every server. Each cached page carries the token it was rendered under and is served only while
that token is current, so nothing has to be deleted one by one. The token and the page come
back in one cache round trip (get_many: one MGET on Redis), which is what makes a hit cheap.

`cache_patient_page` caches a patient GET view's rendered response for anonymous visitors and
sets Last-Modified; Django's ConditionalGetMiddleware adds the ETag and answers a repeat visit
with a 304. It caches only what is the same for
every such visitor: no session cookie or messages, no CSRF token in the page, no Set-Cookie,
no Cache-Control of private/no-store/no-cache, and only 200s. Questionnaire steps are never
cached (they live on the session). The key holds everything a page may depend on: scheme, host,
path, the query parameters the page declares it reads (no others: ?utm_source=... is the same
page), the HX-Request/HX-Boosted/HX-Target headers, the language, today's date
(review-overdue notices change at midnight) and any other cookies (the kiosk profile).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "content-generation"
PAGE_KEY_PREFIX = "page"
# Cached pages also expire by themselves; a new generation makes them unreachable earlier.
PAGE_SECONDS = getattr(settings, "PAGE_CACHE_SECONDS", 60 * 60)
VARY_REQUEST_HEADERS = ("HX-Request", "HX-Boosted", "HX-Target", "HX-History-Restore-Request")
# Request cookies that never change a cacheable page (a page that used the CSRF token is
# not cached at all). The session and messages cookies make a request uncacheable.
# The language cookie is read only by the entry points (conditions/languages.py), outside this
# cache: every cached page serves the language its path names.
IGNORED_COOKIES = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
# (questionnaire_answers: conditions/answers.py; its path keeps it off these pages anyway.)
PERSONAL_COOKIES = {settings.SESSION_COOKIE_NAME, "messages", "questionnaire_answers"}
HEADER_CACHE_STATUS = "X-Page-Cache"
# Never looked up in the page cache by the first middleware (portal/fastpath.py): the
# questionnaire lives on the session and a cookie, on the site and in the kiosk.
BYPASS_PREFIXES = ("/check/", "/kiosk/check/")
# The header naming the content items a page shows, for a shared cache (Varnish, a CDN) to
# purge exactly those pages when one changes (conditions/purge.py).
HEADER_SURROGATE_KEY = "Surrogate-Key"


# -- the content generation ---------------------------------------------------------------
# The token in the cache is "<version>|<salt>". The version ("<unix time>:<random>") is also
# written to the database (ContentVersion) in the same transaction as the change. A write made
# while the cache was unreachable could not replace the cached token; so, with a shared cache
# (settings.PAGE_CACHE_VERIFY_SECONDS > 0), the token is checked against the database at most
# that often (a marker key with that lifetime) and after every cache outage this process saw,
# and replaced when the versions differ. The fresh salt means a replaced token never equals one
# that pages were cached under before, even if two servers race to replace it.
GENERATION_CHECKED_KEY = "content-generation-checked"


def _new_version() -> str:
    return f"{time.time():.6f}:{uuid.uuid4().hex}"


def _token(version: str) -> str:
    return f"{version}|{uuid.uuid4().hex[:12]}"


def _version_of(token: str) -> str:
    return token.split("|", 1)[0]


def _verify_seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_VERIFY_SECONDS", 0) or 0)


_outages_seen = 0


def generation(found: dict | None = None) -> str:
    """The current content generation token.

    ``found``: what a cache.get_many() including GENERATION_KEY and GENERATION_CHECKED_KEY
    already returned (saves a round trip); otherwise they are read here.
    """
    global _outages_seen
    if found is None:
        found = cache.get_many([GENERATION_KEY, GENERATION_CHECKED_KEY])
    token = found.get(GENERATION_KEY)
    if not getattr(cache, "available", True):
        return token or _token(_new_version())  # nothing will be cached: no need to agree
    outages = getattr(cache, "outages", 0)
    if _verify_seconds() and (
        token is None or GENERATION_CHECKED_KEY not in found or outages != _outages_seen
    ):
        _outages_seen = outages
        return _verified(token)
    if token is None:
        # First request after a cache flush: agree on one token across servers.
        cache.add(GENERATION_KEY, _token(_new_version()), timeout=None)
        token = cache.get(GENERATION_KEY) or _token(_new_version())
    return token


def tracked_generation() -> str:
    """generation(), its keys read as the page cache reads a page (get_many_tracked where the
    cache has it: kept in this process until Redis says they changed, so most reads need no
    round trip; portal/cache.py TrackedReads). For what is kept per generation: a token read
    just before a change reached this process keeps the new rows under the old token, which
    the next read no longer matches."""
    read = getattr(cache, "get_many_tracked", None) or cache.get_many
    return generation(read([GENERATION_KEY, GENERATION_CHECKED_KEY]))


def _verified(token: str | None) -> str:
    """The token, replaced if the database knows of a later change (one query)."""
    from conditions.models import ContentVersion

    try:
        version = ContentVersion.current(default=_new_version())
    except DatabaseError:
        # The database is away: nothing can change through it. Serve what the cache holds.
        if token is None:
            return _token(_new_version())
        cache.set(GENERATION_CHECKED_KEY, True, _verify_seconds())
        return token
    if token is None or _version_of(token) != version:
        token = _token(version)
        cache.set(GENERATION_KEY, token, timeout=None)
    cache.set(GENERATION_CHECKED_KEY, True, _verify_seconds())
    return token


def bump_generation(using: str = DEFAULT_DB_ALIAS) -> None:
    """Make every cached page stale, on every server sharing this cache.

    The new version goes to the database (inside the caller's transaction, if any) and to the
    cache now and again when the transaction commits: between the first bump and the commit
    another server could still read the old rows and cache them under the new token. If the
    cache is unreachable, the database's record makes the change count once it is back.
    """
    from conditions.models import ContentVersion

    version = _new_version()
    ContentVersion.record(version, using=using)
    _publish(version)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _publish(version), using=using)


def _publish(version: str) -> None:
    cache.set(GENERATION_KEY, _token(version), timeout=None)


def content_changed(sender=None, using=None, **kwargs) -> None:
    """Signal receiver: any saved or deleted content is a change (see bump_generation)."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed fires pre_* and post_*; only the post_* change the rows.
    bump_generation(using=using or DEFAULT_DB_ALIAS)
    from conditions import purge

    purge.content_changed(sender=sender, using=using, **kwargs)  # the shared cache in front


CONTENT_MODELS = (
    "Condition",
    "Section",
    "FAQ",
    "Reference",
    "ClinicalCode",
    "CareAdvice",
    "ConditionImage",
    "Treatment",
    "TreatmentComparison",
    "ComparisonRow",
    "Questionnaire",
    "Question",
    "AnswerOption",
    "ShowIf",
    "Outcome",
    "OutcomeTrigger",
    "KioskProfile",
    "UrgentHelp",
    "EmergencyTerm",
    "ContentTranslation",
)


def connect_receivers() -> None:
    """Called once from ConditionsConfig.ready(): any saved or deleted content is a change."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for name in CONTENT_MODELS:
        model = apps.get_model("conditions", name)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-save-{name}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"cache-del-{name}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"cache-m2m-{name}-{field.name}",
            )
    # Pages name the reviewer; a renamed clinician changes them too (logins do not).
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="cache-save-user")


def _user_saved(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return
    content_changed(sender=sender, **kwargs)


# -- what a page needs, kept in this process for one content generation -----------------------
# Small, content-derived lists that every search page reads (the published questionnaires, a
# condition's look-alikes): built from the database once per generation in each process, not
# on every request. The token is read before the rows, so rows read before a change are
# never kept under the token that change brought. Nothing a patient typed is a key.
_kept: dict[str, tuple[str, object]] = {}
KEPT_MAX = 4096


def kept_for_generation(name: str, build):
    """`build()`'s value for the current content generation, built once in this process.

    A cache that fails (Redis down) costs a `build()` per call, never a stale value."""
    try:
        token = tracked_generation()
    except Exception:  # noqa: BLE001 - any cache backend error: read the database
        return build()
    entry = _kept.get(name)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = build()
    if len(_kept) >= KEPT_MAX:
        _kept.clear()  # a new generation leaves the old entries unreachable anyway
    _kept[name] = (token, value)
    return value


def changed_at(token: str) -> float:
    try:
        return float(_version_of(token).split(":", 1)[0])
    except ValueError:
        return time.time()


# -- the page cache -----------------------------------------------------------------------
def _request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # A session may hold a logged-in user or questionnaire answers: never cache for it.
    return not any(name in request.COOKIES for name in PERSONAL_COOKIES)


def _response_is_cacheable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: personal
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False  # the view started a session
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    known = {h.lower() for h in VARY_REQUEST_HEADERS} | {"accept-language", "cookie"}
    return vary <= known


def page_key(request) -> str:
    """Where a page lives in the cache; the entry says which generation it belongs to."""
    cookies = sorted(
        (name, value)
        for name, value in request.COOKIES.items()
        if name not in IGNORED_COOKIES and name not in PERSONAL_COOKIES
    )
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        request.GET.urlencode(),  # only the parameters the page reads (see _keep_only)
        *(request.headers.get(h, "") for h in VARY_REQUEST_HEADERS),
        getattr(request, "LANGUAGE_CODE", ""),
        timezone.localdate().isoformat(),
        repr(cookies),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{digest}"


def _freeze(response, token: str) -> dict:
    return {
        "generation": token,
        "status": response.status_code,
        "content": response.content,
        "headers": [(k, v) for k, v in response.items() if k.lower() not in ("date", "set-cookie")],
    }


def _thaw(frozen: dict) -> HttpResponse:
    response = HttpResponse(frozen["content"], status=frozen["status"])
    for key, value in frozen["headers"]:
        response[key] = value
    return response


def cache_patient_page(view=None, *, params: Iterable[str] = (), surrogate_keys=None):
    """Cache a patient GET view's rendered page for anonymous visitors, with its Last-Modified.

    ``params``: the query parameters the view reads. The view sees only those (anything else,
    utm_source=..., x=2, is dropped from request.GET), and only those are in the cache key, so
    a link with tracking parameters is served the same cached page and cannot fill the cache
    with copies. Use as ``@cache_patient_page`` or ``@cache_patient_page(params=("letter",))``.

    ``surrogate_keys``: the shared-cache tags of every page of this view (e.g. ("list",) for
    pages listing every article); by default they come from the content items in the page's
    template context (conditions/purge.py keys_for_context).

    Anonymous pages also carry public Cache-Control and Surrogate-Key headers for a shared
    cache in front (settings.PORTAL_SHARED_CACHE_SECONDS; see shared_cache_headers).

    Never use on questionnaire steps or anything personal: those depend on the session.
    """
    if view is None:
        return partial(cache_patient_page, params=params, surrogate_keys=surrogate_keys)
    allowed = frozenset(params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        _keep_only(request, allowed)
        if not _request_is_cacheable(request):
            return view(request, *args, **kwargs)

        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, GENERATION_CHECKED_KEY, key])
        token = generation(found)
        frozen = found.get(key)
        if frozen is not None and frozen.get("generation") != token:
            frozen = None  # rendered before the last change: stale everywhere
        if frozen is not None:
            response = _thaw(frozen)
            response[HEADER_CACHE_STATUS] = "hit"
        else:
            response = view(request, *args, **kwargs)
            _render(response)
            if not _response_is_cacheable(request, response):
                return response
            patch_vary_headers(response, ("HX-Request",))
            response["Last-Modified"] = http_date(changed_at(token))
            shared_cache_headers(response, surrogate_keys)
            cache.set(key, _freeze(response, token), PAGE_SECONDS)
            response[HEADER_CACHE_STATUS] = "miss"
        return response

    return wrapped


def shared_cache_headers(response, surrogate_keys=None) -> None:
    """Cache-Control for a shared cache and the Surrogate-Key tags of an anonymous page.

    ``public, max-age=<PORTAL_SHARED_CACHE_SECONDS>, stale-while-revalidate=<...>``: a shared
    cache (and the browser) may keep the page that long, and the shared cache is told to drop
    it at once when one of its content items changes (conditions/purge.py). With
    PORTAL_SHARED_CACHE_SECONDS = 0, ``no-cache`` as before: revalidate every time (304s).
    A view that set its own Cache-Control keeps it.
    """
    from conditions import purge

    seconds = int(getattr(settings, "PORTAL_SHARED_CACHE_SECONDS", 60))
    if "Cache-Control" not in response:
        if seconds > 0:
            stale = int(getattr(settings, "PORTAL_SHARED_CACHE_STALE_SECONDS", 300))
            response["Cache-Control"] = f"public, max-age={seconds}, stale-while-revalidate={stale}"
        else:
            response["Cache-Control"] = "no-cache"
    if surrogate_keys is None:
        keys = purge.keys_for_context(getattr(response, "context_data", None) or {})
    else:
        keys = list(surrogate_keys)
    response[HEADER_SURROGATE_KEY] = " ".join([*keys, purge.SITE_KEY])


def _keep_only(request, allowed: frozenset) -> None:
    """Drop every query parameter the view does not read; keep the rest in a canonical order."""
    if not request.GET:
        return
    kept = QueryDict(mutable=True)
    for name in sorted(allowed & set(request.GET)):
        kept.setlist(name, request.GET.getlist(name))
    kept._mutable = False
    request.GET = kept


def _render(response) -> None:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
