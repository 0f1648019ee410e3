"""Plain information pages about the site itself."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe


@require_safe
def privacy(request):
    """What the site keeps about patients and staff, and what it does not."""
    from feedback.counting import min_count

    return TemplateResponse(request, "conditions/privacy.html", {"k": min_count()})


@require_safe
def editorial(request):
    """Who writes and checks the articles, how often, how to report a mistake, who pays."""
    context = {
        "contact_email": settings.EDITORIAL_CONTACT_EMAIL,
        "review_days": settings.REVIEW_DUE_SOON_DAYS,
        "grade_target": settings.READING_GRADE_TARGET,
    }
    return TemplateResponse(request, "conditions/editorial.html", context)
