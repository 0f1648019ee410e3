"""One patient's run through a questionnaire, worked out once per request.

RunState holds everything the views ask about the answers so far: which questions show, the
answers that count, the first question still to answer, whether an urgent outcome is already
certain (then nothing more is asked: the next page is that outcome's advice), the next step
after an answer, and the outcome. Pure: a spec and the answers in, no request, no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from conditions import rules
from conditions.rules import Answers, Spec

ADVICE, QUESTION, REVIEW = "advice", "question", "review"


@dataclass(frozen=True)
class Step:
    """Where the patient goes next: an urgent outcome's advice, a question, or the review."""

    kind: str
    question: dict | None = None
    outcome: dict | None = None


class RunState:
    def __init__(self, spec: Spec, answers: Answers):
        self.spec = spec
        self.visible, self.answers = rules.visible_and_effective(spec, answers)
        self._position = {q["key"]: i for i, q in enumerate(self.visible)}
        self.next_question = next(
            (
                q
                for q in self.visible
                if q["key"] not in self.answers
                or (q["required"] and not rules._answered(self.answers[q["key"]]))
            ),
            None,
        )

    @cached_property
    def urgent(self) -> dict | None:
        """The urgent outcome these answers already make certain, whatever comes next."""
        if not self.answers:
            return None
        return rules.certain_urgent_outcome(self.spec, self.answers)

    @property
    def complete(self) -> bool:
        """Every visible question has its answer (the review can be shown)."""
        return self.next_question is None

    @cached_property
    def decision(self) -> dict | None:
        """rules.decide_outcome for a complete run or a certain urgent outcome; else None."""
        if not (self.complete or self.urgent):
            return None
        return rules.decide_outcome(self.spec, self.answers)

    @property
    def outcome(self) -> dict | None:
        if self.urgent:
            return self.urgent
        return self.decision["outcome"] if self.decision else None

    # -- questions ---------------------------------------------------------------------------
    def shows(self, key: str) -> bool:
        return key in self._position

    def position(self, key: str) -> int:
        return self._position[key]

    def previous(self, key: str) -> dict | None:
        index = self._position[key]
        return self.visible[index - 1] if index else None

    def following(self, key: str) -> dict | None:
        index = self._position[key] + 1
        return self.visible[index] if index < len(self.visible) else None

    def gap_before(self, key: str) -> dict | None:
        """The first earlier visible question still to answer, if any."""
        gap = self.next_question
        if gap is None or self._position[gap["key"]] >= self._position[key]:
            return None
        return gap

    def next_step(self, after: str | None = None, change: bool = False) -> Step:
        """Where to go after answering `after` (from "Check your answers" when `change`)."""
        if self.urgent:
            return Step(ADVICE, outcome=self.urgent)
        gap = self.next_question
        if not change and after is not None and self.shows(after):
            following = self.following(after)
            if following is not None:
                return Step(QUESTION, question=following)
        if gap is not None:
            return Step(QUESTION, question=gap)
        return Step(REVIEW)
