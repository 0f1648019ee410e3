"""URL patterns for a test that swaps ROOT_URLCONF (test_cached_urls.py)."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("somewhere-else/", lambda request: HttpResponse(), name="elsewhere")]
