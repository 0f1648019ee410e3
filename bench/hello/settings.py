"""The anchor of `make bench`: a bare Django hello-world, served by the same
gunicorn command as the portal in the same run, so a page's throughput can be given as a
share of what Django itself manages on this machine. No apps, no middleware, no database."""

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-hello-world-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.hello.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
