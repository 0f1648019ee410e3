"""A comparison built on its own page: option rows inline, and an option written
right there for this comparison only (such as its own "No treatment" row), whose name need not
be unique across the whole portal."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from conditions import models
from tests.admin_forms import form_as_shown
from tests.factories import (
    ComparisonRowFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    UserFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client):
    user = UserFactory(username="author")
    user.groups.add(Group.objects.get(name="Author"))
    client.force_login(user)
    return client


def change_url(comparison) -> str:
    return reverse("admin:conditions_treatmentcomparison_change", args=[comparison.pk])


def with_new_row(client, comparison, **fields) -> dict:
    """The comparison's page as shown, plus one new row with these fields."""
    data = form_as_shown(client.get(change_url(comparison)))
    n = int(data["rows-TOTAL_FORMS"])
    row = {
        "order": "9",
        "involves": "Nothing is done; the spots are watched.",
        "effectiveness": "They do not go away by themselves.",
        "evidence": "consensus",
        "pain": "None",
        "downtime": "None",
        "risks": "None from treatment.",
        "cost": "free",
        "near_eyes": "yes",
        "babies": "no",
        "children": "yes",
        "recommendation": "option",
        "reason": "Harmless spots need no treatment.",
        "treatment": "",
    } | fields
    data |= {f"rows-{n}-{name}": value for name, value in row.items()}
    data["rows-TOTAL_FORMS"] = str(n + 1)
    return data


def own_no_treatment(**extra) -> dict:
    return {
        "new_name": "No treatment",
        "new_description": "Leave the spots alone.",
        "new_setting": "home",
        "new_who_does_it": "You",
        "new_is_no_treatment": "on",
    } | extra


def test_a_comparison_gets_its_own_no_treatment_row_though_another_treatment_has_that_name(
    author_client,
):
    TreatmentFactory(name="No treatment", slug="no-treatment")  # shared, used elsewhere
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    ComparisonRowFactory(comparison=comparison, order=1)
    assert any("no treatment" in p for p in comparison.publish_problems())

    response = author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, **own_no_treatment())
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    row = comparison.rows.get(treatment__name="No treatment")
    assert row.treatment.for_comparison == comparison
    assert row.treatment.is_no_treatment
    assert row.treatment.slug == "no-treatment"
    assert models.Treatment.objects.filter(name="No treatment").count() == 2
    assert not any("no treatment" in p for p in comparison.publish_problems())


def test_two_options_with_one_name_on_the_same_comparison_are_refused_with_a_message(
    author_client,
):
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, **own_no_treatment())
    )
    response = author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, **own_no_treatment())
    )
    assert response.status_code == 200  # the admin's form again, with the message
    assert "This comparison already has an option so named." in unescape(response.content.decode())
    assert comparison.rows.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Treatment.objects.create(
            for_comparison=comparison,
            name="No treatment",
            slug="other",
            description="x",
            setting="home",
            who_does_it="You",
        )


def test_a_row_needs_a_treatment_or_a_new_option_and_not_both(author_client):
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    shared = TreatmentFactory(name="Cryotherapy")
    neither = author_client.post(change_url(comparison), with_new_row(author_client, comparison))
    assert "Pick a treatment, or write a new option below." in unescape(neither.content.decode())
    both = author_client.post(
        change_url(comparison),
        with_new_row(author_client, comparison, treatment=str(shared.pk), **own_no_treatment()),
    )
    assert "Pick a treatment or write a new option, not both." in unescape(both.content.decode())
    half = author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, new_name="Wait and see")
    )
    assert "A new option needs this too." in unescape(half.content.decode())
    assert not comparison.rows.exists()


def test_other_comparisons_do_not_offer_a_comparisons_own_option(author_client):
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, **own_no_treatment())
    )
    TreatmentFactory(name="No treatment, shared", slug="no-treatment-shared")
    response = author_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "No treatment",
            "app_label": "conditions",
            "model_name": "comparisonrow",
            "field_name": "treatment",
        },
    )
    names = [r["text"] for r in response.json()["results"]]
    assert names == ["No treatment, shared"]


def test_an_own_option_reaches_patients_only_with_the_approved_comparison(author_client, client):
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    comparison.condition.refresh_from_db()
    ComparisonRowFactory(comparison=comparison, order=1)
    author_client.post(
        change_url(comparison), with_new_row(author_client, comparison, **own_no_treatment())
    )
    comparison.refresh_from_db()
    comparison.next_review_due = comparison.condition.next_review_due
    comparison.save()
    comparison.publish(by=reviewer_user(), attested=True)
    live = models.TreatmentComparison.objects.published().get(pk=comparison.live_id)
    names = [row.treatment.name for row in live.rows.all()]
    assert "No treatment" in names
    own = live.rows.get(treatment__name="No treatment").treatment
    assert own.is_live and own.live_for == live and own.for_comparison is None


def test_a_never_published_comparison_with_its_own_option_can_be_deleted(admin_client):
    comparison = TreatmentComparisonFactory(with_no_treatment=False)
    admin_client.post(
        change_url(comparison), with_new_row(admin_client, comparison, **own_no_treatment())
    )
    assert comparison.own_treatments.count() == 1
    response = admin_client.post(
        reverse("admin:conditions_treatmentcomparison_delete", args=[comparison.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert not models.Treatment.objects.filter(name="No treatment").exists()
