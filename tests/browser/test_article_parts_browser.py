"""Long articles in short parts, on a phone, a laptop and the waiting-room kiosk.

The demo milia article (about 3,400 words) is the test: it opens with its summary, the
urgent-help card and a list of parts; each part is a page of a few minutes' reading with
previous/next and back to top; old #anchor links still land; search shows a marked sentence
and leads to the part; pictures show their facts. The kiosk shows the same under /kiosk/.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once
from tests.factories import editors

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "prefix": ""},
    "laptop": {"viewport": {"width": 1280, "height": 900}, "has_touch": False, "prefix": ""},
    "kiosk": {
        "viewport": {"width": 1080, "height": 1920},
        "has_touch": True,
        "prefix": "/kiosk",
    },
}


@built_once
def demo_milia():
    from conditions.demo import articles

    author, reviewer = editors()
    articles.load(author, reviewer)
    return None


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, live_server, demo_milia):
    """A page on one of the three screens, and the address prefix of its site."""
    spec = SCREENS[request.param]
    context = browser.new_context(
        viewport=spec["viewport"], has_touch=spec["has_touch"], bypass_csp=True, locale="en-GB"
    )
    page = context.new_page()
    page.base = live_server.url + spec["prefix"]
    page.screen_name = request.param
    yield page
    context.close()


def screens_tall(page) -> float:
    return page.evaluate("document.documentElement.scrollHeight / window.innerHeight")


def test_the_article_opens_with_summary_urgent_help_and_its_parts(screen):
    page = screen
    page.goto(page.base + "/conditions/milia/")
    expect(page.locator("h1")).to_have_text("Milia")
    expect(page.locator(".aka")).to_have_text("Also called: milk spots, milia spots, milium")
    expect(page.locator(".lead")).to_contain_text("tiny, hard, white or yellow bumps")
    expect(page.locator("#urgent-help")).to_be_visible()
    parts = page.locator("#parts .part-link")
    expect(parts.first).to_have_text("About milia")
    assert parts.count() == 9
    # The text itself is in the parts: this page is a few screens, not the 32 of the whole text.
    expect(page.locator("text=They feel firm, like a grain of sand")).to_have_count(0)
    if page.screen_name == "phone":
        assert screens_tall(page) < 8
    assert_no_axe_violations(page)


def test_a_reader_goes_through_the_parts_with_next_previous_and_back_to_top(screen):
    page = screen
    page.goto(page.base + "/conditions/milia/")
    page.locator("#parts .part-link", has_text="About milia").click()
    expect(page.locator("h1")).to_have_text("About milia")
    expect(page).to_have_url(page.base + "/conditions/milia/what-milia-look-like/")
    expect(page.locator(".part-of")).to_contain_text("part 1 of 9")
    page.get_by_role("link", name=re.compile("Next part")).click()
    expect(page.locator("h1")).to_have_text("Milia in babies")
    page.get_by_role("link", name=re.compile("Previous part")).click()
    expect(page.locator("h1")).to_have_text("About milia")
    page.get_by_role("link", name="Back to top").click()
    page.wait_for_function("window.scrollY < 300")
    # The urgent signs are one tap away on every part.
    page.locator(".urgent-help-folded summary").click()
    expect(page.locator(".urgent-help-folded .care-emergency")).to_be_visible()
    assert_no_axe_violations(page)


def test_every_part_is_a_few_minutes_reading(screen):
    page = screen
    page.goto(page.base + "/conditions/milia/")
    urls = page.locator("#parts .part-link").evaluate_all("links => links.map(a => a.href)")
    tallest = 0.0
    for url in urls:
        page.goto(url)
        minutes = int(re.search(r"about (\d+) min", page.locator(".part-of").inner_text())[1])
        assert minutes <= 3, url
        tallest = max(tallest, screens_tall(page))
    if page.screen_name == "phone":
        assert tallest < 9  # the longest part, header and footer included


def test_an_old_link_to_a_section_lands_on_its_entry_and_leads_to_the_part(screen):
    page = screen
    page.goto(page.base + "/conditions/milia/#what-not-to-do")
    entry = page.locator("#what-not-to-do")
    expect(entry).to_be_in_viewport()
    entry.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Looking after your skin")
    expect(page.locator("#what-not-to-do-heading")).to_be_in_viewport()
    # A section's own address goes to its part too.
    page.goto(page.base + "/conditions/milia/what-causes-milia/")
    expect(page.locator("h1")).to_have_text("How long they last, causes and diagnosis")
    expect(page.locator("#what-causes-milia-heading")).to_be_in_viewport()


def test_search_shows_a_marked_sentence_and_leads_to_the_part(screen):
    page = screen
    page.goto(page.base + "/search/?q=gums+mouth")
    result = page.locator(".result").first
    expect(result.locator(".result-title")).to_have_text("Milia")
    expect(result.locator(".result-snippet mark").first).to_be_visible()
    marked = [m.lower() for m in result.locator(".result-snippet mark").all_inner_texts()]
    assert {"gums", "mouth"} <= set(marked), marked
    snippet = result.locator(".result-snippet").inner_text()
    assert "oil seeds" not in snippet and "milk spots" not in snippet  # not the other names
    result.locator(".result-title a").click()
    expect(page.locator("h1")).to_have_text("Milia in babies")
    expect(page).to_have_url(re.compile(r"/conditions/milia/milia-in-newborn-babies/"))
    if page.screen_name == "kiosk":
        assert page.url.startswith(page.base)


def test_the_whole_article_stays_available_to_print(screen):
    page = screen
    page.goto(page.base + "/conditions/milia/")
    page.get_by_role("link", name=re.compile("whole article on one page")).click()
    expect(page.locator("#what-not-to-do")).to_be_attached()
    expect(page.locator("#sources li")).to_have_count(24)


def test_parts_work_with_javascript_off(browser, live_server, demo_milia):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/conditions/milia/")
    page.locator("#parts .part-link", has_text="Treatments").click()
    expect(page.locator("h1")).to_have_text("Treatments")
    page.get_by_role("link", name=re.compile("Next part")).click()
    expect(page.locator("h1")).to_have_text("Is it milia or something else?")
    context.close()


def test_an_article_picture_shows_its_alt_text_skin_tone_and_source(
    page, live_server, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from conditions.models import ConditionImage
    from tests.factories import ConditionFactory, SectionFactory, make_live

    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    condition = ConditionFactory(published=True, name="Syringoma", slug="syringoma")
    SectionFactory(condition=condition, heading="What they look like", body="Small bumps.")
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 170, 150)).save(out, "PNG")
    image = ConditionImage(
        condition=condition,
        image=SimpleUploadedFile("syringoma.png", out.getvalue(), content_type="image/png"),
        alt_text="Small skin-coloured bumps on a lower eyelid",
        caption="Syringomas on the lower eyelid",
        skin_tone=ConditionImage.SkinTone.III_IV,
        origin=ConditionImage.Origin.CLINIC_CONSENT,
        credit="Photo taken in this clinic, with consent",
    )
    image.full_clean()
    image.save()
    make_live(condition)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/conditions/syringoma/")
    picture = page.get_by_role("img", name="Small skin-coloured bumps on a lower eyelid")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 120
    caption = page.locator(".article-image figcaption")
    expect(caption).to_contain_text("Syringomas on the lower eyelid")
    expect(caption).to_contain_text("Photograph.")
    expect(caption).to_contain_text("Skin tone shown: Medium (Fitzpatrick III–IV).")
    expect(caption).to_contain_text("Source: Photo taken in this clinic, with consent")
