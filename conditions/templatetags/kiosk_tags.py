"""Kiosk template tags: QR codes (segno, inline SVG made on the server), "Take this home", the
one QR code for a page's source list, and where the kiosk's one "Back" button leads."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

import segno
from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# Which object each page is about, by URL name: "Take this home" leads to that object's public
# page. A questionnaire result names its `outcome`, so the code leads to that outcome's general
# advice page, never to the answers.
TAKE_HOME = {
    "condition_detail": "condition",
    "condition_whole": "condition",
    "condition_part": "part",  # one part of a long article: that part's address
    "treatment_comparison": "comparison",
    "kiosk_condition_leaflet": "condition",  # the leaflet screen: the article it prints
    "kiosk_comparison_leaflet": "comparison",
    "questionnaire_start": "questionnaire",
    "questionnaire_step": "questionnaire",
    "questionnaire_review": "questionnaire",
    "questionnaire_result": "outcome",
    "outcome_advice": "outcome",
    "questionnaire_clear": "questionnaire",
}
# Questionnaire pages whose "Back" is the previous step of the run, never the history.
QUESTIONNAIRE_PAGES = frozenset(
    {
        "questionnaire_start",
        "questionnaire_step",
        "questionnaire_review",
        "questionnaire_result",
        "questionnaire_clear",
        "outcome_advice",
    }
)


def qr_svg(data: str, label: str) -> str:
    """An inline SVG QR code for `data`, with `label` as its accessible name.

    Black on white with the standard four-module quiet zone, so it scans in dark mode too; no
    width or height, so CSS sets the size; no style attributes (strict CSP).
    """
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
    )
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label, quote=True)}" focusable="false" ',
        1,
    )


@register.simple_tag
def qr_code(data: str, label: str = "") -> str:
    """`{% qr_code url "QR code: ..." %}` renders an accessible inline SVG QR code."""
    label = label or _("QR code: scan it with your phone camera to open this page.")
    return mark_safe(qr_svg(str(data), label))  # noqa: S308 - our own SVG, label escaped


def _object_path(context, match) -> str:
    """The public path of the object this page is about (see TAKE_HOME), or ""."""
    key = TAKE_HOME.get(match.url_name) if match else None
    obj = context.get(key) if key else None
    if obj is None:
        return ""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    questionnaire = context.get("questionnaire")
    if key == "outcome" and isinstance(obj, Mapping) and obj.get("slug") and questionnaire:
        # The result page's outcome is the questionnaire spec's dict, not the model.
        return reverse("conditions:outcome_advice", args=[questionnaire.slug, obj["slug"]])
    return ""


def _public_twin(match) -> str:
    """The patient site's page that this kiosk page mirrors (no query string: nothing the
    patient chose travels in the code), or the public home page."""
    if match is not None:
        if match.url_name == "kiosk_letter":
            letter = match.kwargs.get("letter", "").upper()
            query = "0-9" if letter == "0-9" else letter
            return f"{reverse('conditions:condition_list')}?letter={query}"
        if match.namespace == "kiosk":
            try:
                return reverse(f"conditions:{match.url_name}", args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                pass
    return reverse("conditions:home")


def take_home_url(context) -> str:
    """The public address of this page: of what it is about (an article, a comparison, a
    questionnaire, an outcome's advice), else of its public twin, else the public home page."""
    request = context.get("request")
    if request is None:
        return ""
    match = getattr(request, "resolver_match", None)
    path = _object_path(context, match) or _public_twin(match)
    return request.build_absolute_uri(path)


@register.inclusion_tag("kiosk/take_home.html", takes_context=True)
def take_home(context) -> dict:
    """The "Take this home" QR code for the page's object (see TAKE_HOME)."""
    # The leaflet screen has its own "Print the leaflet": no second Print button there.
    can_print = context.get("can_print", False) and not context.get("is_leaflet_screen")
    return {"url": take_home_url(context), "can_print": can_print}


@register.inclusion_tag("kiosk/sources_qr.html", takes_context=True)
def sources_qr(context, path: str) -> dict:
    """ONE code for a whole source list (its public page, e.g. `/conditions/milia/#sources`),
    instead of a code beside every source: the sources themselves are plain text here."""
    request = context.get("request")
    return {"url": request.build_absolute_uri(path) if request is not None and path else ""}


def back_target(context) -> tuple[str, str]:
    """Where the kiosk's one Back button leads: (url, kind).

    kind "step": the previous step of a flow, which the server knows (a questionnaire's
    previous question, its intro from the first question; the page a confirm screen was
    opened from). kind "parent": the page above this one (an article's A-Z letter, a
    comparison's article); with JavaScript the button goes to the page the patient actually
    came from instead (kiosk.js keeps that trail), so an article opened from a letter page goes
    back to that letter page. ("", "") on the start screen, which has nothing before it.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else None
    if name == "kiosk_home":
        return "", ""
    if name == "kiosk_start_again":
        return context.get("back_url") or reverse("kiosk_home"), "step"
    questionnaire = context.get("questionnaire")
    if name in QUESTIONNAIRE_PAGES and questionnaire is not None:
        if name == "questionnaire_start":
            return reverse("kiosk_home"), "parent"
        start = reverse("kiosk:questionnaire_start", args=[questionnaire.slug])
        return context.get("back_url") or start, "step"
    condition = context.get("condition")
    if name == "kiosk_condition_leaflet" and condition is not None:
        return reverse("kiosk:condition_detail", args=[condition.slug]), "parent"
    if name == "kiosk_comparison_leaflet" and condition is not None:
        return reverse("kiosk:treatment_comparison", args=[condition.slug]), "parent"
    if name == "treatment_comparison" and condition is not None:
        return reverse("kiosk:condition_detail", args=[condition.slug]), "parent"
    if name == "condition_detail" and condition is not None:
        from conditions.views.kiosk import _letter_of

        return reverse("kiosk_letter", args=[_letter_of(condition.name)]), "parent"
    return reverse("kiosk_home"), "parent"


@register.inclusion_tag("kiosk/back.html", takes_context=True)
def kiosk_back(context) -> dict:
    """The header's Back button (a real link: it works without JavaScript too)."""
    url, kind = back_target(context)
    return {"url": url, "kind": kind}


@register.simple_tag(takes_context=True)
def kiosk_back_url(context) -> str:
    """`data-kiosk-back-url` for content that HTMX swaps in: kiosk.js moves it to the button."""
    return back_target(context)[0]


@register.simple_tag(takes_context=True)
def kiosk_back_kind(context) -> str:
    return back_target(context)[1]


@register.simple_tag(takes_context=True)
def kiosk_start_again_url(context) -> str:
    """The "Start again?" confirm page, told which page "No, go back" returns to (this one)."""
    request = context.get("request")
    url = reverse("kiosk_start_again")
    match = getattr(request, "resolver_match", None)
    if request is None:
        return url
    if match is not None and match.url_name == "kiosk_start_again":
        return request.get_full_path()
    return f"{url}?{urlencode({'back': request.get_full_path()})}"
