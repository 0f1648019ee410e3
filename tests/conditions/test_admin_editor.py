"""The clinician's writing experience: error summary, the kept form after a stale-edit
refusal, save-then-submit, who else is editing, the live preview with its reading grade,
reviewer comments and the history told as sentences."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conditions.models import Condition, EditingSession, ReviewComment, Status
from tests.conditions.article_admin import change_url, form_data, messages_of, user_in
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db

HARD = (
    "Comprehensive dermatological investigations occasionally demonstrate considerable "
    "heterogeneity regarding characteristic keratinocyte differentiation abnormalities."
)


@pytest.fixture
def author():
    return user_in("Author", username="grace", first_name="Grace", last_name="Hopper")


@pytest.fixture
def reviewer():
    return user_in("Clinical reviewer", username="sam", first_name="Sam", last_name="Lee")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(condition, view: str, *args) -> str:
    return reverse(f"admin:conditions_condition_{view}", args=[condition.pk, *args])


PREVIEW_URL = "/admin/conditions/condition/text-preview/"


# -- error summary ----------------------------------------------------------------------------
def test_error_summary_links_to_every_field_in_error_including_a_folded_group(author):
    condition = ConditionFactory(author=author)
    data = form_data(condition, summary="", **{"references-0-url": "not a web address"})
    response = client_for(author).post(change_url(condition), data)

    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "There are 2 problems: nothing was saved." in summary
    assert 'href="#id_summary"' in summary
    assert 'href="#id_references-0-url"' in summary
    assert (
        "Reference 1 (“Cleveland Clinic: Milia”): Web address or DOI link: Enter a valid URL."
        in summary
    )
    # The folded references group is shown open because it holds the error.
    group = page[page.index('id="references-group"') :]
    group = group[: group.index('id="references-0"')]
    assert "<details>" not in group
    assert 'id="id_references-0-url"' in page
    assert Condition.objects.get(pk=condition.pk).summary != ""


def test_folded_groups_and_the_contents_list_are_on_the_article_form(author):
    condition = ConditionFactory(author=author)
    page = client_for(author).get(change_url(condition)).content.decode()
    contents = page[page.index('class="form-contents"') :]
    contents = contents[: contents.index("</nav>")]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    assert anchors[:3] == ["fieldset-0-0-heading", "sections-heading", "faqs-heading"]
    assert "references-heading" in anchors and "images-heading" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in page
    faqs = page[page.index('id="faqs-group"') :]
    assert faqs.index("<details>") < faqs.index('id="faqs-heading"')
    sections = page[page.index('id="sections-group"') : page.index('id="faqs-group"')]
    # The sections group is open, and each saved section is folded under its heading; the
    # blank row for a new section is open.
    assert "<details" not in sections[: sections.index('id="sections-heading"')]
    saved_row = sections[sections.index('id="sections-0"') : sections.index('id="sections-1"')]
    assert "<details><summary>" in saved_row and "Section heading" in saved_row
    new_row = sections[sections.index('id="sections-1"') :]
    assert "<details open><summary>" in new_row
    assert 'class="editor-bar"' in page and "js/admin-editor.js" in page
    assert 'data-unsaved-message="You have changes that are not saved.' in page


# -- stale-edit refusal -----------------------------------------------------------------------
def test_a_stale_save_keeps_what_was_typed_and_shows_the_saved_version_beside_it(author):
    condition = ConditionFactory(summary="Original words.", author=author)
    kim = user_in("Author", username="kim", first_name="Kim", last_name="Other")
    section_field = "sections-0-body"
    theirs = form_data(condition, summary="Kim's saved summary about small white spots.")
    theirs[section_field] = "Kim rewrote this section."
    mine = form_data(condition, summary="Grace's typed summary, not yet saved.")
    assert client_for(kim).post(change_url(condition), theirs).status_code == 302

    grace = client_for(author)
    response = grace.post(change_url(condition), mine)

    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') : page.index('id="stale-changes"')]
    assert "your changes were NOT saved" in summary and "Merge the two, then save again." in summary
    assert 'href="#stale-changes"' in summary and f'href="{url(condition, "history")}"' in summary
    # What Grace typed is still in the form.
    assert "Grace&#x27;s typed summary, not yet saved.</textarea>" in page
    # Beside it: what Kim saved, for the fields that differ, with who.
    panel = page[page.index('id="stale-changes"') :]
    panel = panel[: panel.index("</table>")]
    assert "What Kim Other saved" in panel
    assert "Kim&#x27;s saved summary about small white spots." in panel
    assert "Kim rewrote this section." in panel
    assert 'href="#id_summary"' in panel
    # The form is ready to save the merge: its version is the saved one now.
    saved = Condition.objects.get(pk=condition.pk)
    assert f'name="edit_version" value="{saved.version}"' in page
    merged = dict(mine, edit_version=saved.version, summary="Merged by Grace.")
    merged[section_field] = "Kim rewrote this section."
    assert grace.post(change_url(condition), merged).status_code == 302
    saved.refresh_from_db()
    assert saved.summary == "Merged by Grace."
    assert saved.sections.get().body == "Kim rewrote this section."


# -- workflow buttons save first ----------------------------------------------------------------
def test_save_and_submit_saves_the_typing_then_submits(author):
    condition = ConditionFactory(author=author)
    data = form_data(condition, summary="New words, then off to review.", _workflow="submit")
    response = client_for(author).post(change_url(condition), data)

    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.summary == "New words, then off to review."
    assert condition.status == Status.IN_REVIEW
    assert any("saved and submitted for review" in m for m in messages_of(response))


def test_save_and_submit_with_errors_saves_nothing_and_submits_nothing(author):
    condition = ConditionFactory(author=author)
    data = form_data(condition, summary="", _workflow="submit")
    response = client_for(author).post(change_url(condition), data)

    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    condition.refresh_from_db()
    assert condition.status == Status.DRAFT
    assert condition.summary


# -- soft lock ----------------------------------------------------------------------------------
def test_another_editor_sees_who_has_been_editing_since_when(author, reviewer):
    condition = ConditionFactory(author=author)
    opened = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 2))
    with time_machine.travel(opened, tick=False):
        client_for(author).get(change_url(condition))
    with time_machine.travel(opened + datetime.timedelta(minutes=3), tick=False):
        page = client_for(reviewer).get(change_url(condition)).content.decode()
        own = client_for(author).get(change_url(condition)).content.decode()
    assert "Grace Hopper has been editing this since 10:02." in page
    assert "has been editing this since" not in own.replace("Sam Lee has", "")
    assert "Sam Lee has been editing this since 10:05." in own


def test_the_warning_goes_after_the_editor_leaves_or_stops_sending_heartbeats(author, reviewer):
    condition = ConditionFactory(author=author)
    grace = client_for(author)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        grace.get(change_url(condition))
    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=False):
        beat = grace.post(url(condition, "editing"))
        assert beat.status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=18), tick=False):
        page = client_for(reviewer).get(change_url(condition)).content.decode()
        assert "Grace Hopper has been editing" in page  # the heartbeat kept it alive
        fragment = client_for(reviewer).post(url(condition, "editing")).content.decode()
        assert "Grace Hopper has been editing this since" in fragment
    with time_machine.travel(start + datetime.timedelta(minutes=30), tick=False):
        page = client_for(reviewer).get(change_url(condition)).content.decode()
        assert "Grace Hopper has been editing" not in page  # no heartbeat for 21 minutes

    grace.get(change_url(condition))
    assert grace.post(change_url(condition), form_data(condition)).status_code == 302  # Save
    assert not EditingSession.objects.filter(user=author).exists()


def test_heartbeat_needs_post_and_change_permission(author):
    condition = ConditionFactory(author=author)
    assert client_for(author).get(url(condition, "editing")).status_code == 405
    nobody = UserFactory(username="no-rights")
    assert client_for(nobody).post(url(condition, "editing")).status_code in (403, 404)


# -- live preview and reading grade ----------------------------------------------------------------
def test_preview_renders_sanitised_markdown_with_the_grade_and_the_hardest_sentences(author):
    text = f"**Small** white spots.\n\n{HARD} They go away.\n\n<script>alert(1)</script>"
    response = client_for(author).post(PREVIEW_URL, {"text": text})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Small</strong>" in html
    assert "<script" not in html
    grade = float(re.search(r"Reading grade ([\d.]+) \(Flesch-Kincaid\)", html).group(1))
    assert grade > 8
    assert "target: grade 8 or below" in html and "Above target" in html
    assert f'<mark class="hard-sentence">{HARD}</mark>' in html
    assert "no-store" in response["Cache-Control"]


def test_preview_of_plain_short_sentences_is_on_target(author):
    html = client_for(author).post(PREVIEW_URL, {"text": "The spots are small. They do not hurt."})
    page = html.content.decode()
    assert "On target" in page and "hard-sentence" not in page


def test_preview_endpoint_refuses_get_anonymous_no_csrf_and_huge_text(author):
    assert client_for(author).get(PREVIEW_URL).status_code == 405
    anonymous = Client().post(PREVIEW_URL, {"text": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    assert strict.post(PREVIEW_URL, {"text": "x"}).status_code == 403
    huge = client_for(author).post(PREVIEW_URL, {"text": "word " * 20_000})
    assert huge.status_code == 413


def test_long_fields_are_marked_for_live_preview(author):
    condition = ConditionFactory(author=author)
    page = client_for(author).get(change_url(condition)).content.decode()
    for name in ("summary", "sections-0-body"):
        tag = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'data-live-preview="markdown"' in tag
    assert f'data-preview-url="{PREVIEW_URL}"' in page


# -- reviewer comments ---------------------------------------------------------------------------
def test_reviewer_comment_is_shown_to_the_author_on_the_form_and_the_review_page(author, reviewer):
    condition = ConditionFactory(author=author, published=True)
    sam = client_for(reviewer)
    response = sam.post(
        url(condition, "comment"),
        {"text": "Say how long they usually last.", "field": "Summary", "back": "changes"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(url(condition, "changes") + "#comments")
    comment = ReviewComment.on(condition).get()
    assert comment.author == reviewer and comment.field == "Summary"

    form_page = client_for(author).get(change_url(condition)).content.decode()
    assert "Say how long they usually last." in form_page
    assert "Review comments (1 open)" in form_page and "about: Summary" in form_page
    review_page = sam.get(url(condition, "changes")).content.decode()
    assert "Say how long they usually last." in review_page
    # Patients never see it.
    patient = Client().get(condition.live.get_absolute_url())
    assert patient.status_code == 200
    assert "Say how long they usually last." not in patient.content.decode()

    client_for(author).post(url(condition, "resolve_comment", comment.pk))
    comment.refresh_from_db()
    assert comment.resolved and comment.resolved_by == author
    form_page = client_for(author).get(change_url(condition)).content.decode()
    assert "Review comments (0 open)" in form_page and "1 comment dealt with" in form_page


def test_an_empty_comment_is_refused_with_a_message(author):
    condition = ConditionFactory(author=author)
    response = client_for(author).post(url(condition, "comment"), {"text": "  "})
    assert response.status_code == 302
    assert "Write the comment first." in messages_of(response)
    assert not ReviewComment.on(condition).exists()
    assert client_for(author).get(url(condition, "comment")).status_code == 405


def test_a_comment_about_an_unknown_field_is_kept_about_the_whole_draft(author):
    condition = ConditionFactory(author=author)
    client_for(author).post(url(condition, "comment"), {"text": "Check it.", "field": "<b>x"})
    assert ReviewComment.on(condition).get().field == ""


# -- history as sentences ----------------------------------------------------------------------
def test_history_reads_as_sentences_with_word_diffs(author, reviewer):
    condition = ConditionFactory(author=author, summary="Small white spots on the face.")
    grace = client_for(author)
    new_section = {"order": 9, "heading": "Treatment", "slug": "", "body": "Leave them alone."}
    data = form_data(
        condition, summary="Small hard white spots on the face.", new_sections=[new_section]
    )
    assert grace.post(change_url(condition), data).status_code == 302
    grace.post(url(condition, "workflow", "submit"))
    sam = client_for(reviewer)
    condition.refresh_from_db()
    sam.post(
        url(condition, "workflow", "publish"),
        {"attest": "on", "seen_version": condition.version},
    )
    assert Condition.objects.get(pk=condition.pk).status == Status.PUBLISHED
    condition.refresh_from_db()
    data = form_data(condition)
    headings = [section.heading for section in condition.sections.all()]
    data[f"sections-{headings.index('Treatment')}-body"] = "Leave them alone: they fade."
    old_heading = next(h for h in headings if h != "Treatment")
    data[f"sections-{headings.index(old_heading)}-DELETE"] = "on"
    assert grace.post(change_url(condition), data).status_code == 302

    page = sam.get(url(condition, "history")).content.decode()
    what = page[page.index('id="what-happened"') : page.index('id="review-steps"')]
    assert "Grace Hopper changed the summary:" in what
    assert "<ins>hard</ins>" in what
    assert "Grace Hopper added the section “Treatment”." in what
    assert "Grace Hopper submitted it for review." in what
    assert "Sam Lee approved and published version 1." in what
    assert "Grace Hopper changed the body (Markdown) of the section “Treatment”:" in what
    assert "Leave them <del>alone.</del> <ins>alone: they fade.</ins>" in what
    assert f"Grace Hopper removed the section “{old_heading}”." in what
    # Sentences, not raw database values: no version or status bookkeeping.
    assert "version</span>" not in what and "changed the status" not in what
    assert what.index("approved and published") < what.index("submitted it for review")


# -- the shared base: every reviewable content type gets the same editor ---------------------------
@pytest.mark.parametrize("kind", ["treatmentcomparison", "questionnaire"])
def test_comparisons_and_questionnaires_get_comments_history_sentences_and_the_save_bar(
    kind, reviewer
):
    from tests.conditions.questionnaire_factories import make_questionnaire
    from tests.factories import TreatmentComparisonFactory

    item = (
        TreatmentComparisonFactory()
        if kind == "treatmentcomparison"
        else make_questionnaire(publish=False, questions=[{"key": "age", "options": [("a", "A")]}])
    )
    item = type(item).objects.get(pk=item.working().pk)
    sam = client_for(reviewer)
    base = f"admin:conditions_{kind}"
    sam.post(reverse(f"{base}_comment", args=[item.pk]), {"text": "Add the evidence level."})
    page = sam.get(reverse(f"{base}_change", args=[item.pk])).content.decode()
    assert "Add the evidence level." in page and 'class="editor-bar"' in page
    history = sam.get(reverse(f"{base}_history", args=[item.pk]))
    assert history.status_code == 200
    assert 'id="what-happened"' in history.content.decode()
