from django import template
from django.utils.safestring import mark_safe

from conditions import content

register = template.Library()


@register.filter
def clean_html(value: str) -> str:
    """Stored HTML is sanitised on save; sanitise again on render, then mark it safe."""
    return mark_safe(content.sanitise_html(value or ""))  # noqa: S308 - nh3 output
