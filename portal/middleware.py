"""Response headers Django's SecurityMiddleware does not set itself."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def security_headers(get_response):
    """Permissions-Policy (no camera, microphone, location, payment, USB ...) and
    Cross-Origin-Resource-Policy (our files are not for embedding by other sites)."""
    permissions_policy = settings.PERMISSIONS_POLICY
    resource_policy = settings.CROSS_ORIGIN_RESOURCE_POLICY

    def middleware(request):
        response = get_response(request)
        if permissions_policy:
            response.headers.setdefault("Permissions-Policy", permissions_policy)
        if resource_policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", resource_policy)
        return response

    return middleware


class PathLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, for a site where the path alone names the language.

    With ``i18n_patterns(prefix_default_language=False)`` an unprefixed address is English and a
    prefixed one is its language, whatever the cookie or Accept-Language say; so, unlike Django's
    own, this sends no ``Vary: Accept-Language`` (a shared cache keeps one copy per address). The
    two entry points that do read the cookie and Accept-Language (the home page and the kiosk start
    screen, conditions/languages.py) set their own Vary and keep out of shared caches.
    """

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
