"""The questionnaire in Chromium: HTMX steps with the URL kept right, browser Back, Change
from the summary, the same flow with JavaScript off, and axe on a step, an error and a result."""

import re

import pytest
from playwright.sync_api import expect

from conditions.demo import questionnaires as demo
from tests.browser.axe import assert_no_axe_violations
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/check/white-spots/"


@pytest.fixture
def questionnaire():
    ConditionFactory(published=True, slug="milia", name="Milia")
    user = UserFactory()
    demo.load(user, user)


def choose(page, *labels):
    for label in labels:
        page.get_by_label(label, exact=True).check()


def continue_with_htmx(page, next_path):
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def test_htmx_swaps_each_step_and_keeps_the_url_and_back_right(site, page, questionnaire):
    site.go(BASE)
    page.get_by_role("link", name="Start now").click()
    expect(page.locator("h1")).to_have_text("Who are the spots on?")
    page.evaluate("window.__sameDocument = true")
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/look/")
    expect(page.locator("h1")).to_have_text("What do the spots look like?")
    assert page.evaluate("window.__sameDocument") is True  # swapped in, not a page load
    expect(page.locator(".step-progress")).to_have_text("Question 2 of about 5")
    expect(page.locator("h1")).to_be_focused()
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/who/") + "$"))
    expect(page.locator("h1")).to_have_text("Who are the spots on?")
    expect(page.get_by_label("Me or another adult (16 or older)", exact=True)).to_be_checked()


def test_change_from_the_review_page_and_get_a_result(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/look/")
    choose(page, "Small, hard, white or pale yellow bumps, about the size of a pinhead")
    continue_with_htmx(page, f"{BASE}q/itch-pain/")
    choose(page, "No")
    continue_with_htmx(page, f"{BASE}q/squeezed/")
    choose(page, "No")
    continue_with_htmx(page, f"{BASE}q/history/")
    choose(page, "None of these")
    continue_with_htmx(page, f"{BASE}review/")
    expect(page.locator("h1")).to_have_text("Check your answers")
    page.get_by_role("link", name=re.compile("Change.*Do the spots itch or hurt")).click()
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    choose(page, "Yes")
    continue_with_htmx(page, f"{BASE}review/")
    expect(page.locator(".summary-row").filter(has_text="itch or hurt")).to_contain_text("Yes")
    page.get_by_role("button", name="See my result").click()
    expect(page.locator("h1")).to_have_text("Book an appointment with your GP")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_error_state_is_announced_and_accessible(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    summary.get_by_role("link").click()
    expect(page.get_by_label("My baby (under 1 year old)", exact=True)).to_be_focused()
    assert_no_axe_violations(page)


def test_a_step_has_no_accessibility_violations(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    choose(page, "My baby (under 1 year old)")
    continue_with_htmx(page, f"{BASE}q/baby-age/")
    expect(page.get_by_label("How old is your baby, in weeks?")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_whole_flow_works_without_javascript(browser, live_server, questionnaire):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + BASE)
        page.get_by_role("link", name="Start now").click()
        choose(page, "My baby (under 1 year old)")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/baby-age/") + "$"))
        page.get_by_label("How old is your baby, in weeks?").fill("60")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".error-summary")).to_contain_text("52 or less")
        page.get_by_label("How old is your baby, in weeks?").fill("3")
        page.get_by_role("button", name="Continue").click()
        choose(page, "A rash that does not fade when you press a glass on it")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/fever/") + "$"))
        page.get_by_role("link", name="Back").click()
        expect(
            page.get_by_label("A rash that does not fade when you press a glass on it")
        ).to_be_checked()
        page.get_by_role("button", name="Continue").click()
        for labels in (
            ["No"],
            ["Small, hard, white or pale yellow bumps, about the size of a pinhead"],
            ["No"],
            ["No"],
            ["None of these"],
        ):
            choose(page, *labels)
            page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check your answers")
        page.get_by_role("button", name="See my result").click()
        expect(page.locator("h1")).to_have_text("Call 999 or go to A&E now")
        expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
        page.goto(live_server.url + f"{BASE}result/")
        expect(page.locator(".notice")).to_contain_text("cleared")
    finally:
        context.close()
