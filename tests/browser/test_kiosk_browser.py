"""The waiting-room kiosk in a real browser: a 1080x1920 portrait touch screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conditions.kiosk_middleware import is_kiosk_path
from conditions.models import KioskProfile, Questionnaire
from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    ReferenceFactory,
    TreatmentComparisonFactory,
    editors,
    make_live,
)
from tests.qr import decode_png_qr

pytestmark = pytest.mark.django_db(transaction=True)

IDLE_MS = 90_000
STORAGE = "() => ({session: {...sessionStorage}, local: {...localStorage}})"
# htmx notes the page it loaded (here the start screen) in sessionStorage; nothing else stays.
CLEAN_STORAGE = {"session": {"htmx-current-path-for-history": "/kiosk/"}, "local": {}}
WARNING_MS = 30_000


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1080, "height": 1920},
        "has_touch": True,
    }


@built_once
def kiosk_content():
    """Milia (featured, with a comparison and an off-site reference), acne, and a profile."""
    milia = ConditionFactory(published=True, name="Milia", slug="milia")
    ReferenceFactory(condition=milia, title="Milia explained", url="https://www.nhs.uk/milia/")
    make_live(milia)  # patients see the live copy, with the reference added above
    ConditionFactory(published=True, name="Acne", slug="acne")
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(comparison=comparison)
    profile = KioskProfile.objects.create(name="Waiting room", slug="waiting-room")
    profile.featured_conditions.add(milia)
    return profile


def open_kiosk(site, page, profile):
    """Set the kiosk up as staff would (its profile URL), which lands on the start screen."""
    site.go(f"/kiosk/start/{profile.slug}/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    return page


def test_a_patient_reaches_an_article_from_the_start_screen_by_taps_only(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    entries = page.evaluate("history.length")

    page.get_by_role("link", name=re.compile("^Milia")).tap()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/$"))
    expect(page.locator("h1")).to_have_text("Milia")

    page.get_by_role("navigation", name="Kiosk").get_by_role("link", name="Home").tap()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    page.get_by_role("link", name="Topics starting with A").tap()
    expect(page.locator("h1")).to_have_text("Topics starting with A")
    page.get_by_role("link", name=re.compile("^Acne")).tap()
    expect(page.locator("h1")).to_have_text("Acne")

    # Every step replaced the one history entry; the on-screen Back button walks the trail.
    assert page.evaluate("history.length") == entries
    page.get_by_role("navigation", name="Kiosk").get_by_role("link", name="Back").tap()
    expect(page.locator("h1")).to_have_text("Topics starting with A")


MEASURE_CONTROLS = """
() => Array.from(document.querySelectorAll('a, button, input, select, [role=button]'))
  .filter(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 && box.height > 0;
  })
  .map(el => ({html: el.outerHTML.slice(0, 120), width: el.getBoundingClientRect().width,
               height: el.getBoundingClientRect().height}))
"""


def test_no_visible_control_on_any_kiosk_page_is_smaller_than_44px(site, page, kiosk_content):
    from conditions.demo import questionnaires as demo_questionnaires

    demo_questionnaires.load(*editors())
    kiosk_content.featured_questionnaires.add(Questionnaire.objects.get(slug="white-spots"))
    paths = [
        "/kiosk/",
        "/kiosk/az/M/",
        "/kiosk/conditions/",
        "/kiosk/conditions/milia/",
        "/kiosk/conditions/milia/treatments/",
        "/kiosk/check/white-spots/",
        "/kiosk/check/white-spots/q/who/",
        "/kiosk/nowhere/",
    ]
    open_kiosk(site, page, kiosk_content)
    too_small = {}
    for path in paths:
        site.go(path)
        controls = page.evaluate(MEASURE_CONTROLS)
        assert controls, path
        small = [c for c in controls if c["width"] < 44 or c["height"] < 44]
        if small:
            too_small[path] = small
    assert not too_small, too_small


def assert_back_cannot_reveal_the_last_patient(page, entries):
    """No history entry was added since the kiosk was set up, so Back leads out of the test's
    blank first page (on a real kiosk there is nothing before the start screen)."""
    assert page.evaluate("history.length") == entries
    page.go_back()
    assert "/conditions/" not in page.url
    expect(page.get_by_text("Milia")).to_have_count(0)


def test_idle_warning_continue_then_reset_forgets_the_patient(site, page, kiosk_content):
    Questionnaire.objects.create(title="White spots", slug="white-spots")
    page.clock.install()
    open_kiosk(site, page, kiosk_content)
    entries = page.evaluate("history.length")
    page.get_by_role("link", name=re.compile("^Milia")).tap()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/$"))
    page.context.add_cookies(
        [
            {
                "name": "questionnaire_answers",
                "value": "signed-answers-of-the-last-patient",
                "url": f"{site.url}/kiosk/check/white-spots/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page.evaluate("sessionStorage.setItem('x', '1'); localStorage.setItem('y', '2')")
    dialog = page.get_by_role("dialog", name="Are you still here?")

    page.clock.fast_forward(IDLE_MS + 1000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("30 seconds")
    page.clock.fast_forward(5000)
    expect(dialog.locator("[data-kiosk-countdown]")).to_have_text(re.compile(r"^2[4-6]$"))
    dialog.get_by_role("button", name="Continue").tap()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/$"))

    page.clock.fast_forward(IDLE_MS + 1000)
    expect(dialog).to_be_visible()
    page.clock.fast_forward(WARNING_MS + 1000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("h1")).to_have_text("Welcome")

    names = {cookie["name"] for cookie in page.context.cookies()}
    assert "questionnaire_answers" not in names
    assert "kiosk_profile" in names  # the device keeps its profile
    assert page.evaluate(STORAGE) == CLEAN_STORAGE
    assert page.evaluate("window.scrollY") == 0
    assert_back_cannot_reveal_the_last_patient(page, entries)


def test_start_again_resets_on_demand(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    entries = page.evaluate("history.length")
    page.get_by_role("link", name=re.compile("^Milia")).tap()
    expect(page.locator("h1")).to_have_text("Milia")
    page.evaluate("sessionStorage.setItem('x', '1')")

    page.get_by_role("navigation", name="Kiosk").get_by_role("link", name="Start again").tap()
    page.get_by_role("dialog", name="Start again?").get_by_role(
        "button", name="Yes, start again"
    ).tap()

    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    assert page.evaluate(STORAGE) == CLEAN_STORAGE
    assert_back_cannot_reveal_the_last_patient(page, entries)


def test_the_kiosk_waits_calmly_while_the_server_is_away_and_carries_on(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    page.route("**/*", lambda route: route.abort())
    overlay = page.get_by_role("dialog", name="One moment…")

    page.get_by_role("link", name=re.compile("^Milia")).tap()

    expect(overlay).to_be_visible()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))  # no browser error page
    page.unroute("**/*")
    expect(overlay).to_be_hidden(timeout=10_000)
    expect(page).to_have_url(re.compile(r"/kiosk/conditions/milia/$"))
    expect(page.locator("h1")).to_have_text("Milia")


def test_the_take_home_code_scans_to_the_public_page(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    site.go("/kiosk/conditions/milia/")

    code = page.locator(".kiosk-take-home-code svg")
    expect(code).to_have_accessible_name(re.compile("QR code"))
    assert decode_png_qr(code.screenshot()) == f"{site.url}/conditions/milia/"
    # The off-site reference is plain text; one code opens the whole source list.
    expect(page.get_by_role("link", name="Milia explained")).to_have_count(0)
    expect(page.locator(".kiosk-offsite-qr")).to_have_count(0)
    sources_code = page.locator(".kiosk-sources-qr-code svg")
    assert decode_png_qr(sources_code.screenshot()) == f"{site.url}/conditions/milia/#sources"


def test_kiosk_start_screen_and_article_have_no_accessibility_violations(site, page, kiosk_content):
    open_kiosk(site, page, kiosk_content)
    assert_no_axe_violations(page)
    site.go("/kiosk/conditions/milia/")
    assert_no_axe_violations(page)


def feature_the_demo_questionnaire(profile):
    from conditions.demo import questionnaires as demo_questionnaires

    demo_questionnaires.load(*editors())
    profile.featured_questionnaires.add(Questionnaire.objects.get(slug="white-spots"))


def controls_under_44px(page) -> list[dict]:
    return [c for c in page.evaluate(MEASURE_CONTROLS) if c["width"] < 44 or c["height"] < 44]


def tap_continue(page, heading):
    page.locator("#question-step").get_by_role("button", name="Continue").tap()
    expect(page.locator("h1")).to_have_text(heading)


def test_a_patient_answers_the_questionnaire_by_taps_only_and_reset_forgets_it(
    site, page, kiosk_content
):
    feature_the_demo_questionnaire(kiosk_content)
    page.clock.install()
    open_kiosk(site, page, kiosk_content)
    entries = page.evaluate("history.length")
    too_small = {}

    def measure(name):
        page.wait_for_load_state("load")
        small = controls_under_44px(page)
        if small:
            too_small[name] = small

    page.get_by_role("link", name=re.compile("^White spots on the face or body")).tap()
    expect(page).to_have_url(re.compile(r"/kiosk/check/white-spots/$"))
    measure("start")
    page.get_by_role("link", name="Start now").tap()
    expect(page.locator("h1")).to_have_text("Who are the spots on?")
    page.locator("#question-step").get_by_role("button", name="Continue").tap()
    expect(page.locator(".error-summary")).to_be_visible()
    measure("error")
    page.get_by_label("My baby (under 1 year old)", exact=True).tap()
    tap_continue(page, "Does the person with the spots have any of these right now?")
    measure("several-answers step")
    page.get_by_label("None of these", exact=True).tap()
    tap_continue(page, "How old is your baby, in weeks?")
    measure("number step")
    # No keyboard: the number pad types the age.
    pad = page.get_by_role("group", name="Number pad")
    for key in ["1", "4"]:
        pad.get_by_role("button", name=key, exact=True).tap()
    pad.get_by_role("button", name="Delete the last digit").tap()
    pad.get_by_role("button", name="2", exact=True).tap()
    expect(page.get_by_label("How old is your baby, in weeks?")).to_have_value("12")
    tap_continue(page, "Does your child have a temperature of 38°C or higher?")
    for label, heading in [
        ("No", "Is your baby feeding less than usual?"),
        ("No", None),  # sleepy
        ("No", None),  # infection
        ("No", re.compile("^Is any spot growing")),
        ("No", re.compile("^Do the spots look like this")),
        ("Yes", "Where are your baby's spots?"),
        ("On the face, such as the nose, cheeks, eyelids or forehead", None),
        ("No", None),  # dimple
        ("No", None),  # red or pus
        ("No", None),  # blisters
        ("No", None),  # itch or hurt
        ("No", None),  # widespread
        ("No", "Check your answers"),  # hair, teeth, nails or sweating
    ]:
        before = page.locator("h1").inner_text()
        page.get_by_label(label, exact=True).tap()
        page.locator("#question-step").get_by_role("button", name="Continue").tap()
        if heading is None:
            expect(page.locator("h1")).not_to_have_text(before)
        else:
            expect(page.locator("h1")).to_have_text(heading)
    measure("review")
    page.get_by_role("button", name="See my result").tap()
    expect(page.locator(".questionnaire-result")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/kiosk/check/white-spots/result/$"))
    expect(page.locator("h1")).to_be_focused()
    assert page.evaluate("history.length") == entries  # swapped in place, no new entry
    measure("result")
    assert not too_small, too_small

    # "Take this home" leads to the general advice for the outcome, never to the answers.
    code = page.locator(".kiosk-take-home-code svg")
    assert (
        decode_png_qr(code.screenshot()) == f"{site.url}/check/white-spots/advice/self-care-baby/"
    )
    assert page.locator("main a[href^='http'], main a[href^='//']").count() == 0

    page.clock.fast_forward(IDLE_MS + 1000)
    page.clock.fast_forward(WARNING_MS + 1000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    assert "questionnaire_answers" not in {c["name"] for c in page.context.cookies()}
    assert page.evaluate("history.length") == entries
    page.go_back()
    expect(page.locator(".questionnaire-result")).to_have_count(0)
    expect(page.get_by_text("Check your answers")).to_have_count(0)


def test_the_result_and_treatment_take_home_codes_scan_to_their_public_pages(
    site, page, kiosk_content
):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    site.go("/kiosk/conditions/milia/treatments/")
    code = page.locator(".kiosk-take-home-code svg")
    assert decode_png_qr(code.screenshot()) == f"{site.url}/conditions/milia/treatments/"
    site.go("/kiosk/check/white-spots/advice/emergency/")
    code = page.locator(".kiosk-take-home-code svg")
    assert decode_png_qr(code.screenshot()) == f"{site.url}/check/white-spots/advice/emergency/"


def test_every_link_on_every_kiosk_page_stays_in_the_kiosk(site, page, kiosk_content):
    """Crawl the kiosk as the browser renders it (links added by scripts count too)."""
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    seen, queue, outside = set(), ["/kiosk/"], []
    while queue and len(seen) < 40:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        site.go(path)
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        for href in hrefs:
            url = href.split("#", 1)[0]
            # In any language: /kiosk/..., /pl/kiosk/... (the language switcher leads there).
            if not (url.startswith(f"{site.url}/") and is_kiosk_path(url[len(site.url) :])):
                outside.append((path, href))
            elif url[len(site.url) :] not in seen:
                queue.append(url[len(site.url) :])
    assert {"/kiosk/check/white-spots/", "/kiosk/conditions/milia/treatments/"} <= seen
    assert outside == []


def test_clear_my_answers_in_the_kiosk_adds_no_history_entry(site, page, kiosk_content):
    feature_the_demo_questionnaire(kiosk_content)
    open_kiosk(site, page, kiosk_content)
    entries = page.evaluate("history.length")
    site_go_replace = f"location.replace('{site.url}/kiosk/check/white-spots/q/who/')"
    page.evaluate(site_go_replace)
    expect(page.locator("h1")).to_have_text("Who are the spots on?")
    page.get_by_label("Me or another adult (16 or older)", exact=True).tap()
    tap_continue(page, "Does the person with the spots have any of these right now?")
    page.get_by_role("link", name="Clear my answers").tap()
    expect(page.locator("h1")).to_have_text("Are you sure you want to clear your answers?")
    assert page.evaluate("history.length") == entries
    page.get_by_role("button", name="Yes, clear my answers").tap()
    expect(page.locator(".notice")).to_contain_text("cleared")
    expect(page).to_have_url(re.compile(r"/kiosk/check/white-spots/\?cleared=1$"))
    assert page.evaluate("history.length") == entries
    assert "questionnaire_answers" not in {c["name"] for c in page.context.cookies()}
