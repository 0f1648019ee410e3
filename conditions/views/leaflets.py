"""Printed leaflets: "Print a leaflet" for an article or a treatment comparison.

Patients get a PDF of the live copy only (published(), as every patient view); `?size=large`
gives the large-print version. Staff with the view permission get a preview of the working copy
from the admin, marked DRAFT on every page, never cached. See conditions/leaflets.py.

The kiosk never opens the PDF: Chromium's PDF viewer is not a kiosk page, so the idle reset
would not run there and one patient's leaflet could stay on screen for the next. On the kiosk
"Print a leaflet" is a kiosk screen (kiosk/leaflet.html, with the idle reset, Back and Print)
that shows the same leaflet HTML in a same-origin frame (the print view), and Print prints that
frame. The kiosk's old .pdf addresses lead to that screen.
"""

from __future__ import annotations

from csp.decorators import csp_replace, csp_update
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from conditions import kiosk_middleware, leaflets
from conditions.models import Condition, TreatmentComparison
from conditions.views.articles import article_content, article_queryset

CACHE_STATUS_HEADER = "X-Leaflet-Cache"


def _size(request) -> str:
    return leaflets.size_from(request.GET.get("size"))


def _bad_size() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Unknown leaflet size. Leave it out for the standard leaflet, or use ?size=large."),
        content_type="text/plain; charset=utf-8",
    )


def _may_preview(user, perm: str) -> bool:
    return user.is_active and user.is_staff and user.has_perm(perm)


def _condition_html(
    request, conditions, slug: str, size: str, draft: bool, *, screen: bool = False
) -> str:
    try:
        condition = article_queryset(conditions).get(slug=slug)
    except Condition.DoesNotExist:
        raise Http404("No condition with that address") from None
    url = leaflets.public_url(condition.get_absolute_url())
    context = leaflets.condition_context(condition, article_content(condition), url, size, draft)
    return leaflets.render_html("conditions/leaflet_condition.html", _on_screen(context, screen))


def _comparison_html(
    request, comparisons, slug: str, size: str, draft: bool, *, screen: bool = False
) -> str:
    comparison = get_object_or_404(
        comparisons.select_related("condition", "reviewer"), condition__slug=slug
    )
    rows = list(comparison.rows.select_related("treatment").order_by("order", "pk"))
    url = leaflets.public_url(comparison.get_absolute_url())
    context = leaflets.comparison_context(comparison, rows, url, size, draft)
    return leaflets.render_html("conditions/leaflet_comparison.html", _on_screen(context, screen))


def _on_screen(context: dict, screen: bool) -> dict:
    """A browser shows (and prints) the leaflet HTML with the leaflet stylesheet linked;
    WeasyPrint is given the stylesheet itself, so the PDF's HTML links nothing."""
    return {**context, "stylesheet_url": static(leaflets.STYLESHEET)} if screen else context


def _pdf_response(request, html: str, filename: str, *, draft: bool) -> HttpResponse:
    """The PDF with its ETag; a matching If-None-Match is a 304 before any typesetting."""
    digest = leaflets.digest_of(html)
    etag = leaflets.etag(digest)
    if not draft:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["ETag"] = etag
            not_modified["Cache-Control"] = "public, no-cache"
            return not_modified
    try:
        leaflet = leaflets.leaflet_pdf(html, use_cache=not draft, digest=digest)
    except leaflets.LeafletsUnavailable:
        unavailable = HttpResponse(
            _("Printed leaflets are not available at the moment. The page itself is online."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        unavailable["Retry-After"] = "3600"
        return unavailable
    response = HttpResponse(leaflet.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    if draft:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["ETag"] = etag
        # Shared caches may keep it but must ask again: an approval changes it at once.
        response["Cache-Control"] = "public, no-cache"
        response[CACHE_STATUS_HEADER] = "hit" if leaflet.cached else "miss"
    return response


def _filename(slug: str, kind: str, size: str, draft: bool) -> str:
    parts = [slug, kind]
    if size == "large":
        parts.append("large-print")
    if draft:
        parts.append("DRAFT")
    return "-".join(parts) + ".pdf"


def _to_kiosk_screen(request, name: str, slug: str) -> HttpResponse:
    """The kiosk's old PDF address: the kiosk's leaflet screen instead (the same size)."""
    url = reverse(name, args=[slug])
    if request.GET.get("size"):
        url += "?" + request.GET.urlencode()
    return HttpResponseRedirect(url)


def _leaflet_html(request, slug: str, size: str, *, comparison: bool, draft: bool, screen=False):
    """The leaflet of the live article or comparison, or (`draft`) of its working copy."""
    if comparison:
        if draft:
            comparisons = TreatmentComparison.objects.working_copies()
        else:
            comparisons = TreatmentComparison.objects.published().filter(
                condition__in=Condition.objects.published()
            )
        return _comparison_html(request, comparisons, slug, size, draft, screen=screen)
    conditions = Condition.objects.working_copies() if draft else Condition.objects.published()
    return _condition_html(request, conditions, slug, size, draft, screen=screen)


def _leaflet_pdf(request, slug: str, *, comparison: bool, draft: bool) -> HttpResponse:
    try:
        size = _size(request)
    except leaflets.UnknownSize:
        return _bad_size()
    html = _leaflet_html(request, slug, size, comparison=comparison, draft=draft)
    kind = "treatments-leaflet" if comparison else "leaflet"
    return _pdf_response(request, html, _filename(slug, kind, size, draft), draft=draft)


@require_safe
def condition_leaflet(request, slug):
    if kiosk_middleware.is_kiosk_request(request):
        return _to_kiosk_screen(request, "kiosk_condition_leaflet", slug)
    return _leaflet_pdf(request, slug, comparison=False, draft=False)


@require_safe
def comparison_leaflet(request, slug):
    if kiosk_middleware.is_kiosk_request(request):
        return _to_kiosk_screen(request, "kiosk_comparison_leaflet", slug)
    return _leaflet_pdf(request, slug, comparison=True, draft=False)


@require_safe
def condition_leaflet_preview(request, slug):
    """The working copy's leaflet, for reviewers (the same 404 as a missing page for others)."""
    if not _may_preview(request.user, "conditions.view_condition"):
        raise Http404
    return _leaflet_pdf(request, slug, comparison=False, draft=True)


@require_safe
def comparison_leaflet_preview(request, slug):
    if not _may_preview(request.user, "conditions.view_treatmentcomparison"):
        raise Http404
    return _leaflet_pdf(request, slug, comparison=True, draft=True)


# -- the kiosk's leaflet screen and the print view it frames -----------------------------------
def _kiosk_printer(request) -> None:
    """The kiosk's leaflet pages exist only under /kiosk/, on a kiosk with a printer."""
    if (
        not kiosk_middleware.is_kiosk_request(request)
        or not request.kiosk_profile.printer_available
    ):
        raise Http404("Leaflets are printed only on a kiosk with a printer.")


def _kiosk_screen(request, slug: str, *, comparison: bool) -> HttpResponse:
    _kiosk_printer(request)
    try:
        size = _size(request)
    except leaflets.UnknownSize:
        return _bad_size()
    condition = get_object_or_404(Condition.objects.published().only("name", "slug"), slug=slug)
    context = {"condition": condition, "large": size == "large", "is_leaflet_screen": True}
    if comparison:
        live = TreatmentComparison.objects.published().filter(condition=condition)
        context["comparison"] = get_object_or_404(live.select_related("condition"))
        context["title"] = _("Treatment options for %(name)s") % {"name": condition.name}
        name = "kiosk_comparison_leaflet"
    else:
        context["title"] = condition.name
        name = "kiosk_condition_leaflet"
    query = "?size=large" if size == "large" else ""
    context["print_view_url"] = reverse(f"{name}_print", args=[slug]) + query
    context["standard_url"] = reverse(name, args=[slug])
    context["large_url"] = reverse(name, args=[slug]) + "?size=large"
    return TemplateResponse(request, "kiosk/leaflet.html", context)


def _kiosk_print_view(request, slug: str, *, comparison: bool) -> HttpResponse:
    _kiosk_printer(request)
    name = "kiosk_comparison_leaflet" if comparison else "kiosk_condition_leaflet"
    if request.headers.get("Sec-Fetch-Dest") == "document":
        # Opened as a page of its own it would have no idle reset: the screen that frames it.
        return _to_kiosk_screen(request, name, slug)
    try:
        size = _size(request)
    except leaflets.UnknownSize:
        return _bad_size()
    html = _leaflet_html(request, slug, size, comparison=comparison, draft=False, screen=True)
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# The screen frames its own site's print view (frame-src 'self'); the print view may be framed
# by this site only (frame-ancestors 'self', X-Frame-Options SAMEORIGIN) instead of by no one.
@require_safe
@csp_update({"frame-src": ["'self'"]})
def kiosk_condition_leaflet(request, slug):
    return _kiosk_screen(request, slug, comparison=False)


@require_safe
@csp_update({"frame-src": ["'self'"]})
def kiosk_comparison_leaflet(request, slug):
    return _kiosk_screen(request, slug, comparison=True)


@require_safe
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def kiosk_condition_leaflet_print(request, slug):
    return _kiosk_print_view(request, slug, comparison=False)


@require_safe
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def kiosk_comparison_leaflet_print(request, slug):
    return _kiosk_print_view(request, slug, comparison=True)
