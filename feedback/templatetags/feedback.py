from django import template

from conditions.kiosk_middleware import is_kiosk_request
from feedback.views import widget_context

register = template.Library()


@register.inclusion_tag("feedback/widget.html", takes_context=True)
def page_feedback(context, kind: str, slug: str):
    """ "Was this page helpful?" and "Report a problem" for a patient page. The same for every
    visitor (cached pages carry it): no token, no per-person state."""
    return widget_context(kind, slug, is_kiosk_request(context["request"]))
