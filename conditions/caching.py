"""The one place for page caching and its invalidation.

A "content generation" token lives in the configured cache (local memory by default, Redis in
production, shared by every app server). Saving or deleting any content model replaces the
token (receivers wired in ConditionsConfig.ready()), so every cached page is stale at once, on
every server. Each cached page carries the token it was rendered under and is served only while
that token is current, so nothing has to be deleted one by one. The token and the page come
back in one cache round trip (get_many: one MGET on Redis), which is what makes a hit cheap.

`cache_patient_page` caches a patient GET view's rendered response for anonymous visitors and
sets ETag and Last-Modified so a repeat visit gets a 304. It caches only what is the same for
every such visitor: no session cookie or messages, no CSRF token in the page, no Set-Cookie,
no Cache-Control of private/no-store/no-cache, and only 200s. Questionnaire steps are never
cached (they live on the session). The key holds everything a page may depend on: scheme, host,
path with query string, the HX-Request/HX-Boosted/HX-Target headers, the language, today's
date (review-overdue notices change at midnight) and any other cookies (the kiosk profile).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "content-generation"
PAGE_KEY_PREFIX = "page"
# Cached pages also expire by themselves; a new generation makes them unreachable earlier.
PAGE_SECONDS = getattr(settings, "PAGE_CACHE_SECONDS", 60 * 60)
VARY_REQUEST_HEADERS = ("HX-Request", "HX-Boosted", "HX-Target", "HX-History-Restore-Request")
# Request cookies that never change a cacheable page (a page that used the CSRF token is
# not cached at all). The session and messages cookies make a request uncacheable.
IGNORED_COOKIES = {settings.CSRF_COOKIE_NAME}
# (questionnaire_answers: conditions/answers.py; its path keeps it off these pages anyway.)
PERSONAL_COOKIES = {settings.SESSION_COOKIE_NAME, "messages", "questionnaire_answers"}
HEADER_CACHE_STATUS = "X-Page-Cache"


# -- the content generation ---------------------------------------------------------------
def _new_token() -> str:
    return f"{time.time():.6f}:{uuid.uuid4().hex}"


def generation() -> str:
    """The current content generation token ("<unix time of change>:<random>")."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        # First request after a cache flush: agree on one token across servers.
        cache.add(GENERATION_KEY, _new_token(), timeout=None)
        token = cache.get(GENERATION_KEY) or _new_token()
    return token


def bump_generation() -> None:
    """Make every cached page stale, on every server sharing this cache."""
    cache.set(GENERATION_KEY, _new_token(), timeout=None)


def content_changed(sender=None, using=None, **kwargs) -> None:
    """Signal receiver: bump now, and again when the surrounding transaction commits.

    The second bump matters across servers: between the first bump and the commit another
    server could still read the old rows and cache them under the new token.
    """
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed fires pre_* and post_*; only the post_* change the rows.
    bump_generation()
    if using is not None and transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump_generation, using=using)


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


def changed_at(token: str) -> float:
    try:
        return float(token.split(":", 1)[0])
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
        request.get_full_path(),
        *(request.headers.get(h, "") for h in VARY_REQUEST_HEADERS),
        getattr(request, "LANGUAGE_CODE", ""),
        timezone.localdate().isoformat(),
        repr(cookies),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{digest}"


def _etag(content: bytes) -> str:
    return f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'


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


def cache_patient_page(view):
    """Cache a patient GET view's rendered page for anonymous visitors; answer 304s.

    Never use on questionnaire steps or anything personal: those depend on the session.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _request_is_cacheable(request):
            response = view(request, *args, **kwargs)
            _render(response)
            if response.status_code == 200 and not response.streaming:
                response.setdefault("ETag", _etag(response.content))
                return get_conditional_response(request, etag=response["ETag"], response=response)
            return response

        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        token = found.get(GENERATION_KEY) or generation()
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
            response["ETag"] = _etag(response.content)
            response["Last-Modified"] = http_date(changed_at(token))
            response.setdefault("Cache-Control", "no-cache")
            cache.set(key, _freeze(response, token), PAGE_SECONDS)
            response[HEADER_CACHE_STATUS] = "miss"
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(changed_at(token)),
            response=response,
        )

    return wrapped


def _render(response) -> None:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
