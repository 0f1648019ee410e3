import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_application = get_wsgi_application()

from portal.fastpath import FastPathApplication  # noqa: E402 - needs the settings above

# Stored patient pages are answered before Django's handler (portal/fastpath.py).
application = FastPathApplication(django_application)
