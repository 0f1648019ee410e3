"""factory_boy factories with traits: published, overdue, in_review."""

import datetime

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
