"""FHIR R4 exports validate with fhir.resources (R4B models; Questionnaire is unchanged from R4)."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from conditions import fhir, rules
from conditions.demo import questionnaires as demo
from conditions.models import Questionnaire
from tests.factories import ConditionFactory, editors

URL = "https://clinic.example/check/white-spots/fhir/"


@pytest.fixture
def spec(db):
    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())
    return rules.questionnaire_spec(Questionnaire.objects.get(slug="white-spots"))


def items(document):
    return {item["linkId"]: item for item in document["item"]}


def test_the_questionnaire_validates_as_fhir(spec):
    document = fhir.questionnaire_resource(spec, URL)
    parsed = FhirQuestionnaire.model_validate(document)
    assert parsed.status == "active"
    assert [i.linkId for i in parsed.item] == [q["key"] for q in spec["questions"]]


def test_question_kinds_map_to_fhir_item_types(spec):
    by_key = items(fhir.questionnaire_resource(spec, URL))
    assert by_key["who"]["type"] == "choice" and "repeats" not in by_key["who"]
    assert by_key["look"]["type"] == "choice" and by_key["look"]["repeats"] is True
    assert by_key["fever"]["type"] == "boolean"
    assert by_key["baby-age"]["type"] == "decimal"
    codes = [o["valueCoding"]["code"] for o in by_key["who"]["answerOption"]]
    assert codes == ["baby", "child", "adult"]
    assert all(item["required"] for item in by_key.values())


def test_enable_when_matches_the_show_if_rules(spec):
    by_key = items(fhir.questionnaire_resource(spec, URL))
    for question in spec["questions"]:
        item = by_key[question["key"]]
        if not question["show_if"]:
            assert "enableWhen" not in item
            continue
        pairs = [
            (
                e["question"],
                e["operator"],
                e.get("answerCoding", {}).get("code", e.get("answerBoolean")),
            )
            for e in item["enableWhen"]
        ]
        boolean = {"yes": True, "no": False}
        expected = [
            (t["question"], "=", boolean.get(t["option"], t["option"])) for t in question["show_if"]
        ]
        assert pairs == expected
        if len(question["show_if"]) > 1:
            assert item["enableBehavior"] == question["match"]
    assert by_key["infection"]["enableWhen"] == [
        {"question": "squeezed", "operator": "=", "answerBoolean": True}
    ]


def test_number_items_carry_min_max_and_unit(spec):
    age = items(fhir.questionnaire_resource(spec, URL))["baby-age"]
    extensions = {e["url"].rsplit("/", 1)[-1]: e for e in age["extension"]}
    assert extensions["minValue"]["valueDecimal"] == 0
    assert extensions["maxValue"]["valueDecimal"] == 52
    assert extensions["questionnaire-unit"]["valueCoding"]["display"] == "weeks"


def test_the_response_validates_and_leaves_out_hidden_answers(spec):
    from decimal import Decimal

    answers = {
        "who": "baby",
        "baby-age": Decimal("7.5"),
        "unwell": ["none"],
        "fever": "no",
        "look": ["typical", "dimpled"],
        "itch-pain": "no",
        "squeezed": "no",
        "infection": "yes",  # hidden (squeezed is no): must not appear
        "history": ["none"],
    }
    document = fhir.questionnaire_response(spec, answers, URL, "2026-11-02T10:00:00+00:00")
    parsed = FhirQuestionnaireResponse.model_validate(json.loads(json.dumps(document)))
    assert parsed.status == "completed"
    by_key = items(document)
    assert "infection" not in by_key
    assert by_key["baby-age"]["answer"] == [{"valueDecimal": 7.5}]
    assert by_key["fever"]["answer"] == [{"valueBoolean": False}]
    assert [a["valueCoding"]["code"] for a in by_key["look"]["answer"]] == ["typical", "dimpled"]
    assert document["questionnaire"] == f"{URL}|{spec['version']}"


def test_the_fhir_url_serves_the_published_questionnaire(client, spec):
    response = client.get("/check/white-spots/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    FhirQuestionnaire.model_validate(json.loads(response.content))
