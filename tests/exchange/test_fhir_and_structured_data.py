"""FHIR Questionnaires and schema.org JSON-LD that other systems can trust."""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from conditions import fhir, models
from tests.conditions.questionnaire_factories import make_questionnaire
from tests.exchange.conftest import PUBLIC
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    make_live,
)


@pytest.fixture
def weeks_questionnaire(db, settings):
    settings.PORTAL_PUBLIC_URL = PUBLIC
    settings.PORTAL_PUBLISHER = "Example Skin Clinic"
    return make_questionnaire(
        slug="baby-spots",
        title="Spots on a baby <3 months",
        questions=[
            {
                "key": "weeks",
                "text": "How old is your baby?",
                "kind": "number",
                "min": 0,
                "max": 52,
            },
        ],
        outcomes=[{"slug": "self-care", "urgency": "self_care", "rule": "default"}],
    )


def _with_unit(questionnaire, unit):
    question = questionnaire.questions.get(key="weeks")
    question.unit = unit
    question.save()
    make_live(questionnaire)


def test_the_canonical_url_is_the_same_whatever_the_host(client, weeks_questionnaire):
    urls = {
        client.get("/check/baby-spots/fhir/", HTTP_HOST=host).json()["url"]
        for host in ("127.0.0.1", "localhost", "127.0.0.1:8000")
    }
    assert urls == {f"{PUBLIC}/check/baby-spots/fhir/"}
    kiosk = client.get("/kiosk/check/baby-spots/fhir/")
    if kiosk.status_code == 200:  # the kiosk copy names the same resource
        assert kiosk.json()["url"] == f"{PUBLIC}/check/baby-spots/fhir/"


def test_the_questionnaire_has_publisher_date_and_a_narrative(client, weeks_questionnaire):
    document = client.get("/check/baby-spots/fhir/").json()
    live = models.Questionnaire.objects.published().get(slug="baby-spots")
    assert document["publisher"] == "Example Skin Clinic"
    assert document["date"] == live.last_reviewed.isoformat()
    assert document["text"]["status"] == "generated"
    div = document["text"]["div"]
    assert div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    assert "Spots on a baby &lt;3 months" in div and "<li>How old is your baby?</li>" in div
    FhirQuestionnaire.model_validate(document)


def test_a_number_questions_unit_is_a_ucum_coding(client, weeks_questionnaire):
    _with_unit(weeks_questionnaire, "weeks")
    document = client.get("/check/baby-spots/fhir/").json()
    item = document["item"][0]
    unit = next(e for e in item["extension"] if e["url"].endswith("questionnaire-unit"))
    assert unit["valueCoding"] == {
        "system": "http://unitsofmeasure.org",
        "code": "wk",
        "display": "weeks",
    }
    FhirQuestionnaire.model_validate(document)


def test_a_unit_without_a_known_ucum_code_keeps_its_text_only():
    assert fhir.unit_coding("spots") == {"display": "spots"}
    assert fhir.unit_coding("Months")["code"] == "mo"


@pytest.mark.parametrize(
    ("accept", "query", "status"),
    [
        ("application/fhir+xml", "", 406),
        ("application/xml", "", 406),
        ("", "?_format=xml", 406),
        ("", "?_format=application/fhir%2Bxml", 406),
        ("application/fhir+json", "", 200),
        ("application/json", "", 200),
        ("*/*", "", 200),
        ("", "", 200),
        ("application/fhir+xml;q=0.9, application/fhir+json;q=0.5", "", 200),
    ],
)
def test_fhir_answers_json_or_406(client, weeks_questionnaire, accept, query, status):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/check/baby-spots/fhir/" + query, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/fhir+json"
    if status == 406:
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "not-supported"


@override_settings(CORS_ALLOWED_ORIGINS=["https://smart-app.example.org"])
def test_browser_fhir_clients_on_configured_origins_may_get_it(client, weeks_questionnaire):
    response = client.get("/check/baby-spots/fhir/", HTTP_ORIGIN="https://smart-app.example.org")
    assert response["Access-Control-Allow-Origin"] == "https://smart-app.example.org"
    other = client.get("/check/baby-spots/fhir/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other
    # The questionnaire's own pages, which hold answers, are not opened to other sites.
    page = client.get("/check/baby-spots/", HTTP_ORIGIN="https://smart-app.example.org")
    assert "Access-Control-Allow-Origin" not in page


# -- schema.org JSON-LD ----------------------------------------------------------------------------
def json_ld(client, slug):
    page = client.get(f"/conditions/{slug}/").content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def milia_with_treatments(db):
    milia = ConditionFactory(published=True, slug="milia", name="Milia", with_content=False)
    from tests.factories import ReferenceFactory

    ReferenceFactory(condition=milia)
    SectionFactory(
        condition=milia, order=0, heading="What milia look like", body="Small white bumps. [1]"
    )
    SectionFactory(condition=milia, order=1, heading="Outlook", body="They go away.")
    models.ClinicalCode.objects.create(
        condition=milia, system="icd-10-cm", code="L72.0", display="Epidermal cyst"
    )
    make_live(milia)
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="Cryotherapy", slug="cryo"),
        recommendation=models.Recommendation.OPTION,
    )
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="Squeezing at home", slug="squeeze"),
        recommendation=models.Recommendation.NOT_RECOMMENDED,
    )
    make_live(comparison)
    return milia


def test_json_ld_lists_the_treatments_the_clinicians_offer(client, milia_with_treatments):
    about = json_ld(client, "milia")["about"]
    names = [t["name"] for t in about["possibleTreatment"]]
    assert names == ["No treatment: wait and see", "Cryotherapy"]
    assert all(t["@type"] == "MedicalTherapy" for t in about["possibleTreatment"])


def test_json_ld_gives_the_signs_from_the_what_it_looks_like_section(client, milia_with_treatments):
    about = json_ld(client, "milia")["about"]
    assert about["signOrSymptom"] == [
        {
            "@type": "MedicalSignOrSymptom",
            "name": "What milia look like",
            "description": "Small white bumps.",
            "url": "http://testserver/conditions/milia/#what-milia-look-like",
        }
    ]
    assert about["code"][0]["codeValue"] == "L72.0"


def test_a_draft_treatment_is_not_in_the_json_ld(client, milia_with_treatments):
    comparison = milia_with_treatments.comparison
    ComparisonRowFactory(
        comparison=comparison, treatment=TreatmentFactory(name="Unapproved laser", slug="laser")
    )
    about = json_ld(client, "milia")["about"]
    assert "Unapproved laser" not in [t["name"] for t in about["possibleTreatment"]]


def test_an_article_without_comparison_or_signs_leaves_them_out(client, db):
    ConditionFactory(published=True, slug="plain", name="Plain")
    about = json_ld(client, "plain")["about"]
    assert "possibleTreatment" not in about and "signOrSymptom" not in about
