"""The demo questionnaire's loader on an empty database (the views' tests share one built copy)."""

import pytest

from conditions.demo import questionnaires as demo
from conditions.models import Question
from tests.factories import ConditionFactory, editors


def test_the_demo_loader_is_idempotent_and_needs_the_milia_article(db):
    author, reviewer = editors()
    with pytest.raises(demo.MissingCondition):
        demo.load(author, reviewer)
    ConditionFactory(published=True, slug="milia", name="Milia")
    assert demo.load(author, reviewer) == ["white-spots"]
    assert demo.load(author, reviewer) == []
    questions = Question.objects.filter(questionnaire__slug="white-spots")
    assert questions.filter(questionnaire__is_live=False).count() == len(demo.QUESTIONS)
    assert questions.filter(questionnaire__is_live=True).count() == len(demo.QUESTIONS)
