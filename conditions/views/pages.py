"""Plain information pages about the site itself."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe


@require_safe
def privacy(request):
    """What the site keeps about patients and staff, and what it does not."""
    from feedback.counting import min_count

    context = {
        "k": min_count(),
        "language_cookie": settings.LANGUAGE_COOKIE_NAME,
        "language_cookie_days": settings.LANGUAGE_COOKIE_AGE // (24 * 3600),
        "offers_languages": len(settings.LANGUAGES) > 1,
    }
    return TemplateResponse(request, "conditions/privacy.html", context)


@require_safe
def editorial(request):
    """Who writes and checks the articles, how often, how to report a mistake, who pays."""
    context = {
        "contact_email": settings.EDITORIAL_CONTACT_EMAIL,
        "review_days": settings.REVIEW_DUE_SOON_DAYS,
        "grade_target": settings.READING_GRADE_TARGET,
    }
    return TemplateResponse(request, "conditions/editorial.html", context)
