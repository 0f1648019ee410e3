from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request, exception=None):
    """The friendly 404: says nothing about why (no path echo, no resolver details)."""
    from django.template.response import TemplateResponse

    response = TemplateResponse(request, "404.html", status=404)
    return response.render()


# Shown if even the 500 template cannot be loaded.
BARE_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, something went wrong</title></head><body><h1>Sorry, something went wrong</h1>"
    "<p>Please try again in a few minutes.</p></body></html>"
)


def server_error(request):
    """A page that cannot itself break: a tag-free template rendered with an empty context.

    No {% static %} (a missing manifest would raise), no database, cache, session or context
    processors, and nothing about the error itself.
    """
    from django.http import HttpResponseServerError
    from django.template.loader import get_template

    try:
        html = get_template("500.html").render({})
    except Exception:  # the last line of defence: never fail while reporting a failure
        html = BARE_500
    return HttpResponseServerError(html)


# Uploaded pictures, served by Django only when nothing in front does it (DEBUG, or one-server
# installs with DJANGO_SERVE_MEDIA=1). In production put MEDIA_ROOT on shared storage and
# let the web server or object store serve it with the same headers.
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@require_GET
def media(request, path):
    """An uploaded picture with safe headers: only picture types, never sniffed or scripted."""
    from pathlib import PurePosixPath

    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if not settings.SERVE_MEDIA or content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
