"""The infobutton in a browser: a clinician's click lands on the page (or its baby part), and
the chooser and "no page" pages pass axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.exchange.conftest import ICD10CM, article, infobutton_url


@pytest.fixture
def pages(transactional_db):
    article(
        "milia",
        "Milia",
        sections=("What milia look like", "Milia in newborn babies"),
        codes=[("icd-10-cm", "L72.0", "Epidermal cyst")],
    )
    article("acne", "Acne", codes=[("icd-10-cm", "L70.0", "Acne vulgaris")])


def test_an_infant_click_lands_on_the_baby_part_in_view(site, pages):
    page = site.go(infobutton_url("L72.0", ICD10CM, age__v__v="3", age__v__u="mo"))
    assert page.url.endswith("/conditions/milia/#milia-in-newborn-babies")
    # Retried: the browser scrolls to the fragment once the page has laid out.
    expect(page.locator("#milia-in-newborn-babies")).to_be_in_viewport()


@pytest.mark.parametrize(
    "query",
    [
        {"code_value": "L71.9", "system": ICD10CM},  # related pages to choose from
        {"code_value": "L72.0", "system": ICD10CM, "informationRecipient__languageCode__c": "es"},
        {"code_value": "Z99.89", "system": ICD10CM},  # nothing: the help card and a search box
    ],
)
def test_the_infobutton_pages_have_no_accessibility_violations(site, pages, query):
    page = site.go(infobutton_url(**query))
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
