"""Printed leaflets in a real browser: the kiosk's "Print a leaflet" button.

The PDFs themselves are checked without a browser (tests/conditions/test_leaflets.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conditions.models import KioskProfile
from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_kiosk_browser import MEASURE_CONTROLS
from tests.factories import ConditionFactory, TreatmentComparisonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1080, "height": 1920},
        "has_touch": True,
    }


@pytest.fixture
def printer_kiosk():
    milia = ConditionFactory(published=True, name="Milia", slug="milia")
    TreatmentComparisonFactory(condition=milia, published=True)
    return KioskProfile.objects.create(name="Desk", slug="desk", printer_available=True)


def test_a_kiosk_with_a_printer_offers_the_leaflet_as_a_big_button_to_a_kiosk_screen(
    site, page, printer_kiosk
):
    site.go("/kiosk/start/desk/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    site.go("/kiosk/conditions/milia/")

    button = page.get_by_role("link", name=re.compile("^Print a leaflet"))
    expect(button).to_be_visible()
    assert button.get_attribute("href") == "/kiosk/conditions/milia/leaflet/"
    small = [c for c in page.evaluate(MEASURE_CONTROLS) if c["width"] < 44 or c["height"] < 44]
    assert not small, small
    assert_no_axe_violations(page)

    site.go("/kiosk/conditions/milia/treatments/")
    link = page.get_by_role("link", name=re.compile("^Print a leaflet"))
    assert link.get_attribute("href") == "/kiosk/conditions/milia/treatments/leaflet/"


IDLE_MS = 90_000
WARNING_MS = 30_000


def test_the_kiosk_leaflet_screen_prints_the_leaflet_and_the_idle_reset_clears_it(
    site, page, printer_kiosk
):
    """The leaflet is shown in the kiosk (never Chromium's PDF viewer, where kiosk.js does not
    run): Print prints the framed leaflet, Back returns to the article, and a patient who walks
    away leaves the start screen for the next one."""
    page.clock.install()
    site.go("/kiosk/start/desk/")
    site.go("/kiosk/conditions/milia/")
    page.get_by_role("link", name=re.compile("^Print a leaflet")).tap()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/leaflet/$"))
    expect(page.locator("h1")).to_have_text("Leaflet: Milia")

    leaflet = page.frame_locator("iframe[data-kiosk-leaflet]")
    expect(leaflet.locator("h1")).to_have_text("Milia")
    expect(leaflet.get_by_text("Get help urgently")).to_be_visible()
    # The leaflet's own stylesheet applies in the frame (its typography, not the kiosk's).
    frame = page.frame(url=re.compile(r"/leaflet/print/$"))
    frame.wait_for_load_state("load")  # the DOM can be there before the stylesheet has applied
    assert frame.evaluate("getComputedStyle(document.body).fontFamily").startswith(
        '"Liberation Sans"'
    )
    # Only one Print on this screen: the take-home box does not offer "Print this page".
    expect(page.get_by_role("button", name=re.compile("^Print"))).to_have_count(1)
    small = [c for c in page.evaluate(MEASURE_CONTROLS) if c["width"] < 44 or c["height"] < 44]
    assert not small, small
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/kiosk-leaflet-screen.png")

    # Print prints the framed leaflet, not the kiosk page around it.
    page.evaluate(
        """() => {
        window.__printed = [];
        const frame = document.querySelector("iframe[data-kiosk-leaflet]");
        frame.contentWindow.print = () => window.__printed.push("leaflet");
        window.print = () => window.__printed.push("kiosk page");
    }"""
    )
    page.get_by_role("button", name="Print the leaflet").tap()
    assert page.evaluate("window.__printed") == ["leaflet"]

    # Back: the article it came from.
    page.locator("a[data-kiosk-back]").tap()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/$"))

    # Walk away from the leaflet screen: "Are you still here?", then the start screen.
    page.get_by_role("link", name=re.compile("^Large print leaflet")).tap()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/leaflet/\?size=large$"))
    expect(
        page.frame_locator("iframe[data-kiosk-leaflet]").locator("body.leaflet-large")
    ).to_be_attached()
    page.clock.fast_forward(IDLE_MS + 1000)
    expect(page.get_by_role("dialog", name="Are you still here?")).to_be_visible()
    page.clock.fast_forward(WARNING_MS + 1000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("h1")).to_have_text("Welcome")
    expect(page.locator("iframe")).to_have_count(0)


def test_touching_the_leaflet_in_its_frame_counts_as_still_being_here(site, page, printer_kiosk):
    page.clock.install()
    site.go("/kiosk/start/desk/")
    site.go("/kiosk/conditions/milia/leaflet/")
    expect(page.frame_locator("iframe[data-kiosk-leaflet]").locator("h1")).to_have_text("Milia")
    page.clock.fast_forward(IDLE_MS - 10_000)
    page.frame_locator("iframe[data-kiosk-leaflet]").locator("h1").tap()
    page.clock.fast_forward(20_000)
    expect(page.get_by_role("dialog", name="Are you still here?")).to_be_hidden()
    page.clock.fast_forward(IDLE_MS)
    expect(page.get_by_role("dialog", name="Are you still here?")).to_be_visible()
