"""The path-walking safety check: is a questionnaire safe to publish? Pure: a spec in, problems out.

It walks every distinct path of answers (rules.PathWalk) and reports, in plain words:

- paths that reach no outcome; outcomes and questions that no path reaches;
- red-flag answers that can end at an ordinary outcome, or can never be given;
- urgent answers a later answer can override: once an urgent outcome (same day, 999) applies,
  no later answer may lead to a less urgent one;
- the stop: after any answer that makes an urgent outcome certain, the patient flow
  (run_state.RunState, the code the views run) asks no further question;
- outcomes with no text to show.

Sign-off of items marked "needs clinical sign-off" is about people and dates, so it is checked
by Questionnaire.publish_problems with the rest of the publishing rules.
"""

from __future__ import annotations

import re

from conditions import rules
from conditions.rules import MAX_RELEVANT_MULTI_OPTIONS, MAX_STATES, RED_FLAG, Spec

EXAMPLES = 5  # report at most this many example paths per kind of problem


def safety_problems(spec: Spec) -> list[str]:
    """Walk every path of answers and list, in plain words, everything unsafe or broken."""
    problems = static_problems(spec)
    if not spec["questions"]:
        return [*problems, "Add at least one question."]
    if not spec["outcomes"]:
        return [*problems, "Add at least one outcome."]
    try:
        walk = rules.PathWalk(spec, links=True)
    except rules.TooManyPaths:
        problems.append(
            f"There are too many different paths of answers to check them all (more than "
            f"{MAX_STATES:,}, or a multiple-choice question with more than "
            f"{MAX_RELEVANT_MULTI_OPTIONS} answers that rules use). Split the questionnaire "
            "into smaller ones or use fewer answers in rules."
        )
        return problems
    paths = _Paths(spec, walk)
    return [
        *problems,
        *paths.without_outcome(),
        *paths.red_flag_escapes(),
        *paths.red_flags_never_given(),
        *paths.questions_never_shown(),
        *paths.outcomes_never_reached(),
        *paths.urgent_answers_overridden(),
        *paths.questions_after_a_certain_urgent_outcome(),
    ]


def static_problems(spec: Spec) -> list[str]:
    """What is wrong with the questionnaire's parts on their own, before walking any path."""
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
                    f"{label} depends on {rules.describe_test(spec, t)}, which is not an earlier "
                    "question. Show-if rules can only use earlier questions."
                )
    for o in spec["outcomes"]:
        label = f"Outcome “{o['title']}”" if o["title"].strip() else f"Outcome “{o['slug']}”"
        for field, words in (
            ("title", "a title"),
            ("explanation", "“what this means”"),
            ("next_steps_html", "“what to do next”"),
        ):
            if not _text(o.get(field)):
                problems.append(f"{label} has no text for {words}: patients would see nothing.")
        if o["rule"] in (RED_FLAG, "any", "all") and not o["triggers"]:
            problems.append(f"{label} has no trigger answers, so nothing can reach it.")
        if o["rule"] == "score" and o["threshold"] is None:
            problems.append(f"{label} needs a score threshold.")
        for t in o["triggers"]:
            if t["question"] not in position:
                problems.append(f"{label} has a trigger on a question that no longer exists.")
    return problems


def _text(value) -> bool:
    return bool(value and re.sub(r"<[^>]*>|&nbsp;|\s", "", str(value)))


class _Paths:
    """The walked paths, with the outcomes each partial path can still end at."""

    def __init__(self, spec: Spec, walk: rules.PathWalk):
        self.spec = spec
        self.walk = walk
        self.outcomes = {o["slug"]: o for o in spec["outcomes"]}
        self.decided = {
            key: rules.decide_outcome(spec, state.answers) for key, state in walk.layers[-1].items()
        }
        # possible[i][key]: the outcome slugs (None: no outcome) reachable from that state.
        last = {key: {_slug(d["outcome"])} for key, d in self.decided.items()}
        self.possible = [last]
        for layer in reversed(walk.layers[:-1]):
            following = self.possible[0]
            self.possible.insert(
                0,
                {
                    key: set().union(*(following[child] for child in state.children))
                    for key, state in layer.items()
                },
            )

    def _words(self, answers) -> str:
        return rules.path_words(self.spec, answers)

    def without_outcome(self) -> list[str]:
        examples = [
            self._words(self.walk.layers[-1][key].answers)
            for key, decision in self.decided.items()
            if decision["outcome"] is None
        ]
        return [f"Some answers reach no outcome, for example: {p}." for p in examples[:EXAMPLES]]

    def red_flag_escapes(self) -> list[str]:
        red_triggers = [
            t for o in self.spec["outcomes"] if o["rule"] == RED_FLAG for t in o["triggers"]
        ]
        problems = []
        for key, decision in self.decided.items():
            outcome = decision["outcome"]
            if outcome is None or outcome["rule"] == RED_FLAG:
                continue
            for t in red_triggers:
                if rules.holds(t, decision["answers"]) and len(problems) < EXAMPLES:
                    problems.append(
                        f"The red-flag answer {rules.describe_test(self.spec, t)} can end at "
                        f"“{outcome['title']}”, which is not a red-flag outcome "
                        f"(answers: {self._words(self.walk.layers[-1][key].answers)})."
                    )
        return problems

    def red_flags_never_given(self) -> list[str]:
        return [
            f"The red-flag answer {rules.describe_test(self.spec, t)} can never be given."
            for o in self.spec["outcomes"]
            if o["rule"] == RED_FLAG
            for t in o["triggers"]
            if id(t) not in self.walk.given
        ]

    def questions_never_shown(self) -> list[str]:
        seen: set[str] = set()
        for state in self.walk.layers[-1].values():
            seen.update(q["key"] for q in rules.visible_questions(self.spec, state.answers))
        return [
            f"Question “{q['text']}” can never be shown (its show-if rules)."
            for q in self.spec["questions"]
            if q["key"] not in seen
        ]

    def outcomes_never_reached(self) -> list[str]:
        reached = {_slug(d["outcome"]) for d in self.decided.values()}
        return [
            f"Outcome “{o['title']}” can never be reached: no path of answers ends there."
            for o in self.spec["outcomes"]
            if o["slug"] not in reached
        ]

    def urgent_answers_overridden(self) -> list[str]:
        """An urgent outcome that applies to the answers so far must not lose to a milder one."""
        urgent = [
            o for o in self.spec["outcomes"] if rules.is_urgent(o) and o["rule"] != rules.DEFAULT
        ]
        problems, reported = [], set()
        for layer, possible in zip(self.walk.layers[1:], self.possible[1:], strict=True):
            for key, state in layer.items():
                counted = rules.effective_answers(self.spec, state.answers)
                for outcome in urgent:
                    if not rules.rule_holds(self.spec, outcome, counted):
                        continue
                    for slug in sorted(possible[key], key=str):
                        milder = self.outcomes.get(slug)
                        if milder is None or _rank(milder) >= _rank(outcome):
                            continue
                        if (outcome["slug"], slug) in reported or len(problems) >= EXAMPLES:
                            continue
                        reported.add((outcome["slug"], slug))
                        problems.append(
                            f"After the answers {self._words(state.answers)}, "
                            f"“{outcome['title']}” ({outcome['urgency_label']}) already "
                            f"applies, but a later answer can still end at “{milder['title']}”, "
                            "which is less urgent. Make it a red flag, or give it a higher "
                            "priority."
                        )
        return problems

    def questions_after_a_certain_urgent_outcome(self) -> list[str]:
        """Prove the stop: once an urgent outcome is certain, the patient flow asks nothing more."""
        from conditions.run_state import RunState

        problems, checked = [], set()
        layers = self.walk.layers
        for i in range(1, len(layers)):
            for parent_key, parent in layers[i - 1].items():
                if self._certain_urgent(i - 1, parent_key) is not None:
                    continue  # already certain before this answer (and so already stopped)
                for key in parent.children:
                    certain = self._certain_urgent(i, key)
                    if certain is None or (i, key) in checked:
                        continue
                    checked.add((i, key))
                    answers = layers[i][key].answers
                    run = RunState(self.spec, answers)
                    if run.urgent is not None and run.urgent["slug"] == certain["slug"]:
                        continue
                    asked = run.next_question
                    then = f"goes on to ask “{asked['text']}”" if asked else "goes on"
                    if len(problems) < EXAMPLES:
                        problems.append(
                            f"After the answers {self._words(answers)}, the outcome "
                            f"“{certain['title']}” is certain, but the questionnaire {then} "
                            "instead of showing it at once."
                        )
        return problems

    def _certain_urgent(self, i: int, key) -> dict | None:
        """The urgent outcome that state `key` of layer i is certain to end at, if any."""
        slugs = self.possible[i][key]
        if len(slugs) != 1:
            return None
        outcome = self.outcomes.get(next(iter(slugs)))
        return outcome if rules.is_urgent(outcome) else None


def _slug(outcome: dict | None) -> str | None:
    return outcome["slug"] if outcome else None


def _rank(outcome: dict) -> int:
    return rules.URGENCY_RANK.get(outcome["urgency"], 0)


def translation_problems(spec: Spec, texts: dict, language: str) -> list[str]:
    """A questionnaire is never shown half-translated: every question (with its help, error
    text and unit), answer and outcome of this version must have its text in `language`.
    `texts` maps ContentTranslation keys (question.<key>.text, answer.<key>.<code>,
    outcome.<slug>.title ...) to the translation."""

    def given(key: str) -> bool:
        return bool((texts.get(key) or "").strip())

    problems = []
    for q in spec["questions"]:
        for field in ("text", "help_text", "error_text", "unit"):
            if (q.get(field) or "").strip() and not given(f"question.{q['key']}.{field}"):
                what = {"text": "", "help_text": " (its help text)"}.get(field, f" ({field})")
                problems.append(f"Question “{q['text']}”{what} is not translated into {language}.")
        for o in q["options"]:
            if (o["text"] or "").strip() and not given(f"answer.{q['key']}.{o['code']}"):
                problems.append(
                    f"Answer “{o['text']}” to “{q['text']}” is not translated into {language}."
                )
    for o in spec["outcomes"]:
        for field, source in (
            ("title", "title"),
            ("explanation", "explanation"),
            ("next_steps", "next_steps_html"),
        ):
            if (o.get(source) or "").strip() and not given(f"outcome.{o['slug']}.{field}"):
                problems.append(
                    f"Outcome “{o['title']}” ({field.replace('_', ' ')}) is not translated "
                    f"into {language}."
                )
    return problems
