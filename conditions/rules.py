"""Which questions show and which outcome wins: pure functions, dicts in, results out.

``Questionnaire.spec()`` (conditions/models/questionnaires.py) is the one place that turns the
ORM objects into a plain dict; every function here works on that dict and the patient's
answers, so the same rules run in the patient flow (conditions/run_state.py), the staff
preview, the safety check (conditions/safety.py) and the FHIR export.

Spec shape::

    {"slug", "title", "version",
     "questions": [{"key", "text", "help_text", "error_text", "kind", "required", "min",
                    "max", "unit", "match": "any"|"all",
                    "options": [{"code", "text", "score", "exclusive"}],
                    "show_if": [TEST, ...]}],
     "outcomes": [{"slug", "title", "urgency", "urgency_label", "priority", "rule",
                   "threshold", "triggers": [TEST, ...], "explanation", "next_steps_html",
                   "needs_signoff", "signoff_note", "conditions": [{"name", "slug"}]}]}

    TEST = {"question": key, "op": "is"|"is_not"|"lt"|"gte", "option": code|None,
            "number": Decimal|None}

Answers are ``{question_key: value}``: an option code (single choice, yes/no), a list of codes
(multiple choice), a Decimal (number), or None (an optional question the patient skipped).
An unanswered question makes every test on it false, whatever the operator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

Spec = dict[str, Any]
Answers = dict[str, Any]

RED_FLAG = "red_flag"
DEFAULT = "default"
CHOICE_KINDS = ("single", "multiple", "yes_no")
NUMBER_STEP = Decimal("0.01")  # Question.min_value/max_value and test numbers have 2 places
MAX_STATES = 50_000
MAX_RELEVANT_MULTI_OPTIONS = 10


# -- ORM -> spec ---------------------------------------------------------------------------------
# -- lookups --------------------------------------------------------------------------------
def question_by_key(spec: Spec, key: str) -> dict | None:
    return next((q for q in spec["questions"] if q["key"] == key), None)


def option_text(question: dict, code: str) -> str:
    return next((o["text"] for o in question["options"] if o["code"] == code), code)


def describe_answer(question: dict, value: Any) -> str:
    """An answer in the patient's words: the option text(s), or the number with its unit."""
    if value is None or value == []:
        return _("Not answered")
    if question["kind"] == "multiple":
        return ", ".join(option_text(question, c) for c in value)
    if question["kind"] == "number":
        number = format_number(value)
        return f"{number} {question['unit']}".strip()
    return option_text(question, value)


def format_number(value) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value)


def describe_test(spec: Spec, test: dict) -> str:
    question = question_by_key(spec, test["question"])
    qtext = question["text"] if question else test["question"]
    if test["op"] in ("lt", "gte"):
        unit = f" {question['unit']}" if question and question["unit"] else ""
        number = f"{format_number(test['number'])}{unit}"
        if test["op"] == "lt":
            return _("“%(question)s” is less than %(number)s") % {
                "question": qtext,
                "number": number,
            }
        return _("“%(question)s” is at least %(number)s") % {"question": qtext, "number": number}
    answer = option_text(question, test["option"]) if question else test["option"]
    if test["op"] == "is":
        return _("“%(question)s” is “%(answer)s”") % {"question": qtext, "answer": answer}
    return _("“%(question)s” is not “%(answer)s”") % {"question": qtext, "answer": answer}


# -- answers ------------------------------------------------------------------------------------
def _answered(value) -> bool:
    return value is not None and value != []


def holds(test: dict, answers: Answers) -> bool:
    """One test against the answers; a question with no answer makes every test false."""
    value = answers.get(test["question"])
    if not _answered(value):
        return False
    op = test["op"]
    if op in ("lt", "gte"):
        if test["number"] is None or isinstance(value, list | str):
            return False
        number = Decimal(value)
        return number < test["number"] if op == "lt" else number >= test["number"]
    chosen = value if isinstance(value, list) else [value]
    if op == "is":
        return test["option"] in chosen
    if op == "is_not":
        return test["option"] not in chosen
    return False


def _shows(question: dict, answers: Answers) -> bool:
    tests = question["show_if"]
    if not tests:
        return True
    results = [holds(t, answers) for t in tests]
    return all(results) if question["match"] == "all" else any(results)


def visible_questions(spec: Spec, answers: Answers) -> list[dict]:
    """The questions that apply, in order.

    A show-if rule only sees answers to questions that are themselves visible, so hiding
    cascades: if A hides B, a question that depends on B is hidden too.
    """
    return visible_and_effective(spec, answers)[0]


def effective_answers(spec: Spec, answers: Answers) -> Answers:
    """The answers that count: answers to hidden questions are dropped."""
    return visible_and_effective(spec, answers)[1]


def visible_and_effective(spec: Spec, answers: Answers) -> tuple[list[dict], Answers]:
    """(the visible questions in order, the answers to them): one pass over the questions."""
    visible, effective = [], {}
    for question in spec["questions"]:
        if _shows(question, effective):
            visible.append(question)
            if question["key"] in answers:
                effective[question["key"]] = answers[question["key"]]
    return visible, effective


def first_unanswered(spec: Spec, answers: Answers) -> dict | None:
    """The first visible question the patient has not reached yet (None: all done)."""
    for question in visible_questions(spec, answers):
        if question["key"] not in answers:
            return question
        if question["required"] and not _answered(answers[question["key"]]):
            return question
    return None


def score(spec: Spec, answers: Answers) -> int:
    total = 0
    for question in spec["questions"]:
        value = answers.get(question["key"])
        if question["kind"] == "number" or not _answered(value):
            continue
        chosen = value if isinstance(value, list) else [value]
        total += sum(o["score"] for o in question["options"] if o["code"] in chosen)
    return total


# -- outcomes -----------------------------------------------------------------------------------
def rule_holds(spec: Spec, outcome: dict, answers: Answers) -> bool:
    """Whether the outcome's rule matches the answers (no words: the fast path for walks)."""
    rule, triggers = outcome["rule"], outcome["triggers"]
    if rule in (RED_FLAG, "any"):
        return any(holds(t, answers) for t in triggers)
    if rule == "all":
        return bool(triggers) and all(holds(t, answers) for t in triggers)
    if rule == "score":
        return outcome["threshold"] is not None and score(spec, answers) >= outcome["threshold"]
    return rule == DEFAULT


def _matches(spec: Spec, outcome: dict, answers: Answers) -> list[str] | None:
    """Why the outcome's rule matches, in words, or None when it does not."""
    rule, triggers = outcome["rule"], outcome["triggers"]
    if rule in (RED_FLAG, "any"):
        held = [describe_test(spec, t) for t in triggers if holds(t, answers)]
        return held or None
    if rule == "all":
        if triggers and all(holds(t, answers) for t in triggers):
            return [describe_test(spec, t) for t in triggers]
        return None
    if rule == "score":
        if outcome["threshold"] is None:
            return None
        total = score(spec, answers)
        if total >= outcome["threshold"]:
            return [
                _("Your answers scored %(total)s (this outcome starts at %(threshold)s)")
                % {"total": total, "threshold": outcome["threshold"]}
            ]
        return None
    if rule == DEFAULT:
        return [_("None of the other rules matched your answers")]
    return None


def _best(outcomes: list[dict]) -> dict | None:
    # Spec outcomes are already sorted by priority (high first); keep the first of a tie.
    return max(outcomes, key=lambda o: o["priority"]) if outcomes else None


def decide_outcome(spec: Spec, answers: Answers) -> dict:
    """Which outcome wins, and why.

    Red-flag outcomes outrank everything; then the highest priority among the matching
    any/all/score outcomes; a default outcome only when nothing else matches.
    Returns {"outcome", "rule", "reasons", "answers" (the answers that counted),
    "deciding" ([(question text, answer in words)] behind the reasons)}.
    """
    answers = effective_answers(spec, answers)
    matched: dict[str, list[dict]] = {"red": [], "rule": [], "default": []}
    for outcome in spec["outcomes"]:
        if rule_holds(spec, outcome, answers):
            group = {RED_FLAG: "red", DEFAULT: "default"}.get(outcome["rule"], "rule")
            matched[group].append(outcome)
    for group in ("red", "rule", "default"):
        if matched[group]:
            winner = _best(matched[group])
            reasons = _matches(spec, winner, answers) or []
            return {
                "outcome": winner,
                "rule": winner["rule"],
                "reasons": reasons,
                "answers": answers,
                "deciding": _deciding_answers(spec, winner, answers),
            }
    return {"outcome": None, "rule": None, "reasons": [], "answers": answers, "deciding": []}


def _deciding_answers(spec: Spec, outcome: dict, answers: Answers) -> list[tuple[str, str]]:
    if outcome["rule"] == DEFAULT:
        keys = [q["key"] for q in spec["questions"] if q["key"] in answers]
    elif outcome["rule"] == "score":
        keys = [
            q["key"]
            for q in spec["questions"]
            if q["kind"] != "number" and score(spec, {q["key"]: answers.get(q["key"])})
        ]
    else:
        keys = []
        for t in outcome["triggers"]:
            if holds(t, answers) and t["question"] not in keys:
                keys.append(t["question"])
    result = []
    for key in keys:
        question = question_by_key(spec, key)
        if question and _answered(answers.get(key)):
            result.append((question["text"], describe_answer(question, answers[key])))
    return result


# -- urgency ----------------------------------------------------------------------------------
URGENT_LEVELS = ("urgent", "emergency")  # CareAdvice.Level: same day, or 999 / A&E now
URGENCY_RANK = {"self_care": 0, "routine": 1, "urgent": 2, "emergency": 3}


def is_urgent(outcome: dict | None) -> bool:
    return outcome is not None and outcome["urgency"] in URGENT_LEVELS


def certain_urgent_outcome(spec: Spec, answers: Answers) -> dict | None:
    """The urgent outcome that every completion of these answers ends at, or None.

    Walks every way the patient could still answer the remaining visible questions (the
    answers given stay as they are; equivalent completions merge, see PathWalk): an urgent
    outcome is certain when each of them decides it. A questionnaire too big to walk is never
    certain here; its safety check refuses to publish it anyway.
    """
    if not any(is_urgent(o) for o in spec["outcomes"]):
        return None
    # Two quick completions first (every first answer, every last answer): when either ends
    # anywhere but one urgent outcome, nothing is certain and the full walk is not needed.
    sampled = {
        _slug(decide_outcome(spec, _completion(spec, answers, end))["outcome"]) for end in (0, -1)
    }
    if len(sampled) != 1 or not is_urgent(_by_slug(spec, sampled.pop())):
        return None
    try:
        walk = PathWalk(spec, fixed=answers)
    except TooManyPaths:
        return None
    certain = None
    for completed in walk.final:
        outcome = decide_outcome(spec, completed)["outcome"]
        if not is_urgent(outcome) or (certain is not None and outcome["slug"] != certain["slug"]):
            return None
        certain = outcome
    return certain


def _completion(spec: Spec, answers: Answers, end: int) -> Answers:
    """One way to finish the answers: each remaining visible question gets its first (end=0)
    or last (end=-1) answer; for numbers the minimum or maximum."""
    completed = dict(answers)
    for question in spec["questions"]:
        key = question["key"]
        if key in completed or not _shows(question, effective_answers(spec, completed)):
            continue
        codes = [o["code"] for o in question["options"]]
        if question["kind"] == "number":
            completed[key] = question["min"] if end == 0 else question["max"]
        elif codes:
            completed[key] = [codes[end]] if question["kind"] == "multiple" else codes[end]
        else:
            completed[key] = None
    return completed


def _slug(outcome: dict | None) -> str | None:
    return outcome["slug"] if outcome else None


def _by_slug(spec: Spec, slug: str | None) -> dict | None:
    return next((o for o in spec["outcomes"] if o["slug"] == slug), None)


# -- every path of answers ------------------------------------------------------------------------
class TooManyPaths(Exception):
    """The walk would need more distinct states than allowed."""


_TooManyPaths = TooManyPaths  # the old private name


def _candidate_values(spec: Spec, question: dict) -> list:
    """Every distinct answer worth trying on one question (pruned to what rules can see)."""
    kind = question["kind"]
    values: list = []
    if kind in ("single", "yes_no"):
        values = [o["code"] for o in question["options"]]
    elif kind == "multiple":
        values = _multiple_choice_candidates(spec, question)
    elif kind == "number" and question["min"] is not None and question["max"] is not None:
        low, high = question["min"], question["max"]
        points = {low, high}
        for t in _all_tests(spec):
            if t["question"] == question["key"] and t["number"] is not None:
                points.update({t["number"], t["number"] - NUMBER_STEP})
        values = sorted(p for p in points if low <= p <= high)
    if not question["required"] or not values:
        values.append(None)
    return values


def _multiple_choice_candidates(spec: Spec, question: dict) -> list[list[str]]:
    tested = {
        t["option"]
        for t in _all_tests(spec)
        if t["question"] == question["key"] and t["option"] is not None
    }
    options = question["options"]
    exclusive = {o["code"] for o in options if o.get("exclusive")}
    relevant = [o["code"] for o in options if o["code"] in tested or o["score"]]
    others = [o["code"] for o in options if o["code"] not in relevant]
    others.sort(key=lambda code: code in exclusive)  # prefer one that combines with others
    if len(relevant) > MAX_RELEVANT_MULTI_OPTIONS:
        raise TooManyPaths
    pool = relevant + others[:1]  # options no rule can see behave alike: try one of them
    values = []
    for size in range(1, len(pool) + 1):
        for combination in itertools.combinations(pool, size):
            if size > 1 and exclusive & set(combination):
                continue  # "None of these" never goes with another answer
            values.append(list(combination))
    return values


def _all_tests(spec: Spec) -> list[dict]:
    tests = [t for q in spec["questions"] for t in q["show_if"]]
    tests += [t for o in spec["outcomes"] for t in o["triggers"]]
    return tests


def _tokens_by_question(spec: Spec) -> dict[str, list[tuple[tuple, dict]]]:
    """For each question, the tests on it and the token each adds when it holds.

    Every group of tests the rules combine (a question's show-if rules, an outcome's triggers)
    names its tokens: an any-group has one token (any held test matches it), an all-group one
    token per test (it matches once all are held).
    """
    groups = []
    for q in spec["questions"]:
        if q["show_if"]:
            groups.append((("show", q["key"]), q["match"], q["show_if"]))
    for o in spec["outcomes"]:
        if o["triggers"]:
            groups.append(
                (("outcome", o["slug"]), "all" if o["rule"] == "all" else "any", o["triggers"])
            )
    by_question: dict[str, list[tuple[tuple, dict]]] = {}
    for name, how, tests in groups:
        for n, t in enumerate(tests):
            token = name if how == "any" else (*name, n)
            by_question.setdefault(t["question"], []).append((token, t))
    return by_question


def _shown_by(question: dict) -> list[frozenset]:
    """The token sets, any of which shows the question ([] when it always shows)."""
    tests = question["show_if"]
    if not tests:
        return []
    name = ("show", question["key"])
    if question["match"] == "all":
        return [frozenset((*name, n) for n in range(len(tests)))]
    return [frozenset([name])]


_SKIP = object()


@dataclass
class PathState:
    """One merged partial path: a representative answers dict and the states it leads to."""

    answers: Answers
    children: set = field(default_factory=set)


class PathWalk:
    """Every distinct path of answers through a questionnaire, one question at a time.

    Each visible question branches on its candidate answers: every option (multiple choice:
    every combination of the options rules can see); for numbers min, max and both sides of
    every threshold; "no answer" for optional questions. A question answered in `fixed` only
    takes its given answer. Two partial paths merge when the rules can no longer tell them
    apart: the same tokens held (see _tokens_by_question) and the same score. Tests only look
    back, so the merge is exact, and whether a question shows is read from the same tokens.

    ``layers[0]`` is the empty start; ``layers[i]`` the states after the i-th question, as
    ``{(tokens, score): PathState}``; ``final`` the complete paths. With ``links`` each state
    records the keys of its children in the next layer. ``given`` holds id() of every test that
    some answer to a visible question can make true. Raises TooManyPaths past `max_states`.
    """

    def __init__(
        self,
        spec: Spec,
        fixed: Answers | None = None,
        max_states: int = MAX_STATES,
        links: bool = False,
    ):
        self.spec = spec
        self.fixed = fixed
        self.max_states = max_states
        self.links = links
        self.given: set[int] = set()
        self._tokens = _tokens_by_question(spec)
        self._scored = any(o["rule"] == "score" for o in spec["outcomes"])
        self.layers: list[dict[tuple, PathState]] = [{(frozenset(), 0): PathState({})}]
        for question in spec["questions"]:
            self.layers.append(self._step(self.layers[-1], question))

    @property
    def final(self) -> list[Answers]:
        return [state.answers for state in self.layers[-1].values()]

    def _step(self, states: dict[tuple, PathState], question: dict) -> dict[tuple, PathState]:
        shown_by = _shown_by(question)
        moves = None
        skip = [(_SKIP, frozenset(), 0, ())]
        next_states: dict[tuple, PathState] = {}
        for (held, total), state in states.items():
            visible = not shown_by or any(needed <= held for needed in shown_by)
            if visible and moves is None:
                moves = self._moves(question)
            for value, tokens, points, test_ids in moves if visible else skip:
                self.given.update(test_ids)
                key = (held | tokens, total + points)
                if key not in next_states:
                    answers = state.answers
                    if value is not _SKIP:
                        answers = {**answers, question["key"]: value}
                    next_states[key] = PathState(answers)
                    if len(next_states) > self.max_states:
                        raise TooManyPaths
                if self.links:
                    state.children.add(key)
        return next_states

    def _moves(self, question: dict) -> list[tuple[Any, frozenset, int, tuple]]:
        """What each distinct answer does to the rules: (answer, tokens, score, test ids)."""
        key = question["key"]
        if self.fixed is not None and key in self.fixed:
            values = [self.fixed[key]]
        else:
            values = _candidate_values(self.spec, question)
        moves: dict[tuple, tuple[Any, set[int]]] = {}
        for value in values:
            probe = {key: value}
            held = [(token, t) for token, t in self._tokens.get(key, []) if holds(t, probe)]
            effect = (
                frozenset(token for token, _t in held),
                score(self.spec, probe) if self._scored else 0,
            )
            _value, test_ids = moves.setdefault(effect, (value, set()))
            test_ids.update(id(t) for _token, t in held)
        return [(value, *effect, tuple(ids)) for effect, (value, ids) in moves.items()]


def walk_paths(spec: Spec, max_states: int = MAX_STATES, given: set[int] | None = None):
    """Every distinct complete path of answers, as representative answer dicts (PathWalk)."""
    walk = PathWalk(spec, max_states=max_states)
    if given is not None:
        given.update(walk.given)
    yield from walk.final


def path_words(spec: Spec, answers: Answers) -> str:
    parts = []
    for q in visible_questions(spec, answers):
        if q["key"] in answers:
            parts.append(f"“{q['text']}” → {describe_answer(q, answers[q['key']])}")
    return "; ".join(parts) or "(no questions)"
