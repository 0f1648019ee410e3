"""nginx in front of gunicorn: slow clients, a killed or hung app server, and what the proxy
itself promises (https, static files and pictures, the client address, size and rate limits)."""

import http.client
import json
import os
import signal
import socket
import ssl
import threading
import time
import urllib.parse

import pytest

from tests.faults.conftest import (
    ARTICLE,
    BRAND,
    FAST,
    PATIENT_PAGES,
    Load,
    assert_edits_kept,
    recovery_time,
    unique,
    wait_until,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.xdist_group("faults"),
    pytest.mark.usefixtures("healthy"),
]


# -- slow clients -------------------------------------------------------------------------------
class SlowClients:
    """`count` connections that send a request header one byte every half second."""

    def __init__(self, stack, count: int):
        self.stack, self.count = stack, count
        self.sockets: list[ssl.SSLSocket] = []
        self.closed: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self):
        context = self.stack.ssl_context()
        for _ in range(self.count):
            raw = socket.create_connection(("127.0.0.1", self.stack.config.https_port), timeout=5)
            tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
            tls.sendall(b"GET /conditions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(tls)
        self.started = time.monotonic()
        self._thread.start()
        return self

    def _is_closed(self, sock) -> bool:
        sock.setblocking(False)
        try:
            return sock.recv(1024) is not None  # b"" (closed) or an answer (given up on us)
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except OSError:
            return True
        finally:
            sock.setblocking(True)

    def _trickle(self):
        while not self._stop.is_set() and len(self.closed) < len(self.sockets):
            for n, sock in enumerate(self.sockets):
                if n in self.closed:
                    continue
                if self._is_closed(sock):
                    self.closed[n] = time.monotonic() - self.started
                    continue
                try:
                    sock.sendall(b"X")
                except OSError:
                    self.closed[n] = time.monotonic() - self.started
            time.sleep(0.5)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def test_slow_clients_trickling_headers_do_not_hold_up_other_patients(stack, site):
    with SlowClients(stack, 40) as slow:
        # While forty connections trickle their headers, everyone else is served at once.
        for _ in range(4):
            for path in (ARTICLE, "/search/?q=milk+spots", "/healthz"):
                answer = site.get(path, timeout=5)
                assert answer.status == 200 and answer.seconds < FAST, (path, answer)
            time.sleep(0.5)
        # nginx gives up on them once client_header_timeout (5 s) has passed.
        assert wait_until(lambda: len(slow.closed) == slow.count, 8) is not None, slow.closed
        assert max(slow.closed.values()) < 9, slow.closed
    assert site.get(ARTICLE).status == 200


# -- the app server -----------------------------------------------------------------------------
def test_a_killed_gunicorn_worker_is_replaced_and_the_site_keeps_answering(stack, site, editor):
    before = unique()
    editor.approve(before)
    master, workers = stack.gunicorn_pid, stack.gunicorn_workers()
    assert len(workers) == stack.config.workers
    victim = workers[0]
    with Load(site, [ARTICLE, "/search/?q={unique}", "/healthz", "/conditions/"], 4) as load:
        time.sleep(1.0)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        def replaced():
            now = stack.gunicorn_workers()
            return len(now) == stack.config.workers and victim not in now

        respawned_in = wait_until(replaced, 15)
        time.sleep(1.5)
    assert respawned_in is not None, "the master did not start a new worker"
    assert stack.gunicorn_pid == master
    errors = [r for r in load.results if r[3].status != 200]
    # Only requests in progress on the killed worker can fail: at most one per thread, at the
    # moment of the kill. Each gets the branded page, or, when the worker died halfway through
    # sending its answer, a cut-off answer (which the browser shows as a failed load).
    assert len(errors) <= stack.config.threads, errors
    assert not [r for r in errors if r[0] > killed_at + 0.5], errors
    for _started, _ended, _path, answer in errors:
        cut_off = answer.status == 0 and "IncompleteRead" in answer.error
        assert cut_off or (answer.status == 502 and BRAND in answer.body), answer
    assert [r for r in load.results if r[0] > killed_at and r[3].status == 200]
    after = unique()
    editor.approve(after)
    assert_edits_kept(site, editor, before, after)


def test_a_hung_app_server_gives_the_branded_page_within_the_proxy_timeout(stack, site):
    pids = [stack.gunicorn_pid, *stack.gunicorn_workers()]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        limit = stack.config.proxy_read_timeout
        answer = site.get(f"/search/?q={unique('hung')}", timeout=limit + 5)
        assert answer.status == 504 and answer.seconds < limit + 1.5, answer
        assert BRAND in answer.body and "try again" in answer.body
        assert answer.headers.get("retry-after") == "30"
        # nginx serves the stylesheet (and the error page) without the app.
        style = site.get("/static/css/portal.css", timeout=FAST + 2)
        assert style.status == 200 and style.seconds < FAST, style
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert recovery_time(site) is not None


# -- what the proxy promises --------------------------------------------------------------------
def test_plain_http_redirects_to_https_keeping_the_path_and_query(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack.config.http_port, timeout=5)
    conn.request("GET", "/conditions/milia/?from=leaflet")
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == (
        f"https://127.0.0.1:{stack.config.https_port}/conditions/milia/?from=leaflet"
    )
    conn.close()


def test_every_patient_page_answers_through_the_proxy_over_verified_tls(site):
    for path in PATIENT_PAGES:
        answer = site.get(path)
        assert answer.status == 200, (path, answer)
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        assert "content-security-policy" in answer.headers


def test_static_files_come_from_nginx_and_hashed_names_are_cached_for_a_year(stack, site):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/portal.css"]
    answer = site.get(f"/static/{hashed}")
    assert answer.status == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-type"].startswith("text/css")
    assert site.get("/static/does-not-exist.css").status == 404


def test_uploaded_pictures_are_served_with_safe_headers_and_nothing_else_is(stack, site):
    from PIL import Image

    folder = stack.media_root / "conditions"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (3, 3), "white").save(folder / "fault-test.png")
    (folder / "fault-test.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (folder / "fault-test.html").write_text("<script>alert(1)</script>")
    picture = site.get("/media/conditions/fault-test.png")
    assert picture.status == 200
    assert picture.headers["content-type"] == "image/png"
    assert picture.headers["x-content-type-options"] == "nosniff"
    assert picture.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert picture.headers["content-disposition"] == "inline"
    for refused in ("fault-test.svg", "fault-test.html", "", "missing.png"):
        assert site.get(f"/media/conditions/{refused}").status == 404, refused
    assert site.get("/media/conditions/../../secrets/django-secret-key").status == 404


def _login_form(site):
    page = site.get("/admin/login/")
    cookie = page.headers["set-cookie"].split(";")[0]
    token = page.body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    return cookie, token


def test_the_lockout_keys_on_the_address_nginx_saw_not_one_the_client_claims(stack, site, editor):
    cookie, token = _login_form(site)
    origin = f"https://127.0.0.1:{stack.config.https_port}"
    form = urllib.parse.urlencode(
        {"username": unique("nobody"), "password": "wrong", "csrfmiddlewaretoken": token}
    )
    answer = site.request(
        "POST",
        "/admin/login/",
        headers={
            "Cookie": cookie,
            "Origin": origin,
            "Referer": f"{origin}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "203.0.113.7",
        },
        body=form,
    )
    assert answer.status == 200, answer  # the form again: wrong password, CSRF fine
    assert editor.call("login_failure_addresses") == ["127.0.0.1"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in stack.nginx_conf.read_text()


def test_the_admin_sign_in_form_is_rate_limited_while_patients_are_not(stack, site):
    statuses = [site.request("POST", "/admin/login/", body="x=1").status for _ in range(10)]
    assert statuses.count(429) >= 3, statuses
    busy = site.request("POST", "/admin/login/", body="x=1")
    assert busy.status == 429 and "Too many requests" in busy.body and BRAND in busy.body
    # Patient pages are limited per address too (here 127.0.0.1 is exempt, as for a monitor).
    assert all(site.get(ARTICLE).status == 200 for _ in range(30))
    conf = stack.nginx_conf.read_text()
    assert "limit_req zone=patient_pages" in conf and "limit_req zone=admin_login" in conf


def _post_declaring(stack, path: str, length: int) -> int:
    """POST that declares `length` bytes but sends none: nginx judges the header alone."""
    conn = http.client.HTTPSConnection(
        "127.0.0.1", stack.config.https_port, context=stack.ssl_context(), timeout=10
    )
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Length", str(length))
        conn.putheader("Content-Type", "application/octet-stream")
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_request_bodies_are_small_for_patients_and_picture_sized_for_the_admin(stack, site):
    assert _post_declaring(stack, "/search/", 2 * 1024 * 1024) == 413
    assert _post_declaring(stack, "/check/white-spots/q/who/", 2 * 1024 * 1024) == 413
    assert _post_declaring(stack, "/admin/conditions/condition/add/", 20 * 1024 * 1024) == 413
    # Three 5 MB pictures in one admin save reach Django (which wants a signed-in user).
    upload = site.request(
        "POST", "/admin/conditions/condition/add/", timeout=30, body=b"x" * (15 * 1024 * 1024)
    )
    assert upload.status in (302, 403), upload
