"""Mounted twice (portal/urls.py): /feedback/ and, for the waiting-room screen, /kiosk/feedback/
(namespace "kiosk-feedback"), so a kiosk page's forms and links stay inside the kiosk."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("<slug:kind>/<slug:slug>/helpful/", views.helpful, name="helpful"),
    path("<slug:kind>/<slug:slug>/note/", views.note, name="note"),
    path("<slug:kind>/<slug:slug>/report/", views.report, name="report"),
    path("<slug:kind>/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("open/<slug:slug>/", views.search_open, name="search_open"),
]
