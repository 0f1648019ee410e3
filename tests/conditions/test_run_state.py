"""RunState: a run's state computed once from the spec and the answers (pure dicts)."""

from __future__ import annotations

from decimal import Decimal

from conditions import rules
from conditions.run_state import ADVICE, QUESTION, REVIEW, RunState
from tests.conditions.test_rules import gte, is_, outcome, q, spec


def urgent(slug, rule, triggers=(), priority=0, urgency="urgent", **extra):
    return {**outcome(slug, rule, triggers, priority, **extra), "urgency": urgency}


def check_spec():
    """who → (child only) breathing → fever → itch; two urgent red flags, a routine rule."""
    return spec(
        [
            q("who", options=("adult", "child")),
            q("breathing", kind="yes_no", show_if=[is_("who", "child")]),
            q("fever", kind="yes_no"),
            q("itch", kind="yes_no"),
        ],
        [
            urgent("emergency", "red_flag", [is_("breathing", "yes")], 100, "emergency"),
            urgent("today", "red_flag", [is_("fever", "yes")], 90),
            outcome("see-gp", "any", [is_("itch", "yes")], 50),
            outcome("self-care", "default"),
        ],
    )


def test_a_new_run_shows_the_unconditional_questions_and_asks_the_first():
    run = RunState(check_spec(), {})
    assert [x["key"] for x in run.visible] == ["who", "fever", "itch"]
    assert run.next_question["key"] == "who"
    assert run.urgent is None and run.decision is None and run.outcome is None
    assert run.next_step() == run.next_step(after=None)
    assert run.next_step().kind == QUESTION


def test_answers_to_hidden_questions_do_not_count():
    run = RunState(check_spec(), {"who": "adult", "breathing": "yes"})
    assert run.answers == {"who": "adult"}
    assert run.urgent is None  # the red-flag answer belongs to a question that does not apply


def test_the_next_step_follows_the_visible_questions_then_the_review():
    s = check_spec()
    run = RunState(s, {"who": "child", "breathing": "no"})
    assert run.next_step(after="breathing").question["key"] == "fever"
    assert run.previous("fever")["key"] == "breathing"
    assert run.gap_before("itch")["key"] == "fever"
    done = RunState(s, {"who": "child", "breathing": "no", "fever": "no", "itch": "yes"})
    assert done.complete and done.next_step(after="itch").kind == REVIEW
    assert done.outcome["slug"] == "see-gp" and done.decision["rule"] == "any"


def test_a_change_goes_back_to_the_review_or_to_a_question_it_revealed():
    s = check_spec()
    changed = RunState(s, {"who": "adult", "fever": "no", "itch": "no"})
    assert changed.next_step(after="who", change=True).kind == REVIEW
    revealed = RunState(s, {"who": "child", "fever": "no", "itch": "no"})
    step = revealed.next_step(after="who", change=True)
    assert (step.kind, step.question["key"]) == (QUESTION, "breathing")


def test_an_urgent_red_flag_is_certain_at_once_and_the_next_step_is_its_advice():
    run = RunState(check_spec(), {"who": "adult", "fever": "yes"})
    assert run.urgent["slug"] == "today"
    assert run.next_question["key"] == "itch"  # still unanswered, and never asked
    step = run.next_step(after="fever")
    assert (step.kind, step.outcome["slug"]) == (ADVICE, "today")
    assert run.outcome["slug"] == "today"


def test_an_urgent_outcome_is_not_certain_while_a_later_answer_could_outrank_it():
    s = spec(
        [q("fever", kind="yes_no"), q("breathing", kind="yes_no")],
        [
            urgent("emergency", "red_flag", [is_("breathing", "yes")], 100, "emergency"),
            urgent("today", "red_flag", [is_("fever", "yes")], 90),
            outcome("self-care", "default"),
        ],
    )
    assert RunState(s, {"fever": "yes"}).urgent is None  # breathing could still make it 999
    assert RunState(s, {"fever": "yes", "breathing": "no"}).urgent["slug"] == "today"
    assert RunState(s, {"fever": "no", "breathing": "yes"}).urgent["slug"] == "emergency"


def test_an_urgent_rule_that_a_later_answer_can_outrank_is_not_certain():
    s = spec(
        [q("a", kind="yes_no"), q("b", kind="yes_no")],
        [
            urgent("today", "any", [is_("a", "yes")], 10),
            outcome("routine", "any", [is_("b", "yes")], 50),
            outcome("self-care", "default"),
        ],
    )
    assert RunState(s, {"a": "yes"}).urgent is None
    assert RunState(s, {"a": "yes", "b": "no"}).urgent["slug"] == "today"


def test_a_score_can_make_an_urgent_outcome_certain_before_the_last_question():
    s = spec(
        [
            q("a", kind="multiple", options=("x", "y"), scores={"x": 3, "y": 2}),
            q("b", kind="multiple", options=("x", "y"), scores={"x": 1}),
        ],
        [urgent("today", "score", threshold=5, priority=10), outcome("d", "default")],
    )
    assert RunState(s, {"a": ["x"]}).urgent is None  # 3, and b can add at most 1
    assert RunState(s, {"a": ["x", "y"]}).urgent["slug"] == "today"


def test_a_number_threshold_is_certain_only_once_answered():
    s = spec(
        [q("age", kind="number", min=Decimal(0), max=Decimal(52)), q("x", kind="yes_no")],
        [urgent("today", "all", [gte("age", 40)], 10), outcome("d", "default")],
    )
    assert RunState(s, {}).urgent is None
    assert RunState(s, {"age": Decimal(39)}).urgent is None
    assert RunState(s, {"age": Decimal(40)}).urgent["slug"] == "today"


def test_the_run_state_works_out_the_visible_questions_once(monkeypatch):
    calls = []
    real = rules.visible_and_effective
    monkeypatch.setattr(rules, "visible_and_effective", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(rules, "certain_urgent_outcome", lambda spec, answers: None)  # no walk
    run = RunState(check_spec(), {"who": "child", "breathing": "no"})
    run.next_step(after="breathing"), run.previous("fever"), run.gap_before("itch")
    run.shows("itch"), run.following("fever"), run.next_question, run.urgent, run.outcome
    assert len(calls) == 1


def test_a_quick_look_at_the_first_and_last_answers_never_replaces_the_walk():
    # The first and the last answer to "b" are both urgent; the middle one is not.
    s = spec(
        [q("a", kind="yes_no"), q("b", options=("x", "y", "z"))],
        [urgent("today", "any", [is_("b", "x"), is_("b", "z")], 10), outcome("d", "default")],
    )
    assert RunState(s, {"a": "yes"}).urgent is None
    assert RunState(s, {"a": "yes", "b": "z"}).urgent["slug"] == "today"
