"""The schema of each kind of content file, as pydantic models.

A file is a content item: an article is Markdown with TOML front matter between `+++` lines
(its summary, then one `## heading` per section); a treatment comparison and a questionnaire
are TOML; the bibliography (references.toml) holds every source once, by key, and items cite
the keys. Every field has a name (never a position) and an unknown key is an error, so a typo
is caught, not silently dropped. Codes are checked with conditions.codes.code_problem, and
choices (verdict, level, setting, ...) against the models' own choices.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from conditions.codes import code_problem
from conditions.models import (
    FAQ,
    CareAdvice,
    CareSetting,
    ClinicalCode,
    CostBand,
    EvidenceLevel,
    Recommendation,
    Suitability,
)


def _choices(model_choices) -> set[str]:
    return {str(value) for value in model_choices.values}


def _one_of(value: str, choices, what: str) -> str:
    allowed = _choices(choices)
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of: {', '.join(sorted(allowed))}")
    return value


def _once(values, what: str) -> None:
    """Keys, slugs and codes name one entry each: a second one is an error, not a merge."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice")
        seen.add(value)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Source(Strict):
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str = Field(min_length=1)
    year: int | None = None
    checked_on: datetime.date | None = None
    about: list[str] = []
    read_at: str = ""


class Review(Strict):
    """Review metadata. In a pack, the source clinic's review: provenance, never this clinic's."""

    next_review_due: datetime.date | None = None
    reviewed_on: datetime.date | None = None
    reviewed_by: str = ""
    reviewed_at: str = ""  # the clinic (organisation) that reviewed it
    status: str = ""


class Code(Strict):
    system: str
    code: str
    display: str = ""
    version: str = ""

    @model_validator(mode="after")
    def _valid_code(self):
        _one_of(self.system, ClinicalCode.System, "code system")
        problem = code_problem(self.system, self.code)
        if problem:
            raise ValueError(f"code {self.code!r}: {problem}")
        return self


class Faq(Strict):
    question: str = Field(min_length=1)
    verdict: str = ""
    answer: str = Field(min_length=1)

    @field_validator("verdict")
    @classmethod
    def _verdict(cls, value):
        return _one_of(value, FAQ.Verdict, "verdict")


class Advice(Strict):
    level: str
    signs: str = ""
    action: str = ""
    from_signs: Literal["urgent", "emergency"] | None = None

    @field_validator("level")
    @classmethod
    def _level(cls, value):
        return _one_of(value, CareAdvice.Level, "level")

    @model_validator(mode="after")
    def _signs_or_shared(self):
        if self.from_signs and (self.signs or self.action):
            raise ValueError("give either from_signs or signs and action, not both")
        if not self.from_signs and not (self.signs.strip() and self.action.strip()):
            raise ValueError("signs and action are required (or from_signs)")
        return self


class Section(Strict):
    heading: str = Field(min_length=1)
    body: str = Field(min_length=1)


class Article(Strict):
    """The front matter of an article file (sections and summary come from its Markdown)."""

    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    featured: bool = False
    order: int = 0
    also_known_as: list[str] = []
    references: list[str] = Field(min_length=1)
    related: list[str] = []
    editor_note: str = ""
    parts: dict[str, str] = {}
    codes: list[Code] = []
    faqs: list[Faq] = []
    care_advice: list[Advice] = []
    review: Review = Review()
    # Filled from the Markdown body, not the front matter:
    summary: str = ""
    sections: list[Section] = []

    @model_validator(mode="after")
    def _parts_name_sections(self):
        headings = {s.heading for s in self.sections}
        for heading in self.parts:
            if heading not in headings:
                raise ValueError(f"parts: no section with the heading {heading!r}")
        return self


class Option(Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    setting: str
    who_does_it: str = ""
    description: str = ""
    # Unset: the option whose slug is "no-treatment" is the comparison's "wait and see" one.
    is_no_treatment: bool | None = None

    @field_validator("setting")
    @classmethod
    def _setting(cls, value):
        return _one_of(value, CareSetting, "setting")


class Row(Strict):
    treatment: str
    involves: str = ""
    effectiveness: str = ""
    evidence: str
    pain: str = ""
    downtime: str = ""
    risks: str = ""
    cost: str
    near_eyes: str
    children: str
    babies: str
    recommendation: str
    reason: str = ""
    references: list[str] = []

    @model_validator(mode="after")
    def _choices(self):
        _one_of(self.evidence, EvidenceLevel, "evidence")
        _one_of(self.cost, CostBand, "cost")
        for name in ("near_eyes", "children", "babies"):
            _one_of(getattr(self, name), Suitability, name)
        _one_of(self.recommendation, Recommendation, "recommendation")
        return self


class Comparison(Strict):
    condition: str
    intro: str = ""
    references: list[str] = Field(min_length=1)
    options: list[Option] = []
    rows: list[Row] = Field(min_length=1)
    review: Review = Review()

    @model_validator(mode="after")
    def _rows_name_options(self):
        _once([o.slug for o in self.options], "options: the slug")
        _once([row.treatment for row in self.rows], "rows: the treatment")
        slugs = {o.slug for o in self.options}
        for n, row in enumerate(self.rows):
            if row.treatment not in slugs:
                raise ValueError(f"rows[{n}].treatment {row.treatment!r} is not in options")
            for key in row.references:
                if key not in self.references:
                    raise ValueError(
                        f"rows[{n}].references: {key!r} is not in the comparison's references"
                    )
        return self


class Test(Strict):
    question: str
    op: str
    answer: str | None = None
    number: float | None = None

    @model_validator(mode="after")
    def _answer_or_number(self):
        if (self.answer is None) == (self.number is None):
            raise ValueError("give one of answer (a code) or number")
        return self


class ShowIf(Strict):
    match: Literal["any", "all"] = "any"
    rules: list[Test] = Field(min_length=1)


class AnswerChoice(Strict):
    code: str = Field(min_length=1)
    text: str = Field(min_length=1)
    score: int = 0
    # Unset: the answer "none" of a multiple-choice question excludes the others.
    exclusive: bool | None = None


class QuestionItem(Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    text: str = Field(min_length=1)
    kind: Literal["yes_no", "single", "multiple", "number"] = "yes_no"
    required: bool = True
    help_text: str = ""
    error_text: str = ""
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    options_from_signs: Literal["emergency"] | None = None
    options: list[AnswerChoice] = []
    show_if: ShowIf | None = None


class OutcomeItem(Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    urgency: str
    priority: int
    rule: str
    score_threshold: int | None = None
    triggers: list[Test] = []
    explanation: str = ""
    next_steps: str = ""
    signoff_note: str = ""
    # Unset: an outcome with a sign-off note needs a clinician's sign-off.
    needs_signoff: bool | None = None


class QuestionnaireFile(Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    featured: bool = False
    intro: str = ""
    conditions: list[str] = []
    questions: list[QuestionItem] = Field(min_length=1)
    outcomes: list[OutcomeItem] = Field(min_length=1)
    examples: dict[str, dict[str, list[list]]] = {}
    review: Review = Review()

    @model_validator(mode="after")
    def _tests_name_questions(self):
        _once([q.key for q in self.questions], "questions: the key")
        _once([o.slug for o in self.outcomes], "outcomes: the slug")
        for q in self.questions:
            _once([o.code for o in q.options], f"questions.{q.key}.options: the code")
        keys = {q.key for q in self.questions}
        for where, tests in [
            *[
                (f"questions.{q.key}.show_if", q.show_if.rules if q.show_if else [])
                for q in self.questions
            ],
            *[(f"outcomes.{o.slug}.triggers", o.triggers) for o in self.outcomes],
        ]:
            for test in tests:
                if test.question not in keys:
                    raise ValueError(f"{where}: no question with the key {test.question!r}")
        return self


class Term(Strict):
    phrase: str = Field(min_length=1)
    variants: list[str] = []


class SearchHelp(Strict):
    heading: str
    body: str
    emergency_phone: str
    urgent_phone: str
    source_name: str
    source_url: str
    terms: list[Term] = []
    review: Review = Review()


class Kiosk(Strict):
    name: str
    slug: str
    welcome_text: str = ""
    idle_seconds: int
    warning_seconds: int
    printer_available: bool = False
    featured_conditions: list[str] = []
    featured_questionnaires: list[str] = []


class Sign(Strict):
    code: str
    text: str


class Signs(Strict):
    emergency_action: str
    urgent_action: str
    emergency: list[Sign]
    urgent: list[str]


class Pack(Strict):
    """pack.toml: what every item in the folder shares unless its own file says otherwise."""

    review: Review = Review()
    exported_from: str = ""
    exported_on: datetime.date | None = None
