"""Site search: one view, one template, an inline partial for the live (HTMX) results."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from conditions import search
from conditions.models import Condition
from conditions.models.articles import SEARCH_LIMIT


@require_safe
@vary_on_headers("HX-Request", "HX-Boosted")
def search_page(request):
    query = search.clean_query(request.GET.get("q", ""))
    results = Condition.objects.search(query) if query else []
    for condition in results:
        condition.snippet = search.snippet(condition.search_text, query, condition.summary)
    live = bool(request.htmx) and not request.htmx.boosted
    context = {
        "query": query,
        "results": results,
        "limit_reached": len(results) >= SEARCH_LIMIT,
        "live": live,
    }
    template = "conditions/search.html#search-results" if live else "conditions/search.html"
    return TemplateResponse(request, template, context)
