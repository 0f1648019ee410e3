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


def test_a_kiosk_with_a_printer_offers_the_leaflet_as_a_big_button_that_opens_the_pdf(
    site, page, printer_kiosk
):
    site.go("/kiosk/start/desk/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    site.go("/kiosk/conditions/milia/")

    button = page.get_by_role("link", name=re.compile("^Print a leaflet"))
    expect(button).to_be_visible()
    assert button.get_attribute("href") == "/kiosk/conditions/milia/leaflet.pdf"
    small = [c for c in page.evaluate(MEASURE_CONTROLS) if c["width"] < 44 or c["height"] < 44]
    assert not small, small
    assert_no_axe_violations(page)

    response = page.request.get(site.url + button.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    site.go("/kiosk/conditions/milia/treatments/")
    link = page.get_by_role("link", name=re.compile("^Print a leaflet"))
    assert link.get_attribute("href") == "/kiosk/conditions/milia/treatments/leaflet.pdf"
