"""Server logs never hold what a patient typed or chose: no query strings, no client address.

Unit tests for the filter and the settings, then the real thing: gunicorn with portal/gunicorn.conf.py
and production settings, serving the demo content, with its access and error log captured while
a patient searches and answers the questionnaire (including answers in the query string).
"""

from __future__ import annotations

import http.client
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from portal.logging import (
    StripIPAddresses,
    StripQueryStrings,
    strip_ip_addresses,
    strip_query_strings,
)
from tests.migrated import copy_migrated_sqlite
from tests.production_static import collected_static

ROOT = Path(__file__).resolve().parents[2]
SECRET = "logging-test-key-" + "g" * 50
MARKERS = ["zqxanswer", "zqxsearch", "zqxchange", "203.0.113.77"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /check/white-spots/q/who/?answer=baby&change=1 HTTP/1.1" 200 512',
            '"GET /check/white-spots/q/who/ HTTP/1.1" 200 512',
        ),
        ("GET /search/?q=white+spots", "GET /search/"),
        ("Not Found: /kiosk/search/?q=rash", "Not Found: /kiosk/search/"),
        ("/a/?x=1 and /b/?y=2", "/a/ and /b/"),
        ("'/check/x/?answer=yes'", "'/check/x/'"),
        ("no query here: /conditions/milia/", "no query here: /conditions/milia/"),
    ],
)
def test_query_strings_are_cut_from_log_lines(line, expected):
    assert strip_query_strings(line) == expected


def test_the_filter_rewrites_records_with_arguments_and_keeps_them():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /search/?q=zqxsearch HTTP/1.1", 200, 10),
        None,
    )
    assert StripQueryStrings().filter(record) is True
    assert record.getMessage() == '"GET /search/ HTTP/1.1" 200 10'


def test_every_configured_log_handler_strips_query_strings_and_addresses():
    handlers = settings.LOGGING["handlers"]
    assert handlers, "no handlers configured"
    for name, handler in handlers.items():
        assert "no_query_strings" in handler.get("filters", []), name
        assert "no_ip_addresses" in handler.get("filters", []), name


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # gunicorn 23, workers/base.py handle_error, for each kind of malformed request
        (
            "Invalid request from ip=203.0.113.7: Invalid HTTP request line: 'GARBAGE'",
            "Invalid request from ip=[ip]: Invalid HTTP request line: 'GARBAGE'",
        ),
        (
            "Invalid request from ip=2001:db8::7: Invalid HTTP Version: 'HTTP/9.9'",
            "Invalid request from ip=[ip]: Invalid HTTP Version: 'HTTP/9.9'",
        ),
        (
            "Invalid request from ip=::ffff:198.51.100.4: Invalid header name 'X\x00'",
            "Invalid request from ip=[ip]: Invalid header name 'X\x00'",
        ),
        (
            "Invalid request from ip=10.0.0.2: Invalid PROXY line: "
            "'PROXY TCP4 198.51.100.9 10.0.0.2 51234 8000'",
            "Invalid request from ip=[ip]: Invalid PROXY line: 'PROXY TCP4 [ip] [ip] 51234 8000'",
        ),
        (
            "Proxy request from ('203.0.113.7', 51234) not allowed",
            "Proxy request from ('[ip]', 51234) not allowed",
        ),
        # Django's django.security.DisallowedHost
        (
            "Invalid HTTP_HOST header: '198.51.100.23:8000'. You may need to add "
            "'198.51.100.23' to ALLOWED_HOSTS.",
            "Invalid HTTP_HOST header: '[ip]'. You may need to add '[ip]' to ALLOWED_HOSTS.",
        ),
        ("peer [fe80::1%eth0]:443 reset", "peer [ip] reset"),
        # left alone: times, versions, durations, numbers that are not addresses
        ("[2026-03-01 12:34:56 +0000] Booting worker with pid: 4242", None),
        ("gunicorn 23.0.0, Python 3.11.2, took 1.234 s; 999.1.1.1", None),
    ],
)
def test_client_addresses_are_cut_from_log_lines(line, expected):
    assert strip_ip_addresses(line) == (line if expected is None else expected)


def test_the_address_filter_rewrites_records_with_arguments():
    record = logging.LogRecord(
        "gunicorn.error",
        logging.WARNING,
        __file__,
        1,
        "Invalid request from ip=%s: %s",
        ("203.0.113.7", "Invalid HTTP request line: 'GARBAGE'"),
        None,
    )
    assert StripIPAddresses().filter(record) is True
    assert (
        record.getMessage() == "Invalid request from ip=[ip]: Invalid HTTP request line: 'GARBAGE'"
    )


def test_djangos_disallowed_host_warning_names_no_address(client, db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    stream = io.StringIO()
    root_handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, StripIPAddresses) for f in h.filters)
    ]
    assert root_handlers, "the console handler has no address filter"
    handler = root_handlers[0]
    old_stream = handler.setStream(stream)
    try:
        response = client.get("/", HTTP_HOST="198.51.100.23", REMOTE_ADDR="203.0.113.7")
    finally:
        handler.setStream(old_stream)
    assert response.status_code == 400
    text = stream.getvalue()
    assert "Invalid HTTP_HOST header" in text and "DisallowedHost" in text  # with traceback
    assert "198.51.100.23" not in text and "203.0.113.7" not in text


def test_djangos_request_log_lines_lose_their_query_string():
    """runserver's request line (django.server) and anything else through the root handler."""
    stream = io.StringIO()
    loggers = [logging.getLogger("django.server"), logging.getLogger()]
    handlers = [
        h
        for logger in loggers
        for h in logger.handlers
        if any(isinstance(f, StripQueryStrings) for f in h.filters)
    ]
    assert len(handlers) == 2, "the console and django.server handlers"
    old = [h.setStream(stream) for h in handlers]
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /check/white-spots/q/who/?answer=zqxanswer HTTP/1.1", 200, 10
        )
        logging.getLogger("django.request").warning("Bad request: %s", "/search/?q=zqxsearch")
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            handler.setStream(previous)
    text = stream.getvalue()
    assert "/check/white-spots/q/who/" in text and "/search/" in text
    assert "zqx" not in text


def test_the_gunicorn_access_log_format_has_no_query_string_address_referrer_or_agent():
    config = (ROOT / "portal" / "gunicorn.conf.py").read_text()
    fmt = re.search(r"access_log_format = (.+)", config).group(1)
    # %(U)s is the path alone. Forbidden: request line, query, addresses, referrer, agent,
    # and any request header (%({name}i)s) or environ value (%({name}e)s).
    for atom in ("%(r)s", "%(q)s", "%(h)s", "%(f)s", "%(a)s", "%(u)s", "i)s", "e)s"):
        assert atom not in fmt, atom
    assert "%(U)s" in fmt


def test_gunicorns_access_and_error_loggers_both_get_the_filter():
    namespace: dict = {}
    exec((ROOT / "portal" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    names = ("gunicorn.access", "gunicorn.error")
    kinds = (StripQueryStrings, StripIPAddresses)
    for name in names:
        for f in [f for f in logging.getLogger(name).filters if isinstance(f, kinds)]:
            logging.getLogger(name).removeFilter(f)
    namespace["post_fork"](None, None)
    namespace["post_fork"](None, None)  # idempotent
    for name in names:
        for kind in kinds:
            filters = [f for f in logging.getLogger(name).filters if isinstance(f, kind)]
            assert len(filters) == 1, (name, kind)


# == The real server ==


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(collected_static()),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
    )


def _request(port, method, path, body=None, cookies=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {
        "Host": "127.0.0.1",
        "X-Forwarded-For": "203.0.113.77",
        "Referer": "http://127.0.0.1/search/?q=zqxsearch",
        "User-Agent": "zqxagent/1.0",
    }
    if cookies:
        headers["Cookie"] = cookies
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        body = response.read().decode()
        set_cookie = response.headers.get_all("Set-Cookie") or []
        return response.status, "; ".join(c.split(";")[0] for c in set_cookie), body
    finally:
        conn.close()


@pytest.mark.slow
def test_gunicorn_logs_of_a_patient_visit_hold_no_query_string_address_or_agent(
    tmp_path, django_db_setup
):
    env = _production_env(tmp_path)
    # django_db_setup: this run's migrated database exists, and is copied rather than migrated.
    if not copy_migrated_sqlite(tmp_path / "db.sqlite3"):
        _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_demo_content", "-v0")
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "portal/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "portal.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if _request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)

            base = "/check/white-spots/"
            assert _request(port, "GET", "/search/?q=zqxsearch+spots")[0] == 200
            assert _request(port, "GET", "/kiosk/search/?q=zqxsearch")[0] == 200
            status, cookies, page = _request(port, "GET", f"{base}q/who/?start=zqxanswer")
            assert status == 200
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            form = urlencode({"answer": "adult", "csrfmiddlewaretoken": token})
            status, answers, _ = _request(port, "POST", f"{base}q/who/", form, cookies)
            assert status == 302, log_path.read_text()
            status, _, _ = _request(
                port, "GET", f"{base}q/unwell/?change=1&zqxchange=1", None, f"{cookies}; {answers}"
            )
            assert status == 200
            # Refused and missing pages are logged by Django too ("Not Found: /path").
            assert _request(port, "GET", f"{base}q/no-such-step/?answer=zqxanswer")[0] == 404
            assert _request(port, "POST", f"{base}q/who/?answer=zqxanswer", form)[0] == 403
            # A malformed request: gunicorn's error log names its peer, unless filtered.
            with socket.create_connection(("127.0.0.1", port), timeout=15) as raw:
                raw.sendall(b"GARBAGE zqxgarbage\r\n\r\n")
                assert raw.recv(1024).startswith(b"HTTP/1.1 400")
            # A Host header we do not serve: Django's DisallowedHost warning quotes it.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            conn.request("GET", "/", headers={"Host": "198.51.100.23"})
            assert conn.getresponse().status == 400
            conn.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log_path.read_text()
    # The log works (each request has a line with its path) ...
    assert "/search/" in text and f"{base}q/who/" in text and f"{base}q/unwell/" in text
    assert "Forbidden (CSRF" in text or " 403 " in text
    assert "Invalid request from ip=[ip]" in text and "Invalid HTTP_HOST header" in text
    # ... and holds nothing the patient typed or chose, nor their address or browser.
    for marker in [*MARKERS, "zqxagent", "?", "ip=127.0.0.1", "198.51.100.23"]:
        assert marker not in text, (marker, text)
