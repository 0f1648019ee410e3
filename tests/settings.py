"""Fast test settings: the real settings with a fixed key, a fast hasher and plain static files."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 60)
# Playwright's sync API runs an event loop in the test thread; Django's async-safety check
# would then refuse ORM calls in browser tests. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The suite creates databases and bulk-loads content, which is a command's work, not a patient
# request's: it runs without the web statement timeout (0 turns it and the client deadline off).
# tests/portal/test_database_outages.py checks the web settings in processes of their own.
os.environ["DJANGO_DB_STATEMENT_TIMEOUT_MS"] = "0"
# The tests run with the languages development offers (portal/settings.py: production offers
# English only until the clinic sets PORTAL_LANGUAGES).
os.environ.setdefault("PORTAL_LANGUAGES", "pl,ur")

from portal.settings import *  # noqa: E402,F403
from portal.settings import STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "portal.cache.TrackedLocMemCache"}}
SECURE_SSL_REDIRECT = False
# Every /healthz request checks again (tests/portal/test_healthz.py tests the reuse window).
PORTAL_HEALTH_REUSE_SECONDS = 0
# Page-view counters are flushed by the tests themselves, never by a background thread.
PORTAL_VIEW_FLUSH_MINUTES = 0
