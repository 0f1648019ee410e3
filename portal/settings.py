"""Settings for the patient-education portal: one module, driven by the environment.

Every setting has a safe development default. With DJANGO_DEBUG off (the default outside
`make run`) the portal refuses to start without a real DJANGO_SECRET_KEY.
"""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# A key only for local development; refused whenever DEBUG is off.
DEV_SECRET_KEY = "dev-only-not-secret-patient-portal-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit(
            "DJANGO_SECRET_KEY is not set: set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50 or SECRET_KEY == DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure")
):
    raise SystemExit(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "localhost,127.0.0.1"
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# The questionnaire's one-page build posts every question, answer and outcome at
# once: the 28-question demo questionnaire is about 1,000 fields (Django's default limit).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

INSTALLED_APPS = [
    # The Django admin with an optional TOTP step at login (portal/admin.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "conditions",
    # Only for `manage.py make_synthetic_content` (bench/management/commands): no models, no URLs.
    "bench.apps.BenchConfig",
]

MIDDLEWARE = [
    # First: cached anonymous patient pages and /healthz without the rest (portal/fastpath.py).
    "portal.fastpath.FastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every GET page that may be stored (not no-store), and the 304 for a repeat visit
    # (If-None-Match, or If-Modified-Since against the page cache's Last-Modified). Above
    # everything that changes the page.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Activates the language in the path (portal/middleware.py: no Vary on path-chosen pages).
    "portal.middleware.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # /kiosk/: kiosk namespace and profile, no-store, no downloads, no links out.
    "conditions.kiosk_middleware.KioskMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out admin login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "conditions.context_processors.portal",
                "conditions.kiosk_middleware.kiosk_context",
                "conditions.languages.context",
                "conditions.context_processors.content_language",
            ],
            # {% url %} with each address kept per process (portal/templatetags/cached_urls.py).
            "builtins": ["portal.templatetags.cached_urls"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Timeouts, so that a database that is down or hung gives a fast 503 page (portal/views.py),
# never a hung worker. Connecting gives up after DJANGO_DB_CONNECT_TIMEOUT seconds. On
# PostgreSQL each statement may run DJANGO_DB_STATEMENT_TIMEOUT_MS (server side), and the
# client stops waiting a second after that even if the server never answers (portal/postgresql).
# That holds for web requests, the admin's included (its statements are small; the limit is per
# statement, not per request). Management commands (migrate, imports, synthetic content) run
# without a statement timeout: a migration may rewrite a large table.
DB_CONNECT_TIMEOUT = int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "3"))
RUNNING_COMMAND = Path(sys.argv[0]).name in {"manage.py", "django-admin"} and sys.argv[1:2] != [
    "runserver"
]
DB_STATEMENT_TIMEOUT_MS = (
    0 if RUNNING_COMMAND else int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "5000"))
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    # Django's per-request connection check (CONN_HEALTH_CHECKS): a short wait.
    _pg_options.setdefault("ping_timeout", 1.0)
    # ...and none for a connection the server answered less than a second ago
    # (portal/postgresql/base.py).
    _pg_options.setdefault("ping_after", 1.0)
    if DB_STATEMENT_TIMEOUT_MS > 0:
        _pg_options["options"] = (
            _pg_options.get("options", "") + f" -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
        ).strip()
        _pg_options.setdefault("wait_timeout", DB_STATEMENT_TIMEOUT_MS / 1000 + 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept between requests too (DJANGO_CONN_MAX_AGE): a new SQLite connection reads the
    # schema, runs the PRAGMAs and starts with an empty page cache, which cost each search
    # 1.5-4.5 ms of worker time at 50,000 articles (gunicorn, 2 workers, on make bench's database).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)

CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    # Redis that degrades (portal/cache.py): unreachable or hung, every cache call is a miss
    # or a skipped write within the socket timeouts, and the site serves uncached.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "portal"),
            "OPTIONS": {
                "socket_connect_timeout": float(
                    os.environ.get("DJANGO_REDIS_CONNECT_TIMEOUT", "0.5")
                ),
                "socket_timeout": float(os.environ.get("DJANGO_REDIS_TIMEOUT", "0.5")),
                # After a failure, leave Redis alone this long (misses at once, no waiting).
                "RETRY_SECONDS": float(os.environ.get("DJANGO_REDIS_RETRY_SECONDS", "5")),
                # The page cache's look-up keeps what it read in each process until Redis
                # says it changed (portal/cache.py TrackedReads), and asks Redis again at
                # least this often anyway, to notice a Redis that has stopped answering.
                "TRACKED_MAX_AGE": float(os.environ.get("DJANGO_REDIS_TRACKED_MAX_AGE", "0.1")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.TrackedLocMemCache",
            "LOCATION": "portal",
        }
    }
# With a shared cache, the page cache checks its content generation against the database at
# most this often (and after every Redis outage): a change saved while Redis was unreachable
# shows within this many seconds of Redis coming back. 0 (local memory): never.
PAGE_CACHE_VERIFY_SECONDS = (
    int(os.environ.get("DJANGO_CACHE_VERIFY_SECONDS", "10"))
    if CACHES["default"]["BACKEND"] == "portal.cache.ResilientRedisCache"
    else 0
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sessions live in the database (shared by every app server). Not cached_db: a logout
# or password change while Redis is unreachable could not delete the cached copy, and the
# session would come back with Redis. Patients have no sessions, so this costs staff one query.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Languages. English is the default and has unprefixed URLs; every other language the
# clinic offers (PORTAL_LANGUAGES, comma-separated codes from KNOWN_LANGUAGES) has its patient pages
# under /<code>/ (portal/urls.py). Each is named in its own language (the switcher shows these).
# The Polish and Urdu interface translations are demonstrations awaiting review by a native-speaking
# clinician, so production offers English only until the clinic lists them; development (DEBUG)
# and the tests offer both.
LANGUAGE_CODE = "en-gb"
KNOWN_LANGUAGES = {
    "en-gb": "English",
    "pl": "Polski",
    "ur": "اردو",
}
_offered = env_list("PORTAL_LANGUAGES", "pl,ur" if DEBUG else "")
_unknown = [code for code in _offered if code.lower() not in KNOWN_LANGUAGES]
if _unknown:
    raise SystemExit(
        f"PORTAL_LANGUAGES names {', '.join(_unknown)}, which the portal has no interface "
        f"translation for; choose from {', '.join(sorted(KNOWN_LANGUAGES))}."
    )
LANGUAGES = [(LANGUAGE_CODE, KNOWN_LANGUAGES[LANGUAGE_CODE])] + [
    (code, KNOWN_LANGUAGES[code])
    for code in dict.fromkeys(c.lower() for c in _offered)
    if code != LANGUAGE_CODE
]
# Right-to-left languages (Django's LANGUAGES_BIDI lists ur and ar; the templates use
# get_current_language_bidi).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a patient chose (the switcher sets it; only the entry points / and /kiosk/ read it).
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploads from Django (portal.views.media): on in DEBUG; in production only for a single
# server with local disk (DJANGO_SERVE_MEDIA=1); otherwise shared storage serves them.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "portal.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# htmx: no eval, no inline indicator styles, no history snapshots in sessionStorage.
HTMX_CONFIG = {
    "includeIndicatorStyles": False,
    "allowEval": False,
    "allowScriptTags": False,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "selfRequestsOnly": True,
}

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. Everything not
# listed is refused (default-src 'none': no frames, media, workers or manifests).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Set by portal.middleware.security_headers on every response.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), hid=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# == Production security ==
# HTTPS: on by default whenever DEBUG is off. Turn the redirect off (DJANGO_SECURE_SSL_REDIRECT=0)
# only when the proxy in front already redirects http to https. /healthz stays on http so a
# load balancer can probe it.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Trust X-Forwarded-Proto ONLY behind a TLS-terminating proxy that always sets (overwrites) it;
# exposed directly to the internet, a client could claim https. DJANGO_BEHIND_PROXY=0 to drop it.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", True)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload lists are hard to leave: opt in only once every subdomain serves https.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Left off on purpose (anyone may submit a domain that sends `preload`), so its
# `check --deploy` warning is silenced while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if not SECURE_SSL_REDIRECT and not DEBUG:
    # Turned off on purpose (DJANGO_SECURE_SSL_REDIRECT=0): the proxy in front redirects.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Cookies: https-only in production, never readable by JavaScript, not sent cross-site.
# The CSRF token reaches htmx through the page (hx-headers on <body>), not the cookie.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions are for staff (patients' answers never go in them): short and gone with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# The admin's address: a less guessable path cuts noise from scanners (not a defence by itself).
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
# Two-factor: staff who set up a TOTP device must enter its code at login; with
# DJANGO_ADMIN_REQUIRE_OTP=1 staff without a device cannot use the admin at all.
ADMIN_REQUIRE_OTP = env_bool("DJANGO_ADMIN_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Patient information admin")

# Brute-force lockout for the admin login (django-axes). It records failed STAFF logins (username,
# IP, time) for security; patients never log in, so nothing of theirs is recorded.
AUTHENTICATION_BACKENDS = [
    "portal.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Hours until a lock lifts by itself (0: only staff can unlock, in the admin or with
# `manage.py axes_reset_username NAME`).
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1")) or None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.auth.lockout_response"
# The client address: REMOTE_ADDR, or with DJANGO_PROXY_COUNT=N trusted proxies in front, the
# N-th address from the right of X-Forwarded-For (the one our own proxy saw; entries further
# left are whatever the client claimed and are never used). Behind a proxy, set it (usually 1):
# with 0 every login shares the proxy's address, and anyone could lock staff out (check --deploy
# warns, portal.W002).
AXES_CLIENT_IP_CALLABLE = "portal.auth.client_ip"
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))

# Logs never carry query strings (questionnaire answers, search words) or client addresses:
# see portal/logging.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_query_strings": {"()": "portal.logging.StripQueryStrings"},
        "no_ip_addresses": {"()": "portal.logging.StripIPAddresses"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_query_strings", "no_ip_addresses"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["no_query_strings", "no_ip_addresses"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Review cycle: how far ahead "due for review" looks.
REVIEW_DUE_SOON_DAYS = 30
READING_GRADE_TARGET = 8
# Where patients report a mistake in an article (shown on /about/editorial/); optional.
EDITORIAL_CONTACT_EMAIL = os.environ.get("PORTAL_EDITORIAL_EMAIL", "").strip()

# The editorial workflow. Approval needs a second clinician (four eyes); a single-clinician
# practice may turn that off with PORTAL_SECOND_REVIEWER=0 (pages then say so).
PORTAL_SECOND_REVIEWER = os.environ.get("PORTAL_SECOND_REVIEWER", "1").strip() != "0"
# The clinic's public address, for links in editorial emails.
PORTAL_PUBLIC_URL = os.environ.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:8000").strip()

# Email (workflow notices): printed to the console unless an SMTP host is set.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_TLS", "1").strip() != "0"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "portal@localhost")
SIMPLE_HISTORY_REVERT_DISABLED = True  # reverting makes a new draft (ReviewableAdmin)

# == Patient feedback, problem reports and counts (the feedback app) ==
# Kept in one block at the end on purpose (easy to merge). What is stored and for how long:
# feedback/models.py and the privacy page.
INSTALLED_APPS += ["feedback"]
# Counts reads of articles, comparisons and questionnaires (one cache increment, after the view).
MIDDLEWARE.insert(
    MIDDLEWARE.index("conditions.kiosk_middleware.KioskMiddleware") + 1,
    "feedback.middleware.PageViewMiddleware",
)
PORTAL_COUNT_VIEWS = env_bool("PORTAL_COUNT_VIEWS", True)
# Each app server adds up views in memory and pushes them to the shared cache this often (s).
PORTAL_VIEW_PUSH_SECONDS = float(os.environ.get("PORTAL_VIEW_PUSH_SECONDS", "10"))
# With the local-memory cache only: flush view counters in-process at most this often (minutes);
# with Redis the scheduler runs `manage.py flush_page_views` (README, "Scheduled jobs").
PORTAL_VIEW_FLUSH_MINUTES = float(os.environ.get("PORTAL_VIEW_FLUSH_MINUTES", "5"))
# k: a search's words are written down, and shown to editors, only from the k-th search that day.
PORTAL_SEARCH_MIN_COUNT = int(os.environ.get("PORTAL_SEARCH_MIN_COUNT", "5"))
# Feedback posts per client address: "count/seconds" (kept in the cache only).
PORTAL_FEEDBACK_RATE = os.environ.get("PORTAL_FEEDBACK_RATE", "10/600")

# == Printed leaflets (conditions/leaflets.py) ==
# The clinic's name, printed at the top and foot of every leaflet ("Patient information" if unset).
PORTAL_CLINIC_NAME = os.environ.get("PORTAL_CLINIC_NAME", "").strip()
# How long a typeset leaflet stays in the cache (seconds); a changed page gets a new key at once.
LEAFLET_CACHE_SECONDS = int(os.environ.get("PORTAL_LEAFLET_CACHE_SECONDS", str(7 * 24 * 3600)))
# == Infobutton, content API and FHIR for other systems (the exchange app) ==
# Kept in one block at the end on purpose (easy to merge). See exchange/ and the README.
INSTALLED_APPS += ["corsheaders", "ninja", "exchange"]
# CORS (django-cors-headers): browser-based EHR and FHIR apps on these origins may GET the
# infobutton, the content API and the FHIR Questionnaires; nothing else, no other method,
# no cookies. Comma-separated, e.g. "https://ehr.example-trust.nhs.uk,https://fhir-app.example".
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
CORS_ALLOWED_ORIGINS = env_list("PORTAL_CORS_ORIGINS", "")
CORS_URLS_REGEX = r"^/(infobutton/|api/v1/|check/[^/]+/fhir/$)"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Content-Language")
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 3600
# Who publishes the content, as FHIR resources and the API name it.
# Days an approved translation stays shown without a notice after its English source changed;
# after that, patients see "checked against an earlier English version" and a link to it.
PORTAL_TRANSLATION_GRACE_DAYS = int(os.environ.get("PORTAL_TRANSLATION_GRACE_DAYS", "30"))
PORTAL_PUBLISHER = os.environ.get("PORTAL_PUBLISHER", "Clinic patient information").strip()

# A shared HTTP cache in front (Varnish, a CDN). Anonymous patient pages say
# "Cache-Control: public, max-age=<this>, stale-while-revalidate=<STALE>" (0: "no-cache", as
# before) and carry Surrogate-Key tags; a content change purges its pages at PORTAL_PURGE_URL
# (comma-separated endpoints; empty: no purges) with PORTAL_PURGE_METHOD and the tags in
# PORTAL_PURGE_HEADER. See conditions/purge.py and deploy/varnish.vcl.
PORTAL_SHARED_CACHE_SECONDS = int(os.environ.get("PORTAL_SHARED_CACHE_SECONDS", "60"))
PORTAL_SHARED_CACHE_STALE_SECONDS = int(os.environ.get("PORTAL_SHARED_CACHE_STALE_SECONDS", "300"))
PORTAL_PURGE_URL = os.environ.get("PORTAL_PURGE_URL", "")
PORTAL_PURGE_METHOD = os.environ.get("PORTAL_PURGE_METHOD", "PURGE")
PORTAL_PURGE_HEADER = os.environ.get("PORTAL_PURGE_HEADER", "Surrogate-Key")
PORTAL_PURGE_WAIT_SECONDS = float(os.environ.get("PORTAL_PURGE_WAIT_SECONDS", "1"))

# /healthz gives a report made less than this many seconds ago again rather than checking the
# database and Redis once more (0: check on every request). See portal/views.py.
PORTAL_HEALTH_REUSE_SECONDS = float(os.environ.get("PORTAL_HEALTH_REUSE_SECONDS", "0.1"))
