"""System checks for production (`manage.py check --deploy`). Registered by portal.apps."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.staticfiles, deploy=True)
def static_manifest_present(app_configs, **kwargs) -> list:
    """With hashed static files, a missing manifest makes every {% static %} raise: every page
    would be a 500. Catch it before serving traffic."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.read_manifest() is None:
        return [
            Error(
                f"The static files manifest ({storage.manifest_name}) is missing from "
                f"STATIC_ROOT ({settings.STATIC_ROOT}).",
                hint="Run `python manage.py collectstatic --noinput` before starting the app.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def admin_two_factor(app_configs, **kwargs) -> list:
    """OTP verification needs django_otp's middleware after the authentication middleware."""
    middleware = list(settings.MIDDLEWARE)
    otp = "django_otp.middleware.OTPMiddleware"
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    if (
        otp not in middleware
        or auth not in middleware
        or middleware.index(otp) < middleware.index(auth)
    ):
        return [
            Warning(
                "django_otp.middleware.OTPMiddleware must come after AuthenticationMiddleware: "
                "without it no staff member with an authenticator can use the admin.",
                id="portal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def proxy_count_behind_a_proxy(app_configs, **kwargs) -> list:
    """Behind a proxy REMOTE_ADDR is the proxy: lockouts need the client's address from the
    proxy's X-Forwarded-For entry, or one attacker locks every staff member out."""
    if getattr(settings, "BEHIND_PROXY", False) and getattr(settings, "PROXY_COUNT", 0) <= 0:
        return [
            Warning(
                "DJANGO_BEHIND_PROXY is on but DJANGO_PROXY_COUNT is 0: every admin login "
                "seems to come from the proxy's address, so anyone can lock staff out.",
                hint="Set DJANGO_PROXY_COUNT to the number of proxies in front of the app "
                "(1 for one nginx), or DJANGO_BEHIND_PROXY=0 if clients connect directly.",
                id="portal.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def admin_two_factor_required(app_configs, **kwargs) -> list:
    if not getattr(settings, "ADMIN_REQUIRE_OTP", False):
        return [
            Warning(
                "Two-factor sign-in is optional for the admin (DJANGO_ADMIN_REQUIRE_OTP is off): "
                "a stolen password is enough to change what patients read.",
                hint="Have every staff member set up an authenticator, then set "
                "DJANGO_ADMIN_REQUIRE_OTP=1.",
                id="portal.W003",
            )
        ]
    return []


LOOPBACK_NAMES = {"localhost"}


def _public_binds(binds) -> list[str]:
    import ipaddress

    public = []
    for bind in [binds] if isinstance(binds, str) else list(binds or []):
        if bind.startswith(("unix:", "fd://")):
            continue
        host = bind.rsplit(":", 1)[0] if ":" in bind else bind
        host = host.strip("[]")
        if host in LOOPBACK_NAMES:
            continue
        try:
            if ipaddress.ip_address(host).is_loopback:
                continue
        except ValueError:
            pass  # a host name other than localhost: may well be public
        public.append(bind)
    return public


@register(Tags.security, deploy=True)
def gunicorn_bound_to_loopback(app_configs, **kwargs) -> list:
    """gunicorn behind a proxy should listen on loopback (or a socket): reachable directly, a
    client could bypass the proxy and claim any X-Forwarded-For or X-Forwarded-Proto."""
    import runpy

    conf = settings.BASE_DIR / "portal" / "gunicorn.conf.py"
    try:
        bind = runpy.run_path(str(conf)).get("bind", "127.0.0.1:8000")
    except Exception as exc:  # noqa: BLE001 - report, do not crash the checks
        return [Warning(f"Could not read {conf}: {exc}", id="portal.W004")]
    public = _public_binds(bind)
    if public:
        return [
            Warning(
                f"gunicorn listens on {', '.join(public)} (GUNICORN_BIND), not only on loopback: "
                "clients could reach it without the proxy and forge X-Forwarded-For.",
                hint="Set GUNICORN_BIND=127.0.0.1:8000 (or a unix: socket) with the proxy on "
                "the same host. If the proxy is on another host, allow only it through the "
                "firewall and silence portal.W004.",
                id="portal.W004",
            )
        ]
    return []


@register(Tags.database)
def sqlite_has_trigram_search(app_configs, databases=None, **kwargs) -> list:
    """On SQLite, search needs FTS5's trigram tokenizer (SQLite 3.34+): the search migrations
    make their indexes only there, and there is no search without them."""
    import sqlite3

    from django.db import connections

    for alias in databases or ():
        if connections[alias].vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 34):
            return [
                Error(
                    f"SQLite {sqlite3.sqlite_version} is too old: site search needs SQLite 3.34 "
                    "or newer (FTS5 with the trigram tokenizer).",
                    hint="Use a Python built with a newer SQLite, or PostgreSQL (DATABASE_URL).",
                    id="portal.E010",
                )
            ]
    return []
