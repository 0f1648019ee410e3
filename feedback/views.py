"""Patient feedback: "Was this page helpful?", the note after a "no", "Report a problem", and
the counted redirect from a search result to its article.

Every form works as a plain post and redirect (to a thank-you page) without JavaScript; with
HTMX the widget swaps its own box and announces the result (role=status). The views are
CSRF-exempt on purpose: the pages carrying the widget are cached whole for everyone, so they
cannot carry a CSRF token, and these posts change nothing that belongs to anyone (no session,
no account, no cookie is read or set); a forged post can do no more than a direct one. Instead
they refuse posts that a browser says came from another site (Origin, Sec-Fetch-Site), and
each client address may post PORTAL_FEEDBACK_RATE times (feedback/ratelimit.py). No address,
cookie or user agent is stored.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode, urlsplit

from django.core import signing
from django.core.validators import slug_re
from django.db import transaction
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from feedback import counting, notifications, pages, ratelimit
from feedback.forms import HelpfulForm, NoteForm, ReportForm
from feedback.models import PageFeedback, ProblemReport
from feedback.scrub import scrub

ANSWER_SALT = "feedback.answer"
ANSWER_MAX_AGE = 2 * 3600
WIDGET = "feedback/widget.html"


# -- helpers ----------------------------------------------------------------------------------
def is_kiosk(request) -> bool:
    match = request.resolver_match
    return bool(match and match.namespace == "kiosk-feedback")


def feedback_urls(kind: str, slug: str, kiosk: bool) -> dict[str, str]:
    namespace = "kiosk-feedback" if kiosk else "feedback"
    return {
        name: reverse(f"{namespace}:{name}", args=[kind, slug])
        for name in ("helpful", "note", "report", "thanks")
    }


def messages() -> dict[str, str]:
    """What the status line says after each step (announced: role=status)."""
    return {
        "ask-note": _("Thank you for telling us."),
        "thanks": _("Thank you for your feedback."),
        "noted": _("Thank you. Your note has been sent to the people who write this page."),
        "reported": _("Thank you. An editor will check this page."),
        "too-many": _(
            "We have had a lot of feedback from this connection. Please try again in a few minutes."
        ),
    }


def widget_context(kind: str, slug: str, kiosk: bool, state: str = "ask", **extra) -> dict:
    page_namespace = "kiosk" if kiosk else "conditions"
    return {
        "message": messages().get(state, ""),
        "kind": kind,
        "slug": slug,
        "state": state,
        "urls": feedback_urls(kind, slug, kiosk),
        "page_url": pages.patient_url(kind, slug, page_namespace),
        "kiosk": kiosk,
        "note_form": extra.pop("note_form", None) or NoteForm(),
        "report_form": extra.pop("report_form", None) or ReportForm(),
        **extra,
    }


def from_this_site(request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == request.get_host().lower()
    return True


def patient_post(view):
    """Checks every feedback post: same site, a published page, within the rate limit."""

    @csrf_exempt
    @require_POST
    @never_cache
    @vary_on_headers("HX-Request")
    @functools.wraps(view)
    def wrapped(request, kind, slug):
        if not from_this_site(request):
            return HttpResponseForbidden(_("Feedback can only be sent from this site."))
        item = pages.working_copy(kind, slug)
        if item is None:
            raise Http404("No published page here")
        if not ratelimit.allow(request):
            return _render(request, kind, slug, "too-many", status=429)
        return view(request, kind, slug, item)

    return wrapped


def _render(request, kind, slug, state, status=200, **extra):
    """The widget's next state: its fragment under HTMX, else the thank-you page."""
    context = widget_context(
        kind, slug, is_kiosk(request), state, announce=bool(request.htmx), standalone=True, **extra
    )
    template = f"{WIDGET}#page-feedback" if request.htmx else "feedback/thanks.html"
    return TemplateResponse(request, template, context, status=status)


def _thanks(request, kind, slug, **query) -> HttpResponseRedirect:
    url = feedback_urls(kind, slug, is_kiosk(request))["thanks"]
    return HttpResponseRedirect(f"{url}?{urlencode(query)}", status=303)


def _answer_token(feedback: PageFeedback) -> str:
    return signing.dumps(feedback.pk, salt=ANSWER_SALT)


def _answer_from(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None


# -- was this page helpful? -----------------------------------------------------------------------
@patient_post
def helpful(request, kind, slug, item):
    """One tap: yes or no. After "no", the optional note box."""
    form = HelpfulForm(request.POST)
    if not form.is_valid():
        return _render(request, kind, slug, "ask", status=400)
    said_yes = form.cleaned_data["helpful"] == "yes"
    feedback = PageFeedback.objects.create(item=item, helpful=said_yes)
    token = _answer_token(feedback)
    if request.htmx:
        return _render(request, kind, slug, "thanks" if said_yes else "ask-note", answer=token)
    if said_yes:
        return _thanks(request, kind, slug, done="yes")
    return _thanks(request, kind, slug, answer=token)


@patient_post
def note(request, kind, slug, item):
    """The note after a "no", scrubbed; added to that same answer (a signed id in the form)."""
    form = NoteForm(request.POST)
    pk = _answer_from(request.POST.get("answer", ""))
    if pk is None:
        return _render(request, kind, slug, "thanks", status=400)
    if not form.is_valid():
        answer = request.POST["answer"]
        return _render(request, kind, slug, "ask-note", 400, answer=answer, note_form=form)
    text = scrub(form.cleaned_data["note"])
    if text:
        with transaction.atomic():
            PageFeedback.objects.filter(pk=pk, helpful=False, note="").update(note=text)
    if request.htmx:
        return _render(request, kind, slug, "noted")
    return _thanks(request, kind, slug, done="noted")


# -- report a problem -------------------------------------------------------------------------------
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
def report(request, kind, slug):
    """The report form (a page, or the widget's box under HTMX) and its post."""
    if request.method == "POST":
        return _report_post(request, kind, slug)
    if pages.live_item(kind, slug) is None:
        raise Http404("No published page here")
    return _render_report(request, kind, slug, ReportForm())


def _render_report(request, kind, slug, form, status=200):
    context = widget_context(
        kind,
        slug,
        is_kiosk(request),
        "report",
        report_form=form,
        standalone=True,
        announce=bool(request.htmx),  # clears the last step's thank-you
    )
    template = f"{WIDGET}#page-feedback" if request.htmx else "feedback/report.html"
    return TemplateResponse(request, template, context, status=status)


@patient_post
def _report_post(request, kind, slug, item):
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _render_report(request, kind, slug, form, status=400)
    report = ProblemReport.objects.create(
        item=item, kind=form.cleaned_data["kind"], note=scrub(form.cleaned_data["note"])
    )
    transaction.on_commit(lambda: notifications.problem_reported(report))
    if request.htmx:
        return _render(request, kind, slug, "reported")
    return _thanks(request, kind, slug, done="reported")


# -- the thank-you page (no JavaScript) ------------------------------------------------------------
@require_GET
@never_cache
def thanks(request, kind, slug):
    if pages.live_item(kind, slug) is None:
        raise Http404("No published page here")
    token = request.GET.get("answer", "")
    pk = _answer_from(token) if token else None
    done = request.GET.get("done", "")
    if pk is not None and PageFeedback.objects.filter(pk=pk, helpful=False, note="").exists():
        state = "ask-note"
    elif done in ("yes", "noted", "reported"):
        state = {"yes": "thanks", "noted": "noted", "reported": "reported"}[done]
    else:
        state = "thanks"
    context = widget_context(kind, slug, is_kiosk(request), state, answer=token, standalone=True)
    return TemplateResponse(request, "feedback/thanks.html", context)


# -- a search result opened ------------------------------------------------------------------------
@require_GET
@never_cache
def search_open(request, slug):
    """Count one opened result for the search in the token, then go to the article (to the
    part where the words were found, with ?part=, when it names a section)."""
    if request.method == "GET" and not counting.is_bot(request.headers.get("User-Agent", "")):
        counting.count_opened(request.GET.get("t", ""))
    namespace = "kiosk" if is_kiosk(request) else "conditions"
    part = request.GET.get("part", "")
    if part and slug_re.fullmatch(part):
        url = reverse("conditions:condition_part", args=[slug, part], current_app=namespace)
    else:
        url = reverse("conditions:condition_detail", args=[slug], current_app=namespace)
    return HttpResponseRedirect(url)
