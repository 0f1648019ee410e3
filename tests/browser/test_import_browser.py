"""An author imports a Word file from the admin in Chromium: the "Import a text"
button on the article list, the upload, the draft's page listing what was dropped; the import
page passes axe."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from conditions.models import Condition
from tests.browser.axe import assert_no_axe_violations
from tests.docx_files import sample_article
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-importer"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def author():
    user = UserFactory(username="nurse-import", first_name="Nia", last_name="Nurse")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="Author"))
    return user


def log_in(site, page):
    site.go("/admin/login/")
    page.get_by_label("Username").fill("nurse-import")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Nia")


def test_an_author_imports_a_word_file_and_sees_what_was_dropped(site, page, author, tmp_path):
    log_in(site, page)
    site.go("/admin/conditions/condition/")
    page.get_by_role("link", name="Import a text").click()
    expect(page.get_by_role("heading", name="Import a text")).to_be_visible()
    assert_no_axe_violations(page)
    shot(page, "import-page")

    file = tmp_path / "chalk.docx"
    file.write_bytes(sample_article())
    page.get_by_label("Or upload a file").set_input_files(str(file))
    page.get_by_role("button", name="Import as a draft").click()

    condition = Condition.objects.get()
    expect(page).to_have_url(f"{site.url}/admin/conditions/condition/{condition.pk}/change/")
    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("“Chalk Bumps” was imported from chalk.docx as a draft")
    expect(messages.locator("li li")).to_contain_text(["empty heading skipped: Further Reading"])
    shot(page, "import-result")
    assert condition.author == author


def test_a_matching_title_offers_the_choice(site, page, author, tmp_path):
    ConditionFactory(name="Chalk Bumps", slug="chalk-bumps")
    log_in(site, page)
    site.go("/admin/conditions/condition/import/")
    file = tmp_path / "chalk.docx"
    file.write_bytes(sample_article())
    page.get_by_label("Or upload a file").set_input_files(str(file))
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_text("“Chalk Bumps” is already an article")).to_be_visible()
    assert_no_axe_violations(page)
    shot(page, "import-choice")
    page.get_by_label("Make a separate draft").check()
    page.get_by_role("button", name="Import with this choice").click()
    expect(page.locator(".messagelist")).to_contain_text("Chalk Bumps (imported draft)")
    assert Condition.objects.count() == 2
