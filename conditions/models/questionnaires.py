"""Questionnaires that clinicians build and patients answer one question at a time.

Answers are never stored: see conditions/answers.py. Which questions show and which outcome
wins is computed by the pure functions in conditions/rules.py.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conditions.models.articles import CareAdvice, Condition
from conditions.models.fields import staff_member
from conditions.models.review import Part, Reviewable, ReviewPart


class Questionnaire(Reviewable):
    UNIQUE_FIELDS = ("slug",)

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120)
    intro = models.TextField(_("introduction"))
    conditions = models.ManyToManyField(
        Condition, verbose_name=_("conditions"), related_name="questionnaires", blank=True
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)

    history = HistoricalRecords(m2m_fields=[conditions])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "is_live"], name="unique_questionnaire_slug")
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def review_parts(cls) -> list[Part]:
        return [
            Part(Question, "questionnaire", "questionnaire"),
            Part(AnswerOption, "question", "question__questionnaire"),
            Part(ShowIf, "question", "question__questionnaire"),
            Part(Outcome, "questionnaire", "questionnaire"),
            Part(OutcomeTrigger, "outcome", "outcome__questionnaire"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("conditions:questionnaire_start", args=[self.slug])

    def publish_problems(self) -> list[str]:
        from conditions import safety

        problems = super().publish_problems()
        if self.pk is None or not self.questions.exists():
            problems.append(str(_("Add at least one question.")))
            return problems
        problems.extend(safety.safety_problems(self.spec()))
        for outcome in self.outcomes.filter(needs_signoff=True, signed_off_at__isnull=True):
            problems.append(
                str(
                    _(
                        "Outcome “%(title)s” needs clinical sign-off before publishing "
                        "(%(note)s). A clinician signs it off in the outcome's admin."
                    )
                    % {"title": outcome.title, "note": outcome.signoff_note or _("no note")}
                )
            )
        return problems

    def spec(self) -> dict:
        """This questionnaire as the plain dict that conditions/rules.py works on."""
        questions = list(self.questions.prefetch_related("options").order_by("order", "pk"))
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
        for s in ShowIf.objects.filter(question__questionnaire=self).order_by("pk"):
            show_ifs.setdefault(s.question_id, []).append(test(s))
        outcomes = list(self.outcomes.prefetch_related("conditions").order_by("-priority", "pk"))
        triggers: dict[int, list] = {}
        for t in OutcomeTrigger.objects.filter(outcome__questionnaire=self).order_by("pk"):
            triggers.setdefault(t.outcome_id, []).append(test(t))
        return {
            "slug": self.slug,
            "title": self.title,
            "version": self.version,
            "questions": [q.spec(show_ifs.get(q.pk, [])) for q in questions],
            "outcomes": [o.spec(triggers.get(o.pk, [])) for o in outcomes],
        }


class Question(ReviewPart):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")

    class Match(models.TextChoices):
        ANY = "any", _("any of the conditions")
        ALL = "all", _("all of the conditions")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("A short stable name, used in FHIR exports.")
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    error_text = models.CharField(
        _("error message"),
        max_length=200,
        blank=True,
        help_text=_(
            "Shown when the question is not answered, in words about this question: "
            "“Select who the spots are on”, “Select yes if your child has a temperature”, "
            "“Enter your baby's age in weeks”. Left blank: “Select yes or no”, "
            "“Select one answer”, “Select at least one answer” or “Enter a number”."
        ),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    show_if_match = models.CharField(
        _("show when"), max_length=3, choices=Match.choices, default=Match.ANY
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="unique_question_key")
        ]

    def __str__(self) -> str:
        return self.text

    def spec(self, show_if: list[dict]) -> dict:
        return {
            "key": self.key,
            "text": self.text,
            "help_text": self.help_text,
            "error_text": self.error_text,
            "kind": self.kind,
            "required": self.required,
            "min": self.min_value,
            "max": self.max_value,
            "unit": self.unit,
            "match": self.show_if_match,
            "options": [
                {"code": o.code, "text": o.text, "score": o.score, "exclusive": o.exclusive}
                for o in sorted(self.options.all(), key=lambda o: (o.order, o.pk))
            ],
            "show_if": show_if,
        }

    def add_yes_no_answers(self) -> None:
        """A yes/no question with no answers yet gets its two: Yes and No."""
        if self.kind == self.Kind.YES_NO and not self.options.exists():
            AnswerOption.objects.create(question=self, order=0, code="yes", text=gettext("Yes"))
            AnswerOption.objects.create(question=self, order=1, code="no", text=gettext("No"))

    def clean(self):
        super().clean()
        if self.kind == self.Kind.NUMBER:
            if self.min_value is None or self.max_value is None:
                raise ValidationError(_("A number question needs a minimum and a maximum."))
            if self.min_value >= self.max_value:
                raise ValidationError(_("The minimum must be less than the maximum."))


class AnswerOption(ReviewPart):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=60)
    text = models.CharField(_("answer"), max_length=200)
    score = models.IntegerField(_("score"), default=0)
    exclusive = models.BooleanField(
        _("excludes the other answers"),
        default=False,
        help_text=_("For answers like 'None of these': it cannot be ticked with another answer."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["question__order", "question_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_option_code")
        ]

    def __str__(self) -> str:
        return f"{self.question.text} → {self.text}"


class AnswerCondition(models.Model):
    """One test on an earlier answer: 'answer is X' for choices, a comparison for numbers."""

    class Operator(models.TextChoices):
        IS = "is", _("is")
        IS_NOT = "is_not", _("is not")
        LT = "lt", _("is less than")
        GTE = "gte", _("is at least")

    source_question = models.ForeignKey(
        Question, verbose_name=_("earlier question"), on_delete=models.CASCADE, related_name="+"
    )
    operator = models.CharField(_("test"), max_length=6, choices=Operator.choices, default="is")
    option = models.ForeignKey(
        AnswerOption,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.DecimalField(_("number"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """The test in words, by the question's and answer's text: never by id."""
        target = self.option.text if self.option_id else self.number
        return f"{self.source_question.text} {self.get_operator_display()} {target}"

    def clean(self):
        super().clean()
        if not self.source_question_id:
            return
        if self.source_question.kind == Question.Kind.NUMBER:
            if self.operator not in (self.Operator.LT, self.Operator.GTE) or self.number is None:
                raise ValidationError(
                    _("For a number question, choose 'is less than' or 'is at least' and a number.")
                )
        else:
            if self.operator not in (self.Operator.IS, self.Operator.IS_NOT) or not self.option_id:
                raise ValidationError(
                    _("Choose 'is' or 'is not' and one of the question's answers.")
                )
            if self.option.question_id != self.source_question_id:
                raise ValidationError(_("That answer belongs to a different question."))


class ShowIf(ReviewPart, AnswerCondition):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="show_if")

    class Meta:
        verbose_name = _("show this question if")
        verbose_name_plural = _("show this question if")


class Outcome(ReviewPart):
    # The clinical judgement, in the order the forms show it.
    CLINICAL_FIELDS = (
        "urgency",
        "priority",
        "rule",
        "score_threshold",
        "explanation",
        "next_steps",
    )
    # What a sign-off covers: the clinical judgement and the sign-off request itself.
    SIGNED_OFF_FIELDS = frozenset({*CLINICAL_FIELDS, "needs_signoff", "signoff_note"})

    class Rule(models.TextChoices):
        RED_FLAG = "red_flag", _("Red flag: any of the trigger answers")
        ANY = "any", _("Any of the trigger answers")
        ALL = "all", _("All of the trigger answers")
        SCORE = "score", _("Total score at least the threshold")
        DEFAULT = "default", _("Default (when nothing else matches)")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="outcomes"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=20, choices=CareAdvice.Level.choices)
    priority = models.PositiveIntegerField(
        _("priority"), default=0, help_text=_("Higher wins. Red flags outrank everything.")
    )
    rule = models.CharField(_("reached when"), max_length=10, choices=Rule.choices)
    score_threshold = models.IntegerField(_("score threshold"), null=True, blank=True)
    explanation = models.TextField(_("what this means"))
    next_steps = models.TextField(_("what to do next (Markdown)"))
    next_steps_html = models.TextField(editable=False, blank=True, default="")
    conditions = models.ManyToManyField(
        Condition, verbose_name=_("related articles"), blank=True, related_name="+"
    )
    needs_signoff = models.BooleanField(
        _("threshold needs clinician sign-off"),
        default=False,
        help_text=_("Set when a threshold is a product decision rather than from a source."),
    )
    signoff_note = models.CharField(_("sign-off note"), max_length=300, blank=True)
    signed_off_by = staff_member(_("signed off by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[conditions])

    class Meta:
        ordering = ["-priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "slug"], name="unique_outcome_slug")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from conditions import content

        self.next_steps_html = content.render_markdown(self.next_steps)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The general advice page for this outcome: never carries anybody's answers."""
        return reverse("conditions:outcome_advice", args=[self.questionnaire.slug, self.slug])

    def clean(self):
        super().clean()
        if self.rule == self.Rule.SCORE and self.score_threshold is None:
            raise ValidationError({"score_threshold": _("A score rule needs a threshold.")})

    @property
    def is_urgent(self) -> bool:
        return self.urgency in (CareAdvice.Level.URGENT, CareAdvice.Level.EMERGENCY)

    def sign_off(self, by) -> None:
        """A clinician confirms the item marked 'needs clinical sign-off': records who and when."""
        if by is None or not by.pk:
            raise ValidationError(_("Sign-off needs the clinician who signs."))
        self.signed_off_by = by
        self.signed_off_at = timezone.now()
        self.save(update_fields=["signed_off_by", "signed_off_at"])

    def withdraw_sign_off(self) -> None:
        """The sign-off no longer covers this outcome: it is asked for again (not saved here)."""
        self.signed_off_by = None
        self.signed_off_at = None

    def lapse_sign_off(self, changed_fields) -> None:
        """A sign-off covers what was signed: a change to any of `SIGNED_OFF_FIELDS` among
        `changed_fields` withdraws it (not saved here)."""
        if self.signed_off_at and self.SIGNED_OFF_FIELDS.intersection(changed_fields):
            self.withdraw_sign_off()

    def spec(self, triggers: list[dict]) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "urgency": self.urgency,
            "urgency_label": str(self.get_urgency_display()),
            "priority": self.priority,
            "rule": self.rule,
            "threshold": self.score_threshold,
            "triggers": triggers,
            "explanation": self.explanation,
            "next_steps_html": self.next_steps_html,
            "needs_signoff": self.needs_signoff,
            "signoff_note": self.signoff_note,
            "conditions": [{"name": c.name, "slug": c.slug} for c in self.conditions.all()],
        }


class OutcomeTrigger(ReviewPart, AnswerCondition):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="triggers")

    class Meta:
        verbose_name = _("trigger answer")


class OutcomeTally(models.Model):
    """How often each outcome was reached: a count, with no answers and no identifiers."""

    outcome = models.OneToOneField(Outcome, on_delete=models.CASCADE, related_name="tally")
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.outcome}: {self.count}"


class CountedRun(models.Model):
    """A questionnaire run whose outcome has been counted: a digest of its random run code.

    Only so that replaying a saved answers cookie cannot count the same run again. Not linked
    to the outcome, the answers or the patient; kept no longer than the cookie could be
    replayed (conditions/answers.py MAX_AGE_SECONDS), then pruned.
    """

    digest = models.CharField(max_length=64, unique=True)
    counted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("counted run")

    def __str__(self) -> str:
        return f"{self.digest[:8]}… {self.counted_at:%Y-%m-%d %H:%M}"

    @classmethod
    def claim(cls, digest: str) -> bool:
        """Record the run; False when it was counted already. Prunes runs past replaying."""
        from conditions.answers import MAX_AGE_SECONDS

        cutoff = timezone.now() - datetime.timedelta(seconds=MAX_AGE_SECONDS + 600)
        cls.objects.filter(counted_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                cls.objects.create(digest=digest)
        except IntegrityError:
            return False
        return True
