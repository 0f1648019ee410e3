"""FHIR R4 exports validate with fhir.resources (R4B models; Questionnaire is unchanged from R4)."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from conditions import fhir
from conditions.demo import questionnaires as demo
from conditions.models import Questionnaire
from tests.built_once import built_per_module
from tests.factories import ConditionFactory, editors

URL = "https://clinic.example/check/white-spots/fhir/"


@built_per_module
def milia_questionnaire_built():
    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())


@pytest.fixture
def spec(db, milia_questionnaire_built):
    return Questionnaire.objects.get(slug="white-spots").spec()


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
    assert by_key["where"]["type"] == "choice" and by_key["where"]["repeats"] is True
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
                e.get("answerCoding", {}).get(
                    "code", e.get("answerBoolean", e.get("answerDecimal"))
                ),
            )
            for e in item["enableWhen"]
        ]
        boolean = {"yes": True, "no": False}
        operators = {"is": "=", "is_not": "!=", "lt": "<", "gte": ">="}
        expected = [
            (
                t["question"],
                operators[t["op"]],
                float(t["number"])
                if t["number"] is not None
                else boolean.get(t["option"], t["option"]),
            )
            for t in question["show_if"]
        ]
        assert pairs == expected
        if len(question["show_if"]) > 1:
            assert item["enableBehavior"] == question["match"]
    assert by_key["yellow-flat"]["enableWhen"] == [
        {
            "question": "where",
            "operator": "=",
            "answerCoding": by_key["yellow-flat"]["enableWhen"][0]["answerCoding"],
        }
    ]
    assert by_key["yellow-flat"]["enableWhen"][0]["answerCoding"]["code"] == "eyelid"
    assert by_key["newborn-pain"]["enableWhen"][1] == {
        "question": "baby-age",
        "operator": "<",
        "answerDecimal": 4,
    }


def test_number_items_carry_min_max_and_unit(spec):
    age = items(fhir.questionnaire_resource(spec, URL))["baby-age"]
    extensions = {e["url"].rsplit("/", 1)[-1]: e for e in age["extension"]}
    assert extensions["minValue"]["valueDecimal"] == 0
    assert extensions["maxValue"]["valueDecimal"] == 52
    assert extensions["questionnaire-unit"]["valueCoding"]["display"] == "weeks"


def test_the_response_validates_and_leaves_out_hidden_answers(spec):
    from decimal import Decimal

    answers = dict(demo.SELF_CARE_PATHS["baby"])  # a baby of 7.5 weeks: older than 4
    answers["baby-age"] = Decimal("7.5")
    answers["where-baby"] = ["face", "body"]
    answers["newborn-pain"] = "yes"  # hidden (the baby is over 4 weeks): must not appear
    answers["blisters"] = "no"
    answers["itch-pain"] = "no"
    document = fhir.questionnaire_response(spec, answers, URL, "2026-11-02T10:00:00+00:00")
    parsed = FhirQuestionnaireResponse.model_validate(json.loads(json.dumps(document)))
    assert parsed.status == "completed"
    by_key = items(document)
    assert "newborn-pain" not in by_key and "newborn-blisters" not in by_key
    assert by_key["baby-age"]["answer"] == [{"valueDecimal": 7.5}]
    assert by_key["fever"]["answer"] == [{"valueBoolean": False}]
    assert [a["valueCoding"]["code"] for a in by_key["where-baby"]["answer"]] == ["face", "body"]
    assert document["questionnaire"] == f"{URL}|{spec['version']}"


def test_the_fhir_url_serves_the_published_questionnaire(client, spec):
    response = client.get("/check/white-spots/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    FhirQuestionnaire.model_validate(json.loads(response.content))


@pytest.mark.django_db
def test_an_exclusive_answer_carries_the_sdc_option_exclusive_extension_and_validates():
    from tests.conditions.questionnaire_factories import urgent_questionnaire

    spec = urgent_questionnaire().spec()
    document = fhir.questionnaire_resource(spec, URL)
    FhirQuestionnaire.model_validate(document)
    options = {o["valueCoding"]["code"]: o for o in items(document)["spots"]["answerOption"]}
    assert options["none"]["extension"] == [
        {
            "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive",
            "valueBoolean": True,
        }
    ]
    assert "extension" not in options["white"] and "extension" not in options["red"]
