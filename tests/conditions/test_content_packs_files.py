"""Content packs read from files into an empty database: the demo files' shorthands arrive
spelled out, and a broken file (a bad value, a key given twice, a schema error) is refused with
its file, key and problem, on the command line and in the admin, with nothing imported.

(Beside test_content_packs_kinds.py, whose tests share demo content loaded once per module.)
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from conditions.models import (
    Condition,
    KioskProfile,
    Questionnaire,
    TreatmentComparison,
    UrgentHelp,
)
from conditions.packs import importing
from tests.conditions.article_admin import user_in
from tests.conditions.test_content_packs import URL, demo_copy, post, zipped
from tests.conditions.test_content_packs_kinds import (
    COMPARISON,
    HELP_CARD,
    KIOSK,
    QUESTIONNAIRE,
    edit,
)


def test_the_demo_files_import_into_an_empty_database(tmp_path, db):
    """Shorthands of the demo files (answers from the shared signs, implicit yes/no answers,
    the 'none' answer that excludes the others) arrive spelled out."""
    results = importing.import_pack(demo_copy(tmp_path), by=None)
    assert {r.state for r in results} == {"new"}
    questionnaire = Questionnaire.objects.get(slug="white-spots")
    unwell = questionnaire.questions.get(key="unwell")
    assert unwell.options.filter(code="no-fade").exists()
    assert unwell.options.get(code="none").exclusive
    assert list(
        questionnaire.questions.get(key="fever").options.values_list("code", flat=True)
    ) == ["yes", "no"]
    assert questionnaire.outcomes.get(slug="newborn-sore").needs_signoff
    comparison = TreatmentComparison.objects.get(condition__slug="milia")
    assert comparison.rows.get(treatment__slug="no-treatment").treatment.is_no_treatment
    assert KioskProfile.objects.get(slug="waiting-room").in_use is False


# -- bad input -----------------------------------------------------------------------------------
BROKEN = {
    "comparison": (
        COMPARISON,
        'pain = "None"',
        'pain = ""',
        "comparisons/milia.toml: rows[0]: pain: This field cannot be blank.",
    ),
    "questionnaire": (
        QUESTIONNAIRE,
        '{ question = "who", op = "is_not", answer = "baby" }',
        '{ question = "who", op = "is_not", answer = "martian" }',
        "questionnaires/white-spots.toml: questions.pearly.show_if: question 'who' has no "
        "answer 'martian'",
    ),
    "help card": (
        HELP_CARD,
        'emergency_phone = "999"',
        'emergency_phone = "call us"',
        "search-help.toml: emergency_phone: Digits and spaces only",
    ),
    "kiosk profile": (
        KIOSK,
        "idle_seconds = 90",
        "idle_seconds = 5",
        "kiosk.toml: idle_seconds: Ensure this value is greater than or equal to 20.",
    ),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_names_file_key_and_problem_and_nothing_is_imported(kind, tmp_path, db):
    name, old, new, message = BROKEN[kind]
    folder = demo_copy(tmp_path)
    edit(folder / name, old, new)
    with pytest.raises(CommandError) as caught:
        call_command("import_content", folder, stdout=io.StringIO())
    assert message in str(caught.value)
    assert not Condition.all_copies.exists() and not Questionnaire.all_copies.exists()
    assert not KioskProfile.objects.exists() and not UrgentHelp.all_copies.exists()


def test_a_key_given_twice_is_an_error_not_a_merge(tmp_path, db):
    folder = demo_copy(tmp_path)
    edit(folder / QUESTIONNAIRE, 'key = "fever"', 'key = "who"')
    edit(folder / COMPARISON, 'treatment = "dermabrasion"', 'treatment = "cryotherapy"')
    with pytest.raises(CommandError) as caught:
        call_command("import_content", folder, stdout=io.StringIO())
    assert "questions: the key 'who' appears twice" in str(caught.value)
    assert "rows: the treatment 'cryotherapy' appears twice" in str(caught.value)
    assert not Condition.all_copies.exists()


def test_the_admin_answers_a_broken_questionnaire_with_a_400_naming_it(client, tmp_path, db):
    name, old, new, message = BROKEN["questionnaire"]
    folder = demo_copy(tmp_path)
    edit(folder / name, old, new)
    client.force_login(user_in("Author"))
    response = post(client, zipped(folder))
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Condition.all_copies.exists() and not Questionnaire.all_copies.exists()


def test_the_admin_answers_a_schema_error_in_a_comparison_with_a_400(client, tmp_path, db):
    folder = demo_copy(tmp_path)
    edit(folder / COMPARISON, 'evidence = "consensus"', 'evidence = "great"')
    client.force_login(user_in("Author"))
    response = post(client, zipped(folder))
    assert response.status_code == 400
    assert "comparisons/milia.toml: rows[0]" in response.content.decode()
    assert not Condition.all_copies.exists()
    assert URL in client.get("/admin/conditions/condition/").content.decode()
