"""The language switcher's target: remember the patient's choice, show the same page in it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from conditions import kiosk_middleware
from conditions.languages import address_in, offered


@require_safe
def choose_language(request):
    """GET /language/?to=pl&next=/conditions/milia/: set the language cookie, then redirect.

    A link, not a POST form, so every patient page stays free of a CSRF token and cacheable; a
    forged link could only change which language this browser's home page opens in. On the kiosk
    (/kiosk/language/) ``next`` must be a kiosk page, and the cookie goes at the next reset.
    """
    code = request.GET.get("to", "")
    next_url = request.GET.get("next", "")
    codes = dict(offered())
    in_kiosk = kiosk_middleware.is_kiosk_request(request)
    home = reverse("kiosk_home" if in_kiosk else "conditions:home")
    if code not in codes:
        return HttpResponseBadRequest(
            _("This site is not offered in that language."), content_type="text/plain"
        )
    safe = next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not safe or kiosk_middleware.is_kiosk_path(next_url) != in_kiosk:
        next_url = home
    target = address_in(next_url, code) or address_in(home, code)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path="/",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
