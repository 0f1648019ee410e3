"""The patient's language: which address serves which language, and the switcher.

The rule, chosen for caching: **the path names the language**. English pages are unprefixed
(/conditions/milia/), every other offered language is under its code (/pl/conditions/milia/,
/pl/kiosk/); portal/urls.py mounts them with ``i18n_patterns(prefix_default_language=False)`` and
portal.middleware.PathLocaleMiddleware activates the path's language with no
``Vary: Accept-Language``. So every such page is the same for everyone who asks for that address,
and the server page cache (conditions/caching.py, keyed by path and language) and shared HTTP
caches may keep one copy per address.

Only the two entry points, the home page ``/`` and the kiosk start screen ``/kiosk/``, look at
the visitor: a language chosen with the switcher (cookie settings.LANGUAGE_COOKIE_NAME), else
the browser's Accept-Language. When that is another offered language they redirect to its
address (``/pl/``, ``/pl/kiosk/``). Those responses, redirect or English page, carry
``Vary: Accept-Language, Cookie`` and ``Cache-Control: private`` so no shared cache keeps them.

The switcher's links go through ``choose_language`` (/language/ and /kiosk/language/), which sets
the cookie and redirects to the same page in the chosen language. On the kiosk the cookie is
removed by every reset (conditions/views/kiosk.py), so the next patient starts in the screen's
own language.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

# Languages written right to left (Django's own list: he, ar, ar-dz, ckb, fa, ps, ug, ur ...).
RTL = frozenset(settings.LANGUAGES_BIDI)


def offered() -> list[tuple[str, str]]:
    """(code, name in its own language) for every language the clinic offers, English first."""
    return list(settings.LANGUAGES)


def language_of_path(path: str) -> str:
    """The language an address serves: its prefix, or English when it has none."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def strip_language(path: str) -> str:
    """The address without its language prefix: /pl/kiosk/ -> /kiosk/, /kiosk/ -> /kiosk/."""
    if not translation.get_language_from_path(path):
        return path
    parts = path.split("/", 2)
    return "/" + (parts[2] if len(parts) > 2 else "")


def address_in(path: str, language: str) -> str | None:
    """The same page in ``language`` (query string kept), or None if it has no such address."""
    parts = urlsplit(path)
    with translation.override(language_of_path(parts.path)):
        try:
            resolve(parts.path)
        except Resolver404:
            return None
        translated = translate_url(path, language)
    return translated


def alternates(request) -> list[dict]:
    """This page in every offered language, for ``<link rel="alternate" hreflang>`` and the
    switcher. Empty on a page that no pattern named (a 404), or when only English is offered."""
    if len(settings.LANGUAGES) < 2 or request.resolver_match is None:
        return []
    from conditions.kiosk_middleware import is_kiosk_request

    here = request.path
    query = request.GET.urlencode()  # only the parameters the page reads (caching._keep_only)
    if query:
        here = f"{here}?{query}"
    current = translation.get_language()
    switch = reverse("kiosk_choose_language" if is_kiosk_request(request) else "choose_language")
    result = []
    for code, name in offered():
        target = address_in(here, code)
        if target is None:
            return []
        result.append(
            {
                "code": code,
                "name": name,
                "href": target,
                "absolute": request.build_absolute_uri(target),
                "switch": f"{switch}?{urlencode({'to': code, 'next': here})}",
                "current": code == current,
                "dir": "rtl" if code.split("-")[0] in RTL else "ltr",
            }
        )
    if len({language["href"] for language in result}) < 2:
        return []  # an address outside i18n_patterns (/infobutton/): one for all languages
    return result


def context(request) -> dict:
    """Context processor: the page in every language (lazily: most admin pages never ask)."""
    from django.utils.functional import SimpleLazyObject

    return {"language_alternates": SimpleLazyObject(lambda: alternates(request))}


# -- the entry points -------------------------------------------------------------------------
def preferred_language(request) -> str:
    """The visitor's language: the switcher's cookie, else Accept-Language, else English."""
    return translation.get_language_from_request(request, check_path=False)


def language_entry_point(view):
    """For ``/`` and ``/kiosk/`` only: send a visitor to their language's address.

    The unprefixed address redirects (302) to the prefixed one when the visitor's language
    (cookie, then Accept-Language) is another offered language, and otherwise shows the English
    page. Either answer depends on the request's headers, so it says so (Vary) and stays out of
    shared caches (private). The prefixed addresses (/pl/) always show their own language.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if translation.get_language_from_path(request.path_info):
            return view(request, *args, **kwargs)
        wanted = preferred_language(request)
        if wanted != settings.LANGUAGE_CODE:
            target = address_in(request.get_full_path(), wanted)
            response = HttpResponseRedirect(target) if target else None
        else:
            response = None
        if response is None:
            response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.pop("Cache-Control", None)
        patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapped
