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


@pytest.mark.django_db(transaction=True)
def test_every_icon_the_page_links_loads_and_favicon_ico_is_no_404(site):
    page = site.go("/")
    hrefs = page.eval_on_selector_all(
        'link[rel="icon"], link[rel="apple-touch-icon"]', "links => links.map(l => l.href)"
    )
    assert len(hrefs) == 3
    for url in [*hrefs, f"{site.url}/favicon.ico", f"{site.url}/apple-touch-icon.png"]:
        response = page.request.get(url)
        assert response.status == 200, url
        assert response.headers["content-type"].startswith("image/"), url
