"""The clinician's editor in Chromium: typing is never lost to a stray click, the error
summary takes the writer to the field, and the preview and reading grade follow the typing."""

import os
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conditions.models import Condition, Status
from tests.conditions.article_admin import user_in
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "/tmp/shots-editor-form"
HARD = (
    "Comprehensive dermatological investigations occasionally demonstrate considerable "
    "heterogeneity regarding characteristic keratinocyte differentiation abnormalities."
)


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


@pytest.fixture
def article():
    author = user_in("Author", username="grace", first_name="Grace", last_name="Hopper")
    condition = ConditionFactory(author=author, name="Milia", summary="Small white spots.")
    return author, condition


def open_form(site, page, user, item, model: str = "condition", view: str = "change"):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site.url}]
    )
    site.go(f"/admin/conditions/{model}/{item.pk}/{view}/")
    expect(page.locator("#editor-config")).to_have_count(1)


def test_leaving_with_unsaved_typing_asks_first_and_submit_saves_the_typing(site, page, article):
    author, condition = article
    open_form(site, page, author, condition)
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    # Nothing typed: leaving asks nothing.
    page.get_by_role("link", name="History").click()
    expect(page.locator("#what-happened")).to_be_visible()
    assert dialogs == []
    site.go(f"/admin/conditions/condition/{condition.pk}/change/")

    summary = page.locator("#id_summary")
    summary.click()
    page.keyboard.press("End")
    page.keyboard.type(" They are harmless.")

    # A link away from the page: the browser asks, and staying keeps the typing.
    page.get_by_role("link", name="Changes and review").first.click()
    expect(summary).to_have_value("Small white spots. They are harmless.")
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/condition/{condition.pk}/change/")

    # Another form on the page (a comment) asks too, and staying keeps the typing.
    page.locator("#comment-text-change").fill("A note.")
    page.get_by_role("button", name="Add comment").click()
    assert dialogs == ["beforeunload", "confirm"]
    expect(summary).to_have_value("Small white spots. They are harmless.")

    # The workflow button saves first, without asking.
    page.locator(".workflow-box").get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("saved and submitted for review")
    assert dialogs == ["beforeunload", "confirm"]
    saved = Condition.objects.get(pk=condition.pk)
    assert saved.summary == "Small white spots. They are harmless."
    assert saved.status == Status.IN_REVIEW


def test_error_summary_takes_the_writer_to_a_field_in_a_folded_group(site, page, article):
    author, condition = article
    open_form(site, page, author, condition)
    references = page.locator("#references-group details")
    expect(references).not_to_have_attribute("open", "")
    page.locator("#references-heading").click()  # unfold the group
    page.locator("#id_references-0-url").fill("not a web address")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Enter a valid URL")
    expect(page.locator("p.errornote")).to_be_hidden()  # the summary replaces it
    shot(page, "error-summary")
    summary.get_by_role("link", name="Web address or DOI link").click()
    field = page.locator("#id_references-0-url")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(field).to_have_value("not a web address")  # what was typed is kept


def test_the_preview_and_reading_grade_follow_the_typing(site, page, article):
    author, condition = article
    open_form(site, page, author, condition)
    body = page.locator("#id_sections-0-body")
    expect(body).to_be_hidden()  # each saved section is folded under its heading
    page.locator("#sections-0 summary").click()
    body.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(f"The spots are small. {HARD} They go away on their own.")
    preview = page.locator("#sections-0 .live-preview")
    expect(preview.locator(".preview-grade")).to_contain_text("Above target")
    expect(preview.locator(".preview-grade")).to_contain_text("target: grade 8 or below")
    expect(preview.locator(".hard-sentences mark")).to_have_text(HARD)
    expect(preview.locator(".preview-body mark.hard-sentence")).to_have_text(HARD)
    # The folded section's heading carries its grade too.
    expect(page.locator("#sections-0 summary .summary-grade.over-target")).to_be_visible()
    body.scroll_into_view_if_needed()
    shot(page, "live-preview-over-target")

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("The spots are small. They do not hurt. They go away on their own.")
    expect(preview.locator(".preview-grade")).to_contain_text("On target")
    expect(preview.locator(".hard-sentences")).to_have_count(0)
    expect(page.locator("#sections-0 summary .summary-grade")).not_to_have_class(
        re.compile("over-target")
    )
    expect(preview.locator(".preview-body")).to_contain_text("They do not hurt.")


# -- the comparison and the questionnaire's Build page (the same editor code) ---------------------
def test_a_step_that_does_not_save_names_the_unsaved_changes_and_keeps_the_typing(site, page):
    from conditions.models import TreatmentComparison
    from tests.factories import ComparisonRowFactory, TreatmentComparisonFactory

    reviewer = user_in("Clinical reviewer", username="sam", first_name="Sam", last_name="Lee")
    comparison = TreatmentComparisonFactory(published=True)
    ComparisonRowFactory(comparison=comparison, order=1)
    open_form(site, page, reviewer, comparison, "treatmentcomparison")
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    intro = page.locator("#id_intro")
    intro.fill(f"Every option, side by side. {HARD}")
    preview = page.locator(".live-preview").first
    expect(preview.locator(".preview-grade")).to_contain_text("Above target")  # as typed

    # Archive does not save the form: it asks first, naming what is not saved; Cancel stays.
    page.get_by_role("button", name="Archive").click()
    assert len(messages) == 1
    assert "“Archive” does not save this form" in messages[0]
    assert "Not saved:\n• Introduction" in messages[0]
    expect(intro).to_have_value(f"Every option, side by side. {HARD}")
    assert TreatmentComparison.objects.get(pk=comparison.pk).status == Status.PUBLISHED
    shot(page, "comparison-preview-and-kept-typing")

    # Typing undone: nothing unsaved, so no question, and the step is taken.
    intro.fill(comparison.intro)
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".messagelist")).to_contain_text("was archived")
    assert len(messages) == 1
    assert TreatmentComparison.objects.get(pk=comparison.pk).status == Status.ARCHIVED


def test_the_build_page_previews_as_the_clinician_types_and_submit_saves_first(site, page):
    from conditions.models import Questionnaire
    from tests.conditions.questionnaire_factories import bleeding_check

    author = user_in("Author", username="grace", first_name="Grace", last_name="Hopper")
    questionnaire = bleeding_check()
    open_form(site, page, author, questionnaire, "questionnaire", "build")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    steps = page.locator("#id_o-0-next_steps")
    steps.fill("Ring your GP surgery today. Say that the spot bleeds.")
    preview = page.locator(
        "#outcome-{} .live-preview".format(questionnaire.outcomes.get(slug="today").pk)
    )
    expect(preview.locator(".preview-grade")).to_contain_text("On target")
    expect(preview.locator(".preview-body")).to_contain_text("Say that the spot bleeds.")
    steps.scroll_into_view_if_needed()
    shot(page, "build-page-preview")

    # A half-written "is not" test: the error summary takes the writer to the field at fault,
    # and the typing is kept.
    page.locator("#id_o-0-rules-0-source_question").select_option(label="Does it bleed?")
    page.locator("#id_o-0-rules-0-operator").select_option("is_not")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("Pick the answer")).click()
    expect(page.locator("#id_o-0-rules-0-option")).to_be_focused()
    expect(steps).to_have_value("Ring your GP surgery today. Say that the spot bleeds.")
    shot(page, "build-page-rule-error")
    # Nothing of the refused save is saved: leaving the page asks first.
    page.locator(".object-tools").get_by_role("link", name="Changes and review").click()
    assert dialogs == ["beforeunload"]
    expect(steps).to_have_value("Ring your GP surgery today. Say that the spot bleeds.")
    page.locator("#id_o-0-rules-0-option").select_option(label="Does it bleed? → No")

    page.locator(".workflow-box").get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("saved and submitted for review")
    assert dialogs == ["beforeunload"]  # it saves first: nothing more to warn about
    saved = Questionnaire.objects.get(pk=questionnaire.pk)
    assert saved.status == Status.IN_REVIEW
    assert saved.outcomes.get(slug="today").next_steps.startswith("Ring your GP surgery today.")
