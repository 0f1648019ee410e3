"""Printed leaflets: an article or a treatment comparison as an A4 PDF.

The leaflet is an HTML page (templates/conditions/leaflet_*.html, static/css/leaflet.css) that
WeasyPrint typesets with Debian's Pango. Patients get leaflets of live copies only; the admin's
draft preview renders a working copy, marked DRAFT on every page, and is never cached.

Caching: the leaflet's HTML is rendered first (a few milliseconds) and the SHA-256 of that HTML
and the stylesheet is the PDF's content version. It changes with anything printed on the page
(the approved text, the reviewer's name, the review dates, the overdue notice, the address in
the QR code, the size, the date it is printed on) and with nothing else, so an approval shows at
once and an unrelated edit does not throw good PDFs away. The PDF bytes are kept in the shared cache under that
digest; the digest is also the ETag, so a repeat request is a 304 without touching the cache.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import cache as memoise
from functools import lru_cache

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

STYLESHEET = "css/leaflet.css"
CACHE_PREFIX = "leaflet"
# PDFs also expire by themselves; a changed page gets a new digest (a new key) at once.
CACHE_SECONDS = getattr(settings, "LEAFLET_CACHE_SECONDS", 7 * 24 * 3600)
SIZES = {"": "standard", "standard": "standard", "large": "large"}


class UnknownSize(ValueError):
    """?size= named something other than standard or large."""


class LeafletsUnavailable(RuntimeError):
    """WeasyPrint cannot load here (Debian's Pango is missing): see the README."""


def size_from(value: str | None) -> str:
    """'standard' or 'large' from the ?size= parameter (missing or empty: standard)."""
    try:
        return SIZES[(value or "").strip().lower()]
    except KeyError:
        raise UnknownSize(value) from None


def public_url(path: str) -> str:
    """The address the QR code leads to: on the clinic's public address (PORTAL_PUBLIC_URL,
    the one FHIR, the infobutton and emails use), whatever host printed it: a leaflet goes
    home, where a kiosk's or an internal address would not open."""
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + path


@lru_cache(maxsize=1024)
def qr_data_uri(url: str) -> str:
    """A PNG QR code as a data: URI (a real image in the PDF, which scanners and tests read).

    Four pixels a module, printed 30 mm wide without smoothing (image-rendering: pixelated).
    Kept in memory per address: encoding the PNG is most of a cached leaflet's time."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=4)


def clinic_name() -> str:
    return (getattr(settings, "PORTAL_CLINIC_NAME", "") or "").strip() or _("Patient information")


# -- rendering -------------------------------------------------------------------------------
@memoise
def stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(template: str, context: dict) -> str:
    """The leaflet as HTML: the page plus what every leaflet prints (clinic, date, QR code)."""
    url = context["online_url"]
    return render_to_string(
        template,
        {
            "clinic_name": clinic_name(),
            "printed_on": timezone.localdate(),
            "qr_src": qr_data_uri(url),
            **context,
        },
    )


def render_pdf(html: str) -> bytes:
    """Typeset the HTML as a PDF (WeasyPrint, imported here: it is slow to import).

    Only data: URIs (the QR code) may be loaded: nothing comes from the network or the disk,
    whatever a clinician's text contains."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        logger.error("Leaflets cannot be made: WeasyPrint did not load (%s)", error)
        raise LeafletsUnavailable(str(error)) from error

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = HTML(string=html, url_fetcher=fetcher)
    # Tagged (headings, lists, tables, the QR code's alt text) for screen readers.
    return document.write_pdf(
        stylesheets=[CSS(string=stylesheet(), url_fetcher=fetcher)], pdf_tags=True
    )


def digest_of(html: str) -> str:
    text = stylesheet() + "\x1f" + html
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Leaflet:
    pdf: bytes
    digest: str
    cached: bool  # served from the cache
    seconds: float  # time spent producing the PDF bytes


def etag(digest: str) -> str:
    return f'"{digest[:40]}"'


def cache_key(digest: str) -> str:
    return f"{CACHE_PREFIX}:{digest}"


def leaflet_pdf(html: str, *, use_cache: bool = True, digest: str | None = None) -> Leaflet:
    """The PDF for this HTML: from the cache when it was made before, else typeset (and
    cached). A cache that fails (Redis down) costs the typesetting, never the leaflet."""
    started = time.perf_counter()
    digest = digest or digest_of(html)
    key = cache_key(digest)
    if use_cache:
        try:
            found = cache.get(key)
        except Exception:  # noqa: BLE001 - any cache backend error: make it afresh
            logger.warning("Cache unavailable: leaflet made afresh", exc_info=True)
            found = None
        if isinstance(found, bytes):
            return Leaflet(found, digest, True, time.perf_counter() - started)
    pdf = render_pdf(html)
    if use_cache:
        try:
            cache.set(key, pdf, CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - not cached this time; the leaflet is still served
            logger.warning("Cache unavailable: leaflet not cached", exc_info=True)
    return Leaflet(pdf, digest, False, time.perf_counter() - started)


# -- what each leaflet shows ---------------------------------------------------------------------
def help_numbers() -> dict:
    """The emergency and same-day numbers from the clinic's reviewed help card (999 and 111
    until one is published)."""
    from conditions.models import UrgentHelp
    from conditions.models.safety import FALLBACK_CARD

    card = UrgentHelp.objects.search_card() or FALLBACK_CARD
    return {"emergency_phone": card.emergency_phone, "urgent_phone": card.urgent_phone}


def condition_context(condition, content: dict, online_url: str, size: str, draft: bool) -> dict:
    """The article leaflet: summary, urgent help, self-care and when to get help.

    `content` is conditions.views.articles.article_content(condition): the same lists, in the
    same order, as the article page shows."""
    from conditions.models import CareAdvice

    advice = content["care_advice"]
    self_care = [a for a in advice if a.level == CareAdvice.Level.SELF_CARE]
    get_help = [a for a in content["other_advice"] if a.level != CareAdvice.Level.SELF_CARE]
    return {
        "title": condition.name,
        "item": condition,
        "condition": condition,
        "urgent_advice": content["urgent_advice"],
        "self_care": self_care,
        "get_help": get_help,
        "has_comparison": content["comparison"] is not None,
        "online_url": online_url,
        "large": size == "large",
        "draft": draft,
        **help_numbers(),
    }


def comparison_context(comparison, rows: list, online_url: str, size: str, draft: bool) -> dict:
    """The comparison leaflet: every option in one table (name, what it involves, our view)."""
    return {
        "title": _("Treatment options for %(name)s") % {"name": comparison.condition.name},
        "item": comparison,
        "comparison": comparison,
        "condition": comparison.condition,
        "rows": rows,
        "online_url": online_url,
        "large": size == "large",
        "draft": draft,
        **help_numbers(),
    }
