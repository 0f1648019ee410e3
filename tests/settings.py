"""Fast test settings: the real settings with a fixed key, a fast hasher and plain static files."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 60)
# Playwright's sync API runs an event loop in the test thread; Django's async-safety check
# would then refuse ORM calls in browser tests. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from portal.settings import *  # noqa: E402,F403
from portal.settings import STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURE_SSL_REDIRECT = False
# The suite creates databases and bulk-loads content, which is a command's work, not a patient
# request's: its own PostgreSQL connection runs without the web statement timeout and deadline.
# tests/portal/test_database_outages.py checks those on connections of their own.
from portal.settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "portal.postgresql":
    _options = DATABASES["default"]["OPTIONS"]
    _options.pop("wait_timeout", None)
    _options["options"] = " ".join(
        part
        for part in _options.get("options", "").split(" -c ")
        if part and not part.removeprefix("-c ").startswith("statement_timeout=")
    )
    if not _options["options"]:
        del _options["options"]

# Page-view counters are flushed by the tests themselves, never by a background thread.
PORTAL_VIEW_FLUSH_MINUTES = 0
