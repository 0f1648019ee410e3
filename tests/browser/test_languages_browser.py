"""The patient's language in a real browser: Polish and Urdu (right to left), phone and kiosk.

Screenshots go to test-results/languages/ for a person to look at (Urdu especially).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conditions.models import KioskProfile
from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "languages"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
KIOSK = {"viewport": {"width": 1080, "height": 1920}, "has_touch": True}


@built_once
def milia():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    KioskProfile.objects.create(name="Waiting room", slug="waiting-room").featured_conditions.add(
        condition
    )
    return condition


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_on_a_phone_a_patient_switches_to_polish_and_keeps_the_page(browser, live_server, milia):
    context = browser.new_context(**PHONE, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/conditions/milia/")
    switcher = page.get_by_role("navigation", name="Language")
    switcher.get_by_role("link", name="Polski").tap()
    expect(page).to_have_url(f"{live_server.url}/pl/conditions/milia/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    main_nav = page.get_by_role("navigation", name="Główne")
    expect(main_nav.get_by_role("link", name="Schorzenia od A do Z")).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "phone-pl-article")
    # Remembered: the home page now opens in Polish, although the browser asks for English.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/pl/")
    context.close()


def test_on_a_phone_urdu_reads_right_to_left_with_mirrored_arrows(browser, live_server, milia):
    context = browser.new_context(**PHONE, locale="ur-PK", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/")  # the browser asks for Urdu: the home page follows it
    expect(page).to_have_url(f"{live_server.url}/ur/")
    page.goto(f"{live_server.url}/ur/conditions/milia/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    chevron = page.evaluate(
        "getComputedStyle(document.querySelector('.breadcrumb li + li'), '::before').content"
    )
    assert chevron == '"‹"'  # points left: onwards, in a right-to-left page
    # The language names keep their own direction and language.
    english = page.get_by_role("navigation", name="زبان").get_by_role("link", name="English")
    expect(english).to_have_attribute("lang", "en-gb")
    expect(english).to_have_attribute("dir", "ltr")
    # The main heading starts at the right-hand edge.
    box = page.locator("h1").bounding_box()
    assert box["x"] + box["width"] > 390 - 40
    assert_no_axe_violations(page)
    shoot(page, "phone-ur-article")
    context.close()


def test_the_kiosk_start_screen_offers_each_language_and_passes_axe_in_urdu(
    browser, live_server, milia
):
    context = browser.new_context(**KIOSK, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/start/waiting-room/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    languages = page.get_by_role("navigation", name="Language")
    languages.get_by_role("link", name="اردو").tap()
    expect(page).to_have_url(f"{live_server.url}/ur/kiosk/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_axe_violations(page)
    shoot(page, "kiosk-ur-start")
    page.locator(".kiosk-tile").first.tap()
    expect(page).to_have_url(f"{live_server.url}/ur/kiosk/conditions/milia/")
    assert_no_axe_violations(page)
    shoot(page, "kiosk-ur-article")
    # Start again: the next patient gets the screen's own language back.
    page.goto(f"{live_server.url}/pl/kiosk/start-again/")
    page.get_by_role("button", name="Tak, zacznij od nowa").tap()
    expect(page).to_have_url(f"{live_server.url}/kiosk/")
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    context.close()
