"""factory_boy factories with traits: published, overdue, in_review."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from conditions import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"clinician{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Reviewer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    password = factory.django.Password("a-long-test-password")
    is_staff = True


def _today():
    return timezone.localdate()


def make_live(obj):
    """Test setup: give a working copy marked published its live copy as it stands (what an
    approval does, without the approval's rules). Call again after changing it in setup."""
    obj.status = models.Status.PUBLISHED
    obj.live = obj._copy_to_live()
    obj.save()
    return obj.live


def _go_live(obj, create):
    if create and obj.status == models.Status.PUBLISHED and not obj.is_live:
        make_live(obj)


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Condition
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")
    summary = "A short plain summary of the condition for patients."
    also_known_as = ""

    class Params:
        published = factory.Trait(
            status=models.Status.PUBLISHED,
            reviewer=factory.SubFactory(UserFactory),
            last_reviewed=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10)),
            next_review_due=factory.LazyFunction(lambda: _today() + datetime.timedelta(days=355)),
        )
        overdue = factory.Trait(
            status=models.Status.PUBLISHED,
            reviewer=factory.SubFactory(UserFactory),
            last_reviewed=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=400)),
            next_review_due=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=35)),
        )

    @factory.post_generation
    def with_content(obj, create, extracted, **kwargs):
        """Every condition gets one section and one reference unless with_content=False."""
        if not create or extracted is False:
            return
        SectionFactory(condition=obj)
        ReferenceFactory(condition=obj)
        obj.refresh_derived()

    go_live = factory.PostGeneration(lambda obj, create, extracted, **kw: _go_live(obj, create))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Section

    condition = factory.SubFactory(ConditionFactory)
    order = factory.Sequence(int)
    heading = factory.Sequence(lambda n: f"Section heading {n}")
    body = "Some **plain** text about this condition."


class FAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FAQ

    condition = factory.SubFactory(ConditionFactory)
    order = factory.Sequence(int)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "A short answer."


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Reference

    condition = factory.SubFactory(ConditionFactory)
    order = factory.Sequence(int)
    title = "Milia"
    publisher = "Cleveland Clinic"
    url = "https://my.clevelandclinic.org/health/diseases/17868-milia"
    checked_on = None


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Treatment
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Treatment {n}")
    slug = factory.Sequence(lambda n: f"treatment-{n}")
    description = "A plain description of the treatment."
    setting = models.CareSetting.GP
    who_does_it = "A doctor or nurse"

    class Params:
        no_treatment = factory.Trait(
            name="No treatment: wait and see",
            slug="no-treatment",
            setting=models.CareSetting.HOME,
            who_does_it="You",
            is_no_treatment=True,
        )


class TreatmentComparisonFactory(factory.django.DjangoModelFactory):
    """A draft comparison; `published=True` also adds the required 'no treatment' row."""

    class Meta:
        model = models.TreatmentComparison
        skip_postgeneration_save = True

    condition = factory.SubFactory(ConditionFactory, published=True)
    intro = "Every option, side by side."

    class Params:
        published = factory.Trait(
            status=models.Status.PUBLISHED,
            reviewer=factory.SubFactory(UserFactory),
            last_reviewed=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10)),
            next_review_due=factory.LazyFunction(lambda: _today() + datetime.timedelta(days=355)),
        )

    @factory.post_generation
    def with_no_treatment(obj, create, extracted, **kwargs):
        """A 'no treatment' row first, unless with_no_treatment=False."""
        if not create or extracted is False:
            return
        ComparisonRowFactory(comparison=obj, treatment=TreatmentFactory(no_treatment=True), order=0)

    go_live = factory.PostGeneration(lambda obj, create, extracted, **kw: _go_live(obj, create))


class ComparisonRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ComparisonRow
        skip_postgeneration_save = True

    comparison = factory.SubFactory(TreatmentComparisonFactory)
    treatment = factory.SubFactory(TreatmentFactory)
    order = factory.Sequence(lambda n: n + 1)
    involves = "What happens, in plain words."
    effectiveness = "How well it works."
    evidence = models.EvidenceLevel.CONSENSUS
    pain = "A little"
    downtime = "A few days"
    risks = "Redness for a day or two."
    cost = models.CostBand.MEDIUM
    near_eyes = models.Suitability.NO
    children = models.Suitability.NO
    recommendation = models.Recommendation.OPTION
    reason = "It can help some people."


def reviewer_user(**kwargs):
    """A member of the "Clinical reviewer" group (made by migration 0003)."""
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name="Clinical reviewer"))
    return user


def editors():
    """(author, reviewer): two people, so the four-eyes rule lets the reviewer approve."""
    return UserFactory(), reviewer_user()


# -- questionnaires ------------------------------------------------------------------------------
YES_NO = [("yes", "Yes"), ("no", "No")]

# QuestionnaireFactory's questionnaire: five questions (a number question and a yes/no shown only
# for a baby), answers with an exclusive "None of these", and five outcomes: an emergency and two
# same-day red flags, a routine outcome and a default. Small enough that its safety check (every
# path of answers) takes milliseconds, unlike the demo questionnaire's.
SMALL_QUESTIONS = [
    {
        "key": "who",
        "text": "Who is it for?",
        "options": [("adult", "An adult"), ("child", "A child"), ("baby", "A baby")],
    },
    {
        "key": "unwell",
        "text": "Do any of these apply now?",
        "kind": "multiple",
        "options": [
            ("breathing", "Struggling to breathe"),
            ("fever", "A high temperature"),
            ("none", "None of these", {"exclusive": True}),
        ],
    },
    {
        "key": "baby-age",
        "text": "How many weeks old is the baby?",
        "kind": "number",
        "min": 0,
        "max": 52,
        "show_if": [("who", "baby")],
    },
    {
        "key": "spots",
        "text": "What do the spots look like?",
        "options": [("white", "Small and white"), ("red", "Red and sore")],
    },
    {"key": "itch", "text": "Do they itch?", "kind": "yes_no"},
]
SMALL_OUTCOMES = [
    {
        "slug": "emergency",
        "title": "Call 999 now",
        "urgency": "emergency",
        "rule": "red_flag",
        "priority": 100,
        "triggers": [("unwell", "is", "breathing")],
        "explanation": "Struggling to breathe needs help straight away.",
        "next_steps": "- Call **999** now.",
    },
    {
        "slug": "today",
        "title": "Get medical advice today",
        "urgency": "urgent",
        "rule": "red_flag",
        "priority": 90,
        "triggers": [("unwell", "is", "fever"), ("baby-age", "lt", 4)],
        "explanation": "Spots with a high temperature, or in a very young baby, need a check today.",
        "next_steps": "- Call your GP today, or **NHS 111** if it is closed.",
    },
    {
        "slug": "see-gp",
        "title": "See your GP",
        "rule": "any",
        "priority": 50,
        "triggers": [("spots", "is", "red"), ("itch", "is", "yes")],
    },
    {
        "slug": "self-care",
        "title": "Look after it at home",
        "urgency": "self_care",
        "rule": "default",
    },
]
# A path through SMALL_QUESTIONS for each age that ends at self-care, in the order the questions
# come (the shape of conditions.demo.questionnaires.SELF_CARE_PATHS).
SMALL_SELF_CARE_PATHS = {
    "adult": [("who", "adult"), ("unwell", ["none"]), ("spots", "white"), ("itch", "no")],
    "baby": [
        ("who", "baby"),
        ("unwell", ["none"]),
        ("baby-age", "6"),
        ("spots", "white"),
        ("itch", "no"),
    ],
}


def _build_questions(questionnaire, specs):
    """questions: dicts {key, text, kind, options [(code, text[, {"exclusive", "score"}])],
    show_if [(key, code)], match, min, max, unit, required, error_text, help_text}."""
    by_key, options = {}, {}
    for order, spec in enumerate(specs):
        kind = spec.get("kind", "single")
        question = QuestionFactory(
            questionnaire=questionnaire,
            order=order * 10,
            key=spec["key"],
            text=spec.get("text", f"{spec['key'].capitalize()}?"),
            kind=kind,
            required=spec.get("required", True),
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            unit=spec.get("unit", ""),
            help_text=spec.get("help_text", ""),
            error_text=spec.get("error_text", ""),
            show_if_match=spec.get("match", "any"),
        )
        by_key[spec["key"]] = question
        choices = spec.get("options", YES_NO if kind == "yes_no" else ())
        for n, (code, text, *extra) in enumerate(choices):
            options[spec["key"], code] = AnswerOptionFactory(
                question=question, order=n, code=code, text=text, **(extra[0] if extra else {})
            )
        for source, code in spec.get("show_if", ()):
            ShowIfFactory(
                question=question, source_question=by_key[source], option=options[source, code]
            )
    return by_key, options


def _build_outcomes(questionnaire, specs, by_key, options):
    """outcomes: dicts {slug, title, urgency, rule, priority, triggers [(key, op, code or
    number)], explanation, next_steps, needs_signoff, signoff_note, threshold}."""
    for spec in specs:
        outcome = OutcomeFactory(
            questionnaire=questionnaire,
            slug=spec["slug"],
            title=spec.get("title", spec["slug"].replace("-", " ").capitalize()),
            urgency=spec.get("urgency", "routine"),
            priority=spec.get("priority", 0),
            rule=spec.get("rule", "any"),
            score_threshold=spec.get("threshold"),
            explanation=spec.get("explanation", f"Why {spec['slug']}."),
            next_steps=spec.get("next_steps", f"- What to do for {spec['slug']}."),
            needs_signoff=spec.get("needs_signoff", False),
            signoff_note=spec.get("signoff_note", ""),
        )
        for source, op, target in spec.get("triggers", ()):
            if isinstance(target, Decimal | int):
                OutcomeTriggerFactory(
                    outcome=outcome, source_question=by_key[source], operator=op, number=target
                )
            else:
                OutcomeTriggerFactory(
                    outcome=outcome,
                    source_question=by_key[source],
                    operator=op,
                    option=options[source, target],
                )


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    """A small questionnaire built through the models, as the admin would: by default
    SMALL_QUESTIONS and SMALL_OUTCOMES (questions, answers, show-if rules, red flags, a default).

    `questions=[...]` and `outcomes=[...]` take short declarative lists instead (see
    _build_questions and _build_outcomes; `questions=[]` builds none). `conditions=[...]` links
    condition working copies, to the questionnaire and its outcomes. `published=True`: a
    clinical reviewer who did not write it approves it through `publish()`, safety check
    included, so patients see the live copy; the factory returns the working copy, refreshed.
    Outcomes marked needs_signoff must be signed off before publishing can succeed:
    `published__signed_off=True` has the reviewer sign them off first."""

    class Meta:
        model = models.Questionnaire
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Skin check {n}")
    slug = factory.Sequence(lambda n: f"skin-check-{n}")
    intro = "Answer a few questions."
    next_review_due = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=300))

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        if create:
            obj._built = _build_questions(obj, SMALL_QUESTIONS if extracted is None else extracted)

    @factory.post_generation
    def outcomes(obj, create, extracted, **kwargs):
        if create:
            by_key, options = obj.__dict__.pop("_built")
            specs = SMALL_OUTCOMES if extracted is None else extracted
            _build_outcomes(obj, specs, by_key, options)

    @factory.post_generation
    def conditions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.conditions.set(extracted)
            for outcome in obj.outcomes.all():
                outcome.conditions.set(extracted)

    @factory.post_generation
    def published(obj, create, extracted, signed_off=False, **kwargs):
        """published=True: a clinical reviewer approves it; published__signed_off=True has the
        reviewer sign off the outcomes that need it first."""
        if not (create and extracted):
            return
        reviewer = reviewer_user()
        if signed_off:
            for outcome in obj.outcomes.filter(needs_signoff=True):
                outcome.sign_off(reviewer)
        obj.publish(by=reviewer, attested=True)
        obj.refresh_from_db()


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    questionnaire = factory.SubFactory(QuestionnaireFactory, questions=[], outcomes=[])
    order = factory.Sequence(lambda n: n * 10)
    key = factory.Sequence(lambda n: f"question-{n}")
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = models.Question.Kind.SINGLE


class AnswerOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AnswerOption

    question = factory.SubFactory(QuestionFactory)
    order = factory.Sequence(int)
    code = factory.Sequence(lambda n: f"answer-{n}")
    text = factory.Sequence(lambda n: f"Answer {n}")


class ShowIfFactory(factory.django.DjangoModelFactory):
    """Show `question` only when `source_question`'s answer is `option`."""

    class Meta:
        model = models.ShowIf

    question = factory.SubFactory(QuestionFactory)
    source_question = factory.SubFactory(
        QuestionFactory, questionnaire=factory.SelfAttribute("..question.questionnaire")
    )
    operator = "is"
    option = factory.SubFactory(
        AnswerOptionFactory, question=factory.SelfAttribute("..source_question")
    )


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Outcome

    questionnaire = factory.SubFactory(QuestionnaireFactory, questions=[], outcomes=[])
    slug = factory.Sequence(lambda n: f"outcome-{n}")
    title = factory.Sequence(lambda n: f"Outcome {n}")
    urgency = "routine"
    rule = "any"
    explanation = "Why this is the advice."
    next_steps = "- What to do next."


class OutcomeTriggerFactory(factory.django.DjangoModelFactory):
    """Reach `outcome` when `source_question`'s answer is `option` (or compares with `number`)."""

    class Meta:
        model = models.OutcomeTrigger

    outcome = factory.SubFactory(OutcomeFactory)
    source_question = factory.SubFactory(
        QuestionFactory, questionnaire=factory.SelfAttribute("..outcome.questionnaire")
    )
    operator = "is"
    option = factory.Maybe(
        "number",
        yes_declaration=None,
        no_declaration=factory.SubFactory(
            AnswerOptionFactory, question=factory.SelfAttribute("..source_question")
        ),
    )
    number = None
