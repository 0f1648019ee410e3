"""Page feedback in Chromium: a patient says a page was not helpful and why; an editor sees the
note in the admin and opens the page's draft. With JavaScript (HTMX swaps, focus, status
announcements, axe) and without it (plain forms and a thank-you page)."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from feedback.models import PageFeedback, ProblemReport
from tests.browser.axe import assert_no_axe_violations
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"
NOT_HELPFUL = re.compile(r"^No\W+this page was not helpful$")
HELPFUL = re.compile(r"^Yes\W+this page was helpful$")
NOTE = "It does not say how long the spots last. Call me on 07700 900123"


@pytest.fixture
def article():
    return ConditionFactory(published=True, name="Milia", slug="milia")


@pytest.fixture
def editor():
    user = UserFactory(username="nurse", first_name="Nia", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Author"))
    return user


def test_a_patient_says_not_helpful_with_a_note_and_an_editor_opens_the_draft(
    site, page, article, editor
):
    # The patient, at the bottom of the article.
    site.go("/conditions/milia/")
    box = page.locator(".page-feedback")
    expect(box.get_by_role("heading", name="Was this page helpful?")).to_be_visible()
    box.get_by_role("button", name=NOT_HELPFUL).click()
    status = page.get_by_role("status").filter(has_text="Thank you for telling us.")
    expect(status).to_be_visible()
    note = page.get_by_label("What was missing or wrong? (optional)")
    expect(note).to_be_focused()
    expect(page.locator("#feedback-note-hint")).to_contain_text("do not include your name")
    assert_no_axe_violations(page)
    note.fill(NOTE)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#page-feedback-status")).to_contain_text("Your note has been sent")
    assert page.url.endswith("/conditions/milia/")  # no page load: the box was swapped

    feedback = PageFeedback.objects.get()
    assert feedback.helpful is False
    assert feedback.note == "It does not say how long the spots last. Call me on [phone]"

    # The editor sees it in the admin and opens the draft from there.
    page.context.clear_cookies()
    site.go("/admin/login/")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    site.go("/admin/feedback/pagefeedback/")
    per_page = page.locator("#feedback-per-page")
    expect(per_page).to_contain_text("Milia")
    expect(page.locator("#result_list")).to_contain_text("Call me on [phone]")
    page.locator("#result_list").get_by_role("link", name="Open the draft").click()
    expect(page).to_have_url(f"{site.url}/admin/conditions/condition/{article.pk}/change/")
    expect(page.locator("#id_name")).to_have_value("Milia")


def test_report_a_problem_with_javascript(site, page, article):
    site.go("/conditions/milia/")
    page.get_by_role("link", name="Report a problem with this page").click()
    expect(page.locator("#page-feedback legend")).to_be_focused()
    assert_no_axe_violations(page)
    page.get_by_label("A broken link").check()
    page.get_by_label("Tell us more (optional)").fill("The NHS link goes nowhere")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#page-feedback-status")).to_contain_text("An editor will check this page.")
    report = ProblemReport.objects.get()
    assert (report.kind, report.note) == ("broken_link", "The NHS link goes nowhere")


def test_feedback_and_a_report_without_javascript(site, browser, live_server, article):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/conditions/milia/")
        page.get_by_role("button", name=NOT_HELPFUL).click()
        expect(page.get_by_role("heading", name="Feedback about this page")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Thank you for telling us.")
        page.get_by_label("What was missing or wrong? (optional)").fill("More photos please")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Your note has been sent")
        page.get_by_role("link", name="Back to the page").click()
        assert page.url.endswith("/conditions/milia/")
        page.get_by_role("link", name="Report a problem with this page").click()
        expect(page.get_by_role("heading", name="Report a problem with this page")).to_be_visible()
        page.get_by_label("Hard to understand").check()
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("status")).to_contain_text("An editor will check this page.")
    finally:
        context.close()
    assert list(PageFeedback.objects.values_list("helpful", "note")) == [
        (False, "More photos please")
    ]
    assert ProblemReport.objects.get().kind == "hard"


def test_the_kiosk_page_asks_too_and_stays_in_the_kiosk(site, page, article):
    site.go("/kiosk/conditions/milia/")
    page.get_by_role("button", name=HELPFUL).click()
    expect(page.locator("#page-feedback-status")).to_contain_text("Thank you for your feedback.")
    assert page.url.endswith("/kiosk/conditions/milia/")
    assert_no_axe_violations(page)
    assert PageFeedback.objects.get().helpful is True
