"""Kiosk template tags: QR codes (segno, inline SVG made on the server) and "Take this home"."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import segno
from django import template
from django.urls import reverse
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
    "questionnaire_start": "questionnaire",
    "questionnaire_step": "questionnaire",
    "questionnaire_review": "questionnaire",
    "questionnaire_result": "outcome",
    "outcome_advice": "outcome",
}


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


def take_home_url(context) -> str:
    """The public address of what this page is about, or "" when it is about nothing in particular."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    key = TAKE_HOME.get(match.url_name) if match else None
    obj = context.get(key) if key else None
    if obj is None:
        return ""
    if hasattr(obj, "get_absolute_url"):
        return request.build_absolute_uri(obj.get_absolute_url())
    questionnaire = context.get("questionnaire")
    if key == "outcome" and isinstance(obj, Mapping) and obj.get("slug") and questionnaire:
        # The result page's outcome is the questionnaire spec's dict, not the model.
        path = reverse("conditions:outcome_advice", args=[questionnaire.slug, obj["slug"]])
        return request.build_absolute_uri(path)
    return ""


@register.inclusion_tag("kiosk/take_home.html", takes_context=True)
def take_home(context) -> dict:
    """The "Take this home" QR code for the page's object (see TAKE_HOME)."""
    return {"url": take_home_url(context), "can_print": context.get("can_print", False)}
