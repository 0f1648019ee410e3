"""Clinical codes: ICD-10 shapes, SNOMED CT check digits, a display name required."""

import pytest
from django.core.exceptions import ValidationError

from conditions import codes
from conditions.models import ClinicalCode
from tests.conditions.article_admin import change_url, form_data, user_in
from tests.factories import ConditionFactory


@pytest.mark.parametrize(
    "code", ["254679001", "404684003", "73211009", "22298006", "900000000000207008"]
)
def test_real_snomed_concept_ids_pass_verhoeff_and_partition_checks(code):
    # 254679001 is the id the issue names for milia; the others are well-known concepts
    # (clinical finding, myocardial infarction, diabetes mellitus, a long-format id).
    assert codes.verhoeff_valid(code)
    assert codes.code_problem("snomed-ct", code) == ""


def test_one_mistyped_digit_fails_the_snomed_check_digit():
    assert "check digit" in codes.code_problem("snomed-ct", "254679002")
    assert "check digit" in codes.code_problem("snomed-ct", "254769001")  # swapped digits


def test_verhoeff_digit_completes_an_id():
    assert codes.verhoeff_digit("25467900") == "1"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("2546790A1", "digits only"),
        ("12345", "6 to 18 digits"),
        ("0254679001", "never starts with 0"),
        # A valid check digit but partition 01: a description id, not a concept.
        ("25467901" + codes.verhoeff_digit("25467901"), "description id"),
        ("25467902" + codes.verhoeff_digit("25467902"), "relationship id"),
        ("25467905" + codes.verhoeff_digit("25467905"), "has 00 or 10"),
    ],
)
def test_bad_snomed_ids_are_refused_with_the_reason(code, words):
    assert words in codes.code_problem("snomed-ct", code)


@pytest.mark.parametrize("code", ["L72", "L72.0", "L72.11", "C4A", "S52.521A", "T36.0X1A"])
def test_icd10_cm_codes_pass(code):
    assert codes.code_problem("icd-10-cm", code) == ""


@pytest.mark.parametrize("code", ["L72", "L72.0", "L72.00"])
def test_who_icd10_codes_pass(code):
    assert codes.code_problem("icd-10", code) == ""


@pytest.mark.parametrize("code", ["72.0", "LL2.0", "L72.", "L7", "L72.0.1", "L72.123456"])
def test_malformed_icd10_codes_are_refused(code):
    assert codes.code_problem("icd-10-cm", code).startswith("Check the code")


def test_icd10_code_without_its_full_stop_is_told_where_it_goes():
    assert codes.code_problem("icd-10-cm", "L720").startswith("Write the full stop: L72.0")


def test_icd11_stem_codes_pass_and_letters_i_and_o_are_refused():
    assert codes.code_problem("icd-11", "ED50.0") == ""
    assert codes.code_problem("icd-11", "1A00") == ""
    assert codes.code_problem("icd-11", "EO50") != ""


@pytest.mark.django_db
def test_model_clean_normalises_and_requires_a_display():
    condition = ConditionFactory()
    code = ClinicalCode(condition=condition, system="icd-10-cm", code=" l72.0 ", display="  ")
    with pytest.raises(ValidationError) as error:
        code.full_clean()
    assert code.code == "L72.0"
    assert set(error.value.message_dict) == {"display"}


@pytest.mark.django_db
def test_demo_codes_pass_validation():
    from conditions.demo.articles import MILIA

    for code in MILIA.codes:
        item = ClinicalCode(condition=ConditionFactory(), **code.model_dump())
        item.full_clean()


@pytest.mark.django_db
def test_admin_refuses_a_bad_snomed_id_and_saves_a_good_one(client):
    author = user_in("Author")
    client.force_login(author)
    condition = ConditionFactory()
    row = {
        "codes-TOTAL_FORMS": 1,
        "codes-0-system": "snomed-ct",
        "codes-0-version": "",
        "codes-0-code": "254679002",
        "codes-0-display": "Milia",
        "codes-0-condition": condition.pk,
    }
    response = client.post(change_url(condition), form_data(condition, **row))
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not condition.codes.exists()

    condition.refresh_from_db()
    row["codes-0-code"] = "254679001"
    response = client.post(change_url(condition), form_data(condition, **row))
    assert response.status_code == 302
    assert condition.codes.get().code == "254679001"


@pytest.mark.django_db
def test_a_bad_code_saved_before_validation_blocks_publishing():
    condition = ConditionFactory()
    ClinicalCode.objects.create(condition=condition, system="snomed-ct", code="123", display="X")
    assert any("SNOMED CT" in p for p in condition.publish_problems())
