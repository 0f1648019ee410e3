"""Staff preview: the real patient page for an article in any status, never cached.

Patients never reach this: anyone who is not active staff with permission to view condition
articles gets the same 404 as for a page that does not exist. The page is rendered by the
patient view's own `article_page()`; the preview only passes a wider base queryset (every
status instead of published()), so it cannot drift from what patients will see.
The previews show working copies: what patients will see once a reviewer approves them.
"""

from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from conditions.models import Condition
from conditions.views.articles import article_page


def _may_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("conditions.view_condition")


def _preview(request, slug, **kwargs):
    if not _may_preview(request.user):
        raise Http404
    response = article_page(
        request,
        Condition.objects.working_copies(),
        slug,
        preview=True,
        is_preview=True,
        # The patient template extends base_template; the preview base adds the banner.
        base_template="conditions/preview_base.html",
        **kwargs,
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def condition_preview(request, slug):
    return _preview(request, slug)


@require_safe
def condition_preview_part(request, slug, part):
    """One part of a long article, as patients will see it (the same parts)."""
    return _preview(request, slug, part_slug=part)


@require_safe
def condition_preview_whole(request, slug):
    return _preview(request, slug, whole=True)
