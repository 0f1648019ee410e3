"""Compare selected on a phone (390x844), a laptop (1280x900) and the kiosk (1080x1920).

A comparison with many options and real-length texts and sources, so that the options run
far below the first screen: the sticky "Compare (n)" bar must stay by the ticks, answer next
to itself, and never untick anything; the kiosk shows cards that fit, with "Our view" on each.
"""

import re

import pytest
from playwright.sync_api import expect

from conditions import models
from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    ReferenceFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    make_live,
)

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/conditions/milia/treatments/"
KIOSK_PATH = "/kiosk" + PATH
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
KIOSK = {"width": 1080, "height": 1920}
TICK_TWO = "Tick at least two treatments to compare them."
NAMES = [
    "Gentle skin care",
    "Exfoliating skin products from a pharmacy",
    "Prescription retinoid cream or gel",
    "De-roofing and extraction by a clinician",
    "Cryotherapy (freezing)",
    "Electrosurgery (electrodesiccation or curettage)",
    "Laser ablation",
    "Squeezing or picking at home",
]
LONG = (
    "In adults milia can stay for months or longer, and new ones can appear where the skin "
    "was damaged before. "
)


@built_once
def comparison():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    references = [
        ReferenceFactory(
            condition=condition,
            publisher=publisher,
            title=title,
            url=f"https://example.org/sources/{index}",
        )
        for index, (publisher, title) in enumerate(
            [
                ("DermNet", "Milia"),
                ("Cleveland Clinic", "Milia (Management and Treatment)"),
                ("NHS Healthier Together", "My baby has a rash (under 3 months)"),
            ]
        )
    ]
    comp = TreatmentComparisonFactory(published=True, condition=condition)
    for order, name in enumerate(NAMES, start=1):
        row = ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name=name, setting=models.CareSetting.GP),
            involves=LONG,
            effectiveness=LONG * 2,
            risks=LONG,
            reason=LONG,
            recommendation=(
                models.Recommendation.NOT_RECOMMENDED
                if name.startswith("Squeezing")
                else models.Recommendation.OPTION
            ),
            order=order,
        )
        row.references.add(*references)
    make_live(condition)
    make_live(comp)
    return comp


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser context of a given size (and JavaScript on or off) on a path."""
    contexts = []

    def go(path, viewport, *, javascript=True, touch=False):
        context = browser.new_context(
            viewport=viewport,
            java_script_enabled=javascript,
            has_touch=touch,
            bypass_csp=True,  # axe-core is injected as a script
            locale="en-GB",
            reduced_motion="reduce",  # scrolls end at once, so positions can be measured
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield go
    for context in contexts:
        context.close()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["height"] > 0
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"] + 1
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
    )


def gap_between(upper, lower) -> float:
    return lower.bounding_box()["y"] - (upper.bounding_box()["y"] + upper.bounding_box()["height"])


def ticks(page):
    return page.locator("input[name=compare]")


def press_compare(page):
    """Tap the Compare button where it is (in the sticky bar), without scrolling the page."""
    button = page.locator("[data-compare-button]")
    assert in_view(page, button)
    box = button.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


FIRST_TICK_Y = (
    "() => document.querySelector('input[name=compare]').getBoundingClientRect().top + scrollY"
)


def assert_error_next_to_the_button(page):
    error = page.locator("#compare-error")
    expect(error).to_have_text(TICK_TWO)
    expect(error).to_be_focused()
    button = page.locator("[data-compare-button]")
    assert in_view(page, error) and in_view(page, button)
    assert 0 <= gap_between(error, button) < 24  # right above the button, in the bar


def test_on_a_phone_the_compare_bar_stays_by_the_ticks_and_counts_them(open_page, comparison):
    page = open_page(PATH, PHONE)
    first = page.locator("tr.option").first
    assert first.evaluate("el => getComputedStyle(el).display") == "block"  # a card
    # The filters are folded while none is on, so the first tick comes sooner.
    panel = page.locator("[data-filter-panel]")
    assert panel.evaluate("el => el.open") is False
    folded_y = page.evaluate(FIRST_TICK_Y)
    page.get_by_text("Filter the options").click()
    expect(page.get_by_label("Done by a clinician")).to_be_visible()
    assert page.evaluate(FIRST_TICK_Y) - folded_y > 300
    ticks(page).first.scroll_into_view_if_needed()
    button = page.get_by_role("button", name="Compare (0)")
    assert in_view(page, ticks(page).first) and in_view(page, button)

    page.get_by_label("Compare Cryotherapy (freezing)").check()
    page.get_by_label("Compare Laser ablation").check()
    expect(page.get_by_role("button", name="Compare (2)")).to_be_visible()
    page.get_by_label("Compare Squeezing or picking at home").scroll_into_view_if_needed()
    assert in_view(page, page.locator("[data-compare-button]"))  # still by the ticks
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)

    press_compare(page)
    page.wait_for_url(re.compile(r"compare=\d+.*compare=\d+"))
    expect(page.locator(".compare-columns thead th")).to_have_text(
        ["Cryotherapy (freezing)", "Laser ablation"]
    )
    region = page.locator(".table-scroll")
    expect(region).to_be_focused()
    expect(page.locator("#comparison-caption")).to_be_in_viewport()


def test_on_a_phone_filters_that_are_on_stay_in_view(open_page, comparison):
    page = open_page(PATH + "?setting=clinic", PHONE)
    expect(page.get_by_label("Done by a clinician")).to_be_checked()
    expect(page.get_by_label("Done by a clinician")).to_be_visible()


def test_on_a_phone_too_few_ticks_get_an_error_by_the_button_and_stay_ticked(open_page, comparison):
    page = open_page(PATH, PHONE)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if PATH in request.url else None)
    page.get_by_label(
        "Compare De-roofing and extraction by a clinician"
    ).scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")

    press_compare(page)  # nothing ticked
    assert_error_next_to_the_button(page)
    assert sent == []  # answered at once, no request

    tick = page.get_by_label("Compare De-roofing and extraction by a clinician")
    tick.check()
    expect(page.get_by_role("button", name="Compare (1)")).to_be_visible()
    press_compare(page)
    assert_error_next_to_the_button(page)
    expect(tick).to_be_checked()
    assert page.evaluate("window.scrollY") == scrolled  # the ticked card has not moved away
    assert in_view(page, tick)
    assert sent == []
    assert_no_axe_violations(page)

    page.get_by_label("Compare Gentle skin care").check()
    expect(page.locator("#compare-error")).to_be_hidden()  # two ticks: nothing to correct
    press_compare(page)
    page.wait_for_url(re.compile(r"compare="))
    expect(page.locator(".compare-columns thead th")).to_have_count(2)


def test_without_javascript_on_a_phone_compare_answers_with_the_error_by_the_button(
    open_page, comparison
):
    page = open_page(PATH, PHONE, javascript=False)
    expect(page.get_by_label("Things I can do myself")).to_be_visible()  # filters stay open
    button = page.get_by_role("button", name="Compare selected")
    button.click()  # nothing ticked: the server answers, it does not just reload the list
    page.wait_for_url(re.compile(r"compare_selected=1"))
    assert_error_next_to_the_button(page)

    page.get_by_label("Compare Laser ablation").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"compare=\d+&compare_selected=1"))
    assert_error_next_to_the_button(page)
    tick = page.get_by_label("Compare Laser ablation")
    expect(tick).to_be_checked()

    page.get_by_label("Compare Gentle skin care").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"compare=\d+&compare=\d+"))
    expect(page.locator(".compare-columns thead th")).to_have_text(
        ["Gentle skin care", "Laser ablation"]
    )
    expect(page.locator(".table-scroll")).to_be_focused()  # autofocus, no script needed


def test_on_a_laptop_the_table_fits_and_the_compare_bar_answers_beside_its_button(
    open_page, comparison
):
    page = open_page(PATH, LAPTOP)
    assert page.locator("tr.option").first.evaluate("el => getComputedStyle(el).display") == (
        "table-row"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    scroll = page.locator(".table-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    ticks(page).first.scroll_into_view_if_needed()
    assert in_view(page, page.get_by_role("button", name="Compare (0)"))

    tick = page.get_by_label("Compare Prescription retinoid cream or gel")
    tick.check()
    press_compare(page)
    assert_error_next_to_the_button(page)
    expect(tick).to_be_checked()
    assert_no_axe_violations(page)

    page.get_by_label("Compare Electrosurgery").check()
    page.get_by_label("Compare Gentle skin care").check()
    page.get_by_role("button", name="Compare (3)").click()
    page.wait_for_url(re.compile(r"compare="))
    expect(page.locator(".compare-columns thead th")).to_have_count(3)
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert_no_axe_violations(page)


CARD_FIGURES = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  return [...document.querySelectorAll('tr.option')].map(card => {
    const box = card.getBoundingClientRect();
    const view = card.lastElementChild.getBoundingClientRect();
    return {left: box.left, right: box.right, main: [main.left, main.right],
            viewLeft: view.left, viewRight: view.right, viewWidth: view.width};
  });
}"""
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '.treatments a, .treatments button, .treatments input, .treatments label, .treatments summary')]
  .filter(el => el.checkVisibility() && !el.closest('.page-feedback'))
  .map(el => ({html: el.outerHTML.slice(0, 100), width: el.getBoundingClientRect().width,
               height: el.getBoundingClientRect().height}))
  .filter(el => el.width < 48 || el.height < 48)"""


def test_on_the_kiosk_every_option_is_a_card_that_fits_with_our_view_on_each(open_page, comparison):
    page = open_page(KIOSK_PATH, KIOSK, touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= KIOSK["width"]
    scroll = page.locator(".table-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    cards = page.evaluate(CARD_FIGURES)
    assert len(cards) == len(NAMES) + 1  # and waiting
    for card in cards:
        assert card["main"][0] <= card["left"] and card["right"] <= card["main"][1]
        assert card["viewLeft"] >= 0 and card["viewRight"] <= KIOSK["width"]
        assert card["viewWidth"] > KIOSK["width"] / 2  # across the card, not squeezed
    our_views = page.locator("tr.option > td:last-child .cell-label")
    expect(our_views).to_have_count(len(NAMES) + 1)
    for index in range(len(NAMES) + 1):
        expect(our_views.nth(index)).to_have_text("Our view")
        assert our_views.nth(index).is_visible()
    # Sources are citations, with no QR code per source in the cards.
    table = page.locator("#comparison-table")
    expect(table.locator(".qr-code")).to_have_count(0)
    expect(table.locator("cite", has_text="DermNet: Milia")).to_have_count(len(NAMES))
    assert page.evaluate(SMALL_TARGETS) == []

    middle = page.get_by_label("Compare De-roofing and extraction by a clinician")
    middle.scroll_into_view_if_needed()
    assert in_view(page, page.get_by_role("button", name="Compare (0)"))
    middle.tap()
    press_compare(page)
    assert_error_next_to_the_button(page)
    expect(middle).to_be_checked()
    assert_no_axe_violations(page)

    page.get_by_label("Compare Cryotherapy (freezing)").tap()
    page.get_by_label("Compare Laser ablation").tap()
    page.get_by_role("button", name="Compare (3)").tap()
    page.wait_for_url(re.compile(r"compare="))
    expect(page.locator(".compare-columns thead th")).to_have_count(3)
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= KIOSK["width"]
    our_view = page.locator(".compare-columns tbody th", has_text="Our view")
    assert our_view.bounding_box()["x"] >= 0
    last = page.locator(".compare-columns thead th").last.bounding_box()
    assert last["x"] + last["width"] <= KIOSK["width"]
    expect(page.locator("#comparison-table .qr-code")).to_have_count(0)
    # The comparison is scrolled to, and not hidden under the sticky kiosk header.
    expect(page.locator(".table-scroll")).to_be_focused()
    page.wait_for_function(
        """() => {
          const caption = document.querySelector('#comparison-caption').getBoundingClientRect();
          const header = document.querySelector('.kiosk-header').getBoundingClientRect();
          return caption.top >= header.bottom - 1 && caption.top < innerHeight / 2;
        }"""
    )
    assert page.evaluate(SMALL_TARGETS) == []
    assert_no_axe_violations(page)
