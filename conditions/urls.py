from django.urls import path

from conditions.views import articles, leaflets, pages, preview, questionnaires, search, treatments

app_name = "conditions"

urlpatterns = [
    path("", articles.home, name="home"),
    path("conditions/", articles.condition_list, name="condition_list"),
    path("conditions/<slug:slug>/", articles.condition_detail, name="condition_detail"),
    path("search/", search.search_page, name="search"),
    path(
        "conditions/<slug:slug>/treatments/",
        treatments.treatment_comparison,
        name="treatment_comparison",
    ),
    path(
        "conditions/<slug:slug>/treatments/preview/",
        treatments.treatment_comparison_preview,
        name="treatment_comparison_preview",
    ),
    path("about/privacy/", pages.privacy, name="privacy"),
]

# Staff preview of an article in any status, and the editorial statement.
urlpatterns += [
    path("conditions/<slug:slug>/preview/", preview.condition_preview, name="condition_preview"),
    path(
        "conditions/<slug:slug>/preview/all/",
        preview.condition_preview_whole,
        name="condition_preview_whole",
    ),
    path(
        "conditions/<slug:slug>/preview/<slug:part>/",
        preview.condition_preview_part,
        name="condition_preview_part",
    ),
    path("about/editorial/", pages.editorial, name="editorial"),
]

# A long article in parts (conditions/article_parts.py): the whole article on one page, and one
# part. After treatments/ and preview/, which a part's address can never be (RESERVED_IDS).
urlpatterns += [
    path("conditions/<slug:slug>/all/", articles.condition_whole, name="condition_whole"),
    path("conditions/<slug:slug>/<slug:part>/", articles.condition_part, name="condition_part"),
]

# The patient questionnaire (conditions/views/questionnaires.py).
urlpatterns += [
    path("check/<slug:slug>/", questionnaires.questionnaire_start, name="questionnaire_start"),
    path(
        "check/<slug:slug>/q/<slug:key>/",
        questionnaires.questionnaire_step,
        name="questionnaire_step",
    ),
    path(
        "check/<slug:slug>/review/",
        questionnaires.questionnaire_review,
        name="questionnaire_review",
    ),
    path(
        "check/<slug:slug>/result/",
        questionnaires.questionnaire_result,
        name="questionnaire_result",
    ),
    path(
        "check/<slug:slug>/clear/", questionnaires.questionnaire_clear, name="questionnaire_clear"
    ),
    path("check/<slug:slug>/fhir/", questionnaires.questionnaire_fhir, name="questionnaire_fhir"),
    path(
        "check/<slug:slug>/fhir/response/",
        questionnaires.questionnaire_response,
        name="questionnaire_response",
    ),
    path(
        "check/<slug:slug>/advice/<slug:outcome_slug>/",
        questionnaires.outcome_advice,
        name="outcome_advice",
    ),
    path(
        "check/<slug:slug>/preview/",
        questionnaires.questionnaire_preview,
        name="questionnaire_preview",
    ),
]

# Printed leaflets (conditions/views/leaflets.py): PDFs of the live article and
# comparison (?size=large for large print), and the admin's DRAFT preview of working copies.
urlpatterns += [
    path(
        "conditions/<slug:slug>/leaflet.pdf", leaflets.condition_leaflet, name="condition_leaflet"
    ),
    path(
        "conditions/<slug:slug>/treatments/leaflet.pdf",
        leaflets.comparison_leaflet,
        name="comparison_leaflet",
    ),
    path(
        "conditions/<slug:slug>/preview/leaflet.pdf",
        leaflets.condition_leaflet_preview,
        name="condition_leaflet_preview",
    ),
    path(
        "conditions/<slug:slug>/treatments/preview/leaflet.pdf",
        leaflets.comparison_leaflet_preview,
        name="comparison_leaflet_preview",
    ),
]
