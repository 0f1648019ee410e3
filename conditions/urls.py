from django.urls import include, path

from conditions.views import articles, leaflets, pages, preview, questionnaires, search, treatments

app_name = "conditions"


def page(route: str, view, name: str | None = None):
    """A page's address, named as its view is (`conditions:condition_detail`)."""
    return path(route, view, name=name or view.__name__)


# One condition's pages, below conditions/<slug>/.
condition_pages = [
    page("", articles.condition_detail),
    page("treatments/", treatments.treatment_comparison),
    page("treatments/preview/", treatments.treatment_comparison_preview),
    # Staff preview of an article in any status.
    page("preview/", preview.condition_preview),
    page("preview/all/", preview.condition_preview_whole),
    page("preview/<slug:part>/", preview.condition_preview_part),
    # A long article in parts (conditions/article_parts.py): the whole article on one page, and
    # one part. After treatments/ and preview/, which a part's address can never be
    # (RESERVED_IDS).
    page("all/", articles.condition_whole),
    page("<slug:part>/", articles.condition_part),
    # Printed leaflets (conditions/views/leaflets.py): PDFs of the live article and comparison
    # (?size=large for large print), and the admin's DRAFT preview of working copies.
    page("leaflet.pdf", leaflets.condition_leaflet),
    page("treatments/leaflet.pdf", leaflets.comparison_leaflet),
    page("preview/leaflet.pdf", leaflets.condition_leaflet_preview),
    page("treatments/preview/leaflet.pdf", leaflets.comparison_leaflet_preview),
]

# The patient questionnaire (conditions/views/questionnaires.py), below check/<slug>/.
questionnaire_pages = [
    page("", questionnaires.questionnaire_start),
    page("q/<slug:key>/", questionnaires.questionnaire_step),
    page("review/", questionnaires.questionnaire_review),
    page("result/", questionnaires.questionnaire_result),
    page("clear/", questionnaires.questionnaire_clear),
    page("fhir/", questionnaires.questionnaire_fhir),
    page("fhir/response/", questionnaires.questionnaire_response),
    page("advice/<slug:outcome_slug>/", questionnaires.outcome_advice),
    page("preview/", questionnaires.questionnaire_preview),
]

urlpatterns = [
    page("", articles.home),
    page("conditions/", articles.condition_list),
    path("conditions/<slug:slug>/", include(condition_pages)),
    page("search/", search.search_page, name="search"),
    path("check/<slug:slug>/", include(questionnaire_pages)),
    page("about/privacy/", pages.privacy),
    page("about/editorial/", pages.editorial),
]
