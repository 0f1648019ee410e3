from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from conditions.views import kiosk as kiosk_views
from conditions.views import languages as language_views
from conditions.views import leaflets as leaflet_views
from portal import views

ADMIN_PATH = getattr(settings, "ADMIN_PATH", "admin/")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    *[path(name, views.site_icon, {"name": name}) for name in views.ROOT_ICONS],
    path(ADMIN_PATH, admin.site.urls),
    # Uploaded pictures with safe headers; 404 unless settings.SERVE_MEDIA (see portal/views.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
    # The language switcher's links: remember the choice (a cookie), go to the same page in it.
    path("language/", language_views.choose_language, name="choose_language"),
    path("kiosk/language/", language_views.choose_language, name="kiosk_choose_language"),
    # HL7 Infobutton for EHRs and the read-only content API (exchange app): unprefixed.
    path("", include("exchange.urls")),
]

# Patient pages in every offered language: English unprefixed (/conditions/milia/), the others
# under their code (/pl/conditions/milia/, /pl/kiosk/). See conditions/languages.py.
urlpatterns += i18n_patterns(
    # Kiosk pages are the same views under /kiosk/, as a second instance of the app's URLs;
    # a template's {% url 'conditions:...' %} stays inside whichever instance it is in.
    # The kiosk's own screens come first: /kiosk/ itself is the start screen, which is also
    # where {% url 'conditions:home' %} leads inside the kiosk.
    path("kiosk/", kiosk_views.start, name="kiosk_home"),
    path("kiosk/az/<str:letter>/", kiosk_views.letter, name="kiosk_letter"),
    path("kiosk/start/<slug:slug>/", kiosk_views.choose_profile, name="kiosk_start"),
    path("kiosk/reset/", kiosk_views.reset, name="kiosk_reset"),
    path("kiosk/start-again/", kiosk_views.start_again, name="kiosk_start_again"),
    # "Print a leaflet" on a kiosk with a printer: a kiosk screen (idle reset, Back, Print) that
    # frames the leaflet's print view, never the PDF viewer (conditions/views/leaflets.py).
    path(
        "kiosk/conditions/<slug:slug>/leaflet/",
        leaflet_views.kiosk_condition_leaflet,
        name="kiosk_condition_leaflet",
    ),
    path(
        "kiosk/conditions/<slug:slug>/leaflet/print/",
        leaflet_views.kiosk_condition_leaflet_print,
        name="kiosk_condition_leaflet_print",
    ),
    path(
        "kiosk/conditions/<slug:slug>/treatments/leaflet/",
        leaflet_views.kiosk_comparison_leaflet,
        name="kiosk_comparison_leaflet",
    ),
    path(
        "kiosk/conditions/<slug:slug>/treatments/leaflet/print/",
        leaflet_views.kiosk_comparison_leaflet_print,
        name="kiosk_comparison_leaflet_print",
    ),
    path("kiosk/", include("conditions.urls", namespace="kiosk")),
    # Patient feedback, problem reports and the counted search-result redirect (feedback app);
    # mounted under /kiosk/ too, so kiosk pages' forms and links stay in the kiosk.
    path("feedback/", include("feedback.urls")),
    path("kiosk/feedback/", include("feedback.urls", namespace="kiosk-feedback")),
    path("", include("conditions.urls")),
    prefix_default_language=False,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
