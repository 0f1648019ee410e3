"""Kiosk mode: the waiting-room touch screen under /kiosk/.

The kiosk is the patient site's own views mounted a second time (URL namespace "kiosk"). This
module holds what makes those pages a kiosk:

- KioskMiddleware: marks /kiosk/ requests (request.current_app = "kiosk", request.kiosk_profile),
  refuses downloads, sends `Cache-Control: no-store`, and as a safety net rewrites every link in a
  kiosk HTML page so that none leaves the kiosk (see lock_links), and every redirect too.
- the kiosk profile: chosen once per device by a signed cookie (see views/kiosk.py choose_profile).
- kiosk_context: template context (profile, idle and warning seconds, printer).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

KIOSK_PREFIX = "/kiosk/"
KIOSK_NAMESPACE = "kiosk"
PROFILE_COOKIE = "kiosk_profile"
PROFILE_COOKIE_SALT = "conditions.kiosk.profile"
PROFILE_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
# Cookies a reset keeps: which kiosk this is, and Django's CSRF token (holds nothing personal).
KEPT_COOKIES = frozenset({PROFILE_COOKIE, "csrftoken"})
# Downloads, exports and staff previews: refused in the kiosk and never linked from it. A URL
# is blocked when its name or its route contains one of these words.
BLOCKED_NAME_PARTS = ("fhir", "download", "export", "preview")


@functools.lru_cache(maxsize=2048)
def is_kiosk_path(path: str) -> bool:
    """A kiosk address, in any language: /kiosk/..., /pl/kiosk/... (conditions/languages.py).
    Remembered per path: a search page asks once for each of its thirty results."""
    from conditions.languages import strip_language

    return strip_language(path).startswith(KIOSK_PREFIX)


@receiver(setting_changed)
def _forget_kiosk_paths(setting, **kwargs) -> None:
    """Which paths are kiosk addresses depends on the languages offered (tests change them)."""
    if setting in ("LANGUAGES", "LANGUAGE_CODE"):
        is_kiosk_path.cache_clear()


def is_kiosk_request(request) -> bool:
    return is_kiosk_path(request.path)


def entry_url() -> str:
    """The start screen's unprefixed address, where every reset lands: it follows the screen's
    own browser language, so the next patient does not inherit the last one's choice."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return reverse("kiosk_home")


# -- the kiosk profile ------------------------------------------------------------------------
def profile_for(request):
    """The profile named by this device's signed cookie; else the first in use; else defaults."""
    from conditions.models import KioskProfile

    slug = request.get_signed_cookie(PROFILE_COOKIE, default=None, salt=PROFILE_COOKIE_SALT)
    profiles = KioskProfile.objects.all()
    profile = None
    if slug:
        profile = profiles.filter(slug=slug).first()
    fallback = profiles.filter(in_use=True).first()
    return profile or fallback or KioskProfile(name=_("Waiting room"), slug="default")


def kiosk_context(request) -> dict:
    """Context processor: the kiosk profile and what the templates need from it."""
    if not is_kiosk_request(request):
        return {"kiosk_profile": None, "can_print": True}
    profile = getattr(request, "kiosk_profile", None) or profile_for(request)
    return {
        "kiosk_entry_url": entry_url(),
        "kiosk_profile": profile,
        "kiosk_idle_seconds": profile.idle_seconds,
        "kiosk_warning_seconds": max(profile.warning_seconds, 20),
        "can_print": profile.printer_available,
    }


# -- which links may stay in a kiosk page -------------------------------------------------------
@dataclass(frozen=True)
class LinkDecision:
    action: str  # "keep", "rewrite" (to `href`) or "strip" (plain text)
    href: str = ""


KEEP = LinkDecision("keep")


def _blocked(match) -> bool:
    words = f"{match.url_name or ''} {match.route or ''}"
    return any(part in words for part in BLOCKED_NAME_PARTS)


def decide_link(href: str | None, request, *, download: bool = False) -> LinkDecision:
    """What a kiosk page does with a link: keep it, point it into the kiosk, or make it text."""
    if href is None:
        return KEEP
    href = href.strip()
    if download:
        return LinkDecision("strip")
    if href == "" or href.startswith("#"):
        return KEEP
    try:
        parts = urlsplit(href)
    except ValueError:
        return LinkDecision("strip")
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return LinkDecision("strip")  # mailto:, tel:, javascript:, data: ...
    if parts.netloc and parts.netloc.lower() != request.get_host().lower():
        return LinkDecision("strip")
    path = parts.path or request.path
    if not path.startswith("/"):
        path = request.path.rsplit("/", 1)[0] + "/" + path
    try:
        match = resolve(path)
    except Resolver404:
        # A broken link inside the kiosk shows the kiosk's 404 page; anything else leaves it.
        return KEEP if is_kiosk_path(path) else LinkDecision("strip")
    if _blocked(match):
        return LinkDecision("strip")
    if is_kiosk_path(path):
        return KEEP if not parts.netloc else LinkDecision("rewrite", href=_local(parts, path))
    if match.namespace != "conditions":
        return LinkDecision("strip")  # admin, healthz, static and media files
    try:
        kiosk_path = reverse(
            f"{KIOSK_NAMESPACE}:{match.url_name}", args=match.args, kwargs=match.kwargs
        )
    except NoReverseMatch:
        return LinkDecision("strip")
    return LinkDecision("rewrite", href=_local(parts, kiosk_path))


def _local(parts, path: str) -> str:
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class _AnchorScanner(HTMLParser):
    """Finds <a> start and end tags with their offsets (a real tokenizer, not a regex)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[int, int, str, list]] = []
        self._line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self._line_starts.append(index + 1)
        self._text = text

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area"):
            self.events.append((self._offset(), len(self.get_starttag_text()), tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "a":
            start = self._offset()
            end = self._text.find(">", start)
            self.events.append(
                (start, (end + 1 if end >= 0 else len(self._text)) - start, "/a", [])
            )


def _start_tag(tag: str, attrs: list) -> str:
    rendered = "".join(
        f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
        for name, value in attrs
    )
    return f"<{tag}{rendered}>"


def lock_links(html: str, request) -> str:
    """Every link in a kiosk page stays in the kiosk: off-site ones become plain text.

    Same-site links to public pages are pointed at their kiosk twin; links to the admin,
    downloads (FHIR and the like, or a `download` attribute), mailto: and other schemes are
    turned into plain text. No code is drawn beside each one (a page of sources became a page
    of codes splitting its sentences): the page's one "Take this home" code opens the public
    page with every link, and a source list has one code of its own (the `sources_qr` tag).
    """
    scanner = _AnchorScanner(html)
    scanner.feed(html)
    scanner.close()
    out: list[str] = []
    position = 0
    open_strip: LinkDecision | None = None
    for offset, length, tag, attrs in scanner.events:
        if offset < position:
            continue
        if tag == "/a":
            if open_strip is None:
                continue
            out.append(html[position:offset])
            out.append("</span>")
            position = offset + length
            open_strip = None
            continue
        values = dict(attrs)
        decision = decide_link(values.get("href"), request, download="download" in values)
        if decision.action == "keep":
            continue
        out.append(html[position:offset])
        if decision.action == "rewrite":
            attrs = [(n, decision.href if n == "href" else v) for n, v in attrs]
            out.append(_start_tag(tag, attrs))
        elif tag == "area":
            out.append("")  # an image-map area cannot become text: drop it
        else:
            out.append('<span class="kiosk-offsite">')
            open_strip = decision
        position = offset + length
    if open_strip is not None:
        out.append(html[position:])
        out.append("</span>")
        return "".join(out)
    out.append(html[position:])
    return "".join(out)


REDIRECT_HEADERS = ("Location", "HX-Redirect", "HX-Push-Url", "HX-Replace-Url")


def _lock_headers(request, response) -> None:
    for header in REDIRECT_HEADERS:
        value = response.headers.get(header)
        if not value or value == "false":
            continue
        decision = decide_link(value, request)
        if decision.action == "rewrite":
            response.headers[header] = decision.href
        elif decision.action == "strip":
            response.headers[header] = reverse("kiosk_home")


class KioskMiddleware:
    """Kiosk requests: namespace, profile, no downloads, no caching, no way out of the kiosk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_kiosk_request(request):
            return self.get_response(request)
        request.current_app = KIOSK_NAMESPACE
        request.kiosk_profile = SimpleLazyObject(lambda: profile_for(request))
        response = self.get_response(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        _lock_headers(request, response)
        if response.status_code >= 500 and not request.headers.get("HX-Request"):
            response = self._calm_error_page(request, response)
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming:
            charset = response.charset or "utf-8"
            html = response.content.decode(charset, errors="replace")
            response.content = lock_links(html, request).encode(charset)
            if "Content-Length" in response.headers:
                response.headers["Content-Length"] = str(len(response.content))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if is_kiosk_request(request) and match is not None and _blocked(match):
            raise Http404("Downloads are not offered on the kiosk.")
        return None

    @staticmethod
    def _calm_error_page(request, response):
        """A server error on the kiosk: the calm "One moment" screen that retries by itself."""
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        try:
            html = render_to_string("kiosk/unavailable.html", {})
        except Exception:  # never fail while reporting a failure
            logger.exception("kiosk: could not render the 'one moment' page")
            return response
        calm = HttpResponse(html, status=response.status_code)
        calm.headers["Cache-Control"] = "no-store"
        calm.headers["Retry-After"] = "5"
        return calm
