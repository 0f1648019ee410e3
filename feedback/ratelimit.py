"""Rate limits per client address, in the cache only (never the database).

The address is kept only as a keyed hash inside a cache key that expires with its window, so
even the cache never holds it as text. If the cache cannot be reached the request is allowed:
feedback must never fail a patient, and a cache outage is short.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

from portal.auth import client_ip

logger = logging.getLogger(__name__)


def _limit() -> tuple[int, int]:
    """(submissions, seconds): PORTAL_FEEDBACK_RATE, e.g. "10/600"."""
    text = getattr(settings, "PORTAL_FEEDBACK_RATE", "10/600")
    count, _, seconds = text.partition("/")
    return int(count), int(seconds or 600)


def _address_key(request, scope: str, window: int) -> str:
    address = client_ip(request) or "unknown"
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"rate:{address}".encode(), hashlib.sha256
    ).hexdigest()[:24]
    return f"feedback-rate:{scope}:{digest}:{window}"


def allow(request, scope: str = "feedback") -> bool:
    """Count this submission; False when this address has used up its allowance."""
    limit, seconds = _limit()
    if limit <= 0:
        return True
    window = int(time.time() // seconds)
    key = _address_key(request, scope, window)
    try:
        if cache.add(key, 1, seconds + 5):
            return True
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr: a new window
        return True
    except Exception:  # the cache is down: allow, never fail the patient
        logger.warning("feedback rate limit skipped: the cache did not answer")
        return True
