"""Every patient page template in Chromium: axe (light and dark), reflow at 320 CSS px (the
width of 1280 px zoomed to 400%), print media, reduced motion and the dark scheme.

The list below is every template a patient can reach: home, A–Z (all and one letter), article,
treatments, search with and without results, questionnaire start, each kind of step (choice,
number, several answers), its error state, "Check your answers", the result, the shareable
advice page, the "please start again" page, privacy, editorial and 404.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conditions import models
from conditions.demo import questionnaires as demo
from tests.browser.axe import assert_no_axe_violations_light_or_dark
from tests.built_once import built_once
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    FAQFactory,
    ReferenceFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    editors,
    make_live,
)

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/check/white-spots/"
ADULT = [
    ("who", ["Me or another adult (16 or older)"]),
    ("unwell", ["None of these"]),
    ("infection", ["No"]),
    ("growing", ["No"]),
    ("pearly", ["No"]),
    ("typical", ["Yes"]),
    ("where", ["Somewhere else on the face"]),
    ("dimple", ["No"]),
    ("red-pus", ["No"]),
    ("blisters", ["No"]),
    ("itch-pain", ["Yes"]),
    ("red-patch", ["No"]),
    ("sudden-crop", ["No"]),
    ("after-blisters", ["No"]),
    ("sun-blisters", ["No"]),
    ("steroid-cream", ["No"]),
]


@built_once
def everything():
    milia = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        featured=True,
        also_known_as="milk spots\nwhite spots on face",
        summary="Milia are tiny, hard, white bumps just under the skin. They are harmless.",
    )
    ConditionFactory(published=True, name="Acne", slug="acne", featured=True)
    SectionFactory(condition=milia, heading="Milia in babies", body="Spots on the gums.")
    FAQFactory(condition=milia, question="Can I squeeze milia?", verdict="myth", answer="No.")
    ReferenceFactory(condition=milia, title="Milia explained", url="https://www.nhs.uk/milia/")
    for level in models.CareAdvice.LEVEL_ORDER:
        models.CareAdvice.objects.create(
            condition=milia, level=level, signs=f"- a sign for {level}", action="Do this."
        )
    milia.refresh_derived()
    make_live(milia)  # as a reviewer would approve it
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    demo.load(*editors())


def answer(page, site, steps):
    """Answer steps through the real form (HTMX swaps), ending where the last one leads."""
    for key, labels in steps:
        if not page.url.endswith(f"{BASE}q/{key}/"):
            site.go(f"{BASE}q/{key}/")
        for label in labels:
            page.get_by_label(label, exact=True).check()
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="Continue").click()
        expect(page.locator("#question-step.htmx-settling")).to_have_count(0)


def reach(page, site, where: str):
    """Open a page that needs earlier answers: a later step, the review or the result."""
    if where == "number step":
        answer(page, site, [("who", ["My baby (under 1 year old)"]), ("unwell", ["None of these"])])
        expect(page).to_have_url(re.compile(r"/q/baby-age/$"))
    elif where == "several-answers step":
        answer(page, site, ADULT[:1])
        expect(page).to_have_url(re.compile(r"/q/unwell/$"))
    elif where == "error":
        site.go(f"{BASE}q/who/")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".error-summary")).to_be_visible()
    elif where in ("review", "result"):
        answer(page, site, ADULT)
        expect(page.locator("h1")).to_have_text("Check your answers")
        if where == "result":
            page.get_by_role("button", name="See my result").click()
            expect(page.locator(".questionnaire-result")).to_be_visible()
    else:
        raise AssertionError(where)


PLAIN_PAGES = [
    "/",
    "/conditions/",
    "/conditions/?letter=M",
    "/conditions/milia/",
    "/conditions/milia/treatments/",
    "/search/?q=milk+spots",
    "/search/?q=zzqx",
    BASE,
    f"{BASE}q/who/",
    f"{BASE}advice/urgent/",
    f"{BASE}result/",  # no answers: "your answers have been cleared"
    "/about/privacy/",
    "/about/editorial/",
    "/no-such-page/",
]
FLOW_PAGES = ["number step", "several-answers step", "error", "review", "result"]


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_every_patient_page_has_no_axe_violations_light_or_dark(site, page, everything, path):
    site.go(path)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations_light_or_dark(page)


@pytest.mark.parametrize("where", FLOW_PAGES)
def test_every_questionnaire_state_has_no_axe_violations_light_or_dark(
    site, page, everything, where
):
    reach(page, site, where)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations_light_or_dark(page)


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(
    "where",
    [
        "/",
        "/conditions/milia/",
        "/conditions/milia/treatments/",
        "/search/?q=milk+spots",
        BASE,
        f"{BASE}q/who/",
        "number step",
        "several-answers step",
        "error",
        "review",
        "result",
    ],
)
def test_pages_reflow_at_320_css_px_without_sideways_scrolling(site, page, everything, where):
    """WCAG 1.4.10: 320 CSS px wide is 1280 px zoomed to 400%."""
    page.set_viewport_size({"width": 320, "height": 640})
    if where.startswith("/"):
        site.go(where)
    else:
        reach(page, site, where)
    assert page.evaluate(SIDEWAYS) <= 0, where
    # Nothing (a long word, a table, a QR code) sticks out past the right edge either.
    wider = page.evaluate(
        """() => Array.from(document.querySelectorAll('main *'))
            .filter(el => !el.closest('.table-scroll'))
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert wider == [], where


@pytest.mark.parametrize(
    "where", ["/", "/conditions/milia/", "/conditions/milia/treatments/", "result"]
)
def test_print_hides_header_navigation_footer_and_forms_and_keeps_the_content(
    site, page, everything, where
):
    if where.startswith("/"):
        site.go(where)
    else:
        reach(page, site, where)
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".skip-link", ".breadcrumb", ".clear-answers"):
        for element in page.locator(hidden).all():
            expect(element).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_be_visible()
    if where == "result":
        expect(page.locator(".result-next-steps")).to_be_visible()
        expect(page.locator(".result-actions")).to_be_hidden()


def test_reduced_motion_turns_off_smooth_scrolling_and_animation(site, page, everything):
    site.go("/conditions/milia/")
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "smooth"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    durations = page.evaluate(
        """() => Array.from(document.querySelectorAll('*')).map(el => getComputedStyle(el))
            .filter(s => s.animationName !== 'none' || parseFloat(s.transitionDuration) > 0)
            .length"""
    )
    assert durations == 0


def test_the_dark_scheme_follows_the_users_setting(site, page, everything):
    site.go("/conditions/milia/")
    background = "getComputedStyle(document.body).backgroundColor"
    page.emulate_media(color_scheme="light")
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate(background)
    assert dark != "rgb(255, 255, 255)"
    red, green, blue = (int(n) for n in re.findall(r"\d+", dark)[:3])
    assert max(red, green, blue) < 64  # a dark background, not just a different light one
