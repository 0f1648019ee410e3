"""Template context every page needs: which base template, and the htmx configuration."""

import json

from django.conf import settings


def portal(request) -> dict:
    from conditions.kiosk_middleware import is_kiosk_request

    kiosk = is_kiosk_request(request)
    return {
        "base_template": "kiosk/base.html" if kiosk else "base.html",
        "is_kiosk": kiosk,
        "htmx_config_json": json.dumps(settings.HTMX_CONFIG, separators=(",", ":")),
    }


def content_language(request) -> dict:
    """The language notice a patient view set (conditions/content_languages.py), for the base templates."""
    return {"content_language": getattr(request, "content_language", None)}
