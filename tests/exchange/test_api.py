"""/api/v1/: published content only, paginated, cacheable, within query budgets, described by
an OpenAPI document that validates."""

from __future__ import annotations

import pytest
from django.test import override_settings
from openapi_spec_validator import validate

from conditions import models
from tests.conditions.questionnaire_factories import make_questionnaire
from tests.exchange.conftest import PUBLIC, article
from tests.factories import (
    ComparisonRowFactory,
    FAQFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    make_live,
)


@pytest.fixture
def content(clinic):
    milia = clinic["milia"]
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="Cryotherapy (freezing)", slug="cryo"),
        recommendation=models.Recommendation.OPTION,
    )
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="Squeezing at home", slug="squeeze"),
        recommendation=models.Recommendation.NOT_RECOMMENDED,
        reason="It does not work and can scar.",
    )
    make_live(comparison)
    questionnaire = make_questionnaire(
        slug="white-spots",
        title="White spots",
        questions=[{"key": "q1", "text": "Any spots?", "options": [("yes", "Yes"), ("no", "No")]}],
        outcomes=[{"slug": "self-care", "urgency": "self_care", "rule": "default"}],
    )
    questionnaire.conditions.add(milia)
    make_live(questionnaire)  # the link, approved
    make_questionnaire(
        slug="draft-check",
        title="Never published check",
        publish=False,
        questions=[{"key": "q1", "options": [("yes", "Yes"), ("no", "No")]}],
        outcomes=[{"slug": "self-care", "urgency": "self_care", "rule": "default"}],
    )
    return clinic


# -- conditions --------------------------------------------------------------------------------
def test_the_condition_list_has_published_articles_only(client, clinic):
    response = client.get("/api/v1/conditions/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert [item["slug"] for item in data["items"]] == ["acne", "milia", "xanthelasma"]
    milia = data["items"][1]
    assert milia["name"] == "Milia"  # not the pending "Milia DRAFT CHANGE"
    assert milia["url"] == f"{PUBLIC}/conditions/milia/"
    assert milia["api_url"] == f"{PUBLIC}/api/v1/conditions/milia/"
    assert milia["also_called"] == ["milium", "milk spots"]
    assert [c["code"] for c in milia["codes"]] == ["L72.0", "254679001"]  # not the draft's L72.8


def test_the_condition_list_is_paginated(client, clinic):
    data = client.get("/api/v1/conditions/?limit=2&offset=1").json()
    assert data["count"] == 3
    assert [item["slug"] for item in data["items"]] == ["milia", "xanthelasma"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=lots", "limit"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
        ("offset=999999999999999999999", "offset"),
    ],
)
def test_a_bad_page_parameter_is_a_422_with_the_reason(client, clinic, query, name):
    response = client.get(f"/api/v1/conditions/?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]


def test_a_condition_has_its_sections_faqs_advice_sources_codes_and_review(client, clinic):
    milia = clinic["milia"]
    FAQFactory(condition=milia, question="Is it contagious?", answer="No.", verdict="myth")
    milia.name = "Milia"
    milia.save()
    make_live(milia)
    data = client.get("/api/v1/conditions/milia/").json()
    assert data["name"] == "Milia"
    assert [s["heading"] for s in data["sections"]] == [
        "What milia look like",
        "Milia in newborn babies",
        "Outlook",
    ]
    assert data["sections"][1]["anchor"] == "milia-in-newborn-babies"
    assert "<strong>plain</strong>" in data["sections"][0]["html"]
    assert data["faqs"] == [
        {"question": "Is it contagious?", "verdict": "myth", "answer_html": "<p>No.</p>"}
    ]
    assert data["references"][0]["number"] == 1
    assert data["references"][0]["url"].startswith("https://")
    assert {c["code"] for c in data["codes"]} == {"L72.0", "254679001", "L72.8"}
    review = data["review"]
    assert review["reviewer"] and review["last_reviewed"] and review["next_review_due"]
    assert review["overdue"] is False


def test_a_draft_never_appears_in_the_api(client, clinic):
    assert client.get("/api/v1/conditions/secret-draft/").status_code == 404
    data = client.get("/api/v1/conditions/milia/").json()
    assert data["name"] == "Milia" and "L72.8" not in {c["code"] for c in data["codes"]}
    listing = client.get("/api/v1/conditions/?limit=200").content.decode()
    assert "secret-draft" not in listing and "DRAFT CHANGE" not in listing


@pytest.mark.parametrize(
    "path",
    ["/api/v1/conditions/%00/", "/api/v1/comparisons/a%20b/", "/api/v1/questionnaires/%E2%80%8B/"],
)
def test_a_slug_that_cannot_be_one_is_a_404(client, clinic, path):
    assert client.get(path).status_code == 404


def test_an_unknown_condition_is_a_json_404(client, clinic):
    response = client.get("/api/v1/conditions/no-such-thing/")
    assert response.status_code == 404
    assert "detail" in response.json()


# -- comparisons and questionnaires ---------------------------------------------------------------
def test_a_comparison_lists_every_option_including_the_not_recommended(client, content):
    listing = client.get("/api/v1/comparisons/").json()
    assert [c["slug"] for c in listing["items"]] == ["milia"]
    data = client.get("/api/v1/comparisons/milia/").json()
    names = [o["treatment"] for o in data["options"]]
    assert names[0] == "No treatment: wait and see"
    assert "Squeezing at home" in names
    squeeze = data["options"][names.index("Squeezing at home")]
    assert squeeze["recommendation"] == "not_recommended"
    assert squeeze["reason"] == "It does not work and can scar."
    assert data["url"] == f"{PUBLIC}/conditions/milia/treatments/"
    condition = client.get("/api/v1/conditions/milia/").json()
    assert condition["treatment_comparison"]["api_url"] == f"{PUBLIC}/api/v1/comparisons/milia/"


def test_questionnaires_link_to_their_fhir_form(client, content):
    listing = client.get("/api/v1/questionnaires/").json()
    assert [q["slug"] for q in listing["items"]] == ["white-spots"]  # not the draft
    item = listing["items"][0]
    assert item["fhir_url"] == f"{PUBLIC}/check/white-spots/fhir/"
    detail = client.get("/api/v1/questionnaires/white-spots/").json()
    assert detail["conditions"] == ["milia"]
    assert client.get(detail["fhir_url"].removeprefix(PUBLIC)).status_code == 200
    assert client.get("/api/v1/questionnaires/draft-check/").status_code == 404


# -- HTTP: caching, CORS, query budgets, OpenAPI -----------------------------------------------
@pytest.mark.parametrize(
    "path", ["/api/v1/conditions/", "/api/v1/conditions/milia/", "/api/v1/questionnaires/"]
)
def test_answers_carry_etag_and_last_modified_and_answer_304(client, clinic, path):
    response = client.get(path)
    assert response["ETag"] and response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_a_publish_is_seen_at_once(client, clinic):
    first = client.get("/api/v1/conditions/milia/")
    make_live(clinic["milia"])
    second = client.get("/api/v1/conditions/milia/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second.json()["name"] == "Milia DRAFT CHANGE"


@override_settings(CORS_ALLOWED_ORIGINS=["https://fhir-app.example.org"])
def test_cors_gets_from_configured_origins(client, clinic):
    response = client.get("/api/v1/conditions/", HTTP_ORIGIN="https://fhir-app.example.org")
    assert response["Access-Control-Allow-Origin"] == "https://fhir-app.example.org"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get(
        "/api/v1/conditions/", HTTP_ORIGIN="https://other.example"
    )


@pytest.mark.parametrize("extra", [0, 20])
def test_query_budgets_hold_whatever_the_size(client, clinic, django_assert_max_num_queries, extra):
    from django.db import connection

    # Django asks SQLite once per connection whether it has JSON (SELECT JSON(...)) the first time
    # a JSON field is read; that is the connection's cost, not the request's.
    assert connection.features.supports_json_field
    for n in range(extra):
        article(f"extra-{n}", f"Extra {n}", codes=[("icd-10-cm", f"L{n:02d}.0", "Something")])
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/conditions/?limit=200").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/conditions/milia/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/questionnaires/").status_code == 200


def test_the_openapi_document_validates(client, clinic):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    paths = set(document["paths"])
    assert {
        "/api/v1/conditions/",
        "/api/v1/conditions/{slug}/",
        "/api/v1/comparisons/",
        "/api/v1/comparisons/{slug}/",
        "/api/v1/questionnaires/",
        "/api/v1/questionnaires/{slug}/",
    } <= paths
    assert all(set(item) == {"get"} for item in document["paths"].values())


def test_there_is_no_docs_page_loading_a_cdn(client, clinic):
    assert client.get("/api/v1/docs").status_code == 404
