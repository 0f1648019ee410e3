"""Response headers Django's SecurityMiddleware does not set itself."""

from django.conf import settings


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
