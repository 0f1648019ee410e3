"""The patient questionnaire: one question per step, a summary, a result, and FHIR exports.

Every step works as a plain form post with a redirect (no JavaScript); with HTMX the next
step is swapped into #question-step and the URL pushed. Answers are read and written only
through conditions/answers.py (a signed cookie) and never reach the database or the logs.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from conditions import answers as stored_answers
from conditions import fhir, rules
from conditions.forms import PreviewForm, QuestionForm, UnknownOption
from conditions.models import OutcomeTally, Questionnaire, TreatmentComparison

MAX_BODY_BYTES = 10 * 1024
SPEC_CACHE_SECONDS = 60 * 60


# -- helpers ----------------------------------------------------------------------------------
def cached_spec(questionnaire: Questionnaire) -> dict:
    """The rules spec, cached per questionnaire version (every admin save raises the version)."""
    key = f"questionnaire-spec:{questionnaire.pk}:{questionnaire.version}"
    spec = cache.get(key)
    if spec is None:
        spec = rules.questionnaire_spec(questionnaire)
        spec["outcome_ids"] = {o.slug: o.pk for o in questionnaire.outcomes.only("pk", "slug")}
        cache.set(key, spec, SPEC_CACHE_SECONDS)
    return spec


def _published(slug: str) -> Questionnaire:
    return get_object_or_404(
        Questionnaire.objects.published().only(
            "pk", "slug", "title", "intro", "version", "status", "next_review_due"
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


def _progress(spec: dict, answers: dict, question: dict) -> dict:
    visible = rules.visible_questions(spec, answers)
    keys = [q["key"] for q in visible]
    index = keys.index(question["key"])
    return {
        "number": index + 1,
        "total": len(keys),
        "previous": visible[index - 1] if index else None,
        "next": visible[index + 1] if index + 1 < len(visible) else None,
    }


def _first_gap_before(spec: dict, answers: dict, question: dict) -> dict | None:
    """The first earlier visible question the patient still has to answer, if any."""
    gap = rules.first_unanswered(spec, answers)
    if gap is None:
        return None
    keys = [q["key"] for q in rules.visible_questions(spec, answers)]
    return gap if keys.index(gap["key"]) < keys.index(question["key"]) else None


def _selected(question: dict, value) -> list[str]:
    if value is None or question["kind"] == "number":
        return []
    return value if isinstance(value, list) else [value]


def _step_context(request, questionnaire, spec, answers, question, form=None, **extra):
    value = answers.get(question["key"])
    if form is not None and form.is_bound:
        selected = [v for v in form.data.getlist("answer") if v]
        number_value = form.data.get("answer", "")
    else:
        selected = _selected(question, value)
        number_value = rules.format_number(value) if question["kind"] == "number" and value else ""
    change = request.GET.get("change") == "1"
    progress = _progress(spec, answers, question)
    errors = form.errors.get("answer") if form is not None and form.is_bound else None
    return {
        "questionnaire": questionnaire,
        "question": question,
        "progress": progress,
        "selected": selected,
        "number_value": number_value,
        "errors": errors,
        "change": change,
        "step_url": _url(
            request, "questionnaire_step", spec["slug"], question["key"], query="change=1" * change
        ),
        "back_url": (
            _url(request, "questionnaire_review", spec["slug"])
            if change
            else _url(request, "questionnaire_step", spec["slug"], progress["previous"]["key"])
            if progress["previous"]
            else _url(request, "questionnaire_start", spec["slug"])
        ),
        **extra,
    }


def _review_context(request, questionnaire, spec, answers) -> dict:
    rows = [
        {
            "question": q,
            "answer": rules.describe_answer(q, answers.get(q["key"])),
            "change_url": _url(
                request, "questionnaire_step", spec["slug"], q["key"], query="change=1"
            ),
        }
        for q in rules.visible_questions(spec, answers)
    ]
    return {"questionnaire": questionnaire, "rows": rows}


def _next_url(request, spec, answers, question, change: bool) -> str:
    gap = rules.first_unanswered(spec, answers)
    if change:  # back to "Check your answers", after any question the change revealed
        if gap is None:
            return _url(request, "questionnaire_review", spec["slug"])
        return _url(request, "questionnaire_step", spec["slug"], gap["key"], query="change=1")
    visible = rules.visible_questions(spec, answers)
    keys = [q["key"] for q in visible]
    index = keys.index(question["key"])
    if index + 1 < len(visible):
        return _url(request, "questionnaire_step", spec["slug"], visible[index + 1]["key"])
    if gap is not None:
        return _url(request, "questionnaire_step", spec["slug"], gap["key"])
    return _url(request, "questionnaire_review", spec["slug"])


# -- patient pages --------------------------------------------------------------------------------
@require_safe
@questionnaire_page
def questionnaire_start(request, questionnaire, spec):
    try:
        answers = stored_answers.read(request, spec)
    except stored_answers.AnswersUnreadable:
        answers = {}
    first = rules.visible_questions(spec, {})
    gap = rules.first_unanswered(spec, answers)
    context = {
        "questionnaire": questionnaire,
        "question_count": len(first),
        "start_url": _url(request, "questionnaire_step", spec["slug"], first[0]["key"])
        if first
        else None,
        "has_answers": bool(answers),
        "continue_url": (
            _url(request, "questionnaire_step", spec["slug"], gap["key"])
            if gap
            else _url(request, "questionnaire_review", spec["slug"])
        ),
        "cleared": request.GET.get("cleared") == "1",
    }
    return TemplateResponse(request, "conditions/questionnaire_start.html", context)


@require_http_methods(["GET", "POST"])
@questionnaire_page
def questionnaire_step(request, questionnaire, spec, key):
    question = rules.question_by_key(spec, key)
    if question is None:
        raise Http404("No such question")
    answers = stored_answers.read(request, spec)
    visible_keys = [q["key"] for q in rules.visible_questions(spec, answers)]
    if key not in visible_keys:
        if request.method == "POST":
            return _problem(request, questionnaire, _("That question does not apply to you."))
        return _redirect_to_next(request, spec, answers)
    gap = _first_gap_before(spec, answers, question)
    if gap is not None:
        if request.method == "POST":
            return _problem(request, questionnaire, _("Please answer the earlier questions first."))
        url = _url(request, "questionnaire_step", spec["slug"], gap["key"], query="skipped=1")
        return HttpResponseRedirect(url)

    if request.method == "GET":
        context = _step_context(
            request, questionnaire, spec, answers, question, skipped=request.GET.get("skipped")
        )
        return TemplateResponse(request, _step_template(request, "step"), context)

    form = QuestionForm(question, request.POST)
    try:
        form.check_options()
    except UnknownOption:
        form.is_valid()
        form.errors["answer"] = form.error_class([_("Choose one of the answers shown")])
        context = _step_context(request, questionnaire, spec, answers, question, form=form)
        return TemplateResponse(request, _step_template(request, "step"), context, status=400)
    if not form.is_valid():
        context = _step_context(request, questionnaire, spec, answers, question, form=form)
        return TemplateResponse(request, _step_template(request, "step"), context)

    answers[key] = form.answer()
    answers = {
        q["key"]: answers[q["key"]]
        for q in rules.visible_questions(spec, answers)
        if q["key"] in answers
    }  # answers to questions now hidden are dropped
    next_url = _next_url(request, spec, answers, question, request.GET.get("change") == "1")
    response = _next_step_response(request, questionnaire, spec, answers, next_url)
    stored_answers.write(request, response, spec, answers)
    return response


def _step_template(request, which: str) -> str:
    name = f"conditions/questionnaire_{which}.html"
    return f"{name}#question-step" if request.htmx else name


def _redirect_to_next(request, spec, answers):
    gap = rules.first_unanswered(spec, answers)
    if gap is None:
        return HttpResponseRedirect(_url(request, "questionnaire_review", spec["slug"]))
    return HttpResponseRedirect(_url(request, "questionnaire_step", spec["slug"], gap["key"]))


def _next_step_response(request, questionnaire, spec, answers, next_url):
    """No JavaScript: redirect (POST/redirect/GET). HTMX: the next step's fragment + its URL."""
    if not request.htmx:
        return HttpResponseRedirect(next_url)
    review_url = _url(request, "questionnaire_review", spec["slug"])
    if next_url == review_url:
        context = _review_context(request, questionnaire, spec, answers)
        response = TemplateResponse(request, _step_template(request, "review"), context)
    else:
        key = urlsplit(next_url).path.rstrip("/").rsplit("/", 1)[-1]
        question = rules.question_by_key(spec, key)
        context = _step_context(request, questionnaire, spec, answers, question)
        response = TemplateResponse(request, _step_template(request, "step"), context)
    return push_url(response, next_url)


@require_http_methods(["GET", "POST"])
@questionnaire_page
def questionnaire_review(request, questionnaire, spec):
    answers = stored_answers.read(request, spec)
    if not answers or rules.first_unanswered(spec, answers) is not None:
        return _redirect_to_next(request, spec, answers)
    if request.method == "POST":
        response = HttpResponseRedirect(_url(request, "questionnaire_result", spec["slug"]))
        stored_answers.write(request, response, spec, answers, finished=True)
        return response
    context = _review_context(request, questionnaire, spec, answers)
    return TemplateResponse(request, _step_template(request, "review"), context)


@require_safe
@questionnaire_page
def questionnaire_result(request, questionnaire, spec):
    answers, finished = stored_answers.read_run(request, spec)
    if not finished or rules.first_unanswered(spec, answers) is not None:
        if not answers:
            return _problem(
                request,
                questionnaire,
                _("Your answers have been cleared from this device. You can start again."),
                status=200,
            )
        return _redirect_to_next(request, spec, answers)
    decision = rules.decide_outcome(spec, answers)
    outcome = decision["outcome"]
    if outcome is None:  # the safety check refuses to publish this; never guess an outcome
        message = _(
            "We could not work out a result from your answers. If you are worried, "
            "contact your GP or call NHS 111."
        )
        return _problem(request, questionnaire, message, status=200, clear=True)
    outcome_id = spec["outcome_ids"][outcome["slug"]]
    with transaction.atomic():
        tally, _created = OutcomeTally.objects.get_or_create(outcome_id=outcome_id)
        OutcomeTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
    slugs = [c["slug"] for c in outcome["conditions"]]
    comparisons = set(
        TreatmentComparison.objects.published()
        .filter(condition__slug__in=slugs)
        .values_list("condition__slug", flat=True)
    )
    context = {
        "questionnaire": questionnaire,
        "decision": decision,
        "outcome": outcome,
        "comparisons": comparisons,
        "response_token": stored_answers.response_token(spec, answers),
    }
    response = TemplateResponse(request, "conditions/questionnaire_result.html", context)
    stored_answers.clear(request, response, spec["slug"])  # shown once, then forgotten
    return response


@require_POST
@questionnaire_page
def questionnaire_clear(request, questionnaire, spec):
    # Also for HTMX (the kiosk swaps the page in place, so its history does not grow).
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
    url = request.build_absolute_uri(_url(request, "questionnaire_fhir", spec["slug"]))
    document = fhir.questionnaire_response(
        spec, answers, url, timezone.now().isoformat(timespec="seconds")
    )
    response = HttpResponse(json.dumps(document, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{spec["slug"]}-answers.json"'
    return response


# -- public, answer-free pages --------------------------------------------------------------------
@require_safe
def questionnaire_fhir(request, slug):
    questionnaire = _published(slug)
    spec = cached_spec(questionnaire)
    url = request.build_absolute_uri(_url(request, "questionnaire_fhir", slug))
    document = fhir.questionnaire_resource(spec, url, questionnaire.status)
    return HttpResponse(json.dumps(document, indent=2), content_type="application/fhir+json")


@require_safe
def outcome_advice(request, slug, outcome_slug):
    """The general advice for one outcome: no answers, safe to share by QR code."""
    questionnaire = _published(slug)
    spec = cached_spec(questionnaire)
    outcome = next((o for o in spec["outcomes"] if o["slug"] == outcome_slug), None)
    if outcome is None:
        raise Http404("No such outcome")
    context = {"questionnaire": questionnaire, "outcome": outcome}
    return TemplateResponse(request, "conditions/questionnaire_advice.html", context)


# -- staff preview ------------------------------------------------------------------------------
@never_cache
@staff_member_required
@require_http_methods(["GET", "POST"])
def questionnaire_preview(request, slug):
    """Answer any questionnaire (drafts too) on one page and see which rule decides."""
    questionnaire = get_object_or_404(Questionnaire.objects.working_copies(), slug=slug)
    spec = rules.questionnaire_spec(questionnaire)
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
        "problems": rules.safety_problems(spec),
    }
    return TemplateResponse(request, "conditions/questionnaire_preview.html", context)
