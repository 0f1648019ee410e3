"""Demo questionnaire: "White spots on the face or body" (milia), for babies, children and adults.

Written fresh from shared/content-notes/milia.md section 4 (red flags RF-1 to RF-14 and the
self-care pattern) with the corrections of milia-review-2026-12.md. Routes follow the NHS
pattern: emergency (999), urgent (today), routine (GP), self-care.

How it is built, so that the engine can stop at the first urgent answer (NHS 111 online):
- The emergency question comes straight after "who": everyone is asked it, whatever their age.
  Its answers are conditions.demo.signs.EMERGENCY_SIGNS, the list the article uses too.
- The same-day questions come next, then the routine ones: one idea per question, each a
  yes/no wherever it can be, so each answer leads to one clear outcome.
- Emergency and urgent outcomes are red flags: they win over every other answer.
- Age matters: newborn self-care says nothing about removal or sun cream; babies under 4
  weeks with blistered or painful spots get their own questions and outcome.

Product decisions no source makes are marked for clinician sign-off on their outcome
(needs_signoff + signoff_note): the 3-month cut-off (RF-4), the level for blistered or painful
spots in a baby under 4 weeks (the review note), and where spots on the genitals or in the
mouth of an older child or adult are sent. Idempotent: an existing questionnaire is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from conditions.demo import content, signs
from conditions.models import (
    AnswerOption,
    Condition,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)

# The questionnaire's texts are in conditions/demo/content/questionnaires/white-spots.toml.
_FILE = next(q for q in content().questionnaires if q.slug == "white-spots")
SLUG = _FILE.slug
NEXT_REVIEW_DUE = content().next_review_due(_FILE)
INTRO = _FILE.intro
ALL_CONDITIONS = list(_FILE.conditions)

YES_NO = [("yes", "Yes"), ("no", "No")]
NONE = "none"  # the exclusive "None of these" answer
NUMBER_FIELDS = ("min_value", "max_value")


def _decimal(value) -> Decimal:
    return Decimal(str(value)).normalize() if value % 1 else Decimal(int(value))


def _target(test):
    return test.answer if test.number is None else _decimal(test.number)


def _question(item) -> dict:
    options = [(o.code, o.text) for o in item.options]
    if item.options_from_signs == "emergency":
        options = [*signs.EMERGENCY_SIGNS, *options]
    if item.kind == "yes_no" and not options:
        options = list(YES_NO)
    extra = {}
    for name in ("error_text", "min_value", "max_value", "unit"):
        value = getattr(item, name)
        if value not in (None, ""):
            extra[name] = _decimal(value) if name in NUMBER_FIELDS else value
    show_if = item.show_if
    return {
        "key": item.key,
        "text": item.text,
        "kind": item.kind,
        "options": options,
        "show_if": (
            (show_if.match, [(t.question, t.op, _target(t)) for t in show_if.rules])
            if show_if
            else None
        ),
        "help_text": item.help_text,
        "extra": extra,
    }


def _outcome(item) -> dict:
    return {
        "slug": item.slug,
        "title": item.title,
        "urgency": item.urgency,
        "priority": item.priority,
        "rule": item.rule,
        "triggers": [(t.question, t.op, _target(t)) for t in item.triggers],
        "explanation": item.explanation,
        "next_steps": item.next_steps,
        "needs_signoff": bool(item.signoff_note),
        "signoff_note": item.signoff_note,
    }


QUESTIONS = [_question(item) for item in _FILE.questions]
OUTCOMES = [_outcome(item) for item in _FILE.outcomes]

# A typical milia path for each age, in the order the questions come: every answer that
# leads to self-care. For tests and demonstrations; change one answer to reach an outcome.
SELF_CARE_PATHS: dict[str, list[tuple[str, object]]] = {
    age: [(key, value) for key, value in steps]
    for age, steps in _FILE.examples.get("self_care_paths", {}).items()
}


class MissingCondition(Exception):
    pass


def _test(model, source: Question, op: str, target, options: dict, **fields):
    """A ShowIf or OutcomeTrigger row: an answer code, or a number for number questions."""
    row = model(source_question=source, operator=op, **fields)
    if isinstance(target, Decimal):
        row.number = target
    else:
        row.option = options[source.key, target]
    row.full_clean()
    row.save()
    return row


def load(author, reviewer) -> list[str]:
    """Create and publish the demo questionnaire if it does not exist; return what was made."""
    if Questionnaire.objects.filter(slug=SLUG).exists():
        return []
    conditions = list(Condition.objects.filter(slug__in=ALL_CONDITIONS))
    if len(conditions) != len(ALL_CONDITIONS):
        raise MissingCondition(
            "The demo questionnaire needs the 'milia' condition article: load "
            "conditions.demo.articles first (python manage.py load_demo_content)."
        )
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=_FILE.title,
            slug=SLUG,
            intro=INTRO,
            featured=_FILE.featured,
            author=author,
        )
        questionnaire.conditions.set(conditions)
        questions, options = {}, {}
        for order, data in enumerate(QUESTIONS):
            show_if = data["show_if"]
            question = Question.objects.create(
                questionnaire=questionnaire,
                order=order * 10,
                key=data["key"],
                text=data["text"],
                help_text=data["help_text"],
                kind=data["kind"],
                show_if_match=show_if[0] if show_if else "any",
                **data["extra"],
            )
            question.full_clean()
            questions[data["key"]] = question
            for n, (code, option_text) in enumerate(data["options"]):
                options[data["key"], code] = AnswerOption.objects.create(
                    question=question,
                    order=n,
                    code=code,
                    text=option_text,
                    exclusive=data["kind"] == "multiple" and code == NONE,
                )
            for source, op, target in show_if[1] if show_if else []:
                _test(ShowIf, questions[source], op, target, options, question=question)
        for data in OUTCOMES:
            fields = {k: v for k, v in data.items() if k != "triggers"}
            result = Outcome.objects.create(questionnaire=questionnaire, **fields)
            result.conditions.set(conditions)
            for source, op, target in data["triggers"]:
                _test(OutcomeTrigger, questions[source], op, target, options, outcome=result)
        # publish() runs the safety check (every path of answers) and refuses, listing the
        # problems, if any path is unsafe: no need to walk the paths twice here.
        questionnaire.next_review_due = NEXT_REVIEW_DUE
        questionnaire.save()
        # The demo's example reviewer signs off the product decisions, as a clinic's clinician
        # would; the pages say this is example content awaiting the clinic's own review.
        for outcome in questionnaire.outcomes.filter(needs_signoff=True):
            outcome.sign_off(reviewer)
        questionnaire.publish(by=reviewer, attested=True)
    return [SLUG]
