"""The editor's help on the comparison and questionnaire admins too, from the same
code as the article's: pasted text cleaned or refused with a message, the live preview with its
reading grade, the error summary, the sticky save bar, the soft lock, and workflow buttons that
save first or warn (naming the unsaved changes) instead of losing typing."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from conditions.models import EditingSession, Question, Questionnaire, Status
from tests.admin_forms import form_as_shown
from tests.conditions.article_admin import messages_of
from tests.conditions.questionnaire_factories import bleeding_check
from tests.conditions.test_questionnaire_builder import build_url, page_data
from tests.factories import ComparisonRowFactory, TreatmentComparisonFactory, UserFactory

pytestmark = pytest.mark.django_db

WORD_TEXT = "Do this today:\n•\tRing your GP surgery\n•\tSay the spot bleeds"


def in_group(name: str, username: str, **names):
    user = UserFactory(username=username, **names)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def author_client(client):
    client.force_login(in_group("Author", "grace", first_name="Grace", last_name="Hopper"))
    return client


@pytest.fixture
def comparison():
    comparison = TreatmentComparisonFactory()
    ComparisonRowFactory(comparison=comparison, order=1)
    return comparison


def comparison_url(comparison, view: str = "change") -> str:
    return reverse(f"admin:conditions_treatmentcomparison_{view}", args=[comparison.pk])


@pytest.fixture
def questionnaire():
    return bleeding_check()


# -- comparison ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("intro", "<p>Every option.</p>", "Introduction"),
        ("rows-0-involves", "- freezing\n- scraping", "What it involves"),
        ("rows-0-reason", "It <b>works</b>.", "Reason for the recommendation"),
    ],
)
def test_markup_on_a_comparison_is_refused_beside_the_field(
    author_client, comparison, field, value, label
):
    data = form_as_shown(author_client.get(comparison_url(comparison))) | {field: value}
    version = comparison.version
    response = author_client.post(comparison_url(comparison), data)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert f"{label} is shown to patients as plain text" in page
    assert "put them in the article's sections" in page  # where a list can go instead
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    comparison.refresh_from_db()
    assert comparison.version == version


def test_a_comparison_has_the_live_preview_save_bar_and_soft_lock(author_client, comparison):
    other = in_group("Author", "ada", first_name="Ada", last_name="Lovelace")
    EditingSession.touch(comparison, other)
    page = author_client.get(comparison_url(comparison)).content.decode()
    assert 'name="intro"' in page and 'data-live-preview="markdown"' in page
    for name in ("involves", "effectiveness", "risks", "reason"):
        assert f'data-live-preview="markdown" id="id_rows-0-{name}"' in page or (
            f'id="id_rows-0-{name}" data-live-preview' in page
        )
    assert 'data-preview-url="/admin/conditions/treatmentcomparison/text-preview/"' in page
    assert 'class="editor-bar"' in page
    assert "Ada Lovelace has been editing this since" in page
    preview = author_client.post(
        "/admin/conditions/treatmentcomparison/text-preview/", {"text": "It is freezing."}
    )
    assert preview.status_code == 200 and "preview-grade" in preview.content.decode()


# -- questionnaire: its details page and its Build page --------------------------------------------
def test_markup_in_the_questionnaire_intro_is_refused_and_the_intro_is_previewed(
    author_client, questionnaire
):
    url = reverse("admin:conditions_questionnaire_change", args=[questionnaire.pk])
    response = author_client.get(url)
    assert 'data-live-preview="markdown"' in response.content.decode()
    data = form_as_shown(response) | {"intro": "Answer <i>three</i> questions."}
    page = unescape(author_client.post(url, data).content.decode())
    assert "Introduction is shown to patients as plain text" in page
    assert "outcome's “what to do next”" in page


def test_the_build_page_cleans_pasted_word_lists_and_names_what_it_changed(
    author_client, questionnaire
):
    response = author_client.get(build_url(questionnaire))
    today = questionnaire.outcomes.get(slug="today")
    index = next(
        i for i, f in enumerate(response.context["builder"].outcomes.forms) if f.instance == today
    )
    data = page_data(response) | {f"o-{index}-next_steps": WORD_TEXT}
    response = author_client.post(build_url(questionnaire), data)
    assert response.status_code == 302
    today.refresh_from_db()
    assert today.next_steps == "Do this today:\n\n- Ring your GP surgery\n- Say the spot bleeds"
    assert "<ul>" in today.next_steps_html
    notes = " ".join(messages_of(response))
    assert "Pasted text was cleaned before saving" in notes
    assert "“Ring your GP today”" in notes and "2 bulleted lines became list items" in notes


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("q-0-text", "<b>Does it bleed?</b>", "Question"),
        ("q-0-answers-0-text", "<em>Yes</em>", "Answer"),
        ("o-0-explanation", "- it bled\n- it hurts", "What this means"),
    ],
)
def test_markup_on_the_build_page_is_refused_beside_the_field(
    author_client, questionnaire, field, value, label
):
    data = page_data(author_client.get(build_url(questionnaire))) | {field: value}
    version = questionnaire.version
    response = author_client.post(build_url(questionnaire), data)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    message = f"{label} is shown to patients as plain text"
    assert message in page
    cell = page.split(f'id="id_{field}"', 1)[1][:1500]
    assert message in cell  # beside the field, not only in the summary
    assert f'href="#id_{field}"' in page
    questionnaire.refresh_from_db()
    assert questionnaire.version == version


def test_the_build_page_has_the_preview_save_bar_soft_lock_and_unsaved_warning(
    author_client, questionnaire
):
    other = in_group("Author", "ada", first_name="Ada", last_name="Lovelace")
    EditingSession.touch(questionnaire, other)
    page = author_client.get(build_url(questionnaire)).content.decode()
    assert 'data-form-id="build-form"' in page
    assert 'data-preview-url="/admin/conditions/questionnaire/text-preview/"' in page
    assert "js/admin-editor.js" in page
    assert 'id="id_o-0-next_steps"' in page and 'data-live-preview="1"' in page
    assert 'class="editor-bar"' in page
    assert "Ada Lovelace has been editing this since" in page
    assert f"/admin/conditions/questionnaire/{questionnaire.pk}/editing/" in page
    assert EditingSession.others(questionnaire, other).exists()  # this visit is noted too


def test_save_and_submit_on_the_build_page_saves_first(author_client, questionnaire):
    response = author_client.get(build_url(questionnaire))
    assert 'form="build-form" name="_workflow" value="submit"' in response.content.decode()
    data = page_data(response) | {"q-0-text": "Does the spot bleed?", "_workflow": "submit"}
    response = author_client.post(build_url(questionnaire), data)
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.IN_REVIEW
    assert Question.objects.get(questionnaire=questionnaire).text == "Does the spot bleed?"
    assert "was saved and submitted for review" in " ".join(messages_of(response))


def test_a_refused_build_page_save_does_not_submit(author_client, questionnaire):
    data = page_data(author_client.get(build_url(questionnaire))) | {
        "q-0-text": "<b>Bleeds?</b>",
        "_workflow": "submit",
    }
    assert author_client.post(build_url(questionnaire), data).status_code == 400
    assert Questionnaire.objects.get(pk=questionnaire.pk).status == Status.DRAFT


# -- the workflow buttons that do not save ask first, naming the changes --------------------------
def test_steps_that_do_not_save_carry_the_question_the_browser_asks(client, comparison):
    reviewer = in_group("Clinical reviewer", "sam")
    client.force_login(reviewer)
    page = unescape(client.get(comparison_url(comparison)).content.decode())
    assert 'data-unsaved-question="“Approve and publish” is done on the changes page' in page
    comparison.publish(by=reviewer, attested=True, seen_version=comparison.version)
    page = unescape(client.get(comparison_url(comparison)).content.decode())
    for label in ("Take offline now", "Archive"):
        assert f'data-unsaved-question="“{label}” does not save this form' in page
    assert 'data-unsaved-list="Not saved:"' in page
    # Save and submit is not among them: it saves first.
    assert 'value="submit" data-unsaved-question' not in page


# -- the search's urgent help card: the same editor ------------------------------------------------
def test_the_help_card_cleans_pasted_lists_and_refuses_markup_in_its_heading(author_client):
    import datetime

    from django.utils import timezone

    from conditions.models import UrgentHelp

    url = reverse("admin:conditions_urgenthelp_add")
    assert 'data-live-preview="markdown"' in author_client.get(url).content.decode()
    data = {
        "heading": "<h2>Get help now</h2>",
        "body": "Call 999 if:\n•\tthe rash does not fade\n•\tyou feel very unwell",
        "emergency_phone": "999",
        "urgent_phone": "111",
        "next_review_due": (timezone.localdate() + datetime.timedelta(days=300)).isoformat(),
        "terms-TOTAL_FORMS": "0",
        "terms-INITIAL_FORMS": "0",
    }
    page = unescape(author_client.post(url, data).content.decode())
    assert "Heading is shown to patients as plain text" in page
    assert "put them in the card's text" in page
    response = author_client.post(url, data | {"heading": "Get help now"})
    assert response.status_code == 302
    card = UrgentHelp.objects.get()
    assert "- the rash does not fade\n- you feel very unwell" in card.body
    assert "2 bulleted lines became list items" in " ".join(messages_of(response))


def test_the_comparison_error_summary_links_into_a_folded_part_of_a_row(author_client, comparison):
    from tests.conditions.test_comparison_own_options import with_new_row

    data = with_new_row(author_client, comparison, new_name="Waiting", new_setting="home")
    n = int(data["rows-TOTAL_FORMS"]) - 1
    response = author_client.post(comparison_url(comparison), data)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    summary = page[page.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert f'href="#id_rows-{n}-new_description"' in summary  # in the folded "new option" part
    assert f'href="#id_rows-{n}-new_who_does_it"' in summary
    before = page[: page.index(f'id="id_rows-{n}-new_description"')]
    fieldset = before[before.rfind("<fieldset") :]
    assert "A new option for this comparison only" in fieldset
    assert "<details" not in fieldset  # shown open, not folded, while it holds an error
