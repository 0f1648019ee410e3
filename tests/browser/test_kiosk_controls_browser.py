"""Kiosk controls and codes on the 1080x1920 portrait touch screen: one Back that is
the previous step, one Start again that asks first, one "Take this home" code near the top, and
one code for a whole source list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_kiosk_browser as kiosk_browser
from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_kiosk_browser import (
    CLEAN_STORAGE,
    STORAGE,
    feature_the_demo_questionnaire,
    open_kiosk,
)
from tests.qr import decode_png_qr

pytestmark = pytest.mark.django_db(transaction=True)

# The same portrait touch screen and content as the other kiosk browser tests.
browser_context_args = kiosk_browser.browser_context_args
kiosk_content = kiosk_browser.kiosk_content

KIOSK_VIEWPORT = {"width": 1080, "height": 1920}
Q1 = "Who are the spots on?"
Q2 = "Does the person with the spots have any of these right now?"


def nav(page):
    return page.get_by_role("navigation", name="Kiosk")


def tap_back(page):
    page.wait_for_load_state("domcontentloaded")  # kiosk.js (deferred) has run: as a person would
    nav(page).get_by_role("link", name="Back", exact=True).tap()


def answer(page, label, then):
    page.get_by_label(label, exact=True).tap()
    page.locator("#question-step").get_by_role("button", name="Continue").tap()
    expect(page.locator("h1")).to_have_text(then)


def test_back_in_a_questionnaire_is_the_previous_question_never_the_intro(
    site, page, kiosk_content
):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    page.get_by_role("link", name=re.compile("^White spots on the face or body")).tap()
    expect(page.locator("h1")).not_to_have_text("Welcome")  # the tap's navigation is done
    intro = page.locator("h1").inner_text()
    page.get_by_role("link", name="Start now").tap()
    expect(page.locator("h1")).to_have_text(Q1)
    answer(page, "Me or another adult (16 or older)", Q2)
    page.get_by_label("None of these", exact=True).tap()
    page.locator("#question-step").get_by_role("button", name="Continue").tap()
    expect(page.locator("h1")).not_to_have_text(Q2)
    third = page.locator("h1").inner_text()
    assert third not in (Q1, Q2, intro)

    # One Back on the page, in the header; no second one in the question.
    expect(page.get_by_role("link", name=re.compile("Back", re.I))).to_have_count(1)
    assert_no_axe_violations(page)

    tap_back(page)
    expect(page.locator("h1")).to_have_text(Q2)
    expect(page.get_by_label("None of these", exact=True)).to_be_checked()  # answers kept
    tap_back(page)
    expect(page.locator("h1")).to_have_text(Q1)
    tap_back(page)
    expect(page.locator("h1")).to_have_text(intro)
    tap_back(page)
    expect(page.locator("h1")).to_have_text("Welcome")


def test_back_from_an_article_is_the_page_it_was_opened_from(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    page.get_by_role("link", name="Topics starting with M").tap()
    # The letter page has loaded: the Welcome page has a Milia tile of its own.
    expect(page.locator("h1")).to_have_text("Topics starting with M")
    page.get_by_role("link", name=re.compile("^Milia")).tap()
    expect(page.locator("h1")).to_have_text("Milia")
    tap_back(page)
    expect(page.locator("h1")).to_have_text("Topics starting with M")

    nav(page).get_by_role("link", name="Home").tap()
    page.get_by_role("link", name=re.compile("^Milia")).tap()  # the featured tile
    expect(page.locator("h1")).to_have_text("Milia")
    tap_back(page)
    expect(page.locator("h1")).to_have_text("Welcome")


def control_boxes(page) -> dict[str, dict]:
    return {
        name: nav(page).get_by_text(name, exact=True).bounding_box()
        for name in ("Back", "Start again")
    }


def test_back_and_start_again_stay_in_the_same_places(site, page, kiosk_content):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    places = []
    for path in ("/kiosk/", "/kiosk/conditions/milia/", "/kiosk/check/white-spots/q/who/"):
        site.go(path)
        places.append(control_boxes(page))
    assert places[0] == places[1] == places[2]
    assert places[0]["Back"]["x"] < places[0]["Start again"]["x"]


def test_start_again_asks_first_then_forgets_everything(site, page, kiosk_content):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    site.go("/kiosk/start-again/?back=/kiosk/")  # the page that asks without JavaScript
    expect(page.locator("h1")).to_have_text("Start again?")
    assert_no_axe_violations(page)
    site.go("/kiosk/check/white-spots/q/who/")
    answer(page, "Me or another adult (16 or older)", Q2)
    page.evaluate("sessionStorage.setItem('x', '1'); localStorage.setItem('y', '2')")
    dialog = page.get_by_role("dialog", name="Start again?")

    nav(page).get_by_role("link", name="Start again").tap()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="No, go back")).to_be_focused()
    assert_no_axe_violations(page)
    dialog.get_by_role("button", name="No, go back").tap()
    expect(dialog).to_be_hidden()
    expect(page.locator("h1")).to_have_text(Q2)  # nothing was cleared
    assert "questionnaire_answers" in {c["name"] for c in page.context.cookies()}

    nav(page).get_by_role("link", name="Start again").tap()
    dialog.get_by_role("button", name="Yes, start again").tap()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("h1")).to_have_text("Welcome")
    names = {c["name"] for c in page.context.cookies()}
    assert "questionnaire_answers" not in names and "kiosk_profile" in names
    assert page.evaluate(STORAGE) == CLEAN_STORAGE
    site.go("/kiosk/check/white-spots/")
    expect(page.get_by_role("link", name="Continue where you left off")).to_have_count(0)


def test_start_again_asks_first_without_javascript(live_server, browser, kiosk_content):
    context = browser.new_context(
        java_script_enabled=False, viewport=KIOSK_VIEWPORT, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    try:
        feature_the_demo_questionnaire(kiosk_content)
        page.goto(f"{live_server.url}/kiosk/start/{kiosk_content.slug}/")
        page.goto(f"{live_server.url}/kiosk/check/white-spots/q/who/")
        answer(page, "Me or another adult (16 or older)", Q2)
        tap_back(page)  # a plain link: the previous question
        expect(page.locator("h1")).to_have_text(Q1)

        nav(page).get_by_role("link", name="Start again").tap()
        expect(page.locator("h1")).to_have_text("Start again?")
        page.get_by_role("link", name="No, go back").tap()
        expect(page.locator("h1")).to_have_text(Q1)
        assert "questionnaire_answers" in {c["name"] for c in context.cookies()}

        nav(page).get_by_role("link", name="Start again").tap()
        page.get_by_role("button", name="Yes, start again").tap()
        expect(page).to_have_url(re.compile(r"/kiosk/$"))
        names = {c["name"] for c in context.cookies()}
        assert "questionnaire_answers" not in names and "kiosk_profile" in names
    finally:
        context.close()


def test_one_take_home_code_near_the_top_and_one_code_for_the_sources(site, page, kiosk_content):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    for path in (
        "/kiosk/",
        "/kiosk/az/M/",
        "/kiosk/conditions/milia/",
        "/kiosk/check/white-spots/q/who/",
    ):
        site.go(path)
        take_home = page.locator(".kiosk-take-home")
        expect(take_home).to_have_count(1)
        box = take_home.bounding_box()
        assert box["y"] + box["height"] < 600, path  # in view without scrolling
        assert box["y"] < page.locator("h1").bounding_box()["y"], path

    site.go("/kiosk/conditions/milia/")
    expect(page.locator("main svg")).to_have_count(2)  # "Take this home" and the sources
    expect(page.locator(".kiosk-offsite-qr")).to_have_count(0)
    sources = page.locator("#sources")
    expect(sources.get_by_text("Milia explained")).to_be_visible()
    expect(sources.get_by_role("link")).to_have_count(0)
    code = sources.locator(".kiosk-sources-qr svg")
    expect(code).to_have_accessible_name(re.compile("list of sources"))
    assert decode_png_qr(code.screenshot()) == f"{site.url}/conditions/milia/#sources"
    expect(sources.get_by_text("Open these sources on your phone")).to_be_visible()
    assert_no_axe_violations(page)
