"""The questionnaire's "Build" page: every question with its answers and show-if rule, and every
outcome with its trigger answers, edited on one page and saved with one button.

Django admin inlines cannot nest (question -> answers), so this page is a small set of model
formsets: one for the questions, one answers formset per question (new questions included),
one for the outcomes. The whole page saves in one transaction or not at all; it is a change to
the questionnaire's working copy, checked against the version the editor opened
(conditions/admin/review.check_version) and recorded with `record_change`, like every other
admin save. The safety check runs after every save and its problems are listed at the top,
each linked to the question or outcome at fault.

Show-if rules and triggers are picked by the answers' text ("Question → Answer"), never by id:
"answer is X" by ticking the answer, every other test the model has ("is not" an answer, a
number "is less than" or "is at least" a value, e.g. weeks at least 6) as rows under it, each
problem shown beside its field. Question and outcome share that code (`AnswerConditionsMixin`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet, ModelChoiceIteratorValue, inlineformset_factory
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conditions.admin import pasting
from conditions.admin.review import check_version
from conditions.models import (
    AnswerOption,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)
from conditions.models.questionnaires import AnswerCondition

NEW_QUESTIONS = 2  # blank question slots on the page
NEW_OUTCOMES = 2
NEW_ANSWERS = 3  # blank answer rows under a new question
MORE_ANSWERS = 1  # blank answer rows under a saved choice question
NEW_RULES = 1  # blank "other test" rows under each question and outcome
MARKUP_ADVICE = gettext_lazy("put them in an outcome's “what to do next”, which takes Markdown")


def unique_slug(text: str, taken: set[str], max_length: int, fallback: str) -> str:
    """A slug made from `text`, not in `taken`: "fever", then "fever-2", "fever-3" ..."""
    base = slugify(text)[: max_length - 4].strip("-") or fallback
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def forms_to_save(formset):
    """The rows of a build-page formset to save: rows marked for deletion are deleted here
    (a row already gone with its question is no error); rows the editor left as they were,
    with their answers and tests, and blank new rows are left out (saving an unchanged row
    would only write it and its history again)."""
    for form in formset.forms:
        if formset._should_delete_form(form):
            if form.instance.pk:
                type(form.instance)._default_manager.filter(pk=form.instance.pk).delete()
            continue
        if changed(form):
            yield form


def changed(form) -> bool:
    """Whether the editor changed this row, or the answers or tests under it."""
    nested = [getattr(form, name, None) for name in ("answers", "rules")]
    return form.has_changed() or any(rows.has_changed() for rows in nested if rows is not None)


def fill_slug(form, cleaned: dict, field: str, source: str, max_length: int, fallback: str):
    """A question's key or an outcome's slug left blank is made from its text, unique within
    the questionnaire."""
    if not cleaned.get(field) and cleaned.get(source):
        model = form._meta.model
        others = model.objects.filter(questionnaire_id=form.instance.questionnaire_id)
        taken = set(others.exclude(pk=form.instance.pk).values_list(field, flat=True))
        cleaned[field] = unique_slug(cleaned[source], taken, max_length, fallback)
        setattr(form.instance, field, cleaned[field])
    return cleaned


def answer_label(option: AnswerOption) -> str:
    return f"{option.question.text} → {option.text}"


# -- widgets written out in Python ---------------------------------------------------------------
# A questionnaire of 28 questions puts about 4,000 answer choices on the page: every earlier
# answer under each question and each outcome. Django renders each choice through its own
# templates, which made the page take seconds to build; these widgets write the same HTML
# (names, ids, labels, checked and selected) directly.
class PlainSelect(forms.Select):
    """A <select> with its options written out directly."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group, _index in widget["optgroups"]:
            items = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], flatatt(o["attrs"]), o["label"]) for o in group),
            )
            if group_name:
                items = format_html('<optgroup label="{}">{}</optgroup>', group_name, items)
            options.append(items)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((group,) for group in options)),
        )


class TickList(forms.CheckboxSelectMultiple):
    """Answers to tick, each a checkbox with its label after it, in one list."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        rows = format_html_join(
            "",
            '<div><input type="checkbox" name="{}" value="{}"{}> <label for="{}">{}</label></div>',
            (
                (o["name"], o["value"], flatatt(o["attrs"]), o["attrs"]["id"], o["label"])
                for _group_name, group, _index in widget["optgroups"]
                for o in group
            ),
        )
        return format_html('<div class="build-choice-list">{}</div>', rows)


class AnswerChoices(forms.ModelMultipleChoiceField):
    """Answers picked by their question's and their own text."""

    widget = TickList

    def label_from_instance(self, obj):
        return answer_label(obj)


def answers_of(questions) -> forms.models.QuerySet:
    return (
        AnswerOption.objects.filter(question__in=questions)
        .select_related("question")
        .order_by("question__order", "question_id", "order", "pk")
    )


def still_there(options) -> list[AnswerOption]:
    """The chosen answers that still exist (a question deleted in the same save takes its
    answers with it)."""
    pks = [o.pk for o in options or []]
    return list(answers_of_pks(pks))


def answers_of_pks(pks):
    return AnswerOption.objects.filter(pk__in=pks).select_related("question")


class Testable:
    """What a show-if rule or an outcome's trigger may test: some of the questionnaire's
    questions and their answers. The querysets check what a form sends; the rows, fetched once
    for the whole page, are what the page offers. Each question and outcome offers them again;
    when each asked the database, the demo questionnaire's page made 353 queries (now 89)."""

    def __init__(self, questions: Iterable[Question] = (), answers: Iterable[AnswerOption] = ()):
        self.question_rows = list(questions)
        ids = {q.pk for q in self.question_rows}
        self.answer_rows = [a for a in answers if a.question_id in ids]
        self.questions = Question.objects.filter(pk__in=ids).order_by("order", "pk")
        self.answers = answers_of(self.questions)

    def offer(self, field, rows, label) -> None:
        """`field` (a model choice field) checks against its queryset and lists `rows`."""
        field.label_from_instance = label
        blank = [] if field.empty_label is None else [("", field.empty_label)]
        field.choices = blank + [
            (ModelChoiceIteratorValue(field.prepare_value(row), row), label(row)) for row in rows
        ]

    def offer_questions(self, field) -> None:
        field.queryset = self.questions
        self.offer(field, self.question_rows, question_label)

    def offer_answers(self, field) -> None:
        field.queryset = self.answers
        self.offer(field, self.answer_rows, answer_label)


def question_label(question: Question) -> str:
    return question.text


class QuestionnaireTextForm(pasting.PastedTextMixin, forms.ModelForm):
    """A form of a questionnaire's texts (`plain_fields`, `markdown_fields`), which says where
    markup belongs when a writer pastes some."""

    markup_advice = MARKUP_ADVICE


# -- answers -------------------------------------------------------------------------------------
class BuildAnswerForm(QuestionnaireTextForm):
    plain_fields = ("text",)

    class Meta:
        model = AnswerOption
        fields = ["text", "code", "score", "exclusive"]
        widgets = {"score": forms.NumberInput(attrs={"class": "vIntegerField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = ""
        self.fields["exclusive"].help_text = ""
        self.fields["exclusive"].label = _("excludes others")


class BuildAnswerFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        taken = set()
        for form in self.forms:
            if not form.has_changed() and form not in self.initial_forms:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            if not data:
                continue
            if not data.get("code"):
                data["code"] = unique_slug(data.get("text", ""), taken, 60, "answer")
                form.instance.code = data["code"]
            if data["code"] in taken:
                form.add_error("code", _("Two answers of this question have the same code."))
            taken.add(data["code"])

    def save_new(self, form, commit=True):
        form.instance.order = self._next_order()
        return super().save_new(form, commit)

    def _next_order(self) -> int:
        orders = [f.instance.order for f in self.initial_forms] + getattr(self, "_given", [])
        order = max(orders, default=-1) + 1
        self._given = [*getattr(self, "_given", []), order]
        return order


AnswerFormSet = inlineformset_factory(
    Question,
    AnswerOption,
    form=BuildAnswerForm,
    formset=BuildAnswerFormSet,
    extra=NEW_ANSWERS,
    can_delete=True,
    can_delete_extra=False,
)
# A saved yes/no question has its Yes and No and no blank rows; a saved choice question one
# blank row for another answer; a new question (whose type may still change) three.
YesNoAnswerFormSet = inlineformset_factory(
    Question,
    AnswerOption,
    form=BuildAnswerForm,
    formset=BuildAnswerFormSet,
    extra=0,
    can_delete=True,
    can_delete_extra=False,
)
MoreAnswerFormSet = inlineformset_factory(
    Question,
    AnswerOption,
    form=BuildAnswerForm,
    formset=BuildAnswerFormSet,
    extra=MORE_ANSWERS,
    can_delete=True,
    can_delete_extra=False,
)


# -- show-if rules and triggers: the tests on earlier answers --------------------------------
def is_tick(test) -> bool:
    """An "answer is X" test: edited by ticking X."""
    return test.operator == AnswerCondition.Operator.IS and test.option_id is not None


class RuleForm(forms.ModelForm):
    """One test other than "answer is X": "is not" an answer, or a number question's answer
    "is less than" / "is at least" a number. Each problem is shown beside its field."""

    OPERATORS = [("", "---------")] + [
        (value, label) for value, label in AnswerCondition.Operator.choices if value != "is"
    ]

    class Meta:
        fields = ["source_question", "operator", "option", "number"]
        widgets = {
            "source_question": PlainSelect,
            "operator": PlainSelect,
            "option": PlainSelect,
            "number": forms.NumberInput(attrs={"class": "vIntegerField", "step": "any"}),
        }

    def __init__(self, *args, testable=None, **kwargs):
        super().__init__(*args, **kwargs)
        testable = testable if testable is not None else Testable()
        testable.offer_questions(self.fields["source_question"])
        testable.offer_answers(self.fields["option"])
        operators = list(self.OPERATORS)
        if self.instance.pk and self.instance.operator == AnswerCondition.Operator.IS:
            operators.insert(1, ("is", AnswerCondition.Operator.IS.label))  # an "is" with no answer
        self.fields["operator"].choices = operators
        if not self.instance.pk:
            self.initial["operator"] = ""  # a blank row stays blank (the model's default is "is")

    def clean(self):
        cleaned = super().clean()
        question, operator = cleaned.get("source_question"), cleaned.get("operator")
        option, number = cleaned.get("option"), cleaned.get("number")
        if question is None:
            return cleaned
        op = AnswerCondition.Operator
        if question.kind == Question.Kind.NUMBER:
            if operator and operator not in (op.LT, op.GTE):
                self.add_error(
                    "operator",
                    _("“%(q)s” is answered with a number: choose “is less than” or “is at least”.")
                    % {"q": question.text},
                )
            if number is None:
                self.add_error("number", _("Write the number to compare the answer with."))
            if option is not None:
                self.add_error("option", _("A number question has no answers: leave this empty."))
        else:
            if operator and operator not in (op.IS, op.IS_NOT):
                self.add_error(
                    "operator",
                    _("“%(q)s” is answered by choosing: choose “is not”.") % {"q": question.text},
                )
            if option is None:
                self.add_error("option", _("Pick the answer of “%(q)s”.") % {"q": question.text})
            elif option.question_id != question.pk:
                self.add_error(
                    "option",
                    _("“%(a)s” is an answer of another question: pick one of “%(q)s”.")
                    % {"a": option.text, "q": question.text},
                )
            if number is not None:
                self.add_error("number", _("Only a number answer is compared with a number."))
        return cleaned

    def _post_clean(self):
        if self.errors:
            return  # each problem is already named beside its field; the model would repeat it
        super()._post_clean()


class BaseRuleFormSet(BaseInlineFormSet):
    def __init__(self, *args, testable=None, **kwargs):
        self.testable = testable if testable is not None else Testable()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "testable": self.testable}


def rule_formset(parent, model, fk_name: str):
    return inlineformset_factory(
        parent,
        model,
        form=RuleForm,
        formset=BaseRuleFormSet,
        fk_name=fk_name,
        extra=NEW_RULES,
        can_delete=True,
        can_delete_extra=False,
    )


ShowIfRuleFormSet = rule_formset(Question, ShowIf, "question")
TriggerRuleFormSet = rule_formset(Outcome, OutcomeTrigger, "outcome")


class AnswerConditionsMixin:
    """A question's show-if rules or an outcome's triggers on the Build page, for a ModelForm:
    "answer is X" by ticking X in `ticks_field`; every other test as a row of `self.rules`.
    The subclass names its ticks field and its tests' formset."""

    ticks_field: str
    rules_formset: type
    blank_message: str  # for rules under a new item left blank

    def init_tests(self, testable: Testable) -> None:
        testable.offer_answers(self.fields[self.ticks_field])
        if self.instance.pk:
            self.fields[self.ticks_field].initial = [
                t.option_id for t in self.tests() if is_tick(t)
            ]
        self.rules = self.rules_formset(
            data=self.data if self.is_bound else None,
            instance=self.instance,
            prefix=f"{self.prefix}-rules",
            testable=testable,
            queryset=self.rules_formset.model._default_manager.exclude(
                operator=AnswerCondition.Operator.IS, option__isnull=False
            ).select_related("source_question", "option"),
        )

    def tests_of(self, owner):
        """The question's show-if tests or the outcome's triggers (the formset's rows)."""
        return getattr(owner, self.rules_formset.fk.remote_field.get_accessor_name())

    def tests(self) -> list:
        return list(self.tests_of(self.instance).all()) if self.instance.pk else []

    def is_valid(self) -> bool:
        valid = super().is_valid()
        rules_valid = self.rules.is_valid()
        blank = not self.instance.pk and not self.has_changed()
        if blank and any(form.has_changed() for form in self.rules.forms):
            self.add_error(None, self.blank_message)
            valid = False
        return valid and rules_valid

    def save_tests(self, owner) -> None:
        """The ticked answers become "is" tests (unticked ones go); the rows are saved,
        except those about a question or answer deleted in the same save."""
        model = self.rules_formset.model
        fk = self.rules_formset.fk.name
        chosen = still_there(self.cleaned_data.get(self.ticks_field))
        current = {t.option_id: t for t in self.tests_of(owner).all() if is_tick(t)}
        for option_id, test in current.items():
            if option_id not in {o.pk for o in chosen}:
                test.delete()
        for option in chosen:
            if option.pk not in current:
                model.objects.create(
                    **{fk: owner},
                    source_question=option.question,
                    operator=AnswerCondition.Operator.IS,
                    option=option,
                )
        for form in forms_to_save(self.rules):
            data = form.cleaned_data
            question, option = data.get("source_question"), data.get("option")
            gone = not Question.objects.filter(pk=question.pk).exists() or (
                option is not None and not AnswerOption.objects.filter(pk=option.pk).exists()
            )
            if gone:
                continue
            rule = form.save(commit=False)
            setattr(rule, fk, owner)
            rule.save()


# -- questions -----------------------------------------------------------------------------------
class BuildQuestionForm(AnswerConditionsMixin, QuestionnaireTextForm):
    ticks_field = "show_if_answers"
    rules_formset = ShowIfRuleFormSet
    blank_message = gettext_lazy("Write the question for these rules.")
    plain_fields = ("text", "help_text")

    show_if_answers = AnswerChoices(
        queryset=AnswerOption.objects.none(),
        required=False,
        label=gettext_lazy("Show this question only if the answer to an earlier question is"),
        help_text=gettext_lazy("Tick none to always show it."),
    )

    class Meta:
        model = Question
        fields = [
            "order",
            "text",
            "kind",
            "required",
            "help_text",
            "min_value",
            "max_value",
            "unit",
            "show_if_match",
            "key",
        ]
        widgets = {
            "help_text": forms.Textarea(attrs={"rows": 2, "cols": 60, "data-live-preview": "1"}),
            "text": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args, earlier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False
        self.fields["key"].help_text = _("Made from the question when left blank.")
        self.fields["order"].required = False
        self.fields["show_if_match"].required = False  # shown only when there is a choice
        self.init_tests(earlier if earlier is not None else Testable())

    def clean_show_if_match(self):
        return self.cleaned_data.get("show_if_match") or Question.Match.ANY

    def clean(self):
        return fill_slug(self, super().clean(), "key", "text", 60, "question")


class BuildQuestionFormSet(BaseInlineFormSet):
    """The questions, each with its answers formset (`form.answers`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = list(self.get_queryset())
        self._existing = existing
        self._answers = list(answers_of(existing))
        self._next_order = max((q.order for q in existing), default=0)

    def testable(self, before: int | None = None) -> Testable:
        """The saved questions (those before the `before`-th) and their answers."""
        return Testable(self._existing[:before], self._answers)

    def _construct_form(self, i, **kwargs):
        existing = self._existing
        if i < self.initial_form_count():
            # Show-if may use the questions before this one.
            kwargs["earlier"] = self.testable(before=i)
        else:
            kwargs["earlier"] = self.testable()
        form = super()._construct_form(i, **kwargs)
        if i >= self.initial_form_count():
            extra_index = i - self.initial_form_count() + 1
            form.fields["order"].initial = max((q.order for q in existing), default=0) + (
                10 * extra_index
            )
            form.fields["kind"].initial = Question.Kind.YES_NO
        instance = form.instance if form.instance.pk else Question()
        if not instance.pk:
            answers_class = AnswerFormSet
        elif instance.kind == Question.Kind.YES_NO:
            answers_class = YesNoAnswerFormSet
        else:
            answers_class = MoreAnswerFormSet
        form.answers = answers_class(
            data=self.data if self.is_bound else None,
            instance=instance,
            prefix=f"{form.prefix}-answers",
        )
        form.anchor = f"question-{form.instance.pk}" if form.instance.pk else f"new-{form.prefix}"
        return form

    def is_valid(self):
        valid = super().is_valid()
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            if not form.answers.is_valid():
                valid = False
            new_and_blank = form not in self.initial_forms and not form.has_changed()
            if new_and_blank and any(f.has_changed() for f in form.answers.forms):
                form.add_error("text", _("Write the question for these answers."))
                valid = False
        return valid

    def save_all(self) -> list[Question]:
        """Save the questions, their answers (Yes/No made for yes/no questions) and show-ifs."""
        saved = []
        for form in forms_to_save(self):
            question = form.save(commit=False)
            if question.order is None:
                question.order = self._next_order + 10
            question.questionnaire = self.instance
            question.save()
            self._next_order = max(self._next_order, question.order)
            form.answers.instance = question
            form.answers.save()
            question.add_yes_no_answers()
            form.save_tests(question)
            saved.append(question)
        return saved


QuestionFormSet = inlineformset_factory(
    Questionnaire,
    Question,
    form=BuildQuestionForm,
    formset=BuildQuestionFormSet,
    extra=NEW_QUESTIONS,
    can_delete=True,
    can_delete_extra=False,
)


# -- outcomes ------------------------------------------------------------------------------------
class BuildOutcomeForm(AnswerConditionsMixin, QuestionnaireTextForm):
    ticks_field = "trigger_answers"
    rules_formset = TriggerRuleFormSet
    blank_message = gettext_lazy("Write the outcome for these triggers.")
    plain_fields = ("title", "explanation")
    markdown_fields = ("next_steps",)

    trigger_answers = AnswerChoices(
        queryset=AnswerOption.objects.none(),
        required=False,
        label=gettext_lazy("Trigger answers"),
        help_text=gettext_lazy(
            "For a red flag: any of these answers leads here, whatever else was answered. "
            "Answers of a question you have just added appear once it is saved."
        ),
    )

    class Meta:
        model = Outcome
        fields = [
            "title",
            "urgency",
            "rule",
            "priority",
            "score_threshold",
            "explanation",
            "next_steps",
            "slug",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"size": 60}),
            "explanation": forms.Textarea(attrs={"rows": 3, "cols": 60, "data-live-preview": "1"}),
            "next_steps": forms.Textarea(attrs={"rows": 3, "cols": 60, "data-live-preview": "1"}),
        }

    def __init__(self, *args, testable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Made from the title when left blank.")
        self.init_tests(testable if testable is not None else Testable())

    def clean(self):
        return fill_slug(self, super().clean(), "slug", "title", 80, "outcome")


class BuildOutcomeFormSet(BaseInlineFormSet):
    def __init__(self, *args, testable=None, **kwargs):
        self.testable = testable if testable is not None else Testable()
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, testable=self.testable, **kwargs)
        form.anchor = f"outcome-{form.instance.pk}" if form.instance.pk else f"new-{form.prefix}"
        return form

    def save_all(self) -> None:
        for form in forms_to_save(self):
            outcome = form.save(commit=False)
            outcome.lapse_sign_off(form.changed_data)
            outcome.questionnaire = self.instance
            outcome.save()
            form.save_tests(outcome)


OutcomeFormSet = inlineformset_factory(
    Questionnaire,
    Outcome,
    form=BuildOutcomeForm,
    formset=BuildOutcomeFormSet,
    extra=NEW_OUTCOMES,
    can_delete=True,
    can_delete_extra=False,
)


class BuildPageForm(forms.Form):
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# -- the page ------------------------------------------------------------------------------------
class Builder:
    """The forms of one questionnaire's build page, bound to a POST or not."""

    def __init__(self, questionnaire: Questionnaire, data=None):
        self.questionnaire = questionnaire
        self.page = BuildPageForm(data, initial={"edit_version": questionnaire.version})
        self.questions = QuestionFormSet(
            data,
            instance=questionnaire,
            prefix="q",
            queryset=Question.objects.order_by("order", "pk").prefetch_related("show_if"),
        )
        self.outcomes = OutcomeFormSet(
            data,
            instance=questionnaire,
            prefix="o",
            queryset=Outcome.objects.order_by("-priority", "pk").prefetch_related("triggers"),
            testable=self.questions.testable(),  # an outcome may test every saved question
        )
        self.errors: list[str] = []
        self.stale = False  # refused: someone else saved since the page was opened

    def cleaned_forms(self) -> list:
        """For the pasted-text report: every formset of the page, answers included."""
        answers = [form.answers for form in self.questions.forms]
        return [self.questions, *answers, self.outcomes]

    def is_valid(self) -> bool:
        # All three, so that every form shows its errors at once.
        results = [self.page.is_valid(), self.questions.is_valid(), self.outcomes.is_valid()]
        return all(results)

    @transaction.atomic
    def save(self, user) -> bool:
        """Save everything, or nothing when someone else saved since the page was opened."""
        try:
            check_version(self.questionnaire, self.page.cleaned_data.get("edit_version"))
        except ValidationError as error:
            self.errors.extend(error.messages)
            self.stale = True
            return False
        self.questions.save_all()
        self.outcomes.save_all()
        self.questionnaire.record_change(user)
        return True

    def error_list(self) -> list[tuple[str, str]]:
        """Every error on the page as (anchor of the field or item, message), for the summary
        at the top: a GOV.UK-style error summary whose links go to the field at fault."""
        found = [("build-form", str(e)) for e in self.errors]
        found += [("build-form", str(e)) for e in self.page.non_field_errors()]

        def collect(form, where: str) -> None:
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                target = form[name].auto_id if field is not None else where
                label = f"{field.label}: " if field is not None else ""
                found.extend((target, f"{label}{e}") for e in errors)

        for formset, kind in ((self.questions, _("Question")), (self.outcomes, _("Outcome"))):
            found += [("build-form", str(e)) for e in formset.non_form_errors()]
            for n, form in enumerate(formset.forms, start=1):
                before = len(found)
                collect(form, form.anchor)
                answers = getattr(form, "answers", None)
                if answers is not None:
                    found += [(form.anchor, str(e)) for e in answers.non_form_errors()]
                    for answer in answers.forms:
                        collect(answer, form.anchor)
                found += [(form.anchor, str(e)) for e in form.rules.non_form_errors()]
                for rule in form.rules.forms:
                    collect(rule, form.anchor)
                name = form.instance.text if kind == _("Question") else form.instance.title
                where = f"{kind} {n}" + (f" (“{name}”)" if name else "")
                found[before:] = [(a, f"{where}: {m}") for a, m in found[before:]]
        return found


# -- the safety check's problems, each linked to what is at fault -------------------------------
QUOTED = re.compile(r"“([^”]*)”")


def locate_problem(problem: str, questionnaire: Questionnaire) -> str:
    """The anchor on the build page of the question or outcome a safety problem is about.

    The safety check (conditions/safety.py) names questions and outcomes by their text in
    curly quotes. A problem that starts with "Question “…”" or "Outcome “…”" is about that one;
    "goes on to ask “…”" is about the question asked too late; otherwise the outcome named last
    (the one a path wrongly ends at), then the question named first; else the outcomes list.
    """
    questions = {q.text: f"question-{q.pk}" for q in questionnaire.questions.all()}
    outcomes = {o.title: f"outcome-{o.pk}" for o in questionnaire.outcomes.all()}
    outcomes_by_slug = {o.slug: f"outcome-{o.pk}" for o in questionnaire.outcomes.all()}
    quoted = QUOTED.findall(problem)
    first = quoted[0] if quoted else None
    if problem.startswith("Question “") and first in questions:
        return questions[first]
    if problem.startswith("Outcome “"):
        if first in outcomes:
            return outcomes[first]
        if first in outcomes_by_slug:
            return outcomes_by_slug[first]
    asked = re.search(r"goes on to ask “([^”]*)”", problem)
    if asked and asked[1] in questions:
        return questions[asked[1]]
    named_outcomes = [outcomes[q] for q in quoted if q in outcomes]
    if named_outcomes:
        return named_outcomes[-1]
    named_questions = [questions[q] for q in quoted if q in questions]
    if named_questions:
        return named_questions[0]
    return "outcomes"


def problems_with_anchors(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    from conditions import safety

    problems = safety.safety_problems(questionnaire.spec())
    return [(problem, locate_problem(problem, questionnaire)) for problem in problems]


def stale_context(builder: Builder, questionnaire: Questionnaire, user) -> dict:
    """After a refused stale save: what the others changed since this user opened the page (as
    the history tells it), and the page made ready to save the merge the user makes now, on top
    of the saved version, as the article form does after a refusal."""
    from conditions.admin import editor
    from conditions.models.review import EditingSession

    session = EditingSession.objects.filter(
        content_type=ContentType.objects.get_for_model(questionnaire),
        object_id=questionnaire.pk,
        user=user,
    ).first()
    since = session.started if session is not None else None
    entries = [
        entry
        for entry in editor.history_sentences(questionnaire, limit=50)
        if since is None or entry["at"] >= since
    ]
    data = builder.page.data.copy()
    data["edit_version"] = str(questionnaire.version)
    builder.page.data = data
    builder.errors = [
        _(
            "Someone else saved this questionnaire after you opened this page, so your changes "
            "were NOT saved and nothing was overwritten. Your typing is kept below; what they "
            "changed is listed here. Merge the two, then save again: that save replaces their "
            "version with this page."
        )
    ]
    return {"entries": entries[:20]}


def build_view(model_admin, request, object_id):
    """GET: the build page. POST: save everything (or nothing), then back to the page."""
    from django.contrib import messages
    from django.contrib.admin.utils import unquote
    from django.core.exceptions import PermissionDenied
    from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
    from django.template.response import TemplateResponse
    from django.urls import reverse

    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    questionnaire = model_admin.get_object(request, unquote(object_id))
    if questionnaire is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request, questionnaire):
        raise PermissionDenied
    may_change = model_admin.has_change_permission(request, questionnaire)
    here = reverse("admin:conditions_questionnaire_build", args=[questionnaire.pk])
    status = 200
    stale = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        builder = Builder(questionnaire, request.POST)
        if builder.is_valid() and builder.save(request.user):
            pasting.report_cleaning(request, builder.page, builder.cleaned_forms())
            if request.POST.get("_workflow") == "submit":
                # "Save and submit for review": saved above, then submitted, as on the form.
                return model_admin.submit_after_save(request, questionnaire, here)
            problems = problems_with_anchors(questionnaire)
            if problems:
                messages.warning(
                    request,
                    _("Saved. The safety check found %(n)d problem(s): see the list below.")
                    % {"n": len(problems)},
                )
            else:
                messages.success(request, _("Saved. The safety check found no problems."))
            return HttpResponseRedirect(here)
        status = 400
        questionnaire.refresh_from_db()
        if builder.stale:
            stale = stale_context(builder, questionnaire, request.user)
    else:
        builder = Builder(questionnaire)
    from conditions.models.review import EditingSession

    editing = {}
    if may_change:  # the soft lock: "X has been editing this since 10:02", as on the form
        EditingSession.touch(questionnaire, request.user, restart=request.method == "GET")
        editing = {
            "editing_others": model_admin.editing_others(request, questionnaire),
            "editing_url": reverse(
                "admin:conditions_questionnaire_editing", args=[questionnaire.pk]
            ),
        }
    context = {
        **editing,
        "stale": stale,
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": questionnaire,
        "title": _("Build “%(title)s”") % {"title": questionnaire.title},
        "builder": builder,
        "may_change": may_change,
        "problems": problems_with_anchors(questionnaire),
        "may_submit": any(
            action == "submit" for action, _label in model_admin.buttons(request, questionnaire)
        ),
        "change_url": reverse("admin:conditions_questionnaire_change", args=[questionnaire.pk]),
        "changes_url": reverse("admin:conditions_questionnaire_changes", args=[questionnaire.pk]),
        "preview_url": model_admin.preview_url(questionnaire),
        "text_preview_url": reverse("admin:conditions_questionnaire_text_preview"),
        "media": forms.Media(
            css={"all": ["css/admin-conditions.css", "css/admin-builder.css"]},
            js=["js/admin-editor.js"],
        ),
    }
    return TemplateResponse(
        request, "admin/conditions/questionnaire_build.html", context, status=status
    )
