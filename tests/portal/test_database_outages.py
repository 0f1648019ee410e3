"""A database that is down, hung or too slow gives a fast branded 503, never a 500 or a hang."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client

from tests.factories import ConditionFactory
from tests.netfaults import FreezableProxy

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _published_raises(error):
    return mock.patch("conditions.views.articles.Condition.objects.published", side_effect=error)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("could not connect to server: Connection refused"),
        OperationalError("canceling statement due to statement timeout"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_patient_page_whose_database_is_away_gets_the_503_page(error):
    client = Client(raise_request_exception=False)
    with _published_raises(error):
        response = client.get("/conditions/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<h1>Sorry, this service is busy</h1>" in html
    assert "try again shortly" in html
    assert "999" in html and "111" in html  # help comes first, even now
    assert "statement timeout" not in html and "Traceback" not in html


def test_a_programming_error_is_still_a_500():
    client = Client(raise_request_exception=False)
    with _published_raises(ProgrammingError("relation does not exist")):
        response = client.get("/conditions/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_kiosk_shows_its_calm_page_with_503_when_the_database_is_away():
    client = Client(raise_request_exception=False)
    with mock.patch("conditions.views.kiosk.Condition") as condition:
        condition.objects.published.side_effect = OperationalError("gone")
        response = client.get("/kiosk/")
    assert response.status_code == 503
    assert "data-kiosk-unavailable" in response.content.decode()


def test_the_503_template_has_no_tags_that_could_themselves_fail():
    source = (ROOT / "templates" / "503.html").read_text()
    tags = re.findall(r"\{%\s*(\w+)", source)
    assert set(tags) <= {"load", "translate", "trans"}, tags
    assert "{{" not in source and "<script" not in source


def _settings_in_a_process(argv0: str, args: list[str]) -> dict:
    """DATABASES["default"] as a process started like `argv0 args` sees it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        }
    )
    code = (
        f"import sys; sys.argv = {[argv0, *args]!r};"
        "import django; django.setup(); from django.conf import settings; import json;"
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_web_processes_get_connect_and_statement_timeouts_and_commands_no_statement_timeout():
    web = _settings_in_a_process("gunicorn", ["portal.wsgi"])
    assert web["ENGINE"] == "portal.postgresql"
    assert web["OPTIONS"]["connect_timeout"] == 3
    assert web["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert web["OPTIONS"]["wait_timeout"] == 6
    assert _settings_in_a_process("manage.py", ["runserver"])["OPTIONS"]["wait_timeout"] == 6
    command = _settings_in_a_process("manage.py", ["migrate"])
    assert command["OPTIONS"]["connect_timeout"] == 3
    assert "statement_timeout" not in command["OPTIONS"].get("options", "")
    assert "wait_timeout" not in command["OPTIONS"]


def _wrapper(options: dict, port=None):
    """A connection of its own to the test database, with these OPTIONS."""
    from django.db import connections

    settings_dict = {**connections["default"].settings_dict, "CONN_MAX_AGE": 0}
    if port is not None:
        settings_dict.update(HOST="127.0.0.1", PORT=port)
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], **options}
    return connections["default"].__class__(settings_dict, alias="outage-test")


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_web_connections_carry_the_statement_timeout():
    web = _settings_in_a_process("gunicorn", ["portal.wsgi"])["OPTIONS"]
    wrapper = _wrapper({"options": web["options"], "wait_timeout": web["wait_timeout"]})
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "5s"
            with pytest.raises(OperationalError, match="statement timeout"):
                cursor.execute("SET statement_timeout = 100; SELECT pg_sleep(2)")
    finally:
        wrapper.close()


def _wrapper_through(port: int, wait_timeout: float = 1.0):
    return _wrapper({"wait_timeout": wait_timeout}, port=port)


@pytest.mark.postgres
def test_a_query_to_a_hung_postgresql_gives_up_after_the_wait_timeout():
    with FreezableProxy("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)) as proxy:
        wrapper = _wrapper_through(proxy.port, wait_timeout=1.0)
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
            proxy.freeze()
            started = time.monotonic()
            with (
                pytest.raises(OperationalError, match="did not answer within 1 s"),
                wrapper.cursor() as cursor,
            ):
                cursor.execute("SELECT 1")
            assert time.monotonic() - started < 2
            assert not wrapper.is_usable()  # closed: never reused
        finally:
            wrapper.close()
    _wait_for_other_sessions_to_end(connection.settings_dict["NAME"])


@pytest.mark.postgres
def test_a_connection_the_server_just_answered_is_not_pinged_but_an_idle_one_is():
    wrapper = _wrapper({"wait_timeout": 5.0, "ping_timeout": 1.0, "ping_after": 1.0})
    wrapper.settings_dict["CONN_HEALTH_CHECKS"] = True
    pings = []
    is_usable = wrapper.is_usable
    wrapper.is_usable = lambda: pings.append(1) or is_usable()
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        wrapper.health_check_done = False  # a new request
        wrapper.close_if_health_check_failed()
        assert pings == [] and wrapper.connection is not None
        # Idle for longer than ping_after: checked, and a live connection is kept.
        wrapper.connection.answered_at -= 2
        wrapper.health_check_done = False
        wrapper.close_if_health_check_failed()
        assert pings == [1] and wrapper.connection is not None
        # ...and one the server has dropped is closed, so the request connects afresh.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        wrapper.connection.answered_at -= 2
        wrapper.health_check_done = False
        wrapper.close_if_health_check_failed()
        assert pings == [1, 1] and wrapper.connection is None
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        wrapper.close()


def _wait_for_other_sessions_to_end(name: str, seconds: float = 10) -> None:
    """The app's sessions end once the proxy closes; the test database can then be dropped."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_server_with_a_hung_postgresql_serves_cached_pages_and_503s_the_rest(tmp_path):
    """A separate process (the app) talks to PostgreSQL through a proxy that then freezes."""
    ConditionFactory(published=True, name="Acne", slug="acne")  # uncommitted: invisible there
    s = connection.settings_dict
    with FreezableProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",  # production, timeouts and all
                "DJANGO_SECRET_KEY": "outage-test-key-" + "k" * 50,
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DATABASE_URL": f"postgres://{s['USER']}@127.0.0.1:{proxy.port}/{s['NAME']}",
            }
        )
        code = """
import json, sys, time
import portal.settings  # the static manifest is not what this test is about
portal.settings.STORAGES["staticfiles"]["BACKEND"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
def timed(path):
    started = time.monotonic()
    r = client.get(path)
    return [r.status_code, round(time.monotonic() - started, 2), r.get("Retry-After"),
            r.get("X-Page-Cache")]
print(json.dumps(timed("/conditions/")), flush=True)
sys.stdin.readline()  # the test freezes the database now
print(json.dumps({p: timed(p) for p in ["/conditions/", "/healthz", "/conditions/?letter=B"]}))
"""
        app = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            first = json.loads(app.stdout.readline() or "null")
            assert first and first[0] == 200, first if first else app.stderr.read()
            proxy.freeze()
            out, err = app.communicate("go\n", timeout=60)
        finally:
            if app.poll() is None:
                app.kill()
    _wait_for_other_sessions_to_end(s["NAME"])
    results = json.loads(out.strip().splitlines()[-1])
    status, seconds, _, cache_status = results["/conditions/"]
    assert (status, cache_status) == (200, "hit") and seconds < 0.5  # no database needed
    status, seconds, _, _ = results["/healthz"]
    assert status == 503 and seconds < 2
    status, seconds, retry_after, _ = results["/conditions/?letter=B"]
    assert status == 503 and retry_after == "30"
    # At worst the statement's deadline (5 s + 1 s: the test client skips Django's per-request
    # connection check, which under gunicorn gives up sooner), never a worker's 30 s timeout.
    assert seconds < 7.5, err
