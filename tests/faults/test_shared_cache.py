"""A shared HTTP cache in front of two app servers: Varnish (deploy/varnish.py)
round-robin over two gunicorn servers on the fault stack's own PostgreSQL and Redis.

Proves: a patient page is served from Varnish; an approved edit, made with server A's
settings (its purge hook aimed at Varnish), is visible through Varnish at once, while an
unrelated article stays cached (the purge was exact), and straight from server B, which had
the page's cache entry in memory; a questionnaire step and an admin page
never come from Varnish; a response that sets a cookie is never stored.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import pytest

from deploy.stack import ROOT, free_port
from deploy.varnish import Varnish, VarnishError, varnishd
from tests.faults.conftest import ARTICLE, Editor, unique, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.xdist_group("faults"),
]

OTHER_ARTICLE = "/conditions/"  # replaced by a second article's address in the fixture


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        headers = {}
        for name, value in response.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return response.status, headers, body
    finally:
        conn.close()


class Shared:
    def __init__(self, stack, tmp):
        self.stack = stack
        self.varnish_port = free_port()
        self.env = stack.app_env(
            PORTAL_PURGE_URL=f"http://127.0.0.1:{self.varnish_port}/",
            PORTAL_VIEW_PUSH_SECONDS="3600",
            # Kept cache entries are never asked for again by age within a test: only Redis
            # telling a server that one changed makes it see an edit.
            DJANGO_REDIS_TRACKED_MAX_AGE="600",
        )
        self.app_ports = [free_port(), free_port()]
        self.servers: list[subprocess.Popen] = []
        self.logs = tmp
        self.varnish = Varnish(
            tmp / "varnish", self.varnish_port, self.app_ports, stack.config.admin_path
        )

    def start(self) -> None:
        for name, port in zip("AB", self.app_ports, strict=True):
            log = (self.logs / f"gunicorn-{name}.log").open("w")
            env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1",
                   "GUNICORN_THREADS": "4"}  # fmt: skip
            self.servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        "portal/gunicorn.conf.py",
                        "portal.wsgi",
                    ],  # fmt: skip
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for port in self.app_ports:
            up = wait_until(lambda p=port: self._healthy(p), 60, interval=0.2)
            assert up is not None, f"app server on {port} did not start"
        self.varnish.start()

    @staticmethod
    def _healthy(port: int) -> bool:
        try:
            return fetch(port, "/healthz", {"X-Forwarded-Proto": "https"})[0] == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.varnish.stop()
        for server in self.servers:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=5)

    def get(self, path: str, headers: dict | None = None):
        return fetch(self.varnish_port, path, headers)


@pytest.fixture(scope="module")
def shared(stack):
    if varnishd() is None:
        pytest.skip("the shared-cache test needs Varnish: apt-get install varnish")
    # varnishd drops its privileges: its directory must be readable by others (mkdtemp: 0700).
    run_dir = Path(tempfile.mkdtemp(prefix="portal-varnish-"))
    run_dir.chmod(0o755)
    the_shared = Shared(stack, run_dir)
    try:
        the_shared.start()
    except VarnishError as exc:
        the_shared.stop()
        pytest.fail(f"Varnish did not start: {exc}")
    yield the_shared
    the_shared.stop()
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server_a_editor(shared):
    """The editor with server A's settings: its purge hook points at Varnish."""
    editor = Editor(types.SimpleNamespace(app_env=lambda: shared.env))
    yield editor
    editor.close()


def cached_twice(shared, path: str) -> tuple[dict, dict, str]:
    """Fetch through Varnish until stored; the second answer of a stored page is a hit."""
    first = shared.get(path)
    assert first[0] == 200, (path, first[0])
    second = shared.get(path)
    return first[1], second[1], second[2]


def test_a_patient_page_is_served_from_varnish_with_its_tags(shared):
    _, headers, body = cached_twice(shared, ARTICLE)
    assert headers["x-varnish-cache"] == "hit"
    assert int(headers.get("age", "0")) >= 0 and len(headers["x-varnish"].split()) == 2
    assert (
        "public" in headers["cache-control"]
        and "stale-while-revalidate" in headers["cache-control"]
    )
    assert "Milia" in body
    # The app's own answer names the article's tags for the purge.
    status, direct, _ = fetch(shared.app_ports[0], ARTICLE, {"X-Forwarded-Proto": "https"})
    assert status == 200
    keys = direct["surrogate-key"].split()
    assert "site" in keys and any(re.fullmatch(r"c\d+", k) for k in keys)
    assert "set-cookie" not in direct


def test_an_approved_edit_is_visible_through_varnish_at_once_and_only_its_pages_go(
    shared, server_a_editor
):
    for path in (ARTICLE, "/conditions/?letter=M"):
        assert cached_twice(shared, path)[1]["x-varnish-cache"] == "hit", path

    marker = unique("varnish")
    server_a_editor.approve(marker)
    started = time.monotonic()
    status, headers, body = shared.get(ARTICLE)
    assert status == 200
    assert marker in body, "the edit is not visible through Varnish right after approval"
    assert headers["x-varnish-cache"] == "miss"
    # (The A–Z page shortens summaries, so the marker may not show: it must be fetched anew.)
    az = shared.get("/conditions/?letter=M")
    assert az[0] == 200 and az[1]["x-varnish-cache"] == "miss", "the A–Z page was not purged"
    assert time.monotonic() - started < 5
    assert shared.get(ARTICLE)[1]["x-varnish-cache"] == "hit"  # and cached again

    # The purge is exact: an edit to acne (linked from milia and sebaceous hyperplasia in the
    # demo content) leaves syringoma, which links to neither, in the cache.
    for path in ("/conditions/acne/", "/conditions/syringoma/"):
        assert cached_twice(shared, path)[1]["x-varnish-cache"] == "hit", path
    marker = unique("exact")
    server_a_editor.approve(marker, slug="acne")
    assert marker in shared.get("/conditions/acne/")[2]
    assert shared.get("/conditions/syringoma/")[1]["x-varnish-cache"] == "hit"
    status, headers, body = shared.get(ARTICLE)  # milia links to acne: purged too
    assert headers["x-varnish-cache"] == "miss"


def test_an_app_server_that_kept_a_page_shows_an_edit_made_elsewhere_at_once(
    shared, server_a_editor
):
    # Each server keeps the page-cache entries it has read (portal/cache.py, TrackedReads)
    # and Redis tells it, down the same connection, as soon as one changes.
    server_b = shared.app_ports[1]
    https = {"X-Forwarded-Proto": "https"}
    for _ in range(3):
        status, headers, _body = fetch(server_b, ARTICLE, https)
    assert status == 200 and headers["x-page-cache"] == "hit"
    marker = unique("kept")
    server_a_editor.approve(marker)
    status, headers, body = fetch(server_b, ARTICLE, https)
    assert status == 200
    assert marker in body, "server B served the page it kept from before the edit"


def test_a_questionnaire_step_never_comes_from_varnish(shared):
    status, _, start = shared.get("/check/white-spots/")
    assert status == 200
    step = re.search(r'href="(/check/white-spots/q/[\w-]+/)"', start).group(1)
    for _ in range(3):
        status, headers, body = shared.get(step)
        assert status == 200 and 'name="answer"' in body
        assert headers["x-varnish-cache"] == "miss"
    # The app itself says so too: a step is not for a shared cache, whatever is in front.
    direct = fetch(shared.app_ports[1], step, {"X-Forwarded-Proto": "https"})[1]
    assert "public" not in direct.get("cache-control", "")


def test_an_admin_page_never_comes_from_varnish(shared):
    login = f"/{shared.stack.config.admin_path}login/"
    for _ in range(3):
        status, headers, _ = shared.get(login)
        assert status == 200
        assert headers["x-varnish-cache"] == "miss"
        assert "private" in headers["cache-control"] or "no-store" in headers["cache-control"]


def test_a_response_that_sets_a_cookie_is_never_stored(shared):
    # The kiosk's start link sets the device's kiosk cookie; it is not under a passed prefix.
    status, _, kiosk = shared.get("/kiosk/")
    assert status == 200
    start = re.search(r'href="(/kiosk/start/[\w-]+/)"', kiosk)
    paths = [start.group(1)] if start else []
    paths.append(f"/{shared.stack.config.admin_path}login/")
    seen_cookie = False
    for path in paths:
        cookies = []
        for _ in range(3):
            status, headers, _ = shared.get(path)
            assert headers["x-varnish-cache"] == "miss", path
            if "set-cookie" in headers:
                cookies.append(headers["set-cookie"])
        seen_cookie = seen_cookie or bool(cookies)
    assert seen_cookie, "no response set a cookie: the test proves nothing"
    # A visitor who has a cookie is never given a stored page either (the builtin rule).
    cached_twice(shared, ARTICLE)
    assert shared.get(ARTICLE, {"Cookie": "sessionid=x"})[1]["x-varnish-cache"] == "miss"
