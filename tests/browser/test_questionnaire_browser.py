"""The questionnaire in Chromium: HTMX steps with the URL kept right, browser Back, Change
from the summary, the same flow with JavaScript off, and axe on a step, an error and a result."""

import re

import pytest
from playwright.sync_api import expect

from conditions.demo import questionnaires as demo
from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import ConditionFactory, editors

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/check/white-spots/"


@built_once
def questionnaire():
    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())


EMERGENCY = "Does the person with the spots have any of these right now?"
INFECTION = (
    "Has a spot that was squeezed or picked become red, swollen, full of pus or more painful?"
)
GROWING = "Is any spot growing, bleeding, crusting or scabbing, or has one not healed in 4 weeks?"
NO_FADE = "A rash that does not fade when you press a clear glass firmly against it"
FACE = "Somewhere else on the face"
BABY_FACE = "On the face, such as the nose, cheeks, eyelids or forehead"
# An adult's typical milia: the answer given at each step, and the step it leads to.
ADULT_TO_REVIEW = [
    ("Me or another adult (16 or older)", f"{BASE}q/unwell/"),
    ("None of these", f"{BASE}q/infection/"),
    ("No", f"{BASE}q/growing/"),
    ("No", f"{BASE}q/pearly/"),
    ("No", f"{BASE}q/typical/"),
    ("Yes", f"{BASE}q/where/"),
    (FACE, f"{BASE}q/dimple/"),
    ("No", f"{BASE}q/red-pus/"),
    ("No", f"{BASE}q/blisters/"),
    ("No", f"{BASE}q/itch-pain/"),
    ("No", f"{BASE}q/red-patch/"),
    ("No", f"{BASE}q/sudden-crop/"),
    ("No", f"{BASE}q/after-blisters/"),
    ("No", f"{BASE}q/sun-blisters/"),
    ("No", f"{BASE}q/steroid-cream/"),
    ("No", f"{BASE}review/"),
]
# A baby under 4 weeks with typical milia, from the age question on (labels only).
YOUNG_BABY_AFTER_AGE = [
    "No",  # temperature
    "No",  # feeding
    "No",  # sleepy
    "No",  # infection
    "No",  # newborn blisters
    "No",  # newborn pain
    "No",  # growing
    "Yes",  # typical
    BABY_FACE,
    "No",  # dimple
    "No",  # red or pus
    "No",  # widespread
    "No",  # hair, teeth, nails, sweating
]


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
    continue_with_htmx(page, f"{BASE}q/unwell/")
    expect(page.locator("h1")).to_have_text(EMERGENCY)
    assert page.evaluate("window.__sameDocument") is True  # swapped in, not a page load
    expect(page.locator(".step-progress")).to_have_text("Question 2")
    expect(page.locator("h1")).to_be_focused()
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/who/") + "$"))
    expect(page.locator("h1")).to_have_text("Who are the spots on?")
    expect(page.get_by_label("Me or another adult (16 or older)", exact=True)).to_be_checked()


def test_change_from_the_review_page_and_get_a_result(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    for label, next_path in ADULT_TO_REVIEW:
        choose(page, label)
        continue_with_htmx(page, next_path)
    expect(page.locator("h1")).to_have_text("Check your answers")
    page.get_by_role("link", name=re.compile("Change.*Do the spots itch or hurt")).click()
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    choose(page, "Yes")
    continue_with_htmx(page, f"{BASE}review/")
    expect(page.locator(".summary-row").filter(has_text="itch or hurt")).to_contain_text("Yes")
    page.get_by_role("button", name="See my result").click()
    expect(page.locator("h1")).to_have_text("Book a GP appointment")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_error_state_is_announced_and_accessible(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(summary).to_contain_text("Select who the spots are on")
    expect(page.locator(".error-message")).to_contain_text("Select who the spots are on")
    summary.get_by_role("link").click()
    expect(page.get_by_label("My baby (under 1 year old)", exact=True)).to_be_focused()
    assert_no_axe_violations(page)


def test_a_step_has_no_accessibility_violations(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    choose(page, "My baby (under 1 year old)")
    continue_with_htmx(page, f"{BASE}q/unwell/")
    choose(page, "None of these")
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
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
        choose(page, "None of these")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/baby-age/") + "$"))
        page.get_by_role("link", name="Back").click()
        expect(page.get_by_label("None of these")).to_be_checked()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("How old is your baby, in weeks?").fill("60")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".error-summary")).to_contain_text("52 or less")
        page.get_by_label("How old is your baby, in weeks?").fill("3")
        page.get_by_role("button", name="Continue").click()
        for label in YOUNG_BABY_AFTER_AGE:
            choose(page, label)
            page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check your answers")
        page.get_by_role("button", name="See my result").click()
        baby_self_care = next(o for o in demo.OUTCOMES if o.slug == "self-care-baby")
        expect(page.locator("h1")).to_have_text(baby_self_care.title)
        expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
        page.goto(live_server.url + f"{BASE}result/")
        expect(page.locator(".notice")).to_contain_text("cleared")
        # An emergency sign: its advice at once, with no more questions and no summary.
        page.goto(live_server.url + f"{BASE}q/who/")
        choose(page, "My baby (under 1 year old)")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
        choose(page, NO_FADE)
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}advice/emergency/") + "$"))
        expect(page.locator("h1")).to_have_text("Call 999 or go to A&E now")
        expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
        page.reload()
        expect(page.locator("h1")).to_have_text("Call 999 or go to A&E now")
        # The answers are gone: Back to the age question starts again at the first question.
        page.go_back()
        page.goto(live_server.url + f"{BASE}q/baby-age/")
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/who/") + "$"))
        expect(page.get_by_label("My baby (under 1 year old)")).not_to_be_checked()
    finally:
        context.close()


ADULT_TO_GROWING = ADULT_TO_REVIEW[:3]


def test_browser_back_after_several_htmx_steps_keeps_url_question_and_answer(
    site, page, questionnaire
):
    site.go(f"{BASE}q/who/")
    for label, next_path in ADULT_TO_GROWING:
        choose(page, label)
        continue_with_htmx(page, next_path)
    expect(page.locator("h1")).to_have_text(GROWING)
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/infection/") + "$"))
    expect(page.locator("h1")).to_have_text(INFECTION)
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
    expect(page.locator("h1")).to_have_text(EMERGENCY)
    expect(page.get_by_label("None of these", exact=True)).to_be_checked()
    page.go_forward()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/infection/") + "$"))
    expect(page.locator("h1")).to_have_text(INFECTION)
    # Carry on from where Back left us: the flow and the address stay in step.
    choose(page, "No")
    continue_with_htmx(page, f"{BASE}q/growing/")
    expect(page.locator(".step-progress")).to_have_text("Question 4")


def test_the_on_page_back_link_works_with_htmx(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    for label, next_path in ADULT_TO_GROWING[:2]:
        choose(page, label)
        continue_with_htmx(page, next_path)
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
    expect(page.get_by_label("None of these", exact=True)).to_be_checked()


def test_a_tampered_answer_is_refused_in_place_with_a_message(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    choose(page, "Me or another adult (16 or older)")
    page.evaluate("document.querySelector('input[name=answer]:checked').value = 'martian'")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 400):
        page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose one of the answers shown")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/who/") + "$"))
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/unwell/")


def test_unreadable_answers_ask_to_start_again_in_place(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/unwell/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "questionnaire_answers")
    page.context.add_cookies([{**cookie, "value": cookie["value"][:-4] + "AAAA"}])
    choose(page, "None of these")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 400):
        page.get_by_role("button", name="Continue").click()
    expect(page.locator(".notice")).to_contain_text("Please start again")
    page.get_by_role("link", name="Start again").click()
    expect(page.locator("h1")).to_have_text("White spots on the face or body")


def test_change_links_work_without_javascript(browser, live_server, questionnaire):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + f"{BASE}q/who/")
        for label, _next_path in ADULT_TO_REVIEW:
            choose(page, label)
            page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check your answers")
        page.get_by_role("link", name=re.compile("Change.*Who are the spots on")).click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/who/?change=1") + "$"))
        page.get_by_role("link", name="Back").click()  # back to the summary, unchanged
        expect(page.locator("h1")).to_have_text("Check your answers")
        page.get_by_role("link", name=re.compile("Change.*Who are the spots on")).click()
        choose(page, "A child (1 to 15 years old)")
        page.get_by_role("button", name="Continue").click()
        # The change reveals new questions, asked before returning to the summary.
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/fever/?change=1") + "$"))
        for label in ("No", "No", "No", "Yes"):  # temperature, sleepy, widespread, other signs
            choose(page, label)
            page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check your answers")
        expect(page.locator(".summary-row").filter(has_text="hair, teeth")).to_contain_text("Yes")
        # A change to an urgent answer: its advice at once, with no check-answers step.
        page.get_by_role("link", name=re.compile("Change.*squeezed or picked")).click()
        choose(page, "Yes")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}advice/urgent/") + "$"))
        expect(page.locator("h1")).to_have_text("Get medical help today")
        page.reload()
        expect(page.locator("h1")).to_have_text("Get medical help today")
    finally:
        context.close()


def answer_to_review(page):
    for label, next_path in ADULT_TO_REVIEW:
        choose(page, label)
        continue_with_htmx(page, next_path)
    expect(page.locator("h1")).to_have_text("Check your answers")


def test_after_an_htmx_swap_the_title_is_the_one_a_full_page_load_shows(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    loaded = page.title()
    assert loaded.endswith(" – Patient information")
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/unwell/")
    swapped = page.title()
    page.reload()
    assert (
        swapped
        == page.title()
        == f"{EMERGENCY} – White spots on the face or body – Patient information"
    )
    page.get_by_role("button", name="Continue").click()  # no answer: the error, swapped in
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.title() == f"Error: {swapped}"
    site.go(f"{BASE}q/who/")
    answer_to_review(page)
    swapped = page.title()
    page.reload()
    assert swapped == page.title()
    assert swapped.startswith("Check your answers – ")


def test_check_your_answers_goes_back_to_the_last_question(site, page, questionnaire):
    site.go(f"{BASE}q/who/")
    answer_to_review(page)
    assert_no_axe_violations(page)
    page.locator(".back-link").click()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/steroid-cream/") + "$"))
    expect(page.get_by_label("No", exact=True)).to_be_checked()


@pytest.mark.parametrize("java_script", [True, False], ids=["htmx", "no-js"])
def test_clear_my_answers_asks_first_and_no_goes_back_with_the_answers_kept(
    browser, live_server, questionnaire, java_script
):
    context = browser.new_context(java_script_enabled=java_script, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + f"{BASE}q/who/")
        choose(page, "Me or another adult (16 or older)")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
        page.get_by_role("link", name="Clear my answers").click()
        expect(page.locator("h1")).to_have_text("Are you sure you want to clear your answers?")
        if java_script:
            assert_no_axe_violations(page)
        page.get_by_role("link", name="No, go back").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/unwell/") + "$"))
        page.get_by_role("link", name="Back").click()
        expect(page.get_by_label("Me or another adult (16 or older)")).to_be_checked()
        page.get_by_role("link", name="Clear my answers").click()
        page.get_by_role("button", name="Yes, clear my answers").click()
        expect(page).to_have_url(re.compile(re.escape(f"{BASE}?cleared=1") + "$"))
        expect(page.locator(".notice")).to_contain_text("cleared")
        page.goto(live_server.url + f"{BASE}q/who/")
        expect(page.get_by_label("Me or another adult (16 or older)")).not_to_be_checked()
    finally:
        context.close()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
    ids=["phone", "laptop"],
)
def test_radios_and_checkboxes_are_40_px_and_clear_sits_well_below_continue(
    site, page, questionnaire, viewport
):
    page.set_viewport_size(viewport)
    site.go(f"{BASE}q/who/")
    for box in [page.locator("input[type=radio]").nth(n).bounding_box() for n in range(3)]:
        assert round(box["width"]) == 40 and round(box["height"]) == 40, box
    choose(page, "Me or another adult (16 or older)")
    continue_with_htmx(page, f"{BASE}q/unwell/")
    checkbox = page.get_by_label("None of these", exact=True).bounding_box()
    assert round(checkbox["width"]) == 40 and round(checkbox["height"]) == 40, checkbox
    button = page.get_by_role("button", name="Continue").bounding_box()
    clear = page.get_by_role("link", name="Clear my answers").bounding_box()
    assert clear["y"] - (button["y"] + button["height"]) >= 48
    assert_no_axe_violations(page)
