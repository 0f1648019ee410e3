"""The foundation: health check, settings that refuse to start unsafely, migrations, base page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_200_with_a_tiny_json_body_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert len(response.content) < 100


def test_healthz_answers_503_when_the_database_is_unreachable(client, db, monkeypatch):
    import portal.views

    def down():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(portal.views, "_check_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.slow
def test_healthz_answers_503_against_a_database_server_that_is_not_there(tmp_path):
    """A real unreachable server: a separate process pointed at a closed port."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
    }
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "503", result.stderr


def _start_django(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key_and_says_what_to_set():
    result = _start_django({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    message = result.stderr.strip()
    assert "DJANGO_SECRET_KEY" in message
    assert len(message.splitlines()) == 1, message


@pytest.mark.slow
def test_production_refuses_a_short_or_development_secret_key():
    result = _start_django({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_starts_with_a_real_secret_key():
    result = _start_django({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 20 + "Zq9" * 15})
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_debug_defaults_to_off_outside_make_run():
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": "k" * 60,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_htmx_is_vendored_not_loaded_from_a_cdn():
    vendored = list((ROOT / "static" / "vendor").glob("htmx-2.*.min.js"))
    assert vendored, "htmx 2.x must be vendored under static/vendor"
    base = (ROOT / "templates" / "base.html").read_text()
    assert vendored[0].name in base
    assert "https://" not in base.replace("https://schema.org", "")


def test_base_page_has_skip_link_header_main_and_footer(client, db):
    html = client.get("/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert "<header" in html and '<main id="main"' in html and "<footer" in html


def _manage(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_makemigrations_check_runs_without_a_secret_key_but_serving_commands_do_not():
    checked = _manage("makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout
    refused = _manage("check")
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY" in refused.stderr
