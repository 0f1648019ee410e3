"""/infobutton/ and /api/v1/ (included from portal/urls.py)."""

from django.urls import path

from exchange import views
from exchange.api import api

urlpatterns = [
    path("infobutton/", views.infobutton, name="infobutton"),
    path("api/v1/", api.urls),
]
