"""Counts reads of patient pages (articles, comparisons, questionnaires) after the response.

It works for cached pages too (the page cache sits inside the view), and costs one cache
increment per counted page: see feedback/counting.py for what is and is not counted.
"""

from __future__ import annotations

from django.conf import settings

from feedback import counting
from feedback.pages import KIND_OF_URL_NAME

COUNTED_NAMESPACES = {"conditions", "kiosk"}
PREFETCH_HEADERS = ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz")
PREFETCH_META = tuple("HTTP_" + h.upper().replace("-", "_") for h in PREFETCH_HEADERS)


class PageViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "GET" and response.status_code in (200, 304):
            match = getattr(request, "resolver_match", None)
            if match is not None and match.namespace in COUNTED_NAMESPACES:
                kind = KIND_OF_URL_NAME.get(match.url_name)
                if kind is not None and counting.counting_views() and self._a_reader(request):
                    counting.count_view(kind.name, match.kwargs.get("slug", ""))
        return response

    @staticmethod
    def _a_reader(request) -> bool:
        meta = request.META  # not request.headers: that copies every header, on every page hit
        if meta.get("HTTP_HX_REQUEST") and not meta.get("HTTP_HX_BOOSTED"):
            return False  # a fragment of a page already counted (e.g. comparison filters)
        for header in PREFETCH_META:  # a loop, not any(...): no generator on every hit
            value = meta.get(header)
            if value and "prefetch" in value.lower():
                return False
        # Staff reading their own pages; the cookies are parsed only where the header could
        # hold the session's (a patient's request has no cookie at all).
        cookie = meta.get("HTTP_COOKIE")
        if cookie:
            session = settings.SESSION_COOKIE_NAME
            if session in cookie and session in request.COOKIES:
                return False
        return not counting.is_bot(meta.get("HTTP_USER_AGENT", ""))
