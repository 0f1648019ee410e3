"""Admin login protection: the django-axes lockout backend and the client address it keys on."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come through a web request.

    Every web login (the admin's login form) passes the request, and is checked and counted.
    A call without a request (the test client's ``client.login()``, a management command) has
    no client address to lock, so this backend leaves it to the next backend instead of raising
    as axes does; the password is still checked there.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address a login attempt came from.

    With no proxy (PROXY_COUNT=0) it is REMOTE_ADDR. Behind N trusted proxies, each appends the
    address it received from to X-Forwarded-For, so the N-th entry from the right is the client
    as our outermost proxy saw it; anything further left is what the client claimed.
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out admin login gets (429): what happened and how to get unlocked."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "site_header": _("Patient information admin"),
        "site_title": _("Patient information admin"),
    }
    response = TemplateResponse(request, "admin/lockout.html", context, status=429)
    return response.render()
