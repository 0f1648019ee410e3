"""The patient questionnaire: one question per step, a summary, a result, and FHIR exports.

Every step works as a plain form post with a redirect (no JavaScript); with HTMX the next
step is swapped into #question-step and the URL pushed. Answers are read and written only
through conditions/answers.py (a signed cookie) and never reach the database or the logs.

Each request works out the run once (conditions/run_state.py RunState) and asks it. An answer
that makes an urgent outcome certain ends the run at once: the answers are forgotten, the
outcome counted, and the patient sent to that outcome's answer-free advice page (303, or
HX-Redirect under HTMX), with no more questions and no "Check your answers" step.
"""

from __future__ import annotations

import functools
import json
import re

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from conditions import answers as stored_answers
from conditions import content_languages, fhir, rules, safety
from conditions.forms import PreviewForm, QuestionForm
from conditions.models import (
    Condition,
    CountedRun,
    OutcomeTally,
    Questionnaire,
    TreatmentComparison,
)
from conditions.run_state import ADVICE, QUESTION, REVIEW, RunState, Step

MAX_BODY_BYTES = 10 * 1024
SPEC_CACHE_SECONDS = 60 * 60
CLEAR_FROM_REVIEW = "review"  # ?from= on "Clear my answers" (question keys are the others)


# -- helpers ----------------------------------------------------------------------------------
def cached_spec(questionnaire: Questionnaire) -> dict:
    """The rules spec, cached per questionnaire version (every admin save raises the version)."""
    key = f"questionnaire-spec:{questionnaire.pk}:{questionnaire.version}"
    spec = cache.get(key)
    if spec is None:
        spec = questionnaire.spec()
        spec["outcome_ids"] = {o.slug: o.pk for o in questionnaire.outcomes.only("pk", "slug")}
        cache.set(key, spec, SPEC_CACHE_SECONDS)
    return spec


def _published(slug: str) -> Questionnaire:
    return get_object_or_404(
        Questionnaire.objects.published().only(
            "pk",
            "slug",
            "title",
            "intro",
            "version",
            "status",
            "next_review_due",
            "last_reviewed",
            "published_at",
        ),
        slug=slug,
    )


def _url(request, name: str, slug: str, *args, query: str = "") -> str:
    namespace = request.resolver_match.namespace if request.resolver_match else "conditions"
    url = reverse(f"conditions:{name}", args=[slug, *args], current_app=namespace)
    return f"{url}?{query}" if query else url


def _problem(request, questionnaire, message: str, status: int = 400, clear: bool = False):
    response = TemplateResponse(
        request,
        _step_template(request, "problem"),  # HTMX: swapped into #question-step (portal.js)
        {"questionnaire": questionnaire, "message": message},
        status=status,
    )
    if clear:
        stored_answers.clear(request, response, questionnaire.slug)
    return response


def questionnaire_page(view):
    """Load the published questionnaire and its spec; refuse huge bodies; never cache.

    A cookie that cannot be read (tampered, expired, out of date) means: start again.
    """

    @functools.wraps(view)
    @never_cache
    @vary_on_headers("HX-Request")
    def wrapper(request, slug, *args, **kwargs):
        questionnaire = _published(slug)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = MAX_BODY_BYTES + 1
        if length > MAX_BODY_BYTES:
            return _problem(request, questionnaire, _("That was far too much data for an answer."))
        spec = cached_spec(questionnaire)
        # The patient's language: every text translated and approved, or all in English.
        spec, request.content_language = content_languages.localise_questionnaire(
            questionnaire, spec
        )
        try:
            return view(request, questionnaire, spec, *args, **kwargs)
        except stored_answers.AnswersUnreadable:
            return _problem(
                request,
                questionnaire,
                _(
                    "We could not read your answers. They may have expired (we keep them for "
                    "2 hours), or the questionnaire may have changed. Please start again."
                ),
                clear=True,
            )

    return wrapper


def _progress(state: RunState, question: dict) -> dict:
    """ "Question N": N is one more than the questions answered before this one, so it never
    jumps back (a total would shrink or grow as answers hide and show questions)."""
    return {
        "number": state.position(question["key"]) + 1,
        "previous": state.previous(question["key"]),
        "next": state.following(question["key"]),
    }


def _selected(question: dict, value) -> list[str]:
    if value is None or question["kind"] == "number":
        return []
    return value if isinstance(value, list) else [value]


def _step_context(request, questionnaire, state: RunState, question, form=None, **extra):
    slug = state.spec["slug"]
    value = state.answers.get(question["key"])
    if form is not None and form.is_bound:
        selected = [v for v in form.data.getlist("answer") if v]
        number_value = form.data.get("answer", "")
    else:
        selected = _selected(question, value)
        number_value = rules.format_number(value) if question["kind"] == "number" and value else ""
    change = request.GET.get("change") == "1"
    progress = _progress(state, question)
    errors = form.errors.get("answer") if form is not None and form.is_bound else None
    return {
        "questionnaire": questionnaire,
        "question": question,
        "progress": progress,
        "selected": selected,
        "exclusive": [o["code"] for o in question["options"] if o.get("exclusive")],
        "number_value": number_value,
        "errors": errors,
        "change": change,
        "clear_url": _url(request, "questionnaire_clear", slug, query=f"from={question['key']}"),
        "step_url": _url(
            request, "questionnaire_step", slug, question["key"], query="change=1" * change
        ),
        "back_url": (
            _url(request, "questionnaire_review", slug)
            if change
            else _url(request, "questionnaire_step", slug, progress["previous"]["key"])
            if progress["previous"]
            else _url(request, "questionnaire_start", slug)
        ),
        **extra,
    }


def _review_context(request, questionnaire, state: RunState) -> dict:
    slug = state.spec["slug"]
    rows = [
        {
            "question": q,
            "answer": rules.describe_answer(q, state.answers.get(q["key"])),
            "change_url": _url(request, "questionnaire_step", slug, q["key"], query="change=1"),
        }
        for q in state.visible
    ]
    return {
        "questionnaire": questionnaire,
        "rows": rows,
        "back_url": _url(request, "questionnaire_step", slug, state.visible[-1]["key"]),
        "clear_url": _url(request, "questionnaire_clear", slug, query=f"from={CLEAR_FROM_REVIEW}"),
    }


def _count(request, spec: dict, outcome: dict) -> None:
    """One more run reached this outcome: a count, with no answers and no identifiers.

    Once per run: a replayed answers cookie (same run code) is shown its result, not counted.
    """
    outcome_id = spec["outcome_ids"][outcome["slug"]]
    run = stored_answers.run_code(request, spec)
    with transaction.atomic():
        if run is not None and not CountedRun.claim(run):
            return
        tally, _created = OutcomeTally.objects.get_or_create(outcome_id=outcome_id)
        OutcomeTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)


def _urgent_result(request, spec: dict, outcome: dict):
    """An urgent outcome is certain: count it once, forget the answers, show its advice now.

    The advice page has its own URL with no answers in it, so it survives reload, Back and a
    shared link. No JavaScript: 303 See Other. HTMX: HX-Redirect, a full page load.
    """
    _count(request, spec, outcome)
    url = _url(request, "outcome_advice", spec["slug"], outcome["slug"])
    if request.htmx:
        response = HttpResponseClientRedirect(url)
    else:
        response = HttpResponseRedirect(url, status=303)
    stored_answers.clear(request, response, spec["slug"])
    return response


def _published_conditions(outcome: dict) -> list[dict]:
    """The outcome's linked articles that patients can read now (never a link that 404s)."""
    slugs = [c["slug"] for c in outcome["conditions"]]
    if not slugs:
        return []
    live = set(Condition.objects.published().filter(slug__in=slugs).values_list("slug", flat=True))
    return [c for c in outcome["conditions"] if c["slug"] in live]


def _step_url(request, spec: dict, step: Step, change: bool) -> str:
    """A question's or the review's URL (the review sends a certain urgent run to its advice)."""
    if step.kind == QUESTION:
        key = step.question["key"]
        return _url(request, "questionnaire_step", spec["slug"], key, query="change=1" * change)
    return _url(request, "questionnaire_review", spec["slug"])


# -- patient pages --------------------------------------------------------------------------------
@require_safe
@questionnaire_page
def questionnaire_start(request, questionnaire, spec):
    try:
        answers = stored_answers.read(request, spec)
    except stored_answers.AnswersUnreadable:
        answers = {}
    state = RunState(spec, answers)
    first = RunState(spec, {}).visible
    context = {
        "questionnaire": questionnaire,
        "question_count": len(first),
        "start_url": _url(request, "questionnaire_step", spec["slug"], first[0]["key"])
        if first
        else None,
        "has_answers": bool(answers),
        "continue_url": _step_url(request, spec, state.next_step(), change=False),
        "cleared": request.GET.get("cleared") == "1",
        "clear_url": _url(request, "questionnaire_clear", spec["slug"]),
    }
    return TemplateResponse(request, "conditions/questionnaire_start.html", context)


@require_http_methods(["GET", "POST"])
@questionnaire_page
def questionnaire_step(request, questionnaire, spec, key):
    question = rules.question_by_key(spec, key)
    if question is None:
        raise Http404("No such question")
    state = RunState(spec, stored_answers.read(request, spec))
    if request.method == "GET" and state.urgent:  # e.g. answers kept from an older page
        return _urgent_result(request, spec, state.urgent)
    if not state.shows(key):
        if request.method == "POST":
            return _problem(request, questionnaire, _("That question does not apply to you."))
        return _redirect_to_next(request, spec, state)
    gap = state.gap_before(key)
    if gap is not None:
        if request.method == "POST":
            return _problem(request, questionnaire, _("Please answer the earlier questions first."))
        url = _url(request, "questionnaire_step", spec["slug"], gap["key"], query="skipped=1")
        return HttpResponseRedirect(url)

    if request.method == "GET":
        context = _step_context(
            request, questionnaire, state, question, skipped=request.GET.get("skipped")
        )
        return TemplateResponse(request, _step_template(request, "step"), context)

    form = QuestionForm(question, request.POST)
    refusal = form.refusal()
    if refusal is not None:  # never guess: ask again, keeping what the patient ticked
        form.is_valid()
        form.errors["answer"] = form.error_class([refusal])
        context = _step_context(request, questionnaire, state, question, form=form)
        return TemplateResponse(request, _step_template(request, "step"), context, status=400)
    if not form.is_valid():
        context = _step_context(request, questionnaire, state, question, form=form)
        return TemplateResponse(request, _step_template(request, "step"), context)

    # Answers to questions this answer hides are dropped (RunState keeps the ones that count).
    state = RunState(spec, {**state.answers, key: form.answer()})
    change = request.GET.get("change") == "1"
    step = state.next_step(after=key, change=change)
    if step.kind == ADVICE:
        return _urgent_result(request, spec, step.outcome)
    response = _next_step_response(request, questionnaire, state, step, change)
    stored_answers.write(request, response, spec, state.answers)
    return response


def _step_template(request, which: str) -> str:
    name = f"conditions/questionnaire_{which}.html"
    return f"{name}#question-step" if request.htmx else name


def _redirect_to_next(request, spec, state: RunState):
    return HttpResponseRedirect(_step_url(request, spec, state.next_step(), change=False))


def _next_step_response(request, questionnaire, state: RunState, step: Step, change: bool):
    """No JavaScript: redirect (POST/redirect/GET). HTMX: the next step's fragment + its URL."""
    next_url = _step_url(request, state.spec, step, change)
    if not request.htmx:
        return HttpResponseRedirect(next_url)
    if step.kind == REVIEW:
        context = _review_context(request, questionnaire, state)
        response = TemplateResponse(request, _step_template(request, "review"), context)
    else:
        context = _step_context(request, questionnaire, state, step.question)
        response = TemplateResponse(request, _step_template(request, "step"), context)
    return push_url(response, next_url)


@require_http_methods(["GET", "POST"])
@questionnaire_page
def questionnaire_review(request, questionnaire, spec):
    state = RunState(spec, stored_answers.read(request, spec))
    if state.urgent:
        return _urgent_result(request, spec, state.urgent)
    if not state.answers or not state.complete:
        return _redirect_to_next(request, spec, state)
    if request.method == "POST":
        response = HttpResponseRedirect(_url(request, "questionnaire_result", spec["slug"]))
        stored_answers.write(request, response, spec, state.answers, finished=True)
        return response
    context = _review_context(request, questionnaire, state)
    return TemplateResponse(request, _step_template(request, "review"), context)


@require_safe
@questionnaire_page
def questionnaire_result(request, questionnaire, spec):
    answers, finished = stored_answers.read_run(request, spec)
    state = RunState(spec, answers)
    if state.urgent:
        return _urgent_result(request, spec, state.urgent)
    if not finished or not state.complete:
        if not answers:
            return _problem(
                request,
                questionnaire,
                _("Your answers have been cleared from this device. You can start again."),
                status=200,
            )
        return _redirect_to_next(request, spec, state)
    decision = state.decision
    outcome = decision["outcome"]
    if outcome is None:  # the safety check refuses to publish this; never guess an outcome
        message = _(
            "We could not work out a result from your answers. If you are worried, "
            "contact your GP or call NHS 111."
        )
        return _problem(request, questionnaire, message, status=200, clear=True)
    _count(request, spec, outcome)
    conditions = _published_conditions(outcome)
    comparisons = set(
        TreatmentComparison.objects.published()
        .filter(condition__slug__in=[c["slug"] for c in conditions])
        .values_list("condition__slug", flat=True)
    )
    context = {
        "questionnaire": questionnaire,
        "decision": decision,
        "outcome": outcome,
        "conditions": conditions,
        "comparisons": comparisons,
        "response_token": stored_answers.response_token(spec, state.answers),
    }
    response = TemplateResponse(request, "conditions/questionnaire_result.html", context)
    stored_answers.clear(request, response, spec["slug"])  # shown once, then forgotten
    return response


@require_http_methods(["GET", "POST"])
@questionnaire_page
def questionnaire_clear(request, questionnaire, spec):
    """GET: "Are you sure?" (nothing is cleared). POST: forget the answers, back to the start.

    ?from= names the page the patient came from (a question's key, or "review"), which
    "No, go back" returns to. The POST also works under HTMX (the kiosk swaps the page in
    place, so its history does not grow).
    """
    if request.method == "GET":
        came_from = request.GET.get("from", "")
        if came_from == CLEAR_FROM_REVIEW:
            back_url = _url(request, "questionnaire_review", spec["slug"])
        elif rules.question_by_key(spec, came_from) is not None:
            back_url = _url(request, "questionnaire_step", spec["slug"], came_from)
        else:
            back_url = _url(request, "questionnaire_start", spec["slug"])
        context = {
            "questionnaire": questionnaire,
            "back_url": back_url,
            "clear_url": _url(request, "questionnaire_clear", spec["slug"]),
        }
        return TemplateResponse(request, "conditions/questionnaire_clear.html", context)
    response = HttpResponseRedirect(
        _url(request, "questionnaire_start", spec["slug"], query="cleared=1")
    )
    stored_answers.clear(request, response, spec["slug"])
    return response


@require_POST
@questionnaire_page
def questionnaire_response(request, questionnaire, spec):
    """The patient's answers as a FHIR QuestionnaireResponse, built from the signed token."""
    answers = stored_answers.read_response_token(spec, request.POST.get("token", ""))
    url = canonical_url(spec["slug"])
    document = fhir.questionnaire_response(
        spec, answers, url, timezone.now().isoformat(timespec="seconds")
    )
    response = HttpResponse(json.dumps(document, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{spec["slug"]}-answers.json"'
    return response


# -- public, answer-free pages --------------------------------------------------------------------
FHIR_JSON_TYPES = ["application/fhir+json", "application/json"]


def canonical_url(slug: str) -> str:
    """A questionnaire's FHIR canonical URL: on the clinic's public address (PORTAL_PUBLIC_URL),
    never the request's host, so 127.0.0.1, localhost and the kiosk all name it the same."""
    path = reverse("conditions:questionnaire_fhir", args=[slug])
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + path


def fhir_json_only(view):
    """FHIR JSON or nothing: a client that accepts only XML (Accept or _format) gets a 406 with
    an OperationOutcome, not JSON it did not ask for. No Accept, or */*, is JSON."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        wanted = request.GET.get("_format", "").lower()
        refused = "xml" in wanted or (
            request.headers.get("Accept") and request.get_preferred_type(FHIR_JSON_TYPES) is None
        )
        if refused:
            outcome = {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "error",
                        "code": "not-supported",
                        "diagnostics": "Only FHIR JSON (application/fhir+json) is served here.",
                    }
                ],
            }
            return HttpResponse(
                json.dumps(outcome), status=406, content_type="application/fhir+json"
            )
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Accept",))
        return response

    return wrapper


@require_safe
@fhir_json_only
def questionnaire_fhir(request, slug):
    questionnaire = _published(slug)
    spec = cached_spec(questionnaire)
    approved = questionnaire.last_reviewed or (
        questionnaire.published_at and timezone.localdate(questionnaire.published_at)
    )
    document = fhir.questionnaire_resource(
        spec,
        canonical_url(slug),
        questionnaire.status,
        publisher=settings.PORTAL_PUBLISHER,
        date=approved.isoformat() if approved else "",
        translations=content_languages.fhir_translations(questionnaire, spec),
    )
    return HttpResponse(json.dumps(document, indent=2), content_type="application/fhir+json")


@require_safe
def outcome_advice(request, slug, outcome_slug):
    """The general advice for one outcome: no answers, safe to reload, go Back to, or share.

    An urgent outcome shows only what to do now: no article, treatment or download links.
    """
    questionnaire = _published(slug)
    spec = cached_spec(questionnaire)
    spec, request.content_language = content_languages.localise_questionnaire(questionnaire, spec)
    outcome = next((o for o in spec["outcomes"] if o["slug"] == outcome_slug), None)
    if outcome is None:
        raise Http404("No such outcome")
    urgent = rules.is_urgent(outcome)
    context = {
        "questionnaire": questionnaire,
        "outcome": outcome,
        "urgent": urgent,
        "call": _number_to_call(outcome),
        "conditions": [] if urgent else _published_conditions(outcome),
    }
    return TemplateResponse(request, "conditions/questionnaire_advice.html", context)


def _number_to_call(outcome: dict) -> str | None:
    """999 for an emergency; 111 for a same-day outcome whose advice says to call 111."""
    if outcome["urgency"] == "emergency":
        return "999"
    text = f"{outcome['explanation']} {outcome['next_steps_html']}"
    if outcome["urgency"] == "urgent" and re.search(r"\b111\b", text):
        return "111"
    return None


# -- staff preview ------------------------------------------------------------------------------
@never_cache
@staff_member_required
@require_http_methods(["GET", "POST"])
def questionnaire_preview(request, slug):
    """Answer any questionnaire (drafts too) on one page and see which rule decides."""
    questionnaire = get_object_or_404(Questionnaire.objects.working_copies(), slug=slug)
    spec = questionnaire.spec()
    form = PreviewForm(spec, request.POST or None)
    decision = hidden = None
    if request.method == "POST" and form.is_valid():
        given = form.answers()
        decision = rules.decide_outcome(spec, given)
        shown = {q["key"] for q in rules.visible_questions(spec, given)}
        hidden = [q for q in spec["questions"] if q["key"] not in shown]
    questions = [
        {
            "question": q,
            "field": form[q["key"]],
            "shown_if": [rules.describe_test(spec, t) for t in q["show_if"]],
        }
        for q in spec["questions"]
    ]
    context = {
        "questionnaire": questionnaire,
        "questions": questions,
        "decision": decision,
        "hidden": hidden,
        "problems": safety.safety_problems(spec),
    }
    return TemplateResponse(request, "conditions/questionnaire_preview.html", context)
