from urllib.parse import urlencode

from django import template
from django.urls import reverse

from conditions.kiosk_middleware import is_kiosk_request
from feedback.views import widget_context

register = template.Library()


@register.inclusion_tag("feedback/widget.html", takes_context=True)
def page_feedback(context, kind: str, slug: str):
    """ "Was this page helpful?" and "Report a problem" for a patient page. The same for every
    visitor (cached pages carry it): no token, no per-person state."""
    return widget_context(kind, slug, is_kiosk_request(context["request"]))


@register.simple_tag(takes_context=True)
def search_result_url(context, slug: str, token: str, part: str = "") -> str:
    """A search result's link: through the counted redirect when the search has a token; to
    the article's part `part` (a section's anchor) when the words were found there."""
    kiosk = is_kiosk_request(context["request"])
    if not token:
        name, args = ("condition_part", [slug, part]) if part else ("condition_detail", [slug])
        return reverse(
            f"conditions:{name}", args=args, current_app="kiosk" if kiosk else "conditions"
        )
    url = reverse(f"{'kiosk-feedback' if kiosk else 'feedback'}:search_open", args=[slug])
    return f"{url}?t={token}" + (f"&{urlencode({'part': part})}" if part else "")
