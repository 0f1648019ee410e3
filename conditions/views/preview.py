"""Staff preview: the real patient page for an article in any status, never cached.

Patients never reach this: anyone who is not active staff with permission to view condition
articles gets the same 404 as for a page that does not exist. The page is built exactly as
the patient view builds it (conditions.views.articles), minus its published() filter, so the
preview cannot drift from what patients will see.
"""

from django.db.models.sql.where import WhereNode
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from conditions.models import Condition
from conditions.views import articles


def _may_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("conditions.view_condition")


def preview_queryset():
    """The patient page's queryset with its published() filter removed: any status."""
    queryset = articles.article_queryset()
    queryset.query.where = WhereNode()
    return queryset


@require_GET
def condition_preview(request, slug):
    if not _may_preview(request.user):
        raise Http404
    try:
        condition = preview_queryset().get(slug=slug)
    except Condition.DoesNotExist:
        raise Http404("No condition with that address") from None
    content = articles.article_content(condition)
    canonical = request.build_absolute_uri(condition.get_absolute_url())
    context = {
        "condition": condition,
        "canonical_url": canonical,
        "json_ld": articles.json_ld(condition, canonical, content),
        **content,
        "is_preview": True,
        # The patient template extends base_template; the preview base adds the banner.
        "base_template": "conditions/preview_base.html",
    }
    response = TemplateResponse(request, "conditions/condition_detail.html", context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
