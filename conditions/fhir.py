"""Pure: a questionnaire spec (conditions/rules.py) to FHIR R4 JSON, and answers to a response.

Questions become items (linkId = the question's key); single and multiple choice become
`choice` items with `answerOption.valueCoding` (multiple choice `repeats`; an exclusive answer
such as "None of these" carries the SDC `questionnaire-optionExclusive` extension), yes/no becomes
`boolean`, numbers become `decimal` with the minValue/maxValue and unit extensions.
Show-if rules become `enableWhen` with `enableBehavior` any/all. Nothing here is stored.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from conditions import rules

OPERATORS = {"is": "=", "is_not": "!=", "lt": "<", "gte": ">="}
STATUS = {"draft": "draft", "in_review": "draft", "published": "active", "archived": "retired"}
EXT = "http://hl7.org/fhir/StructureDefinition/"
UCUM = "http://unitsofmeasure.org"
TRANSLATION = EXT + "translation"
# The units clinicians type for number questions, as UCUM codes (FHIR's questionnaire-unit
# extension expects a UCUM coding). A unit not listed here keeps its text only.
UCUM_UNITS = {
    "weeks": "wk",
    "week": "wk",
    "days": "d",
    "day": "d",
    "months": "mo",
    "month": "mo",
    "years": "a",
    "year": "a",
    "hours": "h",
    "hour": "h",
    "kg": "kg",
    "cm": "cm",
    "mm": "mm",
}


def code_system(spec: dict, key: str) -> str:
    """A URI naming one question's answer codes."""
    return f"urn:portal:questionnaire:{spec['slug']}:{key}"


def _number(value) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral() else float(value)


def _coding(spec: dict, question: dict, code: str) -> dict:
    return {
        "system": code_system(spec, question["key"]),
        "code": code,
        "display": rules.option_text(question, code),
    }


def _enable_when(spec: dict, test: dict) -> dict:
    question = rules.question_by_key(spec, test["question"]) or {"kind": "single", "options": []}
    entry: dict[str, Any] = {"question": test["question"], "operator": OPERATORS[test["op"]]}
    if question["kind"] == "number":
        entry["answerDecimal"] = _number(test["number"])
    elif question["kind"] == "yes_no":
        entry["answerBoolean"] = test["option"] == "yes"
    else:
        entry["answerCoding"] = _coding(spec, question, test["option"])
    return entry


def _answer_option(spec: dict, question: dict, option: dict) -> dict:
    entry: dict[str, Any] = {"valueCoding": _coding(spec, question, option["code"])}
    if option.get("exclusive") and question["kind"] == "multiple":
        # SDC: "None of these" cannot be chosen with another answer, in any form renderer.
        entry["extension"] = [{"url": EXT + "questionnaire-optionExclusive", "valueBoolean": True}]
    return entry


def _item(spec: dict, question: dict) -> dict:
    item: dict[str, Any] = {"linkId": question["key"], "text": question["text"]}
    kind = question["kind"]
    if kind == "number":
        item["type"] = "decimal"
        item["extension"] = [
            {"url": EXT + "minValue", "valueDecimal": _number(question["min"])},
            {"url": EXT + "maxValue", "valueDecimal": _number(question["max"])},
        ]
        if question["unit"]:
            item["extension"].append(
                {"url": EXT + "questionnaire-unit", "valueCoding": unit_coding(question["unit"])}
            )
    elif kind == "yes_no":
        item["type"] = "boolean"
    else:
        item["type"] = "choice"
        item["answerOption"] = [_answer_option(spec, question, o) for o in question["options"]]
        if kind == "multiple":
            item["repeats"] = True
    item["required"] = bool(question["required"])
    if question["show_if"]:
        item["enableWhen"] = [_enable_when(spec, t) for t in question["show_if"]]
        if len(question["show_if"]) > 1:
            item["enableBehavior"] = question["match"]
    if question["help_text"]:
        item["item"] = [
            {"linkId": f"{question['key']}-help", "type": "display", "text": question["help_text"]}
        ]
    return item


def unit_coding(unit: str) -> dict:
    """A number question's unit as a coding: UCUM when we know the code ("weeks" -> wk)."""
    code = UCUM_UNITS.get(unit.strip().lower())
    if code is None:
        return {"display": unit}
    return {"system": UCUM, "code": code, "display": unit}


def narrative(spec: dict) -> dict:
    """The human-readable summary every FHIR resource should carry: the title and questions."""
    questions = "".join(f"<li>{escape(q['text'])}</li>" for q in spec["questions"])
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml">'
        f"<p>{escape(spec['title'])}</p><ol>{questions}</ol></div>"
    )
    return {"status": "generated", "div": div}


def translation_extension(values: dict[str, str]) -> dict | None:
    """FHIR's translation extension on a string's `_element`: {language: text} -> the JSON."""
    if not values:
        return None
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": lang},
                    {"url": "content", "valueString": text},
                ],
            }
            for lang, text in sorted(values.items())
        ]
    }


def _translate(target: dict, name: str, translations: dict, key: str) -> None:
    values = {lang: t[key] for lang, t in translations.items() if (t.get(key) or "").strip()}
    extension = translation_extension(values)
    if extension:
        target[f"_{name}"] = extension


def _add_translations(resource: dict, spec: dict, translations: dict) -> None:
    """Every text of the resource gets its approved translations (`translations`: {language:
    {ContentTranslation key: text}}, each complete for this version)."""
    _translate(resource, "title", translations, "title")
    for item, question in zip(resource["item"], spec["questions"], strict=True):
        key = question["key"]
        _translate(item, "text", translations, f"question.{key}.text")
        for entry in item.get("answerOption", []):
            coding = entry["valueCoding"]
            _translate(coding, "display", translations, f"answer.{key}.{coding['code']}")
        for child in item.get("item", []):
            _translate(child, "text", translations, f"question.{key}.help_text")


def questionnaire_resource(
    spec: dict,
    url: str,
    status: str = "published",
    publisher: str = "",
    date: str = "",
    translations: dict[str, dict] | None = None,
) -> dict:
    """The questionnaire as a FHIR R4 Questionnaire resource (a JSON-ready dict).

    `url` is its canonical address (the clinic's public base URL, never the request's host);
    `date` the day a clinician last approved it; `translations` the approved translations that
    cover this version whole, carried with FHIR's translation extension."""
    resource = {
        "resourceType": "Questionnaire",
        "id": spec["slug"],
        "text": narrative(spec),
        "url": url,
        "version": str(spec["version"]),
        "name": "".join(part.capitalize() for part in spec["slug"].split("-"))[:250],
        "title": spec["title"],
        "status": STATUS.get(status, "draft"),
        "subjectType": ["Patient"],
        "item": [_item(spec, q) for q in spec["questions"]],
    }
    if translations:
        _add_translations(resource, spec, translations)
    if date:
        resource["date"] = date
    if publisher:
        resource["publisher"] = publisher
    return resource


def _answer(spec: dict, question: dict, value) -> list[dict]:
    if question["kind"] == "number":
        return [{"valueDecimal": _number(value)}]
    if question["kind"] == "yes_no":
        return [{"valueBoolean": value == "yes"}]
    codes = value if isinstance(value, list) else [value]
    return [{"valueCoding": _coding(spec, question, code)} for code in codes]


def questionnaire_response(spec: dict, answers: dict, url: str, authored: str) -> dict:
    """The answers that count (hidden questions dropped) as a FHIR R4 QuestionnaireResponse."""
    counted = rules.effective_answers(spec, answers)
    items = []
    for question in spec["questions"]:
        value = counted.get(question["key"])
        if value is None or value == []:
            continue
        items.append(
            {
                "linkId": question["key"],
                "text": question["text"],
                "answer": _answer(spec, question, value),
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{url}|{spec['version']}",
        "status": "completed",
        "authored": authored,
        "item": items,
    }
