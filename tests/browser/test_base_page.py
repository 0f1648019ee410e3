"""The base layout in a real browser: landmarks, skip link, and no axe violations."""

import pytest

from tests.browser.axe import assert_no_axe_violations


@pytest.mark.django_db(transaction=True)
def test_skip_link_moves_focus_to_the_main_content(site):
    page = site.go("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.django_db(transaction=True)
def test_home_page_has_no_accessibility_violations(site):
    page = site.go("/")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
