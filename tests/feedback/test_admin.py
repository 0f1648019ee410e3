"""What editors see: feedback per page, report status, content gaps, views on the dashboard."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from conditions.models import Condition, Status
from feedback.models import PageFeedback, PageViewDay, ProblemReport, SearchTerm
from tests.factories import ConditionFactory, UserFactory, reviewer_user

from .conftest import BROWSER


@pytest.fixture
def author(db):
    user = UserFactory(username="nurse")
    user.groups.add(Group.objects.get(name="Author"))
    return user


@pytest.fixture
def editor(author):
    client = Client()
    client.force_login(author)
    return client


def search_times(words: str, n: int) -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    for _ in range(n):
        assert client.get("/search/", {"q": words}).status_code == 200


# -- feedback -------------------------------------------------------------------------------------
def test_editors_see_counts_per_page_this_month_and_last_and_open_the_draft(editor, article):
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    PageFeedback.objects.create(item=article, helpful=True)
    PageFeedback.objects.create(item=article, helpful=False, note="No photos of it")
    PageFeedback.objects.create(item=article, helpful=False, created=last_month)
    ProblemReport.objects.create(item=article, kind="wrong", note="Dose is out of date")
    page = editor.get("/admin/feedback/pagefeedback/")
    assert page.status_code == 200
    html = page.text
    assert "Feedback per page" in html and "No photos of it" in html
    row = html[html.index('id="feedback-per-page"') :]
    assert "<td>1</td>\n        <td>1</td>\n        <td>0</td>\n        <td>1</td>" in row
    draft = f'href="/admin/conditions/condition/{article.pk}/change/"'
    assert draft in html and "Open the draft" in html
    assert editor.get(f"/admin/conditions/condition/{article.pk}/change/").status_code == 200


def test_a_report_gets_a_status_with_who_and_when(editor, author, article):
    report = ProblemReport.objects.create(item=article, kind="broken_link")
    listing = editor.get("/admin/feedback/problemreport/")
    assert "A broken link" in listing.text and "New" in listing.text
    response = editor.post(
        "/admin/feedback/problemreport/",
        {"action": "mark_acted_on", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.status_by) == ("acted_on", author)
    assert report.status_at is not None
    change = editor.post(
        f"/admin/feedback/problemreport/{report.pk}/change/", {"status": "dismissed"}
    )
    assert change.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.status_by) == ("dismissed", author)


def test_editors_cannot_add_or_edit_what_patients_said(editor, article):
    feedback = PageFeedback.objects.create(item=article, helpful=False, note="original")
    assert editor.get("/admin/feedback/pagefeedback/add/").status_code == 403
    editor.post(f"/admin/feedback/pagefeedback/{feedback.pk}/change/", {"note": "edited"})
    feedback.refresh_from_db()
    assert feedback.note == "original"


# -- content gaps ---------------------------------------------------------------------------------
def test_a_query_searched_four_times_a_day_never_appears_five_times_does(editor, db, settings):
    settings.PORTAL_SEARCH_MIN_COUNT = 5
    search_times("purple patches", 4)
    search_times("blue lumps", 5)
    page = editor.get("/admin/feedback/searchterm/").text
    assert "purple patches" not in page
    assert "blue lumps" in page
    assert "9 searches, 9 of them with no result" in page
    assert "the other 4 searches are only counted in the total" in page


def test_the_gaps_page_marks_a_query_that_now_finds_a_page(editor, db):
    search_times("milk spots", 5)
    assert SearchTerm.objects.get().no_results == 5
    ConditionFactory(published=True, name="Milia", slug="milia", also_known_as="milk spots")
    page = editor.get("/admin/feedback/searchterm/", {"days": "7"}).text
    assert "Now finds: Milia" in page


def test_start_a_draft_from_a_gap(editor, author, db):
    search_times("purple patches", 5)
    page = editor.get("/admin/feedback/searchterm/").text
    assert "Start a draft" in page
    response = editor.post("/admin/feedback/searchterm/draft/", {"query": "purple patches"})
    draft = Condition.objects.get(name="Purple patches")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/conditions/condition/{draft.pk}/change/"
    assert (draft.slug, draft.also_known_as, draft.status) == (
        "purple-patches",
        "purple patches",
        Status.DRAFT,
    )
    assert not draft.is_live and draft.author == author
    assert author.pk in draft.changed_by()
    # The gap now links to its draft instead of offering another.
    page = editor.get("/admin/feedback/searchterm/").text
    assert "Draft: Purple patches" in page


def test_only_editors_who_may_add_articles_start_drafts(db):
    search_times("purple patches", 5)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_searchterm"))
    client = Client()
    client.force_login(viewer)
    assert "Start a draft" not in client.get("/admin/feedback/searchterm/").text
    response = client.post("/admin/feedback/searchterm/draft/", {"query": "purple patches"})
    assert response.status_code == 403
    assert not Condition.objects.exists()


def test_a_draft_is_only_started_from_a_counted_query(editor, db):
    response = editor.post("/admin/feedback/searchterm/draft/", {"query": "anything at all"})
    assert response.status_code == 302 and not Condition.objects.exists()


# -- reading counts in the review dashboard --------------------------------------------------------
def test_the_review_dashboard_shows_views_and_lists_the_most_read_due_page_first(db):
    reviewer = reviewer_user()
    client = Client()
    client.force_login(reviewer)
    soon = timezone.localdate() + datetime.timedelta(days=5)
    later = timezone.localdate() + datetime.timedelta(days=20)
    quiet = ConditionFactory(published=True, name="Quiet page", next_review_due=soon)
    busy = ConditionFactory(published=True, name="Busy page", next_review_due=later)
    for item in (quiet, busy):
        live = item.live
        live.next_review_due = item.next_review_due
        live.save()
    PageViewDay.objects.create(item=busy, day=timezone.localdate(), views=120)
    PageViewDay.objects.create(item=quiet, day=timezone.localdate(), views=3)
    html = client.get("/admin/conditions/condition/review/").text
    section = html[html.index('id="due-soon"') :]
    assert "Views (30 days)" in section
    assert section.index("Busy page") < section.index("Quiet page")
    assert "<td>120</td>" in section
