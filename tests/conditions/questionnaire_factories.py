"""Small questionnaires for engine tests, built by tests.factories.QuestionnaireFactory.

`make_questionnaire(questions=..., outcomes=...)` takes short declarative lists;
`urgent_questionnaire()` is a five-question check with an emergency and a same-day red flag;
`bleeding_check()` a one-question draft with a red flag and a default, for the editor's tests.
Both build the working copy; with `publish=True` (the default) a clinical reviewer who did not
write it approves it, so patients see the live copy.
"""

from __future__ import annotations

from conditions.models import Questionnaire
from tests.factories import QuestionnaireFactory


def make_questionnaire(slug="check", questions=(), outcomes=(), publish=True, **fields):
    """QuestionnaireFactory with these questions and outcomes (tests/factories.py describes the
    lists) and no defaults: the title "Check", published unless publish=False."""
    return QuestionnaireFactory(
        slug=slug,
        title=fields.pop("title", "Check"),
        questions=list(questions),
        outcomes=list(outcomes),
        published=publish,
        **fields,
    )


URGENT_QUESTIONS = [
    {
        "key": "who",
        "text": "Who is it for?",
        "options": [("adult", "An adult"), ("child", "A child")],
    },
    {
        "key": "breathing",
        "text": "Is the child struggling to breathe?",
        "kind": "yes_no",
        "show_if": [("who", "child")],
    },
    {
        "key": "spots",
        "text": "What do the spots look like?",
        "kind": "multiple",
        "options": [
            ("white", "Small and white"),
            ("red", "Red and sore"),
            ("none", "None of these", {"exclusive": True}),
        ],
    },
    {"key": "fever", "text": "Is there a high temperature?", "kind": "yes_no"},
    {"key": "itch", "text": "Do they itch?", "kind": "yes_no"},
]
URGENT_OUTCOMES = [
    {
        "slug": "emergency",
        "title": "Call 999 now",
        "urgency": "emergency",
        "rule": "red_flag",
        "priority": 100,
        "triggers": [("breathing", "is", "yes")],
        "explanation": "Struggling to breathe needs help straight away.",
        "next_steps": "- Call **999** now.",
    },
    {
        "slug": "today",
        "title": "Get medical advice today",
        "urgency": "urgent",
        "rule": "red_flag",
        "priority": 90,
        "triggers": [("fever", "is", "yes")],
        "explanation": "A rash with a high temperature should be checked today.",
        "next_steps": "- Call your GP today, or **NHS 111** if it is closed.",
    },
    {
        "slug": "see-gp",
        "title": "See your GP",
        "rule": "any",
        "priority": 50,
        "triggers": [("spots", "is", "red"), ("itch", "is", "yes")],
    },
    {
        "slug": "self-care",
        "title": "Look after it at home",
        "urgency": "self_care",
        "rule": "default",
    },
]
# The answers that make an urgent outcome certain, and that outcome.
URGENT_ANSWERS = {("breathing", "yes"): "emergency", ("fever", "yes"): "today"}


def urgent_questionnaire(slug="check", **fields):
    return make_questionnaire(slug, URGENT_QUESTIONS, URGENT_OUTCOMES, **fields)


def bleeding_check() -> Questionnaire:
    """A draft: "Does it bleed?" (yes/no); "Yes" is a red flag to "Ring your GP today" (the
    first outcome on the Build page), else "Look after it at home"."""
    return make_questionnaire(
        slug="spot-check",
        publish=False,
        questions=[{"key": "bleeds", "text": "Does it bleed?", "kind": "yes_no"}],
        outcomes=[
            {
                "slug": "today",
                "title": "Ring your GP today",
                "urgency": "urgent",
                "rule": "red_flag",
                "priority": 100,
                "triggers": [("bleeds", "is", "yes")],
            },
            {"slug": "fine", "title": "Look after it at home", "rule": "default"},
        ],
    )
