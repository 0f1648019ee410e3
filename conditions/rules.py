"""Which questions show and which outcome wins: pure functions, dicts in, results out.

`questionnaire_spec()` is the one place that turns the ORM objects into a plain dict; every
other function here works on that dict and the patient's answers, so the same rules run in
the patient flow, the staff preview, the safety check and the FHIR export.

Spec shape::

    {"slug", "title", "version",
     "questions": [{"key", "text", "help_text", "kind", "required", "min", "max", "unit",
                    "match": "any"|"all", "options": [{"code", "text", "score"}],
                    "show_if": [TEST, ...]}],
     "outcomes": [{"slug", "title", "urgency", "priority", "rule", "threshold",
                   "triggers": [TEST, ...], "explanation", "next_steps_html",
                   "needs_signoff", "signoff_note", "conditions": [{"name", "slug"}]}]}

    TEST = {"question": key, "op": "is"|"is_not"|"lt"|"gte", "option": code|None,
            "number": Decimal|None}

Answers are ``{question_key: value}``: an option code (single choice, yes/no), a list of codes
(multiple choice), a Decimal (number), or None (an optional question the patient skipped).
An unanswered question makes every test on it false, whatever the operator.
"""

from __future__ import annotations

import itertools
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


# -- ORM -> spec (the only function here that touches models) -------------------------------
def questionnaire_spec(questionnaire) -> Spec:
    """Turn a Questionnaire and its questions, options, rules and outcomes into a plain dict."""
    from conditions.models import Outcome, OutcomeTrigger, Question, ShowIf

    questions = list(
        Question.objects.filter(questionnaire=questionnaire)
        .prefetch_related("options")
        .order_by("order", "pk")
    )
    keys = {q.pk: q.key for q in questions}
    codes = {o.pk: o.code for q in questions for o in q.options.all()}

    def test(t) -> dict:
        return {
            "question": keys.get(t.source_question_id, f"#{t.source_question_id}"),
            "op": t.operator,
            "option": codes.get(t.option_id) if t.option_id else None,
            "number": t.number,
        }

    show_ifs: dict[int, list] = {}
    for s in ShowIf.objects.filter(question__questionnaire=questionnaire).order_by("pk"):
        show_ifs.setdefault(s.question_id, []).append(test(s))
    outcomes = list(
        Outcome.objects.filter(questionnaire=questionnaire)
        .prefetch_related("conditions")
        .order_by("-priority", "pk")
    )
    triggers: dict[int, list] = {}
    for t in OutcomeTrigger.objects.filter(outcome__questionnaire=questionnaire).order_by("pk"):
        triggers.setdefault(t.outcome_id, []).append(test(t))

    return {
        "slug": questionnaire.slug,
        "title": questionnaire.title,
        "version": questionnaire.version,
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "help_text": q.help_text,
                "kind": q.kind,
                "required": q.required,
                "min": q.min_value,
                "max": q.max_value,
                "unit": q.unit,
                "match": q.show_if_match,
                "options": [
                    {"code": o.code, "text": o.text, "score": o.score}
                    for o in sorted(q.options.all(), key=lambda o: (o.order, o.pk))
                ],
                "show_if": show_ifs.get(q.pk, []),
            }
            for q in questions
        ],
        "outcomes": [
            {
                "slug": o.slug,
                "title": o.title,
                "urgency": o.urgency,
                "urgency_label": str(o.get_urgency_display()),
                "priority": o.priority,
                "rule": o.rule,
                "threshold": o.score_threshold,
                "triggers": triggers.get(o.pk, []),
                "explanation": o.explanation,
                "next_steps_html": o.next_steps_html,
                "needs_signoff": o.needs_signoff,
                "signoff_note": o.signoff_note,
                "conditions": [{"name": c.name, "slug": c.slug} for c in o.conditions.all()],
            }
            for o in outcomes
        ],
    }


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
    visible, effective = [], {}
    for question in spec["questions"]:
        if _shows(question, effective):
            visible.append(question)
            if question["key"] in answers:
                effective[question["key"]] = answers[question["key"]]
    return visible


def effective_answers(spec: Spec, answers: Answers) -> Answers:
    """The answers that count: answers to hidden questions are dropped."""
    return {
        q["key"]: answers[q["key"]] for q in visible_questions(spec, answers) if q["key"] in answers
    }


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
    matched: dict[str, list[tuple[dict, list[str]]]] = {"red": [], "rule": [], "default": []}
    for outcome in spec["outcomes"]:
        reasons = _matches(spec, outcome, answers)
        if reasons is None:
            continue
        group = {RED_FLAG: "red", DEFAULT: "default"}.get(outcome["rule"], "rule")
        matched[group].append((outcome, reasons))
    for group in ("red", "rule", "default"):
        if matched[group]:
            winner = _best([o for o, _ in matched[group]])
            reasons = next(r for o, r in matched[group] if o is winner)
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


# -- safety check -------------------------------------------------------------------------------
def _static_problems(spec: Spec) -> list[str]:
    problems = []
    position = {q["key"]: i for i, q in enumerate(spec["questions"])}
    for i, q in enumerate(spec["questions"]):
        label = f"Question “{q['text']}”"
        codes = [o["code"] for o in q["options"]]
        if q["kind"] in ("single", "multiple") and len(codes) < 2:
            problems.append(f"{label} needs at least two answers to choose from.")
        if q["kind"] == "yes_no" and sorted(codes) != ["no", "yes"]:
            problems.append(f"{label} is yes/no: it needs exactly the answers “yes” and “no”.")
        if q["kind"] == "number" and (q["min"] is None or q["max"] is None or q["min"] >= q["max"]):
            problems.append(f"{label} needs a minimum that is less than its maximum.")
        for t in q["show_if"]:
            if position.get(t["question"], len(spec["questions"])) >= i:
                problems.append(
                    f"{label} depends on {describe_test(spec, t)}, which is not an earlier "
                    "question. Show-if rules can only use earlier questions."
                )
    for o in spec["outcomes"]:
        label = f"Outcome “{o['title']}”"
        if o["rule"] in (RED_FLAG, "any", "all") and not o["triggers"]:
            problems.append(f"{label} has no trigger answers, so nothing can reach it.")
        if o["rule"] == "score" and o["threshold"] is None:
            problems.append(f"{label} needs a score threshold.")
        for t in o["triggers"]:
            if t["question"] not in position:
                problems.append(f"{label} has a trigger on a question that no longer exists.")
    return problems


def _candidate_values(spec: Spec, question: dict) -> list:
    """Every distinct answer worth trying on one question (pruned to what rules can see)."""
    kind = question["kind"]
    values: list = []
    if kind in ("single", "yes_no"):
        values = [o["code"] for o in question["options"]]
    elif kind == "multiple":
        tested = {
            t["option"]
            for t in _all_tests(spec)
            if t["question"] == question["key"] and t["option"] is not None
        }
        relevant = [o["code"] for o in question["options"] if o["code"] in tested or o["score"]]
        others = [o["code"] for o in question["options"] if o["code"] not in relevant]
        if len(relevant) > MAX_RELEVANT_MULTI_OPTIONS:
            raise _TooManyPaths
        pool = relevant + others[:1]  # options no rule can see behave alike: try one of them
        for size in range(1, len(pool) + 1):
            values.extend(list(c) for c in itertools.combinations(pool, size))
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


class _TooManyPaths(Exception):
    pass


def _all_tests(spec: Spec) -> list[dict]:
    tests = [t for q in spec["questions"] for t in q["show_if"]]
    tests += [t for o in spec["outcomes"] for t in o["triggers"]]
    return tests


def _rule_groups(spec: Spec) -> list[tuple[tuple, str, list[dict]]]:
    """Every group of tests the rules combine: (name, "any"|"all", tests)."""
    groups = []
    for q in spec["questions"]:
        if q["show_if"]:
            groups.append((("show", q["key"]), q["match"], q["show_if"]))
    for o in spec["outcomes"]:
        if o["triggers"]:
            how = "all" if o["rule"] == "all" else "any"
            groups.append((("outcome", o["slug"]), how, o["triggers"]))
    return groups


def walk_paths(spec: Spec, max_states: int = MAX_STATES, given: set[int] | None = None):
    """Every distinct path of answers, as representative answer dicts.

    Walks the questions in order, branching on each visible question's candidate answers
    (every option; for numbers min, max and both sides of every threshold; "no answer" for
    optional questions). Two partial paths are merged when the rules can no longer tell them
    apart: the same groups already matched (an any-group needs one held test; an all-group
    keeps which tests held) and the same score. Tests only look back, so the merge is exact.
    Raises _TooManyPaths past `max_states` distinct states. `given` collects id() of every
    test that some answer to a visible question can make true.
    """
    groups = _rule_groups(spec)
    by_question: dict[str, list[tuple[Any, dict]]] = {}
    for name, how, tests in groups:
        for n, t in enumerate(tests):
            token = name if how == "any" else (*name, n)
            by_question.setdefault(t["question"], []).append((token, t))
    scored = any(o["rule"] == "score" for o in spec["outcomes"])
    states: dict[tuple, Answers] = {(frozenset(), 0): {}}
    for question in spec["questions"]:
        candidates = _candidate_values(spec, question)
        next_states: dict[tuple, Answers] = {}
        for (held, total), answers in states.items():
            visible = question["key"] in {q["key"] for q in visible_questions(spec, answers)}
            options = candidates if visible else [_SKIP]
            for value in options:
                new_answers = dict(answers)
                new_held, new_total = held, total
                if value is not _SKIP:
                    new_answers[question["key"]] = value
                    probe = {question["key"]: value}
                    tokens = set()
                    for tok, t in by_question.get(question["key"], []):
                        if holds(t, probe):
                            tokens.add(tok)
                            if given is not None:
                                given.add(id(t))
                    new_held = held | tokens
                    if scored:
                        new_total = total + score(spec, probe)
                key = (new_held, new_total)
                if key not in next_states:
                    next_states[key] = new_answers
                    if len(next_states) > max_states:
                        raise _TooManyPaths
        states = next_states
    yield from states.values()


_SKIP = object()


def _path_words(spec: Spec, answers: Answers) -> str:
    parts = []
    for q in visible_questions(spec, answers):
        if q["key"] in answers:
            parts.append(f"“{q['text']}” → {describe_answer(q, answers[q['key']])}")
    return "; ".join(parts) or "(no questions)"


def safety_problems(spec: Spec) -> list[str]:
    """Walk every path of answers and list, in plain words, everything unsafe or broken.

    Reports paths that reach no outcome, red-flag answers that can end anywhere but a
    red-flag outcome (or can never be given), questions that can never show and outcomes
    that can never be reached.
    """
    problems = _static_problems(spec)
    if not spec["questions"]:
        return [*problems, "Add at least one question."]
    if not spec["outcomes"]:
        return [*problems, "Add at least one outcome."]
    red_triggers = [t for o in spec["outcomes"] if o["rule"] == RED_FLAG for t in o["triggers"]]
    seen_questions: set[str] = set()
    reached: set[str] = set()
    no_outcome, red_escapes = [], []
    try:
        given: set[int] = set()
        paths = list(walk_paths(spec, given=given))
    except _TooManyPaths:
        problems.append(
            f"There are too many different paths of answers to check them all (more than "
            f"{MAX_STATES:,}, or a multiple-choice question with more than "
            f"{MAX_RELEVANT_MULTI_OPTIONS} answers that rules use). Split the questionnaire "
            "into smaller ones or use fewer answers in rules."
        )
        return problems
    for answers in paths:
        seen_questions.update(q["key"] for q in visible_questions(spec, answers))
        decision = decide_outcome(spec, answers)
        counted, outcome = decision["answers"], decision["outcome"]
        if outcome is None:
            if len(no_outcome) < 5:
                no_outcome.append(_path_words(spec, answers))
            continue
        reached.add(outcome["slug"])
        for t in red_triggers:
            escaped = outcome["rule"] != RED_FLAG and holds(t, counted)
            if escaped and len(red_escapes) < 5:
                red_escapes.append(
                    f"The red-flag answer {describe_test(spec, t)} can end at "
                    f"“{outcome['title']}”, which is not a red-flag outcome "
                    f"(answers: {_path_words(spec, answers)})."
                )
    problems += [f"Some answers reach no outcome, for example: {p}." for p in no_outcome]
    problems += red_escapes
    for t in red_triggers:
        if id(t) not in given:
            problems.append(f"The red-flag answer {describe_test(spec, t)} can never be given.")
    for q in spec["questions"]:
        if q["key"] not in seen_questions:
            problems.append(f"Question “{q['text']}” can never be shown (its show-if rules).")
    for o in spec["outcomes"]:
        if o["slug"] not in reached:
            problems.append(
                f"Outcome “{o['title']}” can never be reached: no path of answers ends there."
            )
    return problems
