"""The clinician's questionnaire builder in the Django admin: the safety check refuses a broken
questionnaire, show-if rules are picked by text (never by id), and product-decision thresholds
carry a clinician sign-off label."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from conditions.models import Question, Questionnaire
from tests.factories import (
    SMALL_OUTCOMES,
    SMALL_QUESTIONS,
    QuestionnaireFactory,
    UserFactory,
    editors,
)

pytestmark = pytest.mark.django_db

SIGNOFF_NOTE = "A product decision: no source sets this level for red spots."


def small_questionnaire(**fields):
    """QuestionnaireFactory's questionnaire with its own error message on "who" and a routine
    outcome marked for clinician sign-off, as the demo's product decisions are."""
    questions = [dict(q) for q in SMALL_QUESTIONS]
    questions[0]["error_text"] = "Select who the spots are on"
    outcomes = [dict(o) for o in SMALL_OUTCOMES]
    assert outcomes[2]["slug"] == "see-gp"
    outcomes[2].update(needs_signoff=True, signoff_note=SIGNOFF_NOTE)
    return QuestionnaireFactory(questions=questions, outcomes=outcomes, **fields)


@pytest.fixture
def questionnaire():
    return small_questionnaire(published=True, published__signed_off=True)


def select_options(html: str, name_end: str) -> list[str]:
    """The option labels of the first <select> whose name ends with `name_end`."""
    match = re.search(rf'<select name="[^"]*{re.escape(name_end)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name_end
    return [
        unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", match[1])
    ]


def break_it(questionnaire):
    """Take away the default outcome from the draft: most paths of answers reach no outcome."""
    questionnaire.outcomes.get(slug="self-care").delete()
    questionnaire.record_change(UserFactory())


def approve(client, questionnaire):
    questionnaire.refresh_from_db()
    return client.post(
        reverse("admin:conditions_questionnaire_workflow", args=[questionnaire.pk, "publish"]),
        {"attest": "on", "seen_version": questionnaire.version},
        follow=True,
    )


def test_the_admin_refuses_to_publish_a_questionnaire_that_fails_its_safety_check(
    admin_client, questionnaire
):
    break_it(questionnaire)
    response = approve(admin_client, questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.status == "draft"
    body = unescape(response.content.decode())
    assert "was not done" in body
    assert "Some answers reach no outcome" in body
    live = Questionnaire.objects.published().get(slug=questionnaire.slug)
    assert live.outcomes.filter(slug="self-care").exists()  # patients keep the safe version


def test_the_admin_publishes_it_again_once_it_is_fixed(admin_client, questionnaire):
    questionnaire.intro = "A fixed introduction."
    questionnaire.save()
    questionnaire.record_change(UserFactory())
    approve(admin_client, questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.is_published
    assert Questionnaire.objects.published().get().intro == "A fixed introduction."


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
    earlier = ["Who is it for?", "Do any of these apply now?"]
    assert questions == earlier  # earlier questions only
    assert "Who is it for? → A baby" in answers
    assert all(a.startswith(tuple(f"{q} → " for q in earlier)) for a in answers)
    assert not any(label.strip("#").isdigit() for label in questions + answers)


def test_a_clinician_writes_the_questions_own_error_message_in_the_admin(
    admin_client, questionnaire
):
    who = questionnaire.questions.get(key="who")
    page = admin_client.get(reverse("admin:conditions_question_change", args=[who.pk]))
    html = page.content.decode()
    assert re.search(
        r'<input type="text" name="error_text" value="Select who the spots are on"', html
    )
    assert "Left blank: “Select yes or no”" in unescape(html)


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
    assert "Who is it for?" in selected
    assert "Who is it for? → A baby" in selected


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
    assert "See your GP" in listing
    assert "Call 999 now" not in listing and "Get medical advice today" not in listing


def test_a_reviewer_signs_off_an_outcome_in_the_admin_and_a_later_change_asks_again(client):
    from django.utils import timezone

    from conditions.models import Outcome
    from tests.admin_forms import form_as_shown
    from tests.factories import reviewer_user

    small_questionnaire(published=True, published__signed_off=True)
    outcome = Outcome.objects.filter(questionnaire__is_live=False, needs_signoff=True).first()
    assert outcome.signed_off_by is not None
    outcome.signed_off_by = outcome.signed_off_at = None
    outcome.save()
    signer = reviewer_user(first_name="Kim", last_name="Signer")
    client.force_login(signer)
    url = reverse("admin:conditions_outcome_change", args=[outcome.pk])
    assert "Sign off (I have checked this judgement)" in client.get(url).content.decode()

    client.post(reverse("admin:conditions_outcome_sign_off", args=[outcome.pk]))

    outcome.refresh_from_db()
    assert outcome.signed_off_by == signer
    assert outcome.signed_off_at.date() == timezone.localdate()
    data = form_as_shown(client.get(url))
    data["next_steps"] = data["next_steps"] + " Changed."
    assert client.post(url, data).status_code == 302
    outcome.refresh_from_db()
    assert outcome.signed_off_at is None


def test_an_author_cannot_sign_off(client):
    from conditions.models import Outcome

    author, _reviewer = editors()
    small_questionnaire(author=author, published=True, published__signed_off=True)
    outcome = Outcome.objects.filter(questionnaire__is_live=False).first()
    author.groups.add(
        __import__("django.contrib.auth.models").contrib.auth.models.Group.objects.get(
            name="Author"
        )
    )
    client.force_login(author)
    response = client.post(reverse("admin:conditions_outcome_sign_off", args=[outcome.pk]))
    assert response.status_code == 403
