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
