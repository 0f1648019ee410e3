"""The patient site in Chromium: search with and without JavaScript, live results, boosted
navigation with Back, print, and axe on every patient template this feature owns."""

import re

import pytest
from playwright.sync_api import expect

from conditions import models
from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import ConditionFactory, FAQFactory, SectionFactory, make_live

pytestmark = pytest.mark.django_db(transaction=True)


@built_once
def content():
    milia = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        featured=True,
        also_known_as="milk spots\nwhite spots on face",
        summary="Milia are tiny, hard, white bumps just under the skin. They are harmless.",
    )
    acne = ConditionFactory(
        published=True,
        name="Acne",
        slug="acne",
        featured=True,
        summary="Acne causes spots and oily skin.",
    )
    milia.related.add(acne)
    SectionFactory(
        condition=milia, heading="Milia in babies", body="Spots on the gums are Epstein pearls."
    )
    FAQFactory(condition=milia, question="Can I squeeze milia?", verdict="myth", answer="No.")
    for level in models.CareAdvice.LEVEL_ORDER:
        models.CareAdvice.objects.create(
            condition=milia, level=level, signs=f"- a sign for {level}", action="Do this."
        )
    models.ClinicalCode.objects.create(
        condition=milia, system="snomed-ct", code="254679001", display="Milium"
    )
    milia.refresh_derived()
    make_live(milia)  # everything above, as a reviewer would approve it
    return milia


def htmx_settled(page):
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def first_result(page):
    return page.locator("#search-results .result-title a").first


def test_live_search_finds_a_condition_by_synonym_and_announces_the_count(site, content):
    page = site.go("/search/")
    with page.expect_response(re.compile(r"/search/\?q=milk")):
        page.get_by_label("Search for a condition").press_sequentially("milk spots", delay=20)
    expect(page.locator("#search-status")).to_contain_text(re.compile("results? for “milk spots”"))
    expect(first_result(page)).to_have_text("Milia")
    expect(page).to_have_url(re.compile(r"/search/\?q=milk(\+|%20)spots$"))
    assert page.locator("h1").count() == 1  # only the fragment was swapped in


def test_live_search_tolerates_a_typo_and_updates_as_you_type(site, content):
    page = site.go("/search/")
    box = page.get_by_label("Search for a condition")
    box.fill("millia")
    expect(first_result(page)).to_have_text("Milia")
    box.fill("zzqx")
    expect(page.locator("#search-status")).to_contain_text("0 results")
    expect(page.locator(".no-results")).to_be_visible()
    box.fill("acne")
    expect(first_result(page)).to_have_text("Acne")


@pytest.mark.parametrize("words", ["milk spots", "mila"])
def test_search_without_javascript_by_synonym_and_typo(site, browser, live_server, content, words):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Search for a condition").fill(words)
    page.get_by_label("Search for a condition").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator("h1")).to_have_text("Search")
    expect(first_result(page)).to_have_text("Milia")
    first_result(page).click()
    expect(page.locator("h1")).to_have_text("Milia")
    context.close()


def test_boosted_navigation_moves_focus_updates_title_and_back_restores_the_page(site, content):
    page = site.go("/")
    home_title = page.title()
    page.locator(".site-nav").get_by_role("link", name="Conditions A to Z").click()
    expect(page.locator("h1")).to_have_text("Conditions A to Z")
    expect(page).to_have_title(re.compile("^Conditions A to Z"))
    expect(page).to_have_url(re.compile(r"/conditions/$"))
    expect(page.locator("main h1")).to_be_focused()  # moved there after the swap settles
    page.locator(".az-list").get_by_role("link", name="Milia").click()
    expect(page.locator("h1")).to_have_text("Milia")
    expect(page).to_have_title(re.compile("^Milia"))
    with page.expect_response(re.compile(r"/conditions/$")):
        page.go_back()  # htmx keeps no page copies (privacy): it asks the server again
    expect(page.locator("h1")).to_have_text("Conditions A to Z")
    htmx_settled(page)
    page.go_back()
    expect(page.locator("h1")).to_have_text("Skin health information you can trust")
    expect(page).to_have_title(home_title)


def test_printing_an_article_hides_navigation_and_forms_and_keeps_the_content(site, content):
    page = site.go("/conditions/milia/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".contents")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".care-emergency")).to_be_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.references a'), '::after').content"
    )
    assert "https://" in after
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conditions/",
        "/conditions/milia/",
        "/search/?q=milk+spots",
        "/search/?q=zzqx",
        "/no-such-page/",
    ],
)
def test_patient_pages_have_no_accessibility_violations(site, content, path):
    page = site.go(path)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_article_has_no_accessibility_violations_in_dark_mode(site, content):
    page = site.go("/conditions/milia/")
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)


def test_article_reflows_at_320_css_pixels_without_sideways_scrolling(site, content):
    page = site.go("/conditions/milia/")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
