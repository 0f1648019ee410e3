"""Redis and PostgreSQL stopped, hung and restarted under the running site.

What the clinic is promised: without Redis the site serves uncached; a database that is down
or hung gives a fast branded 503 and /healthz says so within 2 s; no worker stays stuck; the
site is whole again within seconds of the fault ending; and no approved edit is lost.
"""

import os
import signal
import threading
import time

import pytest

from tests.faults.conftest import (
    ARTICLE,
    BRAND,
    FAST,
    PATIENT_PAGES,
    RECOVERY,
    Load,
    assert_edits_kept,
    recovery_time,
    unique,
    wait_until,
)

# While the database hangs, the longest an answer that needs no database row may take (the page
# cache checks its generation against the database now and then; that check gives up after the
# database connect timeout).
HUNG_LIMIT = 5.0

pytestmark = [
    pytest.mark.faults,
    pytest.mark.xdist_group("faults"),
    pytest.mark.usefixtures("healthy"),
]


def assert_pages_answer(site, paths=PATIENT_PAGES, within=FAST):
    for path in paths:
        answer = site.get(path, timeout=within + 3)
        assert answer.status == 200, (path, answer)
        assert answer.seconds < within, (path, answer)


def assert_branded_503(answer):
    assert answer.status == 503, answer
    assert BRAND in answer.body and "Traceback" not in answer.body, answer
    assert answer.headers.get("content-type", "").startswith("text/html"), answer.headers


def assert_cached(site, path, in_a_row: int = 6):
    """Ask until the page cache serves `path` `in_a_row` times running (a change or an outage
    may cost a miss or two), so that every worker, not just one, is seen serving it."""

    def hits() -> bool:
        return all(site.get(path).headers.get("x-page-cache") == "hit" for _ in range(in_a_row))

    assert wait_until(hits, 10, 0.2) is not None, f"{path} never came from the page cache"


def healthz(site):
    answer = site.get("/healthz", timeout=FAST + 3)
    return answer, answer.json()


# -- Redis --------------------------------------------------------------------------------------
def test_with_redis_stopped_pages_answer_and_healthz_reports_the_cache_down(stack, site, editor):
    before = unique()
    editor.approve(before)
    stack.stop_redis()
    try:
        assert_pages_answer(site)
        answer, report = healthz(site)
        assert answer.status == 200 and answer.seconds < FAST, answer
        assert report.get("database") == "ok" and report.get("cache") == "down", report
    finally:
        stack.start_redis()
    assert recovery_time(site) is not None
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)
    assert healthz(site)[1].get("cache") == "ok"


def test_with_redis_stopped_a_clinician_can_still_approve_and_patients_see_it(stack, site, editor):
    stack.stop_redis()
    try:
        during = unique()
        editor.approve(during)
        assert during in site.get(ARTICLE, timeout=FAST + 3).body
    finally:
        stack.start_redis()
    assert recovery_time(site) is not None
    assert_edits_kept(site, editor, during)


def test_with_redis_hung_pages_answer_within_two_seconds(stack, site, editor):
    before = unique()
    editor.approve(before)
    assert site.get(ARTICLE).status == 200  # cached in Redis now
    pid = stack.redis_pid
    os.kill(pid, signal.SIGSTOP)
    try:
        assert_pages_answer(site)
        answer, report = healthz(site)
        assert answer.status == 200 and answer.seconds < FAST, answer
        assert report.get("cache") == "down", report
    finally:
        os.kill(pid, signal.SIGCONT)
    assert recovery_time(site) is not None
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)


# -- PostgreSQL ---------------------------------------------------------------------------------
def test_with_postgresql_stopped_pages_give_a_branded_503_and_cached_pages_still_answer(
    stack, site, editor
):
    before = unique()
    editor.approve(before)
    assert_cached(site, ARTICLE)
    stack.stop_postgres()
    try:
        answer, report = healthz(site)
        assert answer.status == 503 and answer.seconds < FAST, answer
        assert report.get("database") == "down", report
        # A page already in the cache needs no database.
        cached = site.get(ARTICLE, timeout=FAST + 3)
        assert cached.status == 200 and cached.seconds < FAST, cached
        assert before in cached.body
        # A page that needs the database: the branded 503, fast.
        fresh = site.get(f"/search/?q={unique('down')}", timeout=FAST + 3)
        assert fresh.seconds < FAST, fresh
        assert_branded_503(fresh)
    finally:
        stack.start_postgres()
    assert recovery_time(site) is not None
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)


def test_with_postgresql_hung_healthz_answers_fast_no_worker_stays_stuck_and_it_recovers(
    stack, site, editor
):
    before = unique()
    editor.approve(before)
    assert_cached(site, ARTICLE)
    pids = stack.postgres_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    stuck: list = []
    try:
        # Eight patients ask for pages that need the database ...
        askers = [
            threading.Thread(
                target=lambda: stuck.append(site.get(f"/search/?q={unique('hung')}", timeout=20)),
                daemon=True,
            )
            for _ in range(8)
        ]
        for thread in askers:
            thread.start()
        time.sleep(0.5)
        # ... meanwhile the health check answers at once, and a cached page is served (it may
        # wait for the page cache's occasional check of the database to time out, no longer).
        answer, report = healthz(site)
        assert answer.status == 503 and answer.seconds < FAST, answer
        assert report.get("database") == "down", report
        cached = site.get(ARTICLE, timeout=HUNG_LIMIT + 3)
        assert cached.status == 200 and cached.seconds < HUNG_LIMIT, cached
        # The eight get the app's branded 503 (its database timeouts), not nginx's 504 after
        # proxy_read_timeout, and not a hang: no thread stays stuck ...
        for thread in askers:
            thread.join(timeout=stack.config.proxy_read_timeout + 5)
        assert len(stuck) == 8, f"{8 - len(stuck)} requests still hanging"
        for each in stuck:
            assert_branded_503(each)
        # ... so, the database still hung, the health check still answers at once.
        answer, _ = healthz(site)
        assert answer.status == 503 and answer.seconds < FAST, answer
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    seconds = recovery_time(site)
    assert seconds is not None, f"not recovered {RECOVERY} s after the database woke up"
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)


def test_postgresql_restarted_under_load_errors_are_few_and_branded_and_it_recovers(
    stack, site, editor
):
    before = unique()
    editor.approve(before)
    paths = [ARTICLE, "/search/?q={unique}", "/conditions/", "/check/white-spots/"]
    with Load(site, paths, concurrency=6) as load:
        time.sleep(1.5)
        restart_started = time.monotonic()
        stack.restart_postgres()
        restart_done = time.monotonic()
        time.sleep(4)
    results = load.results
    assert len(results) > 50, f"only {len(results)} requests"
    errors = [r for r in results if r[3].status != 200]
    # Before the restart, nothing failed; after it (plus the time to reconnect), nothing did.
    settled = restart_done + 2.0
    assert not [r for r in errors if r[1] < restart_started], errors[:5]
    assert not [r for r in errors if r[0] > settled], [r for r in errors if r[0] > settled][:5]
    # The few that failed got the branded 503, never a 500, a hang or a dropped connection.
    for _started, _ended, _path, answer in errors:
        assert_branded_503(answer)
    assert len(errors) <= len(results) // 4, f"{len(errors)} of {len(results)} failed"
    assert any(r[0] > settled and r[3].status == 200 for r in results)
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)
