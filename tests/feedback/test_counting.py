"""Page views and searches are counted, never logged."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from feedback import counting
from feedback.models import PageViewDay, SearchDay, SearchTerm
from tests.factories import ConditionFactory

from .conftest import BROWSER

BOTS = [
    "",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0)",
    "python-requests/2.31",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0)",
]


def views_of(item) -> int:
    from django.contrib.contenttypes.models import ContentType

    rows = PageViewDay.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )
    return sum(rows.values_list("views", flat=True))


# -- page views ---------------------------------------------------------------------------------
def test_views_are_counted_in_the_cache_and_flushed_to_the_database(patient, comparison):
    article = comparison.condition
    for _ in range(3):
        assert patient.get("/conditions/milia/").status_code == 200
    patient.get("/kiosk/conditions/milia/")
    patient.get("/conditions/milia/treatments/")
    assert PageViewDay.objects.count() == 0  # nothing written while patients read
    assert call_command("flush_page_views", verbosity=0) is None
    assert views_of(article) == 4
    assert views_of(comparison) == 1
    row = PageViewDay.objects.get(object_id=article.pk, content_type__model="condition")
    assert row.item == article and row.day == timezone.localdate()
    # A second flush moves nothing twice; later reads add to the same row.
    assert counting.flush_page_views() == 0
    patient.get("/conditions/milia/")
    assert counting.flush_page_views() == 1
    assert views_of(article) == 5


def test_cached_pages_are_counted_too(patient, article):
    assert patient.get("/conditions/milia/")["X-Page-Cache"] == "miss"
    assert patient.get("/conditions/milia/")["X-Page-Cache"] == "hit"
    counting.flush_page_views()
    assert views_of(article) == 2


@pytest.mark.parametrize("user_agent", BOTS)
def test_robots_and_scripts_are_not_counted(article, user_agent):
    Client(HTTP_USER_AGENT=user_agent).get("/conditions/milia/")
    counting.flush_page_views()
    assert views_of(article) == 0


def test_fragments_prefetches_404s_and_staff_are_not_counted(patient, article):
    patient.get("/conditions/milia/", HTTP_HX_REQUEST="true")  # a fragment
    patient.get("/conditions/milia/", HTTP_SEC_PURPOSE="prefetch")
    patient.get("/conditions/nothing-here/")
    patient.head("/conditions/milia/")
    patient.cookies["sessionid"] = "staff"
    patient.get("/conditions/milia/")
    counting.flush_page_views()
    assert views_of(article) == 0
    # A boosted page load is a read.
    Client(HTTP_USER_AGENT=BROWSER).get(
        "/conditions/milia/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
    )
    counting.flush_page_views()
    assert views_of(article) == 1


def test_other_cookies_do_not_make_a_reader_staff(article):
    # The session cookie is looked for in the parsed cookies only where the header names it:
    # a cookie whose name merely contains it, or none at all, is a patient's read.
    for cookies in ("", "csrftoken=abc", "not_sessionid_really=1; theme=dark"):
        reader = Client(HTTP_USER_AGENT=BROWSER)
        if cookies:
            reader.defaults["HTTP_COOKIE"] = cookies
        reader.get("/conditions/milia/")
    staff = Client(HTTP_USER_AGENT=BROWSER, HTTP_COOKIE="theme=dark; sessionid=staff")
    staff.get("/conditions/milia/")
    counting.flush_page_views()
    assert views_of(article) == 3


def test_counting_off_counts_nothing(patient, article, settings):
    settings.PORTAL_COUNT_VIEWS = False
    patient.get("/conditions/milia/")
    counting.flush_page_views()
    assert views_of(article) == 0


def test_reads_are_added_up_in_memory_and_pushed_to_the_cache_now_and_then(
    patient, article, settings
):
    settings.PORTAL_VIEW_PUSH_SECONDS = 3600
    counting.push_views()
    with mock.patch.object(cache, "incr", wraps=cache.incr) as incr:
        for _ in range(3):
            patient.get("/conditions/milia/")
        assert incr.call_count == 0  # no cache round trip per read
        settings.PORTAL_VIEW_PUSH_SECONDS = 0
        patient.get("/conditions/milia/")
        assert incr.call_count == 1  # one push of all four
    assert cache.get(counting.view_key(timezone.localdate(), "article", "milia")) == 4


def test_a_cache_outage_never_reaches_the_patient(patient, article, settings):
    settings.PORTAL_VIEW_PUSH_SECONDS = 0
    with mock.patch.object(cache, "incr", side_effect=ConnectionError("redis down")):
        assert patient.get("/conditions/milia/").status_code == 200
        assert patient.get("/search/", {"q": "milia"}).status_code == 200


def test_the_view_rows_hold_only_an_item_a_day_and_a_number(patient, article):
    patient.get("/conditions/milia/")
    counting.flush_page_views()
    assert [f.name for f in PageViewDay._meta.concrete_fields] == [
        "id",
        "content_type",
        "object_id",
        "day",
        "views",
    ]


def test_the_flush_moves_yesterdays_counters_too(patient, article):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cache.set(counting.view_key(yesterday, "article", "milia"), 7)
    counting.flush_page_views()
    assert PageViewDay.objects.get(day=yesterday).views == 7


def test_with_the_local_cache_a_request_flushes_now_and_then(patient, article, settings):
    settings.PORTAL_VIEW_FLUSH_MINUTES = 5
    settings.PORTAL_VIEW_PUSH_SECONDS = 0
    with mock.patch.object(counting.threading, "Thread") as thread:
        patient.get("/conditions/milia/")
        patient.get("/conditions/milia/")
    assert thread.call_count == 1  # at most once per interval
    thread.return_value.start.assert_called_once()


def test_the_flush_in_a_worker_reads_only_the_counters_that_worker_pushed(patient, article):
    # With the local-memory cache each process has its own counters: its flush looks up the
    # items it pushed views of, not every published item's (150,000 keys at 50,000 articles).
    others = [ConditionFactory(published=True, slug=f"other-{n}") for n in range(5)]
    patient.get("/conditions/milia/")
    patient.get("/conditions/milia/")
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        assert counting.flush_page_views(pushed_only=True) == 2
    asked = [key for call in get_many.call_args_list for key in call.args[0]]
    assert asked and all(":milia" in key for key in asked if key.startswith("pageviews:"))
    assert views_of(article) == 2 and not any(views_of(other) for other in others)
    # Nothing pushed since: nothing to read. A flush of everything still finds every counter.
    assert counting.flush_page_views(pushed_only=True) == 0
    cache.set(counting.view_key(timezone.localdate(), "article", "other-3"), 4)
    assert counting.flush_page_views() == 4 and views_of(others[3]) == 4


def test_with_a_shared_cache_a_worker_keeps_no_list_of_what_it_pushed(
    patient, article, monkeypatch, settings
):
    # Redis is flushed by manage.py flush_page_views in another process: a list kept here
    # would only grow, by every item read each day, for as long as the worker lives.
    monkeypatch.setattr(counting, "_cache_is_local", lambda: False)
    # No push on the request itself (one is due when the test process last pushed more than
    # PORTAL_VIEW_PUSH_SECONDS ago): the push below is the one that carries the view.
    settings.PORTAL_VIEW_PUSH_SECONDS = 3600
    counting.push_views()  # what earlier tests left, and the clock of the last push
    patient.get("/conditions/milia/")
    assert counting.push_views() == 1 and counting._pushed == set()


def test_a_failed_flush_leaves_the_pushed_counters_for_the_next(patient, article):
    patient.get("/conditions/milia/")
    failing = mock.patch.object(counting, "_add_views", side_effect=ConnectionError("db down"))
    with failing, pytest.raises(ConnectionError):
        counting.flush_page_views(pushed_only=True)
    assert counting.flush_page_views(pushed_only=True) == 1 and views_of(article) == 1


def test_the_flush_thread_flushes_only_what_its_process_pushed(monkeypatch):
    called = []
    monkeypatch.setattr(counting, "flush_page_views", lambda **kwargs: called.append(kwargs))
    monkeypatch.setattr(counting, "close_old_connections", lambda: None)
    monkeypatch.setattr(counting.connection, "close", lambda: None)
    counting._flush_in_thread()
    assert called == [{"pushed_only": True}]


# -- searches -----------------------------------------------------------------------------------
def search(client, words, **headers):
    response = client.get("/search/", {"q": words}, **headers)
    assert response.status_code == 200
    return response


def test_four_searches_of_a_query_leave_no_words_five_do(patient, db, settings):
    settings.PORTAL_SEARCH_MIN_COUNT = 5
    for _ in range(4):
        search(patient, "Purple Patches")
    assert not SearchTerm.objects.exists()
    assert SearchDay.objects.get().searches == 4  # counted only in the day's total
    search(patient, "purple patches!")
    term = SearchTerm.objects.get()
    assert (term.query, term.searches, term.no_results) == ("purple patches", 5, 5)
    search(patient, "PURPLE PATCHES")
    term.refresh_from_db()
    assert term.searches == 6 and SearchDay.objects.get().searches == 6


def test_rare_words_are_in_no_table_and_only_hashed_in_the_cache(patient, db):
    for _ in range(4):
        search(patient, "qzvflorp lumps")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            assert "qzvflorp" not in repr(cursor.fetchall()), table
    assert not any("qzvflorp" in str(key) for key in cache._cache)


def test_live_previews_are_not_counted_but_a_result_opened_from_them_is(patient, article):
    live = search(patient, "milia", HTTP_HX_REQUEST="true")
    assert SearchDay.objects.count() == 0
    link = re.search(r'href="(/feedback/open/milia/\?t=[^"]+)"', live.text).group(1)
    opened = patient.get(link.replace("&amp;", "&"))
    assert opened.status_code == 302 and opened["Location"] == "/conditions/milia/"
    day = SearchDay.objects.get()
    assert (day.searches, day.no_results, day.opened) == (1, 0, 1)


def test_a_result_opened_after_a_search_is_counted_once_per_click(patient, article, settings):
    settings.PORTAL_SEARCH_MIN_COUNT = 2
    page = search(patient, "milk spots")
    search(patient, "milk spots")
    link = re.search(r'href="(/feedback/open/milia/\?t=[^"]+)"', page.text).group(1)
    patient.get(link.replace("&amp;", "&"))
    term = SearchTerm.objects.get()
    assert (term.query, term.searches, term.no_results, term.opened) == ("milk spots", 2, 0, 1)
    assert SearchDay.objects.get().opened == 1


def test_the_result_link_token_holds_no_address_and_a_forged_one_counts_nothing(patient, article):
    assert patient.get("/feedback/open/milia/?t=forged").status_code == 302
    assert patient.get("/feedback/open/milia/").status_code == 302
    assert not SearchDay.objects.exists()


def test_kiosk_result_links_stay_in_the_kiosk(patient, article):
    page = search(patient, "milia").text
    kiosk = patient.get("/kiosk/search/", {"q": "milia"}).text
    assert 'href="/feedback/open/milia/?t=' in page
    assert 'href="/kiosk/feedback/open/milia/?t=' in kiosk
    link = re.search(r'href="(/kiosk/feedback/open/milia/\?t=[^"]+)"', kiosk).group(1)
    assert patient.get(link.replace("&amp;", "&"))["Location"] == "/kiosk/conditions/milia/"


def test_robots_searching_are_not_counted_and_get_direct_links(article):
    html = Client(HTTP_USER_AGENT="Googlebot/2.1").get("/search/", {"q": "milia"}).text
    assert not SearchDay.objects.exists()
    assert 'href="/conditions/milia/"' in html and "/feedback/open/" not in html


# -- retention ----------------------------------------------------------------------------------
def test_prune_deletes_feedback_after_90_days_and_counts_after_13_months(article):
    from feedback.models import PageFeedback, ProblemReport

    today = timezone.localdate()
    old, kept = today - datetime.timedelta(days=91), today - datetime.timedelta(days=90)
    for created in (old, kept):
        PageFeedback.objects.create(item=article, helpful=False, note="n", created=created)
        ProblemReport.objects.create(item=article, kind="other", created=created)
    thirteen_months = today.replace(year=today.year - 1)
    month = thirteen_months.month - 1 or 12
    year = thirteen_months.year - (1 if month == 12 else 0)
    limit = thirteen_months.replace(year=year, month=month, day=min(thirteen_months.day, 28))
    for day in (limit - datetime.timedelta(days=1), limit + datetime.timedelta(days=1)):
        SearchDay.objects.create(day=day, searches=9)
        SearchTerm.objects.create(day=day, digest=str(day), query="milk spots", searches=9)
        PageViewDay.objects.create(item=article, day=day, views=3)
    call_command("prune_feedback", verbosity=0)
    assert list(PageFeedback.objects.values_list("created", flat=True)) == [kept]
    assert list(ProblemReport.objects.values_list("created", flat=True)) == [kept]
    for model in (SearchDay, SearchTerm, PageViewDay):
        assert list(model.objects.values_list("day", flat=True)) == [
            limit + datetime.timedelta(days=1)
        ]


def test_months_before_handles_short_months():
    from feedback.models import months_before

    assert months_before(datetime.date(2025, 3, 31), 13) == datetime.date(2024, 2, 29)
    assert months_before(datetime.date(2025, 1, 15), 13) == datetime.date(2023, 12, 15)


def test_an_article_added_later_still_counts_fresh_views(patient, db):
    ConditionFactory(published=True, name="Syringoma", slug="syringoma")
    patient.get("/conditions/syringoma/")
    assert counting.flush_page_views() == 1


@pytest.mark.parametrize("kiosk", [False, True])
@pytest.mark.parametrize("token", ["", "t0k"])
def test_result_links_made_from_one_reversed_pattern_are_what_reverse_gives(kiosk, token):
    """result_url reverses each pattern once a page and puts each slug in its place."""
    from django.urls import reverse

    rows = [("milia", ""), ("acne", "treatment"), ("0slug0-x", "0part0"), ("a_b", "c-d_1")]
    memo = {}
    got = [counting.result_url(memo, slug, token, part, kiosk) for slug, part in rows]
    assert memo  # the patterns were kept for the page
    expected = []
    for slug, part in rows:
        if token:
            name = f"{'kiosk-feedback' if kiosk else 'feedback'}:search_open"
            url = reverse(name, args=[slug]) + f"?t={token}" + (f"&part={part}" if part else "")
        else:
            name, args = ("condition_part", [slug, part]) if part else ("condition_detail", [slug])
            url = reverse(
                f"conditions:{name}", args=args, current_app="kiosk" if kiosk else "conditions"
            )
        expected.append(url)
    assert got == expected


def test_the_counting_settings_kept_in_the_process_follow_a_changed_setting(settings):
    # Read on every page hit, kept between hits: a changed setting is seen at once.
    settings.PORTAL_COUNT_VIEWS = True
    settings.PORTAL_VIEW_PUSH_SECONDS = 10
    assert counting.counting_views() is True and counting._push_seconds() == 10
    settings.PORTAL_COUNT_VIEWS = False
    settings.PORTAL_VIEW_PUSH_SECONDS = 3
    assert counting.counting_views() is False and counting._push_seconds() == 3
