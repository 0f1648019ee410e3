"""One form per questionnaire step, built from the question's spec dict (see conditions/rules.py)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from conditions import rules


def required_message(question: dict) -> str:
    """What to say when a required question is not answered: the question's own error text
    ("Select who the spots are on"), else a message that fits its kind of answer."""
    if question.get("error_text"):  # .get: a spec cached before the field existed
        return question["error_text"]
    kind = question["kind"]
    if kind == "number":
        if question["unit"]:
            return _("Enter the number of %(unit)s") % {"unit": question["unit"]}
        return _("Enter a number")
    if kind == "yes_no":
        return _("Select yes or no")
    if kind == "multiple":
        exclusive = next((o for o in question["options"] if o.get("exclusive")), None)
        if exclusive:
            return _("Select at least one answer, or “%(option)s”") % {"option": exclusive["text"]}
        return _("Select at least one answer")
    return _("Select one answer")


class QuestionForm(forms.Form):
    """The answer to one question, named "answer"; validated against the options or min/max."""

    def __init__(self, question: dict, *args, initial_answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        choices = [(o["code"], o["text"]) for o in question["options"]]
        required = question["required"]
        kind = question["kind"]
        if kind == "number":
            field = forms.DecimalField(
                min_value=question["min"],
                max_value=question["max"],
                max_digits=8,
                decimal_places=2,
                required=required,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                error_messages={
                    "required": required_message(question),
                    "invalid": _("Enter a number, like 12 or 3.5"),
                    "min_value": _("Enter a number that is %(limit)s or more")
                    % {"limit": rules.format_number(question["min"])},
                    "max_value": _("Enter a number that is %(limit)s or less")
                    % {"limit": rules.format_number(question["max"])},
                    "max_decimal_places": _("Enter a number with no more than 2 decimal places"),
                    "max_digits": _("Enter a smaller number"),
                },
            )
        elif kind == "multiple":
            field = forms.MultipleChoiceField(
                choices=choices,
                required=required,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": required_message(question)},
            )
        else:
            field = forms.ChoiceField(
                choices=choices,
                required=required,
                widget=forms.RadioSelect,
                error_messages={"required": required_message(question)},
            )
        field.label = question["text"]
        field.help_text = question["help_text"]
        self.fields["answer"] = field
        if initial_answer is not None:
            self.initial["answer"] = initial_answer

    def refusal(self) -> str | None:
        """Why the posted answer is refused outright (a 400: never guess), or None.

        Refused: codes that are not the question's answers, two answers to a one-answer
        question or two numbers to a number question (never pick one), and an exclusive
        answer such as "None of these" ticked with another answer.
        """
        if not self.is_bound:
            return None
        posted = self.data.getlist("answer") if hasattr(self.data, "getlist") else []
        kind = self.question["kind"]
        if kind == "number":
            return _("Enter one number only") if len(posted) > 1 else None
        codes = {o["code"] for o in self.question["options"]}
        if any(value not in codes for value in posted if value != ""):
            return _("Choose one of the answers shown")
        if kind != "multiple" and len(posted) > 1:
            return _("Choose one of the answers shown")
        chosen = {value for value in posted if value}
        for option in self.question["options"]:
            if option.get("exclusive") and option["code"] in chosen and len(chosen) > 1:
                return _(
                    "“%(option)s” cannot be ticked with another answer to “%(question)s”. "
                    "Untick “%(option)s”, or untick the other answers."
                ) % {"option": option["text"], "question": self.question["text"]}
        return None

    def answer(self):
        """The cleaned answer as the rules expect it (None: an optional question left blank)."""
        value = self.cleaned_data.get("answer")
        if value in (None, "", []):
            return None
        if isinstance(value, Decimal):
            return value.quantize(Decimal(1)) if value == value.to_integral() else value
        if isinstance(value, list | tuple):
            return list(dict.fromkeys(value))  # a repeated option counts once
        return value


class PreviewForm(forms.Form):
    """Staff preview: every question on one page, each optional (hidden ones are ignored)."""

    def __init__(self, spec: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for question in spec["questions"]:
            sub = QuestionForm(question)
            field = sub.fields["answer"]
            field.required = False
            self.fields[question["key"]] = field

    def answers(self) -> dict:
        result = {}
        for question in self.spec["questions"]:
            value = self.cleaned_data.get(question["key"])
            if value in (None, "", []):
                continue
            result[question["key"]] = list(value) if isinstance(value, list) else value
        return result
