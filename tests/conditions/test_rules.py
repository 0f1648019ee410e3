"""The questionnaire rules: show-if, outcomes and the path-walking safety check (pure dicts)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conditions import rules, safety
from conditions.models import (
    AnswerOption,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
    Status,
)
from tests.factories import UserFactory, reviewer_user


# -- tiny spec builders -------------------------------------------------------------------------
def q(key, kind="single", options=("a", "b"), show_if=(), match="any", required=True, **extra):
    question = {
        "key": key,
        "text": f"Question {key}?",
        "help_text": "",
        "kind": kind,
        "required": required,
        "min": extra.get("min"),
        "max": extra.get("max"),
        "unit": extra.get("unit", ""),
        "match": match,
        "options": []
        if kind == "number"
        else [
            {"code": c, "text": f"Answer {c}", "score": extra.get("scores", {}).get(c, 0)}
            for c in (("yes", "no") if kind == "yes_no" else options)
        ],
        "show_if": list(show_if),
    }
    return question


def is_(key, code):
    return {"question": key, "op": "is", "option": code, "number": None}


def is_not(key, code):
    return {"question": key, "op": "is_not", "option": code, "number": None}


def lt(key, number):
    return {"question": key, "op": "lt", "option": None, "number": Decimal(number)}


def gte(key, number):
    return {"question": key, "op": "gte", "option": None, "number": Decimal(number)}


def outcome(slug, rule, triggers=(), priority=0, threshold=None):
    return {
        "slug": slug,
        "title": slug.replace("-", " ").capitalize(),
        "urgency": "routine",
        "urgency_label": "See a GP",
        "priority": priority,
        "rule": rule,
        "threshold": threshold,
        "triggers": list(triggers),
        "explanation": f"What {slug} means.",
        "next_steps_html": f"<p>What to do for {slug}.</p>",
        "needs_signoff": False,
        "signoff_note": "",
        "conditions": [],
    }


def spec(questions, outcomes):
    return {"slug": "s", "title": "S", "version": 1, "questions": questions, "outcomes": outcomes}


def keys(questions):
    return [question["key"] for question in questions]


# -- show-if ------------------------------------------------------------------------------------
def test_a_question_with_any_rule_shows_when_one_condition_matches():
    s = spec(
        [
            q("who", options=("baby", "child", "adult")),
            q("x", show_if=[is_("who", "baby"), is_("who", "child")]),
        ],
        [outcome("d", "default")],
    )
    assert keys(rules.visible_questions(s, {"who": "child"})) == ["who", "x"]
    assert keys(rules.visible_questions(s, {"who": "adult"})) == ["who"]


def test_a_question_with_all_rule_shows_only_when_every_condition_matches():
    s = spec(
        [q("a"), q("b"), q("c", show_if=[is_("a", "a"), is_("b", "b")], match="all")],
        [outcome("d", "default")],
    )
    assert "c" in keys(rules.visible_questions(s, {"a": "a", "b": "b"}))
    assert "c" not in keys(rules.visible_questions(s, {"a": "a", "b": "a"}))


def test_number_tests_compare_at_the_threshold():
    s = spec(
        [q("age", kind="number", min=Decimal(0), max=Decimal(52)), q("x", show_if=[lt("age", 13)])],
        [outcome("d", "default")],
    )
    assert "x" in keys(rules.visible_questions(s, {"age": Decimal("12.99")}))
    assert "x" not in keys(rules.visible_questions(s, {"age": Decimal(13)}))


def test_is_not_is_false_for_an_unanswered_question():
    s = spec([q("a"), q("b", show_if=[is_not("a", "a")])], [outcome("d", "default")])
    assert keys(rules.visible_questions(s, {})) == ["a"]
    assert keys(rules.visible_questions(s, {"a": "b"})) == ["a", "b"]


def test_hiding_cascades_to_questions_that_depend_on_a_hidden_question():
    s = spec(
        [q("a"), q("b", show_if=[is_("a", "a")]), q("c", show_if=[is_("b", "b")])],
        [outcome("d", "default")],
    )
    assert keys(rules.visible_questions(s, {"a": "a", "b": "b", "c": "a"})) == ["a", "b", "c"]
    # Changing the first answer hides b, and so c, even though the stored answer to b matched.
    assert keys(rules.visible_questions(s, {"a": "b", "b": "b", "c": "a"})) == ["a"]


def test_answers_to_hidden_questions_are_dropped_and_never_count():
    s = spec(
        [q("a"), q("b", show_if=[is_("a", "a")])],
        [outcome("red", "red_flag", [is_("b", "a")], priority=9), outcome("d", "default")],
    )
    stale = {"a": "b", "b": "a"}  # b was answered, then a changed so b no longer applies
    assert rules.effective_answers(s, stale) == {"a": "b"}
    assert rules.decide_outcome(s, stale)["outcome"]["slug"] == "d"


def test_a_hidden_required_question_does_not_block_the_patient():
    s = spec([q("a"), q("b", show_if=[is_("a", "a")], required=True)], [outcome("d", "default")])
    assert rules.first_unanswered(s, {"a": "b"}) is None
    assert rules.first_unanswered(s, {"a": "a"})["key"] == "b"


# -- outcomes -----------------------------------------------------------------------------------
def priority_spec():
    return spec(
        [q("a", kind="multiple", options=("x", "y", "z"), scores={"x": 2, "y": 3})],
        [
            outcome("high", "any", [is_("a", "x")], priority=50),
            outcome("low", "any", [is_("a", "x")], priority=10),
            outcome("red", "red_flag", [is_("a", "z")], priority=0),
            outcome("both", "all", [is_("a", "x"), is_("a", "y")], priority=60),
            outcome("scored", "score", threshold=3, priority=5),
            outcome("default", "default"),
        ],
    )


def test_a_red_flag_always_wins_whatever_else_was_answered():
    result = rules.decide_outcome(priority_spec(), {"a": ["x", "y", "z"]})
    assert result["outcome"]["slug"] == "red"
    assert result["rule"] == "red_flag"
    assert result["deciding"] == [("Question a?", "Answer x, Answer y, Answer z")]


def test_the_highest_priority_matching_outcome_wins():
    assert rules.decide_outcome(priority_spec(), {"a": ["x"]})["outcome"]["slug"] == "high"
    assert rules.decide_outcome(priority_spec(), {"a": ["x", "y"]})["outcome"]["slug"] == "both"


def test_a_score_rule_matches_at_its_threshold():
    result = rules.decide_outcome(priority_spec(), {"a": ["y"]})
    assert result["outcome"]["slug"] == "scored"
    assert "scored 3" in result["reasons"][0]


def test_the_default_outcome_comes_last():
    result = rules.decide_outcome(priority_spec(), {"a": []})
    assert result["outcome"]["slug"] == "default"


def test_no_matching_outcome_and_no_default_gives_none():
    s = spec([q("a")], [outcome("x", "any", [is_("a", "a")])])
    assert rules.decide_outcome(s, {"a": "b"})["outcome"] is None


# -- the safety check ---------------------------------------------------------------------------
def safe_spec():
    return spec(
        [
            q("who", options=("baby", "adult")),
            q("age", kind="number", min=Decimal(0), max=Decimal(52), show_if=[is_("who", "baby")]),
            q("fever", kind="yes_no", show_if=[is_("who", "baby")]),
        ],
        [
            outcome("urgent", "red_flag", [is_("fever", "yes")], priority=90),
            outcome("check", "all", [is_("who", "baby"), gte("age", 13)], priority=40),
            outcome("self-care", "default"),
        ],
    )


def test_a_safe_questionnaire_has_no_safety_problems():
    assert safety.safety_problems(safe_spec()) == []


def test_the_walk_tries_both_sides_of_every_number_threshold_and_min_and_max():
    ages = {p.get("age") for p in rules.walk_paths(safe_spec())}
    # Paths merge once the rules cannot tell them apart, but both sides of 13 survive.
    assert any(a is not None and a < 13 for a in ages)
    assert any(a is not None and a >= 13 for a in ages)
    assert rules._candidate_values(safe_spec(), safe_spec()["questions"][1]) == [
        Decimal(0),
        Decimal("12.99"),
        Decimal(13),
        Decimal(52),
    ]


def test_safety_check_finds_a_path_with_no_outcome():
    s = safe_spec()
    s["outcomes"] = [o for o in s["outcomes"] if o["rule"] != "default"]
    problems = safety.safety_problems(s)
    assert any(p.startswith("Some answers reach no outcome") for p in problems), problems
    assert any("Answer adult" in p for p in problems)


def test_safety_check_finds_a_red_flag_answer_that_can_end_elsewhere():
    s = safe_spec()
    # The "red flag" is authored as an ordinary rule below a higher-priority outcome.
    s["outcomes"][0]["rule"] = "any"
    s["outcomes"][0]["priority"] = 10
    s["outcomes"].insert(0, outcome("scary", "red_flag", [is_("fever", "yes")], priority=5))
    s["outcomes"].insert(0, outcome("other", "any", [is_("who", "baby")], priority=95))
    assert (
        rules.decide_outcome(s, {"who": "baby", "age": 2, "fever": "yes"})["outcome"]["slug"]
        == "scary"
    )
    # Now make the red-flag answer unreachable from any red-flag outcome by hiding the question.
    s2 = safe_spec()
    s2["questions"][2]["show_if"] = [is_("who", "baby"), is_("who", "adult")]
    s2["questions"][2]["match"] = "all"
    problems = safety.safety_problems(s2)
    assert any("red-flag answer" in p and "can never be given" in p for p in problems), problems


def test_safety_check_reports_a_red_flag_answer_that_ends_at_an_ordinary_outcome(monkeypatch):
    # If the ranking were ever wrong, the walk catches it: simulate a ranking bug.
    s = safe_spec()
    real = rules.decide_outcome

    def ordinary_first(spec_, answers):
        result = real(spec_, answers)
        if result["outcome"] and result["outcome"]["rule"] == "red_flag":
            result["outcome"] = spec_["outcomes"][-1]
        return result

    monkeypatch.setattr(rules, "decide_outcome", ordinary_first)
    problems = safety.safety_problems(s)
    assert any("can end at “Self care”" in p for p in problems), problems


def test_safety_check_finds_an_unreachable_question_and_outcome():
    s = safe_spec()
    s["questions"].append(
        q("never", show_if=[is_("who", "baby"), is_("who", "adult")], match="all")
    )
    s["outcomes"].insert(0, outcome("shadowed", "any", [is_("fever", "yes")], priority=99))
    problems = safety.safety_problems(s)
    assert "Question “Question never?” can never be shown (its show-if rules)." in problems
    assert any(p.startswith("Outcome “Shadowed” can never be reached") for p in problems)


def test_safety_check_refuses_show_if_rules_on_later_questions():
    s = spec([q("a", show_if=[is_("b", "a")]), q("b")], [outcome("d", "default")])
    assert any("not an earlier question" in p for p in safety.safety_problems(s))


def test_safety_check_stops_with_a_clear_message_when_there_are_too_many_paths():
    questions = [q("m", kind="multiple", options=tuple("abcdefghijkl"))]
    s = spec(questions, [outcome(f"o{c}", "any", [is_("m", c)]) for c in "abcdefghijkl"])
    s["outcomes"].append(outcome("d", "default"))
    problems = safety.safety_problems(s)
    assert len(problems) == 1 and "too many different paths" in problems[0]


def test_many_questions_stay_quick_because_equivalent_paths_merge():
    questions = [q(f"q{n}", kind="yes_no") for n in range(25)]
    outcomes = [outcome("red", "red_flag", [is_(f"q{n}", "yes") for n in range(25)], priority=9)]
    outcomes.append(outcome("d", "default"))
    assert safety.safety_problems(spec(questions, outcomes)) == []


# -- with the database: authoring through the models ---------------------------------------------
def build(title="Check", slug="check"):
    """A small questionnaire made through the models, as the admin would."""
    questionnaire = Questionnaire.objects.create(title=title, slug=slug, intro="Intro")
    who = Question.objects.create(questionnaire=questionnaire, order=1, key="who", text="Who?")
    baby = AnswerOption.objects.create(question=who, code="baby", text="Baby")
    AnswerOption.objects.create(question=who, code="adult", text="Adult")
    fever = Question.objects.create(
        questionnaire=questionnaire, order=2, key="fever", text="Fever?", kind="yes_no"
    )
    yes = AnswerOption.objects.create(question=fever, code="yes", text="Yes")
    AnswerOption.objects.create(question=fever, code="no", text="No")
    ShowIf.objects.create(question=fever, source_question=who, operator="is", option=baby)
    red = Outcome.objects.create(
        questionnaire=questionnaire,
        slug="urgent",
        title="Urgent",
        urgency="urgent",
        priority=90,
        rule="red_flag",
        explanation="x",
        next_steps="y",
    )
    OutcomeTrigger.objects.create(outcome=red, source_question=fever, operator="is", option=yes)
    Outcome.objects.create(
        questionnaire=questionnaire,
        slug="self-care",
        title="Self care",
        urgency="self_care",
        rule="default",
        explanation="x",
        next_steps="y",
    )
    questionnaire.reviewer = UserFactory()
    questionnaire.last_reviewed = datetime.date(2026, 11, 1)
    questionnaire.next_review_due = datetime.date(2027, 11, 1)
    questionnaire.save()
    return questionnaire


@pytest.mark.django_db
def test_a_questionnaire_that_passes_the_safety_check_can_be_published():
    questionnaire = build()
    live = questionnaire.publish(by=reviewer_user(), attested=True)
    assert questionnaire.status == Status.PUBLISHED
    assert questionnaire.is_published and live.is_live
    assert live.questions.count() == questionnaire.questions.count()
    assert safety.safety_problems(live.spec()) == []


@pytest.mark.django_db
def test_a_broken_questionnaires_publish_is_refused_with_every_problem():
    questionnaire = build()
    questionnaire.outcomes.filter(rule="default").delete()
    with pytest.raises(ValidationError) as refused:
        questionnaire.publish(by=reviewer_user(), attested=True)
    assert any("reach no outcome" in m for m in refused.value.messages)
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.DRAFT
    assert not questionnaire.is_published and questionnaire.live_id is None


@pytest.mark.django_db
def test_reordering_questions_keeps_rules_pointing_at_the_same_question():
    questionnaire = build()
    Question.objects.create(
        questionnaire=questionnaire, order=0, key="intro", text="Ready?", kind="yes_no"
    )
    AnswerOption.objects.create(
        question=questionnaire.questions.get(key="intro"), code="yes", text="Yes"
    )
    AnswerOption.objects.create(
        question=questionnaire.questions.get(key="intro"), code="no", text="No"
    )
    before = questionnaire.spec()
    Question.objects.filter(key="who").update(order=5)
    Question.objects.filter(key="fever").update(order=9)
    after = questionnaire.spec()
    fever = rules.question_by_key(after, "fever")
    assert fever["show_if"] == rules.question_by_key(before, "fever")["show_if"]
    assert fever["show_if"][0]["question"] == "who"
    assert after["outcomes"][0]["triggers"][0]["question"] == "fever"
    assert safety.safety_problems(after) == []
    # Moving the source question after the one that depends on it is caught, by text.
    Question.objects.filter(key="who").update(order=20)
    problems = safety.safety_problems(questionnaire.spec())
    assert any("Question “Fever?” depends on “Who?” is “Baby”" in p for p in problems), problems
