"""/infobutton/: an EHR's coded problem -> the clinic's reviewed page (HL7 Infobutton, URL-based).

text/html (the default): one page that is about the code or the name opens at once (a 302,
to the baby part for a child under one when the article has one); several, or only related
pages, get a short chooser; none goes to the site search with the display name, whose
"nothing found" page shows the urgent-help card, or, without a name, a page saying so with
the card and a search box. application/json and application/atom+xml list up to three pages.
Every answer is cached like a patient page (ETag, Last-Modified, the shared page cache) and
public for a few minutes; CORS for the configured EHR origins is set by corsheaders (settings).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from conditions.caching import cache_patient_page
from conditions.models import UrgentHelp
from conditions.models.safety import FALLBACK_CARD
from exchange import responses
from exchange.infobutton import (
    ATOM,
    JSON,
    KnowledgeRequest,
    RequestProblem,
    absolute,
    find_pages,
    page_url,
)

# The parameters the infobutton reads: only these are in the cache key (see cache_patient_page).
PARAMETERS = (
    "mainSearchCriteria.v.c",
    "mainSearchCriteria.v.cs",
    "mainSearchCriteria.v.dn",
    "mainSearchCriteria.v.ot",
    "informationRecipient",
    "informationRecipient.languageCode.c",
    "age.v.v",
    "age.v.u",
    "administrativeGender.c",
    "knowledgeResponseType",
)
MAX_AGE_SECONDS = 300


def _public(response, seconds: int = MAX_AGE_SECONDS):
    """Cacheable by anyone for a few minutes. (Cross-Origin-Resource-Policy stays same-origin:
    it binds only no-cors loads; the CORS origins' fetches are allowed by corsheaders.)"""
    patch_cache_control(response, public=True, max_age=seconds)
    return response


@cache_patient_page(params=PARAMETERS)
@require_safe
def infobutton(request):
    try:
        knowledge = KnowledgeRequest.from_query(request.GET)
    except RequestProblem as problem:
        return _problem(request, str(problem))
    answer = find_pages(knowledge)
    request_url = absolute(request.get_full_path())
    if knowledge.response_type == JSON:
        body = json.dumps(responses.json_response(answer, request_url), ensure_ascii=False)
        return _public(HttpResponse(body, content_type="application/json; charset=utf-8"))
    if knowledge.response_type == ATOM:
        body = responses.atom_response(answer, request_url)
        return _public(HttpResponse(body, content_type="application/atom+xml; charset=utf-8"))
    direct = answer.direct
    if direct is not None and not knowledge.language_note:
        return _public(HttpResponseRedirect(page_url(direct)))
    if not answer.matches and knowledge.display_name and not knowledge.language_note:
        search = reverse("conditions:search") + "?" + urlencode({"q": knowledge.display_name})
        return _public(HttpResponseRedirect(search))
    context = {
        "knowledge": knowledge,
        "matches": [(match, page_url(match)) for match in answer.matches],
        "related_only": all(m.kind not in ("exact", "broader", "name") for m in answer.matches),
        "urgent_help": None if answer.matches else _help_card(),
    }
    return _public(TemplateResponse(request, "exchange/infobutton.html", context))


def _help_card():
    return UrgentHelp.objects.search_card() or FALLBACK_CARD


def _problem(request, message: str):
    wants_json = request.GET.get("knowledgeResponseType") == JSON
    if wants_json:
        body = json.dumps({"error": message}, ensure_ascii=False)
        return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")
    context = {"message": message, "urgent_help": None}
    return TemplateResponse(request, "exchange/infobutton_problem.html", context, status=400)
