"""In Chromium: "None of these" unticks the other answers (and they untick it), and an urgent
answer under HTMX loads its advice page at once, which then survives a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.built_once import built_once
from tests.conditions.questionnaire_factories import urgent_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/check/check/"


@built_once
def questionnaire():
    return urgent_questionnaire()


def test_an_exclusive_answer_unticks_the_others_and_an_urgent_answer_shows_its_advice(
    site, page, questionnaire
):
    site.go(f"{BASE}q/who/")
    page.get_by_label("An adult", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/spots/") + "$"))
    white, red, none = (
        page.get_by_label(label, exact=True)
        for label in ("Small and white", "Red and sore", "None of these")
    )
    white.check()
    red.check()
    none.check()
    expect(white).not_to_be_checked()
    expect(red).not_to_be_checked()
    white.check()
    expect(none).not_to_be_checked()
    expect(white).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}q/fever/") + "$"))
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(f"{BASE}advice/today/") + "$"))
    expect(page.locator("h1")).to_have_text("Get medical advice today")
    expect(page.get_by_role("link", name="Call 111")).to_have_attribute("href", "tel:111")
    page.reload()
    expect(page.locator("h1")).to_have_text("Get medical advice today")
