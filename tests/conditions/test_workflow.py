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
    assert "delete_condition" not in author | reviewer


def test_publish_refuses_and_lists_every_missing_item():
    condition = ConditionFactory(with_content=False)
    with pytest.raises(ValidationError) as refused:
        condition.publish()
    assert refused.value.messages == [
        "Choose the clinical reviewer.",
        "Enter the date it was last reviewed.",
        "Enter the date the next review is due.",
        "Add at least one reference.",
        "Add at least one section.",
    ]
    condition.refresh_from_db()
    assert condition.status == Status.DRAFT


def test_publish_button_says_exactly_what_is_missing(reviewer_client):
    condition = ConditionFactory(with_content=False, name="Milk spots")
    response = reviewer_client.post(workflow_url(condition, "publish"), follow=True)
    text = " ".join(messages_of(response))
    assert "“Milk spots” was not published. Still needed:" in text
    assert "Enter the date it was last reviewed." in text
    assert "Enter the date the next review is due." in text
    assert "Add at least one reference." in text
    assert "Add at least one section." in text
    # The reviewer pressing Publish becomes the reviewer, so that one is not missing.
    assert "Choose the clinical reviewer." not in text
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_missing_items_also_show_on_the_change_form(reviewer_client):
    condition = ConditionFactory(with_content=False)
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert "Add at least one reference." in page
    assert "Enter the date the next review is due." in page


def test_reviewer_publishes_a_complete_article_and_is_named(reviewer_client, reviewer):
    condition = ready_draft()
    response = reviewer_client.post(workflow_url(condition, "publish"), follow=True)
    assert f"“{condition.name}” was published." in messages_of(response)
    condition.refresh_from_db()
    assert condition.status == Status.PUBLISHED
    assert condition.reviewer == reviewer
    assert condition.published_at is not None


def test_author_cannot_publish_through_the_workflow_url(author_client):
    condition = ready_draft()
    response = author_client.post(workflow_url(condition, "publish"))
    assert response.status_code == 403
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_author_cannot_archive_through_the_workflow_url(author_client):
    condition = ConditionFactory(published=True)
    assert author_client.post(workflow_url(condition, "archive")).status_code == 403
    assert Condition.objects.get(pk=condition.pk).status == Status.PUBLISHED


def test_author_has_no_publish_action_in_the_list(author_client):
    condition = ready_draft()
    page = author_client.get("/admin/conditions/condition/").content.decode()
    assert "publish_selected" not in page
    assert "submit_selected" in page
    author_client.post(
        "/admin/conditions/condition/",
        {"action": "publish_selected", "_selected_action": [condition.pk]},
    )
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


def test_reviewer_can_publish_with_the_list_action(reviewer_client):
    ready, incomplete = ready_draft(), ConditionFactory(with_content=False)
    response = reviewer_client.post(
        "/admin/conditions/condition/",
        {"action": "publish_selected", "_selected_action": [ready.pk, incomplete.pk]},
        follow=True,
    )
    assert Condition.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Condition.objects.get(pk=incomplete.pk).status == Status.DRAFT
    assert any("Add at least one reference." in m for m in messages_of(response))


def test_author_submits_a_draft_for_review(author_client, author):
    condition = ConditionFactory()
    response = author_client.post(workflow_url(condition, "submit"), follow=True)
    assert f"“{condition.name}” was submitted for review." in messages_of(response)
    condition.refresh_from_db()
    assert condition.status == Status.IN_REVIEW
    assert condition.author == author


def test_author_sees_submit_but_not_publish_buttons(author_client):
    page = author_client.get(change_url(ConditionFactory())).content.decode()
    assert "/workflow/submit/" in page
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


def test_author_cannot_give_a_draft_a_reviewer_or_review_dates(author_client):
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


def test_author_cannot_change_a_published_article(author_client):
    condition = ConditionFactory(published=True)
    response = author_client.post(change_url(condition), form_data(condition, summary="Changed."))
    assert response.status_code == 403
    assert Condition.objects.get(pk=condition.pk).summary != "Changed."
    # They can still read it.
    assert author_client.get(change_url(condition)).status_code == 200


def test_reviewer_can_change_a_published_article(reviewer_client):
    condition = ConditionFactory(published=True)
    response = reviewer_client.post(change_url(condition), form_data(condition, summary="New."))
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.summary == "New."
    assert condition.status == Status.PUBLISHED


def test_published_article_cannot_lose_its_last_reference(reviewer_client):
    condition = ConditionFactory(published=True)
    reference = condition.references.get()
    data = form_data(condition, **{"references-0-DELETE": "on"})
    response = reviewer_client.post(change_url(condition), data)
    assert response.status_code == 200
    assert "A published article needs at least one reference." in response.content.decode()
    assert condition.references.filter(pk=reference.pk).exists()


def test_reviewer_can_clear_review_dates_only_on_unpublished_articles(reviewer_client):
    condition = ConditionFactory(published=True)
    response = reviewer_client.post(change_url(condition), form_data(condition, last_reviewed=""))
    assert response.status_code == 200
    assert "Enter the date it was last reviewed." in response.content.decode()
    assert Condition.objects.get(pk=condition.pk).last_reviewed is not None


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
    reviewer_client.post(workflow_url(condition, "archive"))
    assert Condition.objects.get(pk=condition.pk).status == Status.ARCHIVED
    reviewer_client.logout()
    assert client.get(f"/conditions/{condition.slug}/").status_code == 404


def test_reviewer_can_return_an_article_to_draft(reviewer_client):
    condition = ConditionFactory(status=Status.IN_REVIEW)
    reviewer_client.post(workflow_url(condition, "return_to_draft"))
    assert Condition.objects.get(pk=condition.pk).status == Status.DRAFT


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


def test_only_reviewers_may_delete_comparisons_and_questionnaires_and_nobody_edits_tallies():
    author = set(Group.objects.get(name="Author").permissions.values_list("codename", flat=True))
    reviewer = set(
        Group.objects.get(name="Clinical reviewer").permissions.values_list("codename", flat=True)
    )
    assert "delete_questionnaire" not in author and "delete_questionnaire" in reviewer
    assert "delete_treatmentcomparison" in reviewer
    assert "view_outcometally" in author and "change_outcometally" not in reviewer
    assert "change_kioskprofile" not in reviewer


def test_the_reviewer_menu_offers_only_clinicians_who_may_review(reviewer_client, reviewer):
    author = user_in("Author", username="someone-else", first_name="Pat", last_name="Author")
    draft = ready_draft()
    form = reviewer_client.get(change_url(draft)).context["adminform"].form
    offered = set(form.fields["reviewer"].queryset)
    assert reviewer in offered
    assert author not in offered
    assert author in set(form.fields["author"].queryset)


def test_an_articles_current_reviewer_stays_selectable_after_leaving_the_group(reviewer_client):
    condition = ConditionFactory(published=True)  # reviewed by someone without the permission
    form = reviewer_client.get(change_url(condition)).context["adminform"].form
    assert condition.reviewer in set(form.fields["reviewer"].queryset)
