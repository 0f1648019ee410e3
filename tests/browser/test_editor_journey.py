"""The clinician's whole journey in Chromium, as the demo author and the demo reviewer:
a raw text on a new condition becomes a draft article, the author fixes it, builds a 3-option
treatment comparison and a 3-question questionnaire with one red flag, and submits all three;
the reviewer approves all three; patients then see them.

Every click, field filled and page load is counted by the small wrappers below; the test prints
them and fails when the journey takes more than the bounds (so a change that makes the admin
harder to use shows up as a failure). The reference point, from the usability review in issue
14: 132 clicks and 185 fields for the same work before the one-page builders.

The article's facts are kept conservative: seborrhoeic keratoses are common, harmless skin
growths that do not become cancer; a spot that is new or changing is checked by a GP. The one
source is a real public page (Newcastle upon Tyne Hospitals NHS Foundation Trust). The raw text
carries the faults of an SEO page on purpose (a false cancer claim, an advert), which the fix
removes; the test checks neither reaches patients.
"""

from __future__ import annotations

import io
import os
import re
import time

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.built_once import built_once

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"

# Upper bounds that hold today (measured: see the printed figures); a regression fails.
MAX_CLICKS = 40
MAX_FIELDS = 110
MAX_PAGE_LOADS = 35
BEFORE = {"clicks": 132, "fields": 185}  # the same work in the stock admin, before the editor

RAW_TEXT = """Seborrhoeic keratosis

Seborrhoeic keratoses are common, harmless growths on the skin. Many people get more of them as they get older. They are also called seborrhoeic warts.

## What they look like
They are raised, rough or waxy spots that look stuck on to the skin. They can be pale, brown or almost black. They are often on the chest and back, but can be on the face, neck and elsewhere.

## Are they dangerous?
They are not a type of skin cancer and do not turn into one. They are not infectious. Left alone they often turn into skin cancer, so have them removed fast.

## Treatment
Most need no treatment. If one catches on clothing, itches or bothers you, a doctor can freeze it or scrape it off. Buy WartAway cream today and get 20% off!

## When to see a GP
See a GP if a spot is new and growing, changes quickly in size, shape or colour, bleeds, or looks different from your other spots. These need checking, because some other conditions, including skin cancer, can look like this.
"""
FALSE_CLAIM = "Left alone they often turn into skin cancer, so have them removed fast."
ADVERT = "Buy WartAway cream today and get 20% off!"
SOURCE = {
    "title": "Seborrhoeic keratosis (also known as seborrhoeic warts)",
    "publisher": "Newcastle upon Tyne Hospitals NHS Foundation Trust",
    "url": "https://www.newcastle-hospitals.org.uk/services/"
    "dermatology_treatment-and-medication_seborrhoeic-keratosis.html",
}


# -- counting what the editor does ------------------------------------------------------------------
class Counted:
    """The page, with every click, field and page load counted. Ticking a box or choosing from
    a list counts as a field; following a link or pressing a button as a click. `go` (typing
    an address, or a bookmark) is counted apart."""

    def __init__(self, page, base_url: str):
        self.page, self.base_url = page, base_url
        self.clicks = self.fields = self.loads = self.addresses = 0
        page.on("load", self._loaded)

    def _loaded(self, _page) -> None:
        self.loads += 1

    def go(self, path: str) -> None:
        self.addresses += 1
        self.page.goto(self.base_url + path)

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def fill(self, locator, value: str) -> None:
        locator.fill(value)
        locator.blur()  # leaving the field, as a person does (the admin fills slugs then)
        self.fields += 1

    def select(self, locator, label: str) -> None:
        locator.select_option(label=label)
        self.fields += 1

    def tick(self, locator) -> None:
        locator.check()
        self.fields += 1

    def save(self, name: str = "Save") -> None:
        self.click(self.page.get_by_role("button", name=name, exact=True).first)


def shoot(page, name: str) -> None:
    """With EDITOR_JOURNEY_SHOTS=DIR, keep a full-page screenshot of the step for a person."""
    folder = os.environ.get("EDITOR_JOURNEY_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


# -- the steps ------------------------------------------------------------------------------------
def parse(text: str) -> dict:
    """A plain text as the import would read it: title, first paragraph, then ## sections."""
    title, rest = text.strip().split("\n", 1)
    blocks = re.split(r"^## +", rest.strip(), flags=re.M)
    return {
        "name": title.strip(),
        "summary": blocks[0].strip(),
        "sections": [
            (block.split("\n", 1)[0].strip(), block.split("\n", 1)[1].strip())
            for block in blocks[1:]
        ],
    }


def create_draft(ui: Counted, text: str) -> str:
    """Step 1: the raw text becomes a draft article through the admin's "Import a text" page;
    returns the new draft's change page path."""
    page = ui.page
    ui.go("/admin/conditions/condition/")
    ui.click(page.get_by_role("link", name="Import a text"))
    ui.fill(page.get_by_label("Paste the text"), text)
    ui.click(page.get_by_role("button", name="Import as a draft"))
    expect(page.locator(".messagelist")).to_contain_text(parse(text)["name"])
    return re.sub(r"^https?://[^/]+", "", page.url)


def reveal(ui: Counted, locator) -> None:
    """Open the folded groups and rows (<details>) around a field, one click each."""
    while not locator.is_visible():
        closed = locator.locator("xpath=ancestor::details[not(@open)]")
        if not closed.count():
            break
        ui.click(closed.first.locator("xpath=./summary"))


def fix_draft(ui: Counted, change_path: str) -> None:
    """Step 2: take out the false claim (the import already left the advert out), add the
    source, then save and submit in one step."""
    page = ui.page
    expect(page.locator(".messagelist")).to_contain_text("promotional line dropped")
    for body in page.locator("textarea[id^='id_sections-'][id$='-body']").all():
        if "__prefix__" in (body.get_attribute("id") or ""):
            continue
        value = body.input_value()
        assert ADVERT not in value
        fixed = value.replace(" " + FALSE_CLAIM, "")
        if fixed != value:
            reveal(ui, body)
            ui.fill(body, fixed)
    add_reference = page.locator(".add-row a").filter(
        has_text=re.compile(r"Add another reference", re.I)
    )
    reveal(ui, add_reference)
    ui.click(add_reference)
    ui.fill(page.locator("#id_references-0-title"), SOURCE["title"])
    ui.fill(page.locator("#id_references-0-publisher"), SOURCE["publisher"])
    ui.fill(page.locator("#id_references-0-url"), SOURCE["url"])
    ui.click(page.get_by_role("button", name="Save and submit for review").first)
    expect(page.locator(".messagelist")).to_contain_text("submitted for review")


ROWS = [
    {
        "own": {
            "name": "No treatment",
            "description": "Leave the spot alone. It does no harm.",
            "setting": "At home",
            "who": "You",
            "no_treatment": True,
        },
        "involves": "Nothing. Keep an eye on the spot and see a GP if it changes.",
        "effectiveness": "The spot stays. It is harmless.",
        "evidence": "Expert consensus and case series",
        "pain": "None",
        "downtime": "None",
        "risks": "None from treatment.",
        "cost": "Free",
        "near_eyes": "Yes",
        "children": "Yes",
        "recommendation": "Recommended",
        "reason": "They are harmless, so most people need no treatment.",
    },
    {
        "shared": "Cryotherapy (freezing)",
        "involves": "A doctor or nurse freezes the spot. It blisters and falls off.",
        "effectiveness": "Usually removes the spot; some need a second go.",
        "evidence": "Expert consensus and case series",
        "pain": "Stings for a few minutes",
        "downtime": "One to three weeks to heal",
        "risks": "A blister; a paler or darker mark may stay.",
        "cost": "Medium",
        "near_eyes": "Only by a specialist, with care",
        "children": "No",
        "recommendation": "An option",
        "reason": "For a spot that catches, itches or bothers you.",
    },
    {
        "own": {
            "name": "Scraping off (curettage)",
            "description": "The skin is numbed and the spot is scraped off with a small tool.",
            "setting": "GP surgery",
            "who": "A doctor",
            "no_treatment": False,
        },
        "involves": "An injection to numb the skin, then the spot is scraped off.",
        "effectiveness": "Removes the spot in one visit.",
        "evidence": "Expert consensus and case series",
        "pain": "The numbing injection stings",
        "downtime": "One to two weeks to heal",
        "risks": "A small scar or a paler mark.",
        "cost": "Medium",
        "near_eyes": "Only by a specialist, with care",
        "children": "No",
        "recommendation": "An option",
        "reason": "For a spot that catches, itches or bothers you.",
    },
]


def build_comparison(ui: Counted, condition_name: str) -> None:
    """Step 3: a 3-option comparison on its one page, with its own "No treatment" row."""
    page = ui.page
    ui.go("/admin/conditions/treatmentcomparison/add/")
    ui.select(page.locator("#id_condition"), condition_name)
    ui.fill(page.locator("#id_intro"), "Most spots need no treatment. Here is what can be done.")
    for i, row in enumerate(ROWS):
        ui.click(
            page.locator(".add-row a").filter(
                has_text=re.compile(r"Add another comparison row", re.I)
            )
        )
        prefix = f"#id_rows-{i}-"
        if "shared" in row:
            ui.click(page.locator(f"#rows-{i} .select2-selection"))
            ui.fill(page.locator(".select2-search__field"), row["shared"].split()[0])
            ui.click(page.locator(".select2-results__option", has_text=row["shared"]))
        else:
            own = row["own"]
            ui.click(page.locator(f"#rows-{i} details summary").first)
            ui.fill(page.locator(prefix + "new_name"), own["name"])
            ui.fill(page.locator(prefix + "new_description"), own["description"])
            ui.select(page.locator(prefix + "new_setting"), own["setting"])
            ui.fill(page.locator(prefix + "new_who_does_it"), own["who"])
            if own["no_treatment"]:
                ui.tick(page.locator(prefix + "new_is_no_treatment"))
        ui.fill(page.locator(prefix + "order"), str(i + 1))
        for name in ("involves", "effectiveness", "pain", "downtime", "risks", "reason"):
            ui.fill(page.locator(prefix + name), row[name])
        for name in ("evidence", "cost", "near_eyes", "children", "recommendation"):
            ui.select(page.locator(prefix + name), row[name])
    ui.click(page.get_by_role("button", name="Save and continue editing"))
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    shoot(page, "comparison")
    ui.click(page.get_by_role("button", name="Save and submit for review").first)
    expect(page.locator(".messagelist")).to_contain_text("submitted for review")


Q_CHANGED = "Is the spot new and growing, or has it changed in size, shape or colour?"
Q_OTHERS = "Do you have other spots that look much the same?"
Q_BOTHERS = "Does it catch on clothing, itch or bother you?"


def fill_outcome(ui: Counted, i: int, title, urgency, rule, explanation, next_steps, trigger=None):
    page, prefix = ui.page, f"#id_o-{i}-"
    ui.fill(page.locator(prefix + "title"), title)
    ui.select(page.locator(prefix + "urgency"), urgency)
    ui.select(page.locator(prefix + "rule"), rule)
    if trigger:
        ui.tick(page.locator(f"#new-o-{i}").get_by_label(trigger, exact=True))
    ui.fill(page.locator(prefix + "explanation"), explanation)
    ui.fill(page.locator(prefix + "next_steps"), next_steps)


def build_questionnaire(ui: Counted, condition_name: str) -> str:
    """Step 4: a 3-question questionnaire with one red flag, on its one build page."""
    page = ui.page
    ui.go("/admin/conditions/questionnaire/add/")
    ui.fill(page.locator("#id_title"), "Is my skin growth a seborrhoeic keratosis?")
    if not page.locator("#id_slug").input_value():
        ui.fill(page.locator("#id_slug"), "seborrhoeic-keratosis-check")
    slug = page.locator("#id_slug").input_value()
    ui.fill(page.locator("#id_intro"), "Three questions about a spot on your skin.")
    ui.select(page.locator("#id_conditions_from"), condition_name)
    ui.click(page.locator("#id_conditions_add"))
    ui.save()
    expect(page.locator("h1")).to_contain_text("Build")

    # First save: the two yes/no questions (their Yes/No answers appear) and the default outcome.
    ui.fill(page.locator("#id_q-0-text"), Q_CHANGED)
    ui.fill(page.locator("#id_q-1-text"), Q_OTHERS)
    fill_outcome(
        ui,
        0,
        "This sounds like a seborrhoeic keratosis: no treatment needed",
        "You can look after this yourself",
        "Default (when nothing else matches)",
        "Spots like this are harmless and common.",
        "- Leave it alone.\n- See a GP if it changes.",
    )
    ui.save()
    expect(page.locator(".messagelist")).to_contain_text("Saved.")

    # Second save: the third question, shown only after "Yes" to the second; the red flag and
    # the "only one like it" outcome, picked by the answers' text.
    ui.fill(page.locator("#id_q-2-text"), Q_BOTHERS)
    ui.tick(page.locator("#new-q-2").get_by_label(f"{Q_OTHERS} → Yes", exact=True))
    fill_outcome(
        ui,
        1,
        "See a GP about this spot",
        "See a GP (not urgent)",
        "Red flag: any of the trigger answers",
        "A new, growing or changing spot needs a doctor to look at it.",
        "Book an appointment with your GP and say how the spot has changed.",
        trigger=f"{Q_CHANGED} → Yes",
    )
    fill_outcome(
        ui,
        2,
        "Ask a GP to check it",
        "See a GP (not urgent)",
        "Any of the trigger answers",
        "A spot that looks different from your others is worth checking.",
        "Book a routine appointment with your GP.",
        trigger=f"{Q_OTHERS} → No",
    )
    ui.save()
    expect(page.locator(".messagelist")).to_contain_text("Saved.")

    # Third save: the outcome for a spot that bothers you (its trigger answer exists now).
    fill_outcome(
        ui,
        3,
        "You can ask about having it removed",
        "See a GP (not urgent)",
        "Any of the trigger answers",
        "A harmless spot that catches or itches can be frozen or scraped off.",
        "Ask your GP whether removal is right for you.",
        trigger=f"{Q_BOTHERS} → Yes",
    )
    ui.save()
    expect(page.locator(".messagelist")).to_contain_text("The safety check found no problems")
    expect(page.locator(".safety-problems")).to_have_count(0)
    shoot(page, "questionnaire-build")
    assert_no_axe_violations(page)
    # The Build page's workflow button saves first, like the form's.
    ui.click(page.locator(".workflow-box").get_by_role("button", name="Save and submit for review"))
    expect(page.locator(".messagelist")).to_contain_text("saved and submitted for review")
    return slug


def approve(ui: Counted, kind: str, name: str) -> None:
    """The reviewer opens the item from the review dashboard, checks and approves it."""
    page = ui.page
    ui.go("/admin/conditions/condition/review/")
    ui.click(page.get_by_role("link", name=name, exact=True).first)
    ui.click(page.get_by_role("link", name="Changes and review").first)
    ui.tick(page.get_by_label("I have checked this against its references"))
    ui.click(page.get_by_role("button", name="Approve and publish"))
    expect(page.locator(".messagelist")).to_contain_text("patients now see this version")


# -- the test -------------------------------------------------------------------------------------
@built_once
def demo_accounts():
    """The demo author and reviewer (as `load_demo_content` makes them) with passwords, and the
    demo's shared treatments; the rest of the demo content is not needed here."""
    from conditions.demo.treatments import TREATMENTS
    from conditions.management.commands.load_demo_content import DEMO_USERS, Command
    from conditions.models import Treatment

    command = Command(stdout=io.StringIO())
    for spec in DEMO_USERS.values():
        user = command._ensure_user(**spec)
        user.set_password(PASSWORD)
        user.save()
    for slug, (name, setting, who, description) in TREATMENTS.items():
        Treatment.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "setting": setting,
                "who_does_it": who,
                "description": description,
                "is_no_treatment": slug == "no-treatment",
            },
        )
    return True


def log_in(site, page, username) -> None:
    """Signing in is not counted: it is not part of the work."""
    page.context.clear_cookies()
    site.go("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Demo")


def test_a_clinician_takes_a_raw_text_to_a_published_article_comparison_and_questionnaire(
    site, page, demo_accounts
):
    started = time.monotonic()
    page.set_default_timeout(10_000)
    log_in(site, page, "demo-author")
    ui = Counted(page, site.url)

    name = parse(RAW_TEXT)["name"]
    change_path = create_draft(ui, RAW_TEXT)
    fix_draft(ui, change_path)
    build_comparison(ui, name)
    check = build_questionnaire(ui, name)
    author_figures = (ui.clicks, ui.fields, ui.loads, ui.addresses)

    log_in(site, page, "demo-reviewer")
    approve(ui, "condition", name)
    approve(ui, "comparison", f"Treatments for {name}")
    approve(ui, "questionnaire", "Is my skin growth a seborrhoeic keratosis?")

    # Patients see all three, and neither the false claim nor the advert.
    patient = Client()
    article = patient.get("/conditions/seborrhoeic-keratosis/").content.decode()
    assert "do not turn into one" in article
    assert FALSE_CLAIM not in article and "WartAway" not in article
    assert "newcastle-hospitals.org.uk" in article
    comparison = patient.get("/conditions/seborrhoeic-keratosis/treatments/")
    assert comparison.status_code == 200
    for option in ("No treatment", "Cryotherapy (freezing)", "Scraping off (curettage)"):
        assert option in comparison.content.decode()
    questionnaire = patient.get(f"/check/{check}/", follow=True)
    assert questionnaire.status_code == 200
    assert "Is my skin growth a seborrhoeic keratosis?" in questionnaire.content.decode()
    fhir = patient.get(f"/check/{check}/fhir/").content.decode()
    for question in (Q_CHANGED, Q_OTHERS, Q_BOTHERS):
        assert question in fhir

    seconds = time.monotonic() - started
    print(
        f"\nEditor journey: {ui.clicks} clicks, {ui.fields} fields, "
        f"{ui.loads} page loads, {ui.addresses} addresses typed, in {seconds:.0f} s "
        f"(author: {author_figures[0]} clicks, {author_figures[1]} fields, "
        f"{author_figures[2]} page loads; before: {BEFORE['clicks']} clicks and "
        f"{BEFORE['fields']} fields for the same work)."
    )
    assert ui.clicks <= MAX_CLICKS
    assert ui.fields <= MAX_FIELDS
    assert ui.loads <= MAX_PAGE_LOADS
