"""Publishing a questionnaire: clinical sign-off (who and when) and the engine's safety check."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from conditions.models import Questionnaire, Status
from tests.conditions.questionnaire_factories import (
    URGENT_OUTCOMES,
    URGENT_QUESTIONS,
    make_questionnaire,
)
from tests.factories import reviewer_user

pytestmark = pytest.mark.django_db


def signoff_questionnaire():
    outcomes = [dict(o) for o in URGENT_OUTCOMES]
    outcomes[2] = {**outcomes[2], "needs_signoff": True, "signoff_note": "Threshold is ours."}
    return make_questionnaire("signoff", URGENT_QUESTIONS, outcomes, publish=False)


def approve(questionnaire):
    """A clinical reviewer who did not write it approves it (the rules still apply)."""
    return questionnaire.publish(by=reviewer_user(), attested=True)


def test_an_unsigned_item_that_needs_clinical_signoff_blocks_publishing():
    questionnaire = signoff_questionnaire()
    with pytest.raises(ValidationError) as refused:
        approve(questionnaire)
    assert refused.value.messages == [
        "Outcome “See your GP” needs clinical sign-off before publishing (Threshold is ours.). "
        "A clinician signs it off in the outcome's admin."
    ]
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.DRAFT
    assert not Questionnaire.objects.published().filter(slug="signoff").exists()


def test_signing_off_records_who_and_when_and_then_publishing_is_allowed():
    questionnaire = signoff_questionnaire()
    clinician = reviewer_user()  # the admin lets clinical reviewers sign off
    outcome = questionnaire.outcomes.get(slug="see-gp")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)):
        outcome.sign_off(by=clinician)
    outcome.refresh_from_db()
    assert outcome.signed_off_by == clinician
    assert outcome.signed_off_at == datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    assert outcome.history.filter(signed_off_by=clinician).exists()  # kept in the history
    approve(questionnaire)
    assert questionnaire.status == Status.PUBLISHED
    assert Questionnaire.objects.published().filter(slug="signoff").exists()


def test_a_signoff_needs_a_clinician():
    outcome = signoff_questionnaire().outcomes.get(slug="see-gp")
    with pytest.raises(ValidationError):
        outcome.sign_off(by=None)


def test_an_outcome_with_no_text_blocks_publishing():
    outcomes = [dict(o) for o in URGENT_OUTCOMES]
    outcomes[0] = {**outcomes[0], "next_steps": ""}
    questionnaire = make_questionnaire("empty", URGENT_QUESTIONS, outcomes, publish=False)
    with pytest.raises(ValidationError) as refused:
        approve(questionnaire)
    assert refused.value.messages == [
        "Outcome “Call 999 now” has no text for “what to do next”: patients would see nothing."
    ]


def test_the_spec_comes_from_the_model_with_exclusive_answers():
    spec = make_questionnaire("spec", URGENT_QUESTIONS, URGENT_OUTCOMES, publish=False).spec()
    spots = next(q for q in spec["questions"] if q["key"] == "spots")
    assert [(o["code"], o["exclusive"]) for o in spots["options"]] == [
        ("white", False),
        ("red", False),
        ("none", True),
    ]
    assert [o["slug"] for o in spec["outcomes"]] == ["emergency", "today", "see-gp", "self-care"]
