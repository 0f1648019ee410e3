"""The kiosk's own pages: the start ("attract") screen, A-Z by letter, choosing a profile, reset.

Everything else a patient reads on the kiosk is the patient site's own views under /kiosk/.
"""

from __future__ import annotations

import string
from http.cookies import Morsel

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from conditions import answers, kiosk_middleware
from conditions.languages import language_entry_point
from conditions.models import Condition, KioskProfile, Questionnaire

LETTERS = list(string.ascii_uppercase)
OTHER = "0-9"


def _letter_of(name: str) -> str:
    first = name[:1].upper()
    return first if first in LETTERS else OTHER


def _kiosk_url(name: str, *args) -> str | None:
    """A kiosk URL, or None while the page behind it does not exist (a tile is then left out)."""
    try:
        return reverse(f"kiosk:{name}", args=args)
    except NoReverseMatch:
        return None


def _tiles(objects, url_name: str, slug_of=lambda obj: obj.slug) -> list[dict]:
    tiles = []
    for obj in objects:
        url = _kiosk_url(url_name, slug_of(obj))
        if url:
            tiles.append({"obj": obj, "url": url})
    return tiles


def _letters(conditions, current: str = "") -> list[dict]:
    """A-Z tiles: only letters that have a published topic (plus 0-9 when a name starts so)."""
    present = {_letter_of(name) for name in conditions.values_list("name", flat=True)}
    return [
        {"letter": letter, "present": True, "current": letter == current}
        for letter in [*LETTERS, OTHER]
        if letter in present
    ]


@require_safe
@language_entry_point
def start(request):
    """The start screen: featured topics and questionnaires, and A-Z as big letter tiles."""
    profile = request.kiosk_profile
    conditions = Condition.objects.published()
    questionnaires = Questionnaire.objects.published()
    if profile.pk:
        # The profile names items (working copies); patients get their live copies.
        featured = conditions.filter(working_copy__in=profile.featured_conditions.all())
        checks = questionnaires.filter(working_copy__in=profile.featured_questionnaires.all())
    else:
        featured = conditions.filter(featured=True)
        checks = questionnaires.filter(featured=True)
    context = {
        "profile": profile,
        "featured": _tiles(featured.only("name", "slug", "summary"), "condition_detail"),
        "checks": _tiles(checks.only("title", "slug"), "questionnaire_start"),
        "letters": _letters(conditions),
    }
    return TemplateResponse(request, "kiosk/start.html", context)


@require_safe
def letter(request, letter):
    """The conditions under one letter, as big tiles."""
    letter = letter.upper()
    if letter not in LETTERS and letter != OTHER:
        raise Http404("No such letter.")
    published = Condition.objects.published()
    conditions = [
        c for c in published.only("name", "slug", "summary") if _letter_of(c.name) == letter
    ]
    context = {
        "letter": letter,
        "tiles": _tiles(conditions, "condition_detail"),
        "letters": _letters(published, current=letter),
    }
    return TemplateResponse(request, "kiosk/letter.html", context)


@require_safe
def choose_profile(request, slug):
    """Make this device the kiosk `slug` (a signed cookie, kept by every reset), then start."""
    profile = get_object_or_404(KioskProfile, slug=slug)
    response = HttpResponseRedirect(reverse("kiosk_home"))
    response.set_signed_cookie(
        kiosk_middleware.PROFILE_COOKIE,
        profile.slug,
        salt=kiosk_middleware.PROFILE_COOKIE_SALT,
        max_age=kiosk_middleware.PROFILE_COOKIE_MAX_AGE,
        # The whole site, not /kiosk/: the kiosk is also /pl/kiosk/ (conditions/languages.py).
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_safe
def start_again(request):
    """ "Start again?": the question asked before a reset, as a page (without JavaScript;
    kiosk.js asks the same in a dialog). "No, go back" returns to ?back=, a kiosk page."""
    back = request.GET.get("back", "")
    here = reverse("kiosk_start_again")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None)
    if not (safe and kiosk_middleware.is_kiosk_path(back)) or back.startswith(here):
        back = reverse("kiosk_home")
    return TemplateResponse(request, "kiosk/start_again.html", {"back_url": back})


# Exempt from CSRF on purpose: a reset only ever removes data, so a forged one can do no more
# than the "Start again" button, and the kiosk must never get stuck on a CSRF error page (for
# example when its CSRF cookie has gone). SameSite=Lax cookies are not even sent cross-site.
@csrf_exempt
@require_POST
def reset(request):
    """Forget this patient: session, questionnaire answers and every other cookie.

    Keeps only the device's kiosk profile and the CSRF token. `Clear-Site-Data: "cache",
    "storage"` makes the browser drop its cache, sessionStorage and localStorage too; its
    "cookies" directive is not sent because it would also wipe the kiosk profile. kiosk.js then
    returns to the start screen with location.replace(), so Back cannot show the last patient.
    """
    request.session.flush()
    response = HttpResponseRedirect(kiosk_middleware.entry_url(), status=303)
    for name in request.COOKIES:
        if name not in kiosk_middleware.KEPT_COOKIES:
            for path in ("/", *kiosk_prefixes()):
                expire_cookie(response, name, path, secure=request.is_secure())
    for path in _answers_paths():
        expire_cookie(response, answers.COOKIE_NAME, path, secure=request.is_secure())
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    response.headers["Cache-Control"] = "no-store"
    return response


def kiosk_prefixes() -> list[str]:
    """/kiosk/ in every offered language: /kiosk/, /pl/kiosk/, /ur/kiosk/."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append(reverse("kiosk_home"))
    return prefixes


def _answers_paths() -> list[str]:
    """The answers cookies are scoped to each questionnaire's own path (public and kiosk, in
    every language), so the reset URL never receives them: expire them at every one of those."""
    paths = []
    slugs = list(Questionnaire.objects.working_copies().values_list("slug", flat=True))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for slug in slugs:
                for namespace in ("conditions", kiosk_middleware.KIOSK_NAMESPACE):
                    try:
                        paths.append(reverse(f"{namespace}:questionnaire_start", args=[slug]))
                    except NoReverseMatch:  # questionnaire pages not mounted: no cookie exists
                        break
    return paths


def expire_cookie(response, name: str, path: str, secure: bool = False) -> None:
    """Expire cookie `name` at `path`, also when the response already expires it elsewhere.

    With the same flags as the cookies it replaces (Secure over https, HttpOnly, SameSite).

    response.delete_cookie() keeps one Set-Cookie per name (response.cookies is keyed by name),
    so the same name at a second path goes in under its own key; Django writes every morsel.
    """
    morsel = Morsel()
    morsel.set(name, "", '""')
    morsel.update(
        {
            "path": path,
            "expires": "Thu, 01 Jan 1970 00:00:00 GMT",
            "max-age": 0,
            "samesite": "Lax",
            "secure": secure,
            "httponly": True,
        }
    )
    key = name if name not in response.cookies else f"{name};{path}"
    dict.__setitem__(response.cookies, key, morsel)
