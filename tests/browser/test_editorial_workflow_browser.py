"""The editorial workflow in Chromium, as the demo author and the demo reviewer would use it:
the author changes the live questionnaire's emergency advice; patients keep the approved
advice; the reviewer sees the change against the live version, approves it, and patients see it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from conditions.models import Outcome

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"
NEW_ADVICE = "Call 999 now and stay with them until help arrives. Changed in a browser test."


@pytest.fixture
def demo(live_server, demo_content):
    users = get_user_model().objects.filter(username__in=["demo-author", "demo-reviewer"])
    for user in users:
        user.set_password(PASSWORD)
        user.save()
    return Outcome.objects.filter(
        questionnaire__slug="white-spots", questionnaire__is_live=False, urgency="emergency"
    ).first()


def log_in(site, page, username):
    page.context.clear_cookies()
    site.go("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Demo")


def patient_advice(outcome) -> str:
    url = f"/check/{outcome.questionnaire.slug}/advice/{outcome.slug}/"
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_edit_to_the_live_emergency_advice_reaches_patients_only_after_a_second_clinician_approves(
    site, page, demo
):
    outcome = demo
    before = patient_advice(outcome)
    assert NEW_ADVICE not in before

    # The author changes the emergency outcome's advice in the admin.
    log_in(site, page, "demo-author")
    site.go(f"/admin/conditions/outcome/{outcome.pk}/change/")
    page.locator("#id_next_steps").fill(NEW_ADVICE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Patients still get the approved advice.
    assert NEW_ADVICE not in patient_advice(outcome)

    # The author cannot approve; the reviewer sees the change against the live version.
    site.go(f"/admin/conditions/questionnaire/{outcome.questionnaire_id}/changes/")
    expect(page.get_by_role("button", name="Approve and publish")).to_have_count(0)
    log_in(site, page, "demo-reviewer")
    site.go(f"/admin/conditions/questionnaire/{outcome.questionnaire_id}/changes/")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Outcomes")
    expect(changes.locator("ins").first).to_be_visible()
    expect(changes.locator("ins").last).to_contain_text("Changed in a browser test.")
    page.get_by_label("I have checked this against its references").check()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("patients now see this version")

    # Now patients see it.
    assert NEW_ADVICE in patient_advice(outcome)
