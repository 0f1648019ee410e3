"""The clinician's questionnaire builder in the Django admin: the safety check refuses a broken
questionnaire, show-if rules are picked by text (never by id), and product-decision thresholds
carry a clinician sign-off label."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from conditions.demo import questionnaires as demo
from conditions.models import Question, Questionnaire
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire():
    ConditionFactory(published=True, slug="milia", name="Milia")
    user = UserFactory()
    demo.load(user, user)
    return Questionnaire.objects.get(slug="white-spots")


def select_options(html: str, name_end: str) -> list[str]:
    """The option labels of the first <select> whose name ends with `name_end`."""
    match = re.search(rf'<select name="[^"]*{re.escape(name_end)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name_end
    return [
        unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", match[1])
    ]


def break_it(questionnaire):
    """Take away the default outcome: most paths of answers now reach no outcome."""
    questionnaire.unpublish()
    questionnaire.outcomes.get(slug="self-care").delete()


def test_the_admin_refuses_to_publish_a_questionnaire_that_fails_its_safety_check(
    admin_client, questionnaire
):
    break_it(questionnaire)
    response = admin_client.post(
        reverse("admin:conditions_questionnaire_changelist"),
        {"action": "publish_selected", "_selected_action": [questionnaire.pk]},
        follow=True,
    )
    questionnaire.refresh_from_db()
    assert not questionnaire.is_published
    body = unescape(response.content.decode())
    assert "was not published" in body
    assert "Some answers reach no outcome" in body


def test_the_admin_publishes_it_again_once_it_is_fixed(admin_client, questionnaire):
    questionnaire.unpublish()
    admin_client.post(
        reverse("admin:conditions_questionnaire_changelist"),
        {"action": "publish_selected", "_selected_action": [questionnaire.pk]},
    )
    questionnaire.refresh_from_db()
    assert questionnaire.is_published


def test_the_change_page_and_list_show_every_safety_problem(admin_client, questionnaire):
    break_it(questionnaire)
    page = admin_client.get(
        reverse("admin:conditions_questionnaire_change", args=[questionnaire.pk])
    )
    body = unescape(page.content.decode())
    assert "Some answers reach no outcome, for example:" in body
    listing = admin_client.get(reverse("admin:conditions_questionnaire_changelist"))
    assert re.search(r"<strong>\d+ problem\(s\)</strong>", listing.content.decode())


def test_show_if_rules_are_picked_from_earlier_questions_and_answers_by_their_text(
    admin_client, questionnaire
):
    baby_age = questionnaire.questions.get(key="baby-age")
    page = admin_client.get(reverse("admin:conditions_question_change", args=[baby_age.pk]))
    html = page.content.decode()
    assert page.status_code == 200

    questions = [q for q in select_options(html, "-source_question") if q != "---------"]
    answers = [a for a in select_options(html, "-option") if a != "---------"]
    earlier = [
        "Who are the spots on?",
        "Does the person with the spots have any of these right now?",
    ]
    assert questions == earlier  # earlier questions only
    assert "My baby (under 1 year old)" in " ".join(answers)
    assert all(a.startswith(tuple(f"{q} → " for q in earlier)) for a in answers)
    assert not any(label.strip("#").isdigit() for label in questions + answers)


def test_reordering_keeps_the_show_if_rule_on_the_same_question_and_answer(
    admin_client, questionnaire
):
    baby_age = questionnaire.questions.get(key="baby-age")
    Question.objects.filter(pk=baby_age.pk).update(order=95)  # now the last question
    page = admin_client.get(reverse("admin:conditions_question_change", args=[baby_age.pk]))
    selected = [
        unescape(s)
        for s in re.findall(r"<option[^>]*selected[^>]*>(.*?)</option>", page.content.decode())
    ]
    assert "Who are the spots on?" in selected
    assert "Who are the spots on? → My baby (under 1 year old)" in selected


def test_the_product_decision_threshold_is_labelled_for_clinician_signoff(
    admin_client, questionnaire
):
    page = admin_client.get(
        reverse("admin:conditions_questionnaire_change", args=[questionnaire.pk])
    )
    body = unescape(page.content.decode())
    assert "needs clinician sign-off" in body
    assert "product decision" in body
    outcomes = admin_client.get(
        reverse("admin:conditions_outcome_changelist") + "?needs_signoff__exact=1"
    )
    listing = unescape(outcomes.content.decode())
    assert "Ask your GP or health visitor to check" in listing
    assert "Call 999 or go to A&amp;E now" not in listing and "Call 999" not in listing
