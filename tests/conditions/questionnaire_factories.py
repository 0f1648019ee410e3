"""Small questionnaires built through the models, as the admin would, for engine tests.

`make_questionnaire(questions=..., outcomes=...)` takes short declarative lists;
`urgent_questionnaire()` is a five-question check with an emergency and a same-day red flag;
`bleeding_check()` a one-question draft with a red flag and a default, for the editor's tests.
Both build the working copy; with `publish=True` (the default) a clinical reviewer who did not
write it approves it, so patients see the live copy.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from conditions.models import (
    AnswerOption,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)
from tests.factories import reviewer_user

YES_NO = [("yes", "Yes"), ("no", "No")]


def make_questionnaire(slug="check", questions=(), outcomes=(), publish=True, **fields):
    """questions: dicts {key, text, kind, options [(code, text[, {"exclusive", "score"}])],
    show_if [(key, code)], min, max, required}; outcomes: dicts {slug, title, urgency, rule,
    priority, triggers [(key, op, code or number)], explanation, next_steps, needs_signoff,
    threshold}."""
    questionnaire = Questionnaire.objects.create(
        title=fields.pop("title", "Check"), slug=slug, intro="Answer a few questions.", **fields
    )
    by_key, options = {}, {}
    for order, spec in enumerate(questions):
        kind = spec.get("kind", "single")
        question = Question.objects.create(
            questionnaire=questionnaire,
            order=order * 10,
            key=spec["key"],
            text=spec.get("text", f"{spec['key'].capitalize()}?"),
            kind=kind,
            required=spec.get("required", True),
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            show_if_match=spec.get("match", "any"),
        )
        by_key[spec["key"]] = question
        choices = spec.get("options", YES_NO if kind == "yes_no" else ())
        for n, (code, text, *extra) in enumerate(choices):
            options[spec["key"], code] = AnswerOption.objects.create(
                question=question, order=n, code=code, text=text, **(extra[0] if extra else {})
            )
        for source, code in spec.get("show_if", ()):
            ShowIf.objects.create(
                question=question,
                source_question=by_key[source],
                operator="is",
                option=options[source, code],
            )
    for spec in outcomes:
        outcome = Outcome.objects.create(
            questionnaire=questionnaire,
            slug=spec["slug"],
            title=spec.get("title", spec["slug"].replace("-", " ").capitalize()),
            urgency=spec.get("urgency", "routine"),
            priority=spec.get("priority", 0),
            rule=spec.get("rule", "any"),
            score_threshold=spec.get("threshold"),
            explanation=spec.get("explanation", f"Why {spec['slug']}."),
            next_steps=spec.get("next_steps", f"- What to do for {spec['slug']}."),
            needs_signoff=spec.get("needs_signoff", False),
            signoff_note=spec.get("signoff_note", ""),
        )
        for source, op, target in spec.get("triggers", ()):
            trigger = OutcomeTrigger(outcome=outcome, source_question=by_key[source], operator=op)
            if isinstance(target, Decimal | int):
                trigger.number = Decimal(target)
            else:
                trigger.option = options[source, target]
            trigger.save()
    # The reviewer and the review date are set by the approval; the next review is the editor's.
    questionnaire.next_review_due = timezone.localdate() + datetime.timedelta(days=300)
    questionnaire.save()
    if publish:
        questionnaire.publish(by=reviewer_user(), attested=True)
        questionnaire.refresh_from_db()
    return questionnaire


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
