"""The clinician admin for the search help card: editorial groups, term inlines, workflow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conditions import models
from tests.conditions.article_admin import user_in

pytestmark = pytest.mark.django_db


def test_authors_and_reviewers_can_open_the_help_card_admin(client):
    for group in ("Author", "Clinical reviewer"):
        client.force_login(user_in(group))
        assert client.get(reverse("admin:conditions_urgenthelp_changelist")).status_code == 200
        html = client.get(reverse("admin:conditions_urgenthelp_add")).content.decode()
        assert 'name="terms-0-phrase"' in html and 'name="terms-0-variants"' in html
        assert 'name="status"' not in html


def test_a_reviewer_publishes_a_card_written_in_the_admin_and_search_shows_it(client):
    author, reviewer = user_in("Author"), user_in("Clinical reviewer")
    client.force_login(author)
    today = timezone.localdate()
    response = client.post(
        reverse("admin:conditions_urgenthelp_add"),
        {
            "heading": "Get help now",
            "body": "Call 999 for a **rash that does not fade**.",
            "emergency_phone": "999",
            "urgent_phone": "111",
            "source_name": "NHS",
            "source_url": "https://www.nhs.uk/conditions/meningitis/",
            "author": author.pk,
            "next_review_due": (today + datetime.timedelta(days=300)).isoformat(),
            "terms-TOTAL_FORMS": "1",
            "terms-INITIAL_FORMS": "0",
            "terms-0-order": "0",
            "terms-0-phrase": "meningitis",
            "terms-0-variants": "meningococcal",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    card = models.UrgentHelp.objects.get()
    assert card.status == models.Status.DRAFT and "<strong>" in card.body_html
    assert "Get help now" not in client.get("/search/", {"q": "meningitis"}).content.decode()
    approve = reverse("admin:conditions_urgenthelp_workflow", args=[card.pk, "publish"])
    approval = {"attest": "on", "seen_version": card.version}
    assert client.post(approve, approval).status_code == 403  # authors may not publish
    card.refresh_from_db()
    assert not card.is_published
    assert "Get help now" not in client.get("/search/", {"q": "meningococcal"}).content.decode()
    client.force_login(reviewer)
    assert client.post(approve, approval).status_code == 302
    card.refresh_from_db()
    assert card.is_published
    live = models.UrgentHelp.all_copies.get(pk=card.live_id)
    assert live.reviewer == reviewer and live.last_reviewed == today  # set by the approval
    assert "Get help now" in client.get("/search/", {"q": "meningococcal"}).content.decode()
