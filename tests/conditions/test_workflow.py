"""The publishing workflow and who may do what, through the admin with the test client."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from conditions.models import Condition, Status
from tests.conditions.article_admin import (
    change_url,
    form_data,
    messages_of,
    user_in,
    workflow_url,
)
from tests.factories import ConditionFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def author():
    return user_in("Author", username="author")


@pytest.fixture
def reviewer():
    return user_in("Clinical reviewer", username="reviewer", first_name="Sam", last_name="Lee")


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def ready_draft(**kwargs):
    """A draft with everything publishing needs except the reviewer (the publisher fills it)."""
    return ConditionFactory(
        last_reviewed=TODAY() - datetime.timedelta(days=1),
        next_review_due=TODAY() + datetime.timedelta(days=300),
        **kwargs,
    )


def test_both_editorial_groups_exist_after_migrate():
    author = set(Group.objects.get(name="Author").permissions.values_list("codename", flat=True))
    reviewer = set(
        Group.objects.get(name="Clinical reviewer").permissions.values_list("codename", flat=True)
    )
    assert {"add_condition", "change_condition", "change_section"} <= author
    assert "publish_condition" not in author
    assert "publish_condition" in reviewer


def test_publish_refuses_and_lists_every_missing_item(reviewer):
    condition = ConditionFactory(with_content=False, author=UserFactory())
    with pytest.raises(ValidationError) as refused:
        condition.publish(by=reviewer)
    assert refused.value.messages == [
        "Confirm that you have checked this against its references.",
        "Add at least one reference.",
        "Add at least one section.",
    ]
    condition.refresh_from_db()
    assert condition.status == Status.DRAFT
    assert not condition.live_id


def test_publish_button_says_exactly_what_is_missing(reviewer_client):
    condition = ConditionFactory(with_content=False, name="Milk spots", author=UserFactory())
    response = reviewer_client.post(
        workflow_url(condition, "publish"),
        {"attest": "on", "seen_version": condition.version},
        follow=True,
    )
    text = " ".join(messages_of(response))
    assert "“Milk spots”: Approve and publish was not done. Still needed:" in text
    assert "Add at least one reference." in text
    assert "Add at least one section." in text
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_missing_items_also_show_on_the_change_form(reviewer_client):
    condition = ConditionFactory(with_content=False)
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert "Add at least one reference." in page
    assert "Add at least one section." in page


def test_reviewer_publishes_a_complete_article_and_is_named(reviewer_client, reviewer, client):
    condition = ready_draft(author=UserFactory())
    response = reviewer_client.post(
        workflow_url(condition, "publish"),
        {"attest": "on", "seen_version": condition.version},
        follow=True,
    )
    assert f"“{condition.name}” was approved: patients now see this version." in messages_of(
        response
    )
    condition.refresh_from_db()
    assert condition.status == Status.PUBLISHED
    assert condition.reviewer == reviewer
    assert condition.last_reviewed == TODAY()
    assert condition.published_at is not None
    assert Condition.objects.published().get().reviewer == reviewer
    reviewer_client.logout()
    assert client.get(f"/conditions/{condition.slug}/").status_code == 200


def test_author_cannot_publish_through_the_workflow_url(author_client):
    condition = ready_draft()
    response = author_client.post(workflow_url(condition, "publish"), {"attest": "on"})
    assert response.status_code == 403
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_author_cannot_archive_through_the_workflow_url(author_client):
    condition = ConditionFactory(published=True)
    assert author_client.post(workflow_url(condition, "archive")).status_code == 403
    assert Condition.objects.get(pk=condition.pk).status == Status.PUBLISHED


def test_nobody_gets_a_bulk_publish_action_approval_needs_the_changes_page(
    author_client, reviewer_client
):
    for client in (author_client, reviewer_client):
        page = client.get("/admin/conditions/condition/").content.decode()
        assert "publish_selected" not in page


def test_author_submits_a_draft_for_review(author_client, author):
    condition = ConditionFactory()
    response = author_client.post(workflow_url(condition, "submit"), follow=True)
    assert f"“{condition.name}” was submitted for review; the reviewers were told." in messages_of(
        response
    )
    condition.refresh_from_db()
    assert condition.status == Status.IN_REVIEW
    assert condition.author == author


def test_author_sees_submit_but_not_publish_buttons(author_client):
    page = author_client.get(change_url(ConditionFactory())).content.decode()
    # Submitting saves the form first: the button belongs to the change form.
    assert 'form="condition_form" name="_workflow" value="submit"' in page
    assert "/workflow/publish/" not in page
    assert "/workflow/archive/" not in page


def test_workflow_url_refuses_get(reviewer_client):
    condition = ready_draft()
    assert reviewer_client.get(workflow_url(condition, "publish")).status_code == 405
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_unknown_workflow_action_is_404(reviewer_client):
    assert reviewer_client.post(workflow_url(ready_draft(), "delete-all")).status_code == 404


def test_status_posted_in_the_form_is_ignored(author_client):
    condition = ready_draft(reviewer=UserFactory())
    response = author_client.post(change_url(condition), form_data(condition, status="published"))
    assert response.status_code == 302
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT
    assert not Condition.objects.published().exists()


def test_nobody_sets_the_reviewer_or_last_reviewed_date_through_the_form(author_client):
    condition = ConditionFactory()
    other = UserFactory()
    data = form_data(
        condition, reviewer=other.pk, last_reviewed=TODAY().isoformat(), summary="New summary."
    )
    assert author_client.post(change_url(condition), data).status_code == 302
    condition.refresh_from_db()
    assert condition.summary == "New summary."
    assert condition.reviewer is None
    assert condition.last_reviewed is None


def test_a_draft_that_lost_its_last_reference_cannot_be_approved(
    author_client, reviewer_client, client
):
    condition = ConditionFactory(published=True)
    data = form_data(condition, **{"references-0-DELETE": "on"})
    assert author_client.post(change_url(condition), data).status_code == 302
    condition.refresh_from_db()
    response = reviewer_client.post(
        workflow_url(condition, "publish"),
        {"attest": "on", "seen_version": condition.version},
        follow=True,
    )
    assert "Add at least one reference." in " ".join(messages_of(response))
    live = Condition.objects.published().get()
    assert live.references.count() == 1


def test_next_review_must_be_within_twelve_months(reviewer_client):
    condition = ConditionFactory()
    data = form_data(
        condition,
        last_reviewed=TODAY().isoformat(),
        next_review_due=(TODAY() + datetime.timedelta(days=500)).isoformat(),
    )
    response = reviewer_client.post(change_url(condition), data)
    assert "Set the next review within 12 months of the last review." in response.content.decode()


def test_reviewer_archives_and_the_page_disappears_for_patients(reviewer_client, client):
    condition = ConditionFactory(published=True)
    reviewer_client.post(workflow_url(condition, "archive"), {"comment": "Merged into another"})
    assert Condition.objects.get(pk=condition.pk).status == Status.ARCHIVED
    reviewer_client.logout()
    assert client.get(f"/conditions/{condition.slug}/").status_code == 404


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED])
def test_unpublished_condition_url_is_404_for_patients(client, status):
    condition = ConditionFactory(status=status)
    assert client.get(f"/conditions/{condition.slug}/").status_code == 404


def test_published_condition_url_is_200_for_patients(client):
    condition = ConditionFactory(published=True)
    ReferenceFactory(condition=condition)
    assert client.get(f"/conditions/{condition.slug}/").status_code == 200


def test_staff_without_an_editorial_group_cannot_open_the_editor(client):
    client.force_login(UserFactory())
    assert client.get(change_url(ConditionFactory())).status_code == 403


@pytest.mark.parametrize(
    "model",
    ["treatmentcomparison", "treatment", "questionnaire", "question", "outcome"],
)
def test_both_editorial_groups_can_edit_comparisons_and_questionnaires(client, model):
    from django.urls import reverse

    for group in ("Author", "Clinical reviewer"):
        client.force_login(user_in(group))
        assert client.get(reverse(f"admin:conditions_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:conditions_{model}_add")).status_code == 200


def test_editors_may_delete_drafts_and_nobody_edits_tallies():
    author = set(Group.objects.get(name="Author").permissions.values_list("codename", flat=True))
    reviewer = set(
        Group.objects.get(name="Clinical reviewer").permissions.values_list("codename", flat=True)
    )
    # Authors may delete only their own never-published drafts (ReviewableAdmin checks which).
    assert {"delete_questionnaire", "delete_treatmentcomparison", "delete_condition"} <= author
    assert "delete_treatmentcomparison" in reviewer
    assert "view_outcometally" in author and "change_outcometally" not in reviewer
    assert "change_kioskprofile" not in reviewer


def test_authors_delete_only_their_own_never_published_drafts(author_client, author):
    own, others = ConditionFactory(author=author), ConditionFactory(author=UserFactory())
    live = ConditionFactory(published=True, author=author)

    def delete(condition):
        url = f"/admin/conditions/condition/{condition.pk}/delete/"
        return author_client.post(url, {"post": "yes"})

    assert delete(own).status_code == 302
    assert not Condition.objects.filter(pk=own.pk).exists()
    assert delete(others).status_code == 403
    assert delete(live).status_code == 403
    assert Condition.objects.published().filter(slug=live.slug).exists()


@pytest.mark.django_db(transaction=True)
def test_the_editorial_groups_come_back_with_their_permissions_after_a_flush():
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    Group.objects.all().delete()
    Permission.objects.filter(codename="publish_condition").delete()
    call_command("flush", verbosity=0, interactive=False)  # what transactional tests do

    reviewer = set(
        Group.objects.get(name="Clinical reviewer").permissions.values_list("codename", flat=True)
    )
    author = set(Group.objects.get(name="Author").permissions.values_list("codename", flat=True))
    assert "publish_condition" in reviewer and "publish_condition" not in author
    assert {"change_condition", "change_questionnaire", "change_urgenthelp"} <= author


def test_approving_a_part_replaced_by_a_new_row_in_the_same_unique_place_succeeds(reviewer):
    """A care advice row deleted and written again at the same level (as a content pack
    import does): the live copy's old row goes before the new one is copied, no collision."""
    from conditions.models import CareAdvice

    condition = ConditionFactory(published=True)
    CareAdvice.objects.create(condition=condition, level="self_care", signs="- Old", action="Old")
    condition.record_change(UserFactory())
    condition.publish(by=reviewer, attested=True)
    assert condition.live.care_advice.get().action == "Old"

    CareAdvice.objects.filter(condition=condition).delete()
    CareAdvice.objects.create(condition=condition, level="self_care", signs="- New", action="New")
    condition.record_change(UserFactory())
    condition.publish(by=reviewer, attested=True)

    condition.refresh_from_db()
    assert [a.action for a in condition.live.care_advice.all()] == ["New"]
    assert CareAdvice.objects.filter(condition__is_live=True, level="self_care").count() == 1


def test_a_link_waits_for_its_target_to_go_live_then_reaches_the_live_page(reviewer):
    """Approved items link only to live ones. A link approved while its target was a draft
    reaches the live page when the target is approved, unless the linking article has changes
    in progress (then with its own next approval)."""
    names = ("Milia", "Acne", "Syringoma")
    milia, acne, syringoma = (ConditionFactory(name=n, slug=n.lower()) for n in names)
    milia.related.add(acne, syringoma)
    milia.publish(by=reviewer, attested=True)
    assert not milia.live.related.exists()  # neither look-alike is live yet

    acne.publish(by=reviewer, attested=True)
    assert list(milia.live.related.all()) == [acne.live]
    assert not acne.live.related.exists()  # one-way: acne's own list is empty

    milia.summary = "Words not approved yet."
    milia.record_change(UserFactory())
    syringoma.publish(by=reviewer, attested=True)
    assert list(milia.live.related.values_list("slug", flat=True)) == ["acne"]
    milia.publish(by=reviewer, attested=True)
    assert set(milia.live.related.values_list("slug", flat=True)) == {"acne", "syringoma"}


def test_a_questionnaire_approved_before_its_article_is_linked_to_it_when_that_goes_live(
    reviewer,
):
    from conditions.models import Outcome
    from tests.factories import QuestionnaireFactory

    milia = ConditionFactory(name="Milia", slug="milia")
    questionnaire = QuestionnaireFactory(conditions=[milia], published=True)
    live_outcomes = Outcome.objects.filter(questionnaire=questionnaire.live)
    assert live_outcomes.exists()
    assert not questionnaire.live.conditions.exists()
    assert not any(outcome.conditions.exists() for outcome in live_outcomes)
    milia.publish(by=reviewer, attested=True)
    assert list(questionnaire.live.conditions.all()) == [milia.live]
    # Its outcomes' "read about" links too (the result page lists the live ones).
    assert all(list(outcome.conditions.all()) == [milia.live] for outcome in live_outcomes)


def test_approving_an_item_again_leaves_the_live_links_to_it_untouched(reviewer):
    """A link already there is not added again: an add, even of nothing, is a change to the
    linking page, and a change purges its pages from the shared cache."""
    from django.db.models.signals import m2m_changed

    milia, acne = (ConditionFactory(name=n, slug=n.lower()) for n in ("Milia", "Acne"))
    milia.related.add(acne)
    acne.publish(by=reviewer, attested=True)
    milia.publish(by=reviewer, attested=True)
    assert list(milia.live.related.all()) == [acne.live]
    changed = []

    def seen(sender, instance, action, **kwargs):
        changed.append((instance.slug, action))

    m2m_changed.connect(seen, sender=Condition.related.through)
    try:
        acne.summary = "New words about acne."
        acne.record_change(UserFactory())
        acne.publish(by=reviewer, attested=True)
    finally:
        m2m_changed.disconnect(seen, sender=Condition.related.through)
    assert not [change for change in changed if change[0] == "milia"], changed
