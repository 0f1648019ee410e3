"""The path-walking safety check (conditions/safety.py): urgent answers, the stop, outcome text."""

from __future__ import annotations

from conditions import rules, safety
from conditions.run_state import RunState
from tests.conditions.test_rules import is_, outcome, q, spec


def urgent(slug, rule, triggers=(), priority=0, urgency="urgent"):
    return {**outcome(slug, rule, triggers, priority), "urgency": urgency, "urgency_label": "Today"}


def red_flag_spec():
    return spec(
        [q("fever", kind="yes_no"), q("itch", kind="yes_no")],
        [
            urgent("today", "red_flag", [is_("fever", "yes")], 90),
            outcome("see-gp", "any", [is_("itch", "yes")], 50),
            outcome("self-care", "default"),
        ],
    )


def test_a_questionnaire_that_stops_at_its_urgent_red_flag_passes():
    assert safety.safety_problems(red_flag_spec()) == []


def test_an_urgent_answer_that_a_later_answer_can_override_is_refused_with_its_path():
    s = spec(
        [q("fever", kind="yes_no"), q("itch", kind="yes_no")],
        [
            urgent("today", "any", [is_("fever", "yes")], 10),  # an ordinary rule, low priority
            outcome("see-gp", "any", [is_("itch", "yes")], 50),
            outcome("self-care", "default"),
        ],
    )
    problems = safety.safety_problems(s)
    assert (
        "After the answers “Question fever?” → Answer yes, “Today” (Today) already applies, but "
        "a later answer can still end at “See gp”, which is less urgent. Make it a red flag, "
        "or give it a higher priority."
    ) in problems, problems


def test_a_later_more_urgent_answer_is_not_an_override():
    s = spec(
        [q("fever", kind="yes_no"), q("breathing", kind="yes_no")],
        [
            urgent("emergency", "red_flag", [is_("breathing", "yes")], 100, "emergency"),
            urgent("today", "red_flag", [is_("fever", "yes")], 90),
            outcome("self-care", "default"),
        ],
    )
    assert safety.safety_problems(s) == []


def test_the_check_proves_the_patient_flow_stops_after_a_certain_urgent_answer(monkeypatch):
    # An engine that never stopped early would ask "itch" after the red flag: the walk says so.
    monkeypatch.setattr(RunState, "urgent", property(lambda self: None))
    problems = safety.safety_problems(red_flag_spec())
    assert problems == [
        "After the answers “Question fever?” → Answer yes, the outcome “Today” is certain, but "
        "the questionnaire goes on to ask “Question itch?” instead of showing it at once."
    ]


def test_an_outcome_with_empty_text_is_refused():
    s = red_flag_spec()
    s["outcomes"][1]["explanation"] = "  "
    s["outcomes"][1]["next_steps_html"] = "<p> </p>"
    problems = safety.safety_problems(s)
    assert "Outcome “See gp” has no text for “what this means”: patients would see nothing." in (
        problems
    )
    assert any("no text for “what to do next”" in p for p in problems)


def test_the_walk_merges_equivalent_paths_and_never_combines_an_exclusive_answer():
    s = spec(
        [q("m", kind="multiple", options=("a", "b", "none"))],
        [outcome("x", "any", [is_("m", "a"), is_("m", "none")]), outcome("d", "default")],
    )
    s["questions"][0]["options"][2]["exclusive"] = True
    values = rules._candidate_values(s, s["questions"][0])
    assert ["none"] in values and not any("none" in v and len(v) > 1 for v in values)
    walk = rules.PathWalk(s, links=True)
    assert len(walk.final) == 2  # "x" matched or not: every other difference merges away
    assert all(walk.layers[0][key].children for key in walk.layers[0])
