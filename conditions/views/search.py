"""Site search: one view, one template, an inline partial for the live (HTMX) results.

The safety net: a search that matches an emergency term of the published help card, or finds
nothing, shows the card (999 and same-day help) above the results. A search that describes a
symptom rather than naming a condition ("rash", "spots") also offers the questionnaires for
the top result and those whose title or introduction has a word of the query, and the top
result's look-alikes (the conditions clinicians linked to it as related), unless the help card
shows: then nothing else competes with it above the results.
"""

from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from conditions import caching, search
from conditions.kiosk_middleware import is_kiosk_request
from conditions.models import Condition, Questionnaire, UrgentHelp
from conditions.models.articles import SEARCH_LIMIT
from conditions.models.safety import FALLBACK_CARD, HelpCard
from feedback import counting

SUGGESTED_QUESTIONNAIRES = 3


@require_safe
@vary_on_headers("HX-Request", "HX-Boosted")
def search_page(request):
    query = search.clean_query(request.GET.get("q", ""))
    results = Condition.objects.search(query, language=get_language()) if query else []
    live = bool(request.htmx) and not request.htmx.boosted
    # Counted, never logged (feedback/counting.py): a submitted search, not a live preview.
    # Robots are not counted, and their result links go straight to the articles.
    person = not counting.is_bot(request.headers.get("User-Agent", ""))
    counted = person and bool(query) and not live and request.method == "GET"
    if counted:
        counting.count_search(query, found=bool(results))
    token = counting.search_token(query, counted) if results and person else ""
    links, kiosk = {}, is_kiosk_request(request)
    terms = search.query_terms(query)
    # Worded here, not by {% blocktranslate %} in the result loop (17 us a result there).
    also_called = gettext("Also called %(term)s")
    for condition in results:
        # A sentence around the words in the article's best-matching section (marked by the
        # database), linking to the part of the article that holds it; else (and always when
        # its name, synonyms and summary hold every word: search.in_key_text) the summary.
        found = search.section_snippet(getattr(condition, "section_snippet", None))
        if found:
            section, condition.snippet = found
            by_name = condition.matched_name or condition.matched_synonym
            condition.part = "" if by_name else section
        else:
            condition.snippet = search.snippet(condition.summary, query, terms=terms)
            condition.part = ""
        condition.href = counting.result_url(links, condition.slug, token, condition.part, kiosk)
        term = condition.matched_synonym
        condition.also_called = also_called % {"term": term} if term else ""
    card = urgent_help(query, results)
    context = {
        "query": query,
        "results": results,
        "limit_reached": len(results) >= SEARCH_LIMIT,
        "live": live,
        "urgent_help": card,
        # With the emergency card showing, nothing else competes with it above the results.
        **symptom_help(query, [] if card else results),
    }
    template = "conditions/search.html#search-results" if live else "conditions/search.html"
    return TemplateResponse(request, template, context)


def urgent_help(query: str, results: list) -> HelpCard | None:
    """The help card when the query has emergency words, or when nothing was found."""
    if not query:
        return None
    card = UrgentHelp.objects.search_card()
    if card is not None and card.matches(query):
        return card
    if not results:
        return card or FALLBACK_CARD
    return None


def symptom_help(query: str, results: list) -> dict:
    """Questionnaires and look-alikes for a symptom search; none for a search that names a
    condition (its article links both) or finds nothing. Both lists are kept per content
    generation (caching.kept_for_generation): no query on most searches."""
    if not results or results[0].matched_name:
        return {"questionnaires": [], "look_alikes": [], "look_alikes_of": None}
    top = results[0]
    terms = [term for term in search.query_terms(query) if len(term) >= 3]
    offered = [
        questionnaire
        for questionnaire, words, conditions in caching.kept_for_generation(
            "search:questionnaires", published_questionnaires
        )
        if top.pk in conditions or any(term in words for term in terms)
    ]
    return {
        "questionnaires": offered[:SUGGESTED_QUESTIONNAIRES],
        "look_alikes": caching.kept_for_generation(
            f"search:look-alikes:{top.pk}", lambda: Condition.objects.look_alikes(top)
        ),
        "look_alikes_of": top,
    }


def published_questionnaires() -> list[tuple[Questionnaire, str, frozenset[int]]]:
    """Every published questionnaire by title, with its title and introduction folded (a query
    word in either offers it) and the conditions it is linked to. Two queries."""
    questionnaires = list(
        Questionnaire.objects.published().only("pk", "title", "slug", "intro").order_by("title")
    )
    links = Questionnaire.conditions.through.objects.filter(
        questionnaire__in=[questionnaire.pk for questionnaire in questionnaires]
    ).values_list("questionnaire_id", "condition_id")
    linked: dict[int, set[int]] = {}
    for questionnaire_id, condition_id in links:
        linked.setdefault(questionnaire_id, set()).add(condition_id)
    return [
        (
            questionnaire,
            search.fold(f"{questionnaire.title}\n{questionnaire.intro}"),
            frozenset(linked.get(questionnaire.pk, ())),
        )
        for questionnaire in questionnaires
    ]
