"""The treatment comparison in Chromium: HTMX filters, JavaScript off, cards on a phone, axe."""

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


@built_once
def comparison():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    comp = TreatmentComparisonFactory(published=True, condition=condition)
    reference = ReferenceFactory(condition=condition, publisher="DermNet")
    for order, (name, setting, near_eyes, recommendation) in enumerate(
        [
            ("Gentle skin care", models.CareSetting.HOME, "yes", "recommended"),
            ("De-roofing", models.CareSetting.GP, "care", "option"),
            ("Cryotherapy", models.CareSetting.GP, "care", "option"),
            ("Laser ablation", models.CareSetting.DERMATOLOGIST, "no", "option"),
            ("Squeezing at home", models.CareSetting.HOME, "no", "not_recommended"),
        ],
        start=1,
    ):
        row = ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name=name, setting=setting),
            near_eyes=near_eyes,
            recommendation=recommendation,
            order=order,
        )
        row.references.add(reference)
    make_live(condition)  # the new reference, then the comparison citing it, as approved
    make_live(comp)
    return comp


def option_rows(page):
    return page.locator("#comparison-table tbody tr.option")


def test_choosing_a_filter_swaps_the_table_and_updates_the_address(site, comparison):
    page = site.go(PATH)
    expect(option_rows(page)).to_have_count(6)
    page.evaluate("window.pageWasNotReloaded = true")

    page.get_by_label("Done by a clinician").check()

    page.wait_for_url("**setting=clinic**")
    expect(option_rows(page)).to_have_count(4)  # waiting is always shown
    expect(page.locator("caption")).to_contain_text("showing 4 of 6")
    assert page.evaluate("window.pageWasNotReloaded") is True

    page.get_by_label("suitable near the eyes").check()
    page.wait_for_url("**near_eyes=1**")
    expect(option_rows(page)).to_have_count(3)

    page.reload()  # the address is bookmarkable: the full page has the same filter
    expect(option_rows(page)).to_have_count(3)
    expect(page.get_by_label("suitable near the eyes")).to_be_checked()


def test_compare_selected_shows_two_options_in_columns(site, comparison):
    page = site.go(PATH)
    page.get_by_label("Compare De-roofing").check()
    page.get_by_label("Compare Laser ablation").check()
    page.get_by_role("button", name="Compare (2)").click()

    page.wait_for_url("**compare=**")
    columns = page.locator(".compare-columns thead th")
    expect(columns).to_have_text(["De-roofing", "Laser ablation"])
    page.get_by_role("link", name="Back to all the options").click()
    expect(option_rows(page)).to_have_count(6)


def test_with_javascript_off_the_filters_still_work_through_the_form(
    browser, live_server, comparison
):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + PATH)
    page.get_by_label("Things I can do myself").check()
    page.get_by_role("button", name="Show options").click()

    page.wait_for_url("**setting=home**")
    expect(option_rows(page)).to_have_count(3)
    expect(page.locator("h1")).to_have_count(1)

    page.get_by_label("Compare Gentle skin care").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator("#compare-error")).to_have_text(
        "Tick at least two treatments to compare them."
    )
    expect(page.get_by_label("Compare Gentle skin care")).to_be_checked()
    context.close()


def test_the_page_has_no_accessibility_violations(site, comparison):
    page = site.go(PATH)
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="light")
    page.get_by_label("Compare De-roofing").check()
    page.get_by_label("Compare Cryotherapy").check()
    page.get_by_role("button", name="Compare (2)").click()
    page.wait_for_url("**compare=**")
    expect(page.locator(".compare-columns")).to_be_visible()
    assert_no_axe_violations(page)


def test_on_a_narrow_screen_each_option_is_a_card_with_its_own_labels(site, comparison):
    page = site.go(PATH)
    page.set_viewport_size({"width": 375, "height": 800})
    first = option_rows(page).first
    assert first.evaluate("el => getComputedStyle(el).display") == "block"
    expect(first.locator(".cell-label").first).to_be_visible()
    assert page.locator(".option-grid thead").bounding_box()["height"] <= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    assert first.evaluate("el => getComputedStyle(el).display") == "table-row"
    expect(first.locator(".cell-label").first).to_be_hidden()


def test_on_a_laptop_screen_every_column_fits_without_scrolling_sideways(site):
    """Long, real-length texts and sources: "Our view" must not end up off screen."""
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    comp = TreatmentComparisonFactory(published=True, condition=condition)
    long = "Newborn milia clear on their own, usually in about four weeks, but in adults they can stay. "
    references = [
        ReferenceFactory(
            condition=condition,
            publisher="NHS Healthier Together",
            title="My baby has a rash (worried your baby is unwell, under 3 months)",
        )
        for _ in range(3)
    ]
    for order in range(1, 6):
        row = ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name=f"Electrosurgery (electrodesiccation) {order}"),
            involves=long,
            effectiveness=long * 2,
            risks=long,
            reason=long,
            order=order,
        )
        row.references.add(*references)

    page = site.go(PATH)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    scroll = page.locator(".table-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    last_header = page.locator(".option-grid thead th").last
    expect(last_header).to_have_text("Our view")
    assert last_header.bounding_box()["x"] + last_header.bounding_box()["width"] <= 1280


def test_comparing_on_a_phone_keeps_the_row_labels_in_view_while_options_scroll(site, comparison):
    page = site.go(PATH)
    page.set_viewport_size({"width": 390, "height": 844})
    for name in ("De-roofing", "Cryotherapy", "Laser ablation"):
        page.get_by_label(f"Compare {name}").check()
    page.get_by_role("button", name="Compare (3)").click()
    page.wait_for_url("**compare=**")
    scroll = page.locator(".table-scroll")
    label = page.locator(".compare-columns tbody th").first
    left = label.bounding_box()["x"]
    scroll.evaluate("el => el.scrollLeft = el.scrollWidth")
    assert scroll.evaluate("el => el.scrollLeft") > 0  # the options do scroll sideways
    assert abs(label.bounding_box()["x"] - left) < 1  # the labels stay where they were
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)


OPTION_NAMES = [
    "Gentle skin care",
    "De-roofing",
    "Cryotherapy",
    "Laser ablation",
    "Squeezing at home",
]


def test_printing_on_a4_portrait_prints_every_option_as_a_table_without_controls(site, comparison):
    page = site.go(PATH)
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 portrait less its margins
    page.emulate_media(media="print")
    grid = page.locator(".option-grid")
    expect(grid).to_be_visible()
    for name in OPTION_NAMES:
        expect(grid.locator("tbody th", has_text=name)).to_be_visible()
    header = grid.locator("thead")
    expect(header).to_be_visible()
    assert header.evaluate("el => getComputedStyle(el).display") == "table-header-group"
    expect(header.locator("th").last).to_have_text("Our view")
    for control in ("button", "input", "select", ".compare-actions", ".comparison-filters"):
        assert (
            page.locator(f"main {control}").evaluate_all(
                "els => els.filter(el => el.checkVisibility()).length"
            )
            == 0
        ), control
    box = grid.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 718 + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 718
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")


def test_a_filter_change_is_announced_and_arrow_keys_add_one_history_entry(site, comparison):
    page = site.go(PATH)
    status = page.locator("#comparison-status[role=status]")
    expect(status).to_have_text("")
    entries = page.evaluate("history.length")

    anywhere = page.get_by_label("Anywhere")
    anywhere.focus()
    with page.expect_response(lambda r: "setting=clinic" in r.url):
        page.keyboard.press("ArrowDown")  # things I can do myself
        page.keyboard.press("ArrowDown")  # done by a clinician
    page.wait_for_url("**setting=clinic**")
    expect(option_rows(page)).to_have_count(4)
    expect(status).to_have_text("Showing 4 options")
    assert page.evaluate("history.length") == entries + 1

    with page.expect_response(lambda r: "near_eyes=1" in r.url):
        page.get_by_label("suitable near the eyes").check()
    expect(status).to_have_text("Showing 3 options")
    assert page.evaluate("history.length") == entries + 2
    page.go_back()
    page.wait_for_url("**setting=clinic")
    expect(option_rows(page)).to_have_count(4)
    assert_no_axe_violations(page)
