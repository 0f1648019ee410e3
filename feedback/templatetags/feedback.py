import re
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from conditions.kiosk_middleware import is_kiosk_request
from feedback.views import widget_context

register = template.Library()


@register.inclusion_tag("feedback/widget.html", takes_context=True)
def page_feedback(context, kind: str, slug: str):
    """ "Was this page helpful?" and "Report a problem" for a patient page. The same for every
    visitor (cached pages carry it): no token, no per-person state."""
    return widget_context(kind, slug, is_kiosk_request(context["request"]))


@register.simple_tag(takes_context=True)
def search_result_url(context, slug: str, token: str, part: str = "") -> str:
    """A search result's link: through the counted redirect when the search has a token; to
    the article's part `part` (a section's anchor) when the words were found there."""
    kiosk = is_kiosk_request(context["request"])
    if not token:
        name = "conditions:condition_part" if part else "conditions:condition_detail"
        return _url_of(context, name, "kiosk" if kiosk else "conditions", slug, part)
    name = f"{'kiosk-feedback' if kiosk else 'feedback'}:search_open"
    url = _url_of(context, name, None, slug)
    return f"{url}?t={token}" + (f"&{urlencode({'part': part})}" if part else "")


# Stand-ins reversed once per page: a result list reverses the same two or three patterns
# for thirty slugs (0.9 of 12 ms for a search page). A <slug> converter takes only ASCII
# letters, digits, "-" and "_", which a URL carries as they are, so putting a slug in place of
# its stand-in gives what reverse() would.
_SLUG, _PART = "0slug0", "0part0"
_SLUG_CHARS = re.compile(r"[-a-zA-Z0-9_]+\Z")
_STAND_INS = re.compile(f"({_SLUG}|{_PART})")


def _url_of(context, name: str, app: str | None, slug: str, part: str = "") -> str:
    args = [slug, part] if part else [slug]
    if not all(_SLUG_CHARS.match(arg) for arg in args):
        return reverse(name, args=args, current_app=app)  # reverse() says what is wrong
    memo = context.render_context.setdefault("search_result_urls", {})
    pieces = memo.get((name, app))
    if pieces is None:
        stand_ins = [_SLUG, _PART] if part else [_SLUG]
        url = reverse(name, args=stand_ins, current_app=app)
        pieces = memo[(name, app)] = _STAND_INS.split(url)
    values = {_SLUG: slug, _PART: part}
    return "".join(values.get(piece, piece) for piece in pieces)
