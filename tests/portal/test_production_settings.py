"""Production configuration: deploy checks pass, HTTPS and cookies are strict, errors say nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from portal import urls as portal_urls

ROOT = Path(__file__).resolve().parents[2]
SECRET = "production-test-key-" + "k" * 50


def run_django(args: list[str], env: dict, static_root: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "example.org",
            "DJANGO_STATIC_ROOT": str(static_root),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def collected_static() -> Path:
    """Production collectstatic's STATIC_ROOT (shared, see tests/production_static.py)."""
    from tests.production_static import collected_static

    return collected_static()


def production_settings(static_root: Path, **env) -> dict:
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "ADMIN_PATH",
        "ADMIN_REQUIRE_OTP",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = run_django(["-c", code], env, static_root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# A complete production setup behind one proxy: the settings check --deploy asks for.
BEHIND_ONE_PROXY = {
    "DJANGO_PROXY_COUNT": "1",
    "DJANGO_ADMIN_REQUIRE_OTP": "1",
    "GUNICORN_BIND": "127.0.0.1:8000",
}


@pytest.mark.slow
def test_check_deploy_passes_at_warning_level_with_production_settings(collected_static):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        BEHIND_ONE_PROXY,
        collected_static,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_still_passes_when_the_proxy_does_the_https_redirect(collected_static):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**BEHIND_ONE_PROXY, "DJANGO_SECURE_SSL_REDIRECT": "0"},
        collected_static,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_check_deploy_warns_about_an_unset_proxy_count_optional_two_factor_and_a_public_bind(
    collected_static,
):
    result = run_django(
        ["manage.py", "check", "--deploy"], {"GUNICORN_BIND": "0.0.0.0:8000"}, collected_static
    )
    for warning in ("portal.W002", "portal.W003", "portal.W004"):
        assert warning in result.stderr, result.stderr


@pytest.mark.slow
def test_the_deploy_check_fails_when_the_static_manifest_is_missing(tmp_path):
    result = run_django(["manage.py", "check", "--deploy"], {}, tmp_path)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "collectstatic" in result.stderr


@pytest.mark.slow
def test_production_defaults_are_https_only_with_strict_cookies(tmp_path):
    s = production_settings(tmp_path)
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax" and s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_COOKIE_AGE"] == 8 * 3600
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert s["ADMIN_PATH"] == "admin/"
    assert s["ADMIN_REQUIRE_OTP"] is False


@pytest.mark.slow
def test_environment_switches_for_redirect_preload_admin_path_and_two_factor(tmp_path):
    s = production_settings(
        tmp_path,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_ADMIN_PATH="/clinic-staff",
        DJANGO_ADMIN_REQUIRE_OTP="1",
        DJANGO_SESSION_HOURS="2",
    )
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_PRELOAD"] is True
    assert s["ADMIN_PATH"] == "clinic-staff/"
    assert s["ADMIN_REQUIRE_OTP"] is True
    assert s["SESSION_COOKIE_AGE"] == 2 * 3600


@pytest.mark.slow
def test_development_settings_do_not_demand_https(tmp_path):
    s = production_settings(tmp_path, DJANGO_DEBUG="1")
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is False


@pytest.mark.slow
def test_the_admin_lives_at_the_configured_path(tmp_path):
    code = (
        "import django; django.setup(); from django.urls import reverse;"
        "print(reverse('admin:index'))"
    )
    result = run_django(["-c", code], {"DJANGO_ADMIN_PATH": "clinic-staff/"}, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "/clinic-staff/", result.stderr


@override_settings(SECURE_SSL_REDIRECT=True)
def test_http_is_redirected_to_https_except_the_health_check(client, db):
    response = client.get("/about/privacy/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/about/privacy/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/about/privacy/", secure=True).status_code == 200
    # Behind the proxy: X-Forwarded-Proto says the outside request was https.
    forwarded = client.get("/about/privacy/", HTTP_X_FORWARDED_PROTO="https")
    assert forwarded.status_code == 200


# == Errors in production reveal nothing ==

SECRET_DETAIL = "boom-detail-7f3a SELECT password FROM auth_user"


def explode(request):
    raise RuntimeError(SECRET_DETAIL)


def fine(request):
    return HttpResponse("ok")


urlpatterns = [path("test-only/explode/", explode), *portal_urls.urlpatterns]
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

LEAKS = [
    "Traceback",
    "RuntimeError",
    "boom-detail",
    "SELECT",
    "auth_user",
    "SECRET_KEY",
    "DATABASES",
    "INSTALLED_APPS",
    "settings.py",
    "site-packages",
    "Using the URLconf",
    "explode",
]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_a_friendly_page_and_nothing_about_the_error(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-only/explode/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
    for leak in LEAKS:
        assert leak not in response.text, leak


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_missing_page_shows_a_friendly_page_and_does_not_echo_the_address(client, db):
    response = client.get("/conditions/no-such-thing-<script>x</script>/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "no-such-thing" not in response.text
    for leak in LEAKS:
        assert leak not in response.text, leak


def test_the_500_template_has_no_tags_that_could_themselves_fail():
    """Only translation tags (catalogues loaded at start-up): no static, url, variables,
    includes or inheritance, any of which could fail in the middle of reporting a failure."""
    import re

    source = (ROOT / "templates" / "500.html").read_text()
    tags = re.findall(r"\{%\s*(\w+)", source)
    assert set(tags) <= {"load", "translate", "trans"}, tags
    assert re.findall(r"\{%\s*load\s+([\w ]+?)\s*%\}", source) in ([], ["i18n"])
    assert "{{" not in source
    assert "<script" not in source


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "OPTIONS": {"location": "/nonexistent-static-root"},
        },
    },
    CACHES={"default": {"BACKEND": "tests.portal.test_production_settings.BrokenCache"}},
    DATABASES={},
)
def test_the_500_page_renders_with_no_manifest_no_database_and_no_cache(rf):
    from portal.views import server_error

    request = rf.get("/anything/")
    response = server_error(request)
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content


class BrokenCache:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("the cache is down")
