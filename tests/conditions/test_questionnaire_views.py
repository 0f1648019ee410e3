"""The patient questionnaire over HTTP, with the demo milia questionnaire."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core import signing
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from conditions import answers as stored_answers
from conditions.demo import questionnaires as demo
from conditions.demo import signs
from conditions.forms import required_message
from conditions.models import OutcomeTally, Questionnaire
from tests.built_once import built_per_module
from tests.factories import ConditionFactory, UserFactory, editors, make_live, reviewer_user

BASE = "/check/white-spots/"

ADULT_SELF_CARE = list(demo.SELF_CARE_PATHS["adult"])
CHILD_SELF_CARE = list(demo.SELF_CARE_PATHS["child"])
BABY_SELF_CARE = list(demo.SELF_CARE_PATHS["baby"])  # a baby of 2 weeks
PATHS = {"adult": ADULT_SELF_CARE, "child": CHILD_SELF_CARE, "baby": BABY_SELF_CARE}


def older_baby(weeks: str) -> list:
    """The baby path at 4 weeks or older: the newborn questions give way to the general ones."""
    steps = [s for s in BABY_SELF_CARE if not s[0].startswith("newborn-")]
    steps = replace(steps, baby_age=weeks)
    at = [k for k, _ in steps].index("red-pus") + 1
    return [*steps[:at], ("blisters", "no"), ("itch-pain", "no"), *steps[at:]]


def near_the_eye(steps, **answers) -> list:
    """The path with spots near the eye, which brings three more questions."""
    steps = replace(steps, where=["eyelid"])
    at = [k for k, _ in steps].index("where") + 1
    extra = [
        (key, answers.get(key.replace("-", "_"), "no"))
        for key in ("yellow-flat", "skin-coloured", "near-eye-removal")
    ]
    return [*steps[:at], *extra, *steps[at:]]


@built_per_module
def milia_questionnaire_built():
    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())


@pytest.fixture
def questionnaire(db, milia_questionnaire_built):
    return Questionnaire.objects.get(slug="white-spots")


def answer(client, key, value, **extra):
    return client.post(f"{BASE}q/{key}/", {"answer": value}, **extra)


def run(client, steps):
    """Answer each step as a no-JS browser does, following the redirects.

    An answer that makes an urgent outcome certain ends the run at once (303 to its advice).
    """
    response = None
    for n, (key, value) in enumerate(steps):
        response = answer(client, key, value)
        if response.status_code == 303:
            assert "/advice/" in response["Location"], key
            response.stopped_at = key
            response.unanswered = steps[n + 1 :]
            return response
        assert response.status_code == 302, (key, response.status_code)
    return response


def advice_slug(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def finish(client):
    assert client.get(f"{BASE}review/").status_code == 200
    response = client.post(f"{BASE}review/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}result/"
    return client.get(f"{BASE}result/")


def replace(steps, **changes):
    return [(k, changes.get(k.replace("-", "_"), v)) for k, v in steps]


# -- every outcome ------------------------------------------------------------------------------
def test_the_start_page_introduces_the_questionnaire_and_is_not_cached(client, questionnaire):
    response = client.get(BASE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert f'href="{BASE}q/who/"' in response.content.decode()


@pytest.mark.parametrize(
    ("steps", "slug"),
    [
        (ADULT_SELF_CARE, "self-care"),
        (CHILD_SELF_CARE, "self-care"),
        (BABY_SELF_CARE, "self-care-baby"),
    ],
    ids=["adult", "child", "baby"],
)
def test_typical_milia_reaches_self_care(client, questionnaire, steps, slug):
    run(client, steps)
    response = finish(client)
    assert response.status_code == 200
    assert response.context["outcome"]["slug"] == slug


@pytest.mark.parametrize("sign", [code for code, _text in signs.EMERGENCY_SIGNS])
@pytest.mark.parametrize("who", ["baby", "child", "adult"])
def test_each_emergency_sign_leads_to_999_whatever_else_was_answered(
    client, questionnaire, sign, who
):
    steps = replace(PATHS[who], unwell=[sign], fever="yes", growing="yes", infection="yes")
    response = run(client, steps)
    assert response.status_code == 303 and advice_slug(response) == "emergency"
    assert response.stopped_at == "unwell"  # ended at the sign: nothing more was asked
    assert response.unanswered == steps[2:]
    assert response.cookies[stored_answers.COOKIE_NAME].value == ""
    page = client.get(response["Location"]).content.decode()
    assert "Call 999" in page and 'href="tel:999"' in page
    assert client.get(f"{BASE}review/").status_code == 302  # no check-answers step


def test_a_baby_with_a_temperature_needs_advice_today(client, questionnaire):
    response = run(client, replace(BABY_SELF_CARE, fever="yes"))
    assert response.status_code == 303 and advice_slug(response) == "urgent"
    assert response.stopped_at == "fever"


def test_an_infected_squeezed_spot_needs_advice_today(client, questionnaire):
    steps = replace(ADULT_SELF_CARE, infection="yes")
    response = run(client, steps)
    assert response["Location"] == f"{BASE}advice/urgent/"
    assert response.stopped_at == "infection"
    assert response.unanswered == ADULT_SELF_CARE[3:]  # no more questions
    page = client.get(response["Location"]).content.decode()
    assert "Get medical help today" in page and 'href="tel:111"' in page


# Answers that each turn an adult's self-care path into a GP appointment (which one: the slug).
ROUTINE_FLAGS = [
    ({"typical": "no"}, "see-gp"),
    ({"red_pus": "yes"}, "see-gp"),
    ({"blisters": "yes"}, "see-gp"),
    ({"itch_pain": "yes"}, "see-gp"),
    ({"dimple": "yes"}, "see-gp"),
    ({"red_patch": "yes"}, "see-gp"),
    ({"after_blisters": "yes"}, "see-gp"),
    ({"sun_blisters": "yes"}, "see-gp"),
    ({"steroid_cream": "yes"}, "see-gp"),
    ({"where": ["face", "genitals"]}, "see-gp"),
    ({"where": ["mouth"]}, "see-gp"),
    ({"growing": "yes"}, "skin-check"),
    ({"pearly": "yes"}, "skin-check"),
    ({"sudden_crop": "yes"}, "sudden-crop"),
]


@pytest.mark.parametrize(("change", "slug"), ROUTINE_FLAGS)
def test_each_routine_red_flag_leads_to_a_gp_appointment(client, questionnaire, change, slug):
    run(client, replace(ADULT_SELF_CARE, **change))
    outcome = finish(client).context["outcome"]
    assert outcome["slug"] == slug and outcome["urgency"] == "routine"


@pytest.mark.parametrize(
    ("change", "slug"),
    [({"yellow_flat": "yes"}, "xanthelasma"), ({"near_eye_removal": "yes"}, "near-eye")],
)
def test_spots_near_the_eye_bring_their_own_questions(client, questionnaire, change, slug):
    run(client, near_the_eye(ADULT_SELF_CARE, **change))
    assert finish(client).context["outcome"]["slug"] == slug


@pytest.mark.parametrize(
    ("weeks", "slug"), [("12.99", "self-care-baby"), ("13", "persistent-baby")]
)
def test_baby_spots_after_about_3_months_need_a_check(client, questionnaire, weeks, slug):
    run(client, older_baby(weeks))
    assert finish(client).context["outcome"]["slug"] == slug


def test_the_result_says_why_what_next_and_links_to_the_article(client, questionnaire):
    run(client, replace(ADULT_SELF_CARE, itch_pain="yes"))
    body = finish(client).content.decode()
    assert "Book a routine appointment with your GP" in body
    assert "You answered “Yes” to “Do the spots itch or hurt?”" in body
    assert "What to do next" in body
    assert 'href="/conditions/milia/"' in body
    assert "data-print" in body
    assert 'action="/check/white-spots/fhir/response/"' in body


def test_the_outcome_tally_counts_each_completed_run_once(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    finish(client)
    assert client.get(f"{BASE}result/").status_code == 200  # a reload: answers already cleared
    run(client, ADULT_SELF_CARE)
    finish(client)
    tally = OutcomeTally.objects.get(outcome__slug="self-care")
    assert tally.count == 2


def test_answers_are_cleared_after_the_result_is_shown(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    response = finish(client)
    cookie = response.cookies[stored_answers.COOKIE_NAME]
    assert cookie.value == "" and cookie["path"] == BASE
    again = client.get(f"{BASE}result/")
    assert "have been cleared" in again.content.decode()
    assert "outcome" not in again.context


def test_clear_my_answers_forgets_them(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    response = client.post(f"{BASE}clear/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}?cleared=1"
    assert response.cookies[stored_answers.COOKIE_NAME].value == ""
    assert client.get(f"{BASE}review/")["Location"] == f"{BASE}q/who/"


def test_clear_my_answers_asks_first_and_asking_clears_nothing(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    step = client.get(f"{BASE}q/infection/").content.decode()
    assert f'<p class="clear-answers"><a href="{BASE}clear/?from=infection">' in step
    assert f'action="{BASE}clear/"' not in step  # a link to "Are you sure?", not a clear

    response = client.get(f"{BASE}clear/?from=infection")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 tabindex="-1" data-focus>Are you sure you want to clear your answers?</h1>' in body
    assert f'<form method="post" action="{BASE}clear/"' in body
    assert "Yes, clear my answers" in body
    assert f'<a class="button button-secondary" href="{BASE}q/infection/">No, go back</a>' in body
    assert stored_answers.COOKIE_NAME not in response.cookies
    assert 'value="adult" checked' in client.get(f"{BASE}q/who/").content.decode()


@pytest.mark.parametrize(
    ("came_from", "back"),
    [("review", "review/"), ("who", "q/who/"), ("not-a-question", ""), ("", "")],
)
def test_no_go_back_returns_to_the_page_the_patient_came_from(
    client, questionnaire, came_from, back
):
    body = client.get(f"{BASE}clear/?from={came_from}").content.decode()
    assert f'href="{BASE}{back}">No, go back</a>' in body


def test_the_clear_link_sits_apart_from_continue_on_every_questionnaire_page(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    review = client.get(f"{BASE}review/").content.decode()
    start = client.get(BASE).content.decode()
    assert f'<p class="clear-answers"><a href="{BASE}clear/?from=review">' in review
    assert f'<p class="clear-answers"><a href="{BASE}clear/">' in start
    assert review.index("See my result") < review.index("clear-answers")


def test_no_database_row_holds_any_answer_after_a_complete_run(client, questionnaire):
    steps = replace(older_baby("7.25"), where_baby=["face", "nappy"])
    run(client, steps)
    finish(client)
    needles = {"7.25", "nappy"} | {
        o.text for o in questionnaire.questions.get(key="where-baby").options.filter(code="nappy")
    }
    hits = []
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            for value in row:
                for needle in needles:
                    if isinstance(value, str) and needle in value:
                        hits.append((model.__name__, needle))
    # The question and option texts live in the questionnaire's own tables, not the answers.
    answer_hits = [
        h
        for h in hits
        if h[0]
        not in {
            "AnswerOption",
            "HistoricalAnswerOption",
            "OutcomeTrigger",
            "Outcome",
            "HistoricalOutcome",
        }
    ]
    assert answer_hits == []
    assert not apps.get_model("sessions", "Session").objects.exists()


# -- navigation ---------------------------------------------------------------------------------
def test_each_step_shows_progress_back_and_clear(client, questionnaire):
    run(client, ADULT_SELF_CARE[:1])
    body = client.get(f"{BASE}q/unwell/").content.decode()
    assert '<p class="step-progress">Question 2</p>' in body
    assert f'class="back-link" href="{BASE}q/who/"' in body
    assert f'href="{BASE}clear/?from=unwell"' in body


def test_the_question_number_counts_up_by_one_and_never_goes_back(client, questionnaire):
    numbers = []
    for key, value in ADULT_SELF_CARE:
        body = client.get(f"{BASE}q/{key}/").content.decode()
        numbers.append(int(re.search(r'<p class="step-progress">Question (\d+)</p>', body)[1]))
        assert " of " not in re.search(r'<p class="step-progress">[^<]*', body)[0]
        run(client, [(key, value)])
    assert numbers == list(range(1, len(ADULT_SELF_CARE) + 1))
    # A baby's path has different questions; its numbers count up by one as well.
    client.post(f"{BASE}clear/")
    numbers = []
    for key, value in BABY_SELF_CARE:
        body = client.get(f"{BASE}q/{key}/").content.decode()
        numbers.append(int(re.search(r'<p class="step-progress">Question (\d+)</p>', body)[1]))
        run(client, [(key, value)])
    assert numbers == list(range(1, len(BABY_SELF_CARE) + 1))


def test_check_your_answers_has_a_back_link_to_the_last_question(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    last = ADULT_SELF_CARE[-1][0]
    review = client.get(f"{BASE}review/").content.decode()
    assert f'<a class="back-link" href="{BASE}q/{last}/">Back</a>' in review
    run(client, CHILD_SELF_CARE)  # another path ends on another question
    last = CHILD_SELF_CARE[-1][0]
    review = client.get(f"{BASE}review/").content.decode()
    assert f'<a class="back-link" href="{BASE}q/{last}/">Back</a>' in review


def _title(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html)[1]


def test_htmx_fragments_carry_the_same_title_as_the_full_page(client, questionnaire):
    """htmx swaps in the fragment's <title>: it must be the full page's, site name and all."""
    run(client, ADULT_SELF_CARE[:1])
    full = client.get(f"{BASE}q/unwell/").content.decode()
    fragment = client.get(f"{BASE}q/unwell/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert _title(fragment) == _title(full)
    assert _title(full).endswith(" – White spots on the face or body – Patient information")

    full_error = client.post(f"{BASE}q/unwell/", {}).content.decode()
    fragment_error = client.post(f"{BASE}q/unwell/", {}, HTTP_HX_REQUEST="true").content.decode()
    assert _title(fragment_error) == _title(full_error)
    assert _title(full_error).startswith("Error: ")

    run(client, ADULT_SELF_CARE[1:])
    full = client.get(f"{BASE}review/").content.decode()
    fragment = client.get(f"{BASE}review/", HTTP_HX_REQUEST="true").content.decode()
    assert _title(fragment) == _title(full)

    client.cookies[stored_answers.COOKIE_NAME] = "tampered"
    full = client.get(f"{BASE}q/who/").content.decode()
    client.cookies[stored_answers.COOKIE_NAME] = "tampered"  # the problem page cleared it
    fragment = client.get(f"{BASE}q/who/", HTTP_HX_REQUEST="true").content.decode()
    assert "Please start again" in _title(full)
    assert _title(fragment) == _title(full)


def test_back_shows_the_earlier_answer_and_changing_it_drops_hidden_answers(client, questionnaire):
    run(client, BABY_SELF_CARE[:4])
    body = client.get(f"{BASE}q/who/").content.decode()
    assert 'value="baby" checked' in body
    run(client, [("who", "adult")])
    review = client.get(f"{BASE}review/")
    assert review.status_code == 302  # the adult path still has unanswered questions
    assert review["Location"] == f"{BASE}q/infection/"
    run(client, ADULT_SELF_CARE[2:])
    rows = [r["question"]["key"] for r in client.get(f"{BASE}review/").context["rows"]]
    assert "baby-age" not in rows and "fever" not in rows


def test_change_from_the_review_page_returns_to_the_review(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    review = client.get(f"{BASE}review/").content.decode()
    assert f'href="{BASE}q/itch-pain/?change=1"' in review
    response = client.post(f"{BASE}q/itch-pain/?change=1", {"answer": "yes"})
    assert response["Location"] == f"{BASE}review/"
    assert finish(client).context["outcome"]["slug"] == "see-gp"


def test_a_change_that_reveals_a_new_question_asks_it_before_the_review(client, questionnaire):
    run(client, CHILD_SELF_CARE)
    response = client.post(f"{BASE}q/who/?change=1", {"answer": "adult"})
    assert response["Location"] == f"{BASE}q/sun-blisters/?change=1"
    page = client.get(response["Location"]).content.decode()
    assert f'class="back-link" href="{BASE}review/"' in page
    response = client.post(f"{BASE}q/sun-blisters/?change=1", {"answer": "no"})
    assert response["Location"] == f"{BASE}review/"  # not on through the answered questions


def test_an_htmx_change_that_reveals_a_new_question_swaps_it_in_then_the_review(
    client, questionnaire
):
    run(client, CHILD_SELF_CARE)
    response = client.post(f"{BASE}q/who/?change=1", {"answer": "adult"}, HTTP_HX_REQUEST="true")
    assert response["HX-Push-Url"] == f"{BASE}q/sun-blisters/?change=1"
    assert f'hx-post="{BASE}q/sun-blisters/?change=1"' in response.content.decode()
    response = client.post(
        f"{BASE}q/sun-blisters/?change=1", {"answer": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Push-Url"] == f"{BASE}review/"
    assert "Check your answers" in response.content.decode()


def test_htmx_posts_get_the_next_step_fragment_and_its_url(client, questionnaire):
    response = answer(client, "who", "adult", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{BASE}q/unwell/"
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    emergency = "Does the person with the spots have any of these right now?"
    assert body.lstrip().startswith(f"<title>{emergency}")
    assert '<div id="question-step"' in body
    assert "<html" not in body and emergency in body


def test_the_last_htmx_step_swaps_in_the_review(client, questionnaire):
    run(client, ADULT_SELF_CARE[:-1])
    response = answer(client, "steroid-cream", "no", HTTP_HX_REQUEST="true")
    assert response["HX-Push-Url"] == f"{BASE}review/"
    assert "Check your answers" in response.content.decode()


def test_a_step_uses_at_most_three_queries(client, questionnaire):
    client.get(f"{BASE}q/who/")  # warm the spec cache
    with CaptureQueriesContext(connection) as shown:
        assert client.get(f"{BASE}q/who/").status_code == 200
    with CaptureQueriesContext(connection) as answered:
        assert answer(client, "who", "adult").status_code == 302
    assert len(shown) <= 3, [q["sql"] for q in shown]
    assert len(answered) <= 3, [q["sql"] for q in answered]


def test_the_kiosk_runs_the_same_questionnaire_under_its_own_path(client, questionnaire):
    response = client.post("/kiosk/check/white-spots/q/who/", {"answer": "adult"})
    assert response["Location"] == "/kiosk/check/white-spots/q/unwell/"
    assert response.cookies[stored_answers.COOKIE_NAME]["path"] == "/kiosk/check/white-spots/"


# -- bad input ----------------------------------------------------------------------------------
def test_a_missing_answer_re_asks_with_a_linked_error_summary(client, questionnaire):
    response = client.post(f"{BASE}q/who/", {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Who are the spots on?" in body
    assert "Select who the spots are on" in body
    assert "Select an answer" not in body
    assert 'class="error-summary"' in body and 'href="#answer-1"' in body
    assert 'aria-describedby="answer-error"' in body
    assert stored_answers.COOKIE_NAME not in response.cookies


def test_an_unknown_option_is_refused(client, questionnaire):
    response = answer(client, "who", "martian")
    assert response.status_code == 400
    assert "Choose one of the answers shown" in response.content.decode()
    assert stored_answers.COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("53", "52 or less"),
        ("-1", "0 or more"),
        ("twelve", "Enter a number"),
        ("1.234", "2 decimal places"),
        ("", "Enter your baby&#x27;s age in weeks"),
    ],
)
def test_a_bad_number_re_asks_with_a_message(client, questionnaire, value, message):
    run(client, BABY_SELF_CARE[:2])
    response = answer(client, "baby-age", value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_repeated_values_for_a_number_question_are_refused_not_the_last_one_kept(
    client, questionnaire
):
    run(client, BABY_SELF_CARE[:2])
    before = client.cookies[stored_answers.COOKIE_NAME].value
    response = answer(client, "baby-age", ["3", "40"])
    assert response.status_code == 400
    assert "Enter one number only" in response.content.decode()
    assert stored_answers.COOKIE_NAME not in response.cookies
    assert client.cookies[stored_answers.COOKIE_NAME].value == before


def test_jumping_ahead_to_a_later_step_goes_back_to_the_first_unanswered(client, questionnaire):
    response = client.get(f"{BASE}q/growing/")
    assert response["Location"] == f"{BASE}q/who/?skipped=1"
    assert "Please answer this question first" in client.get(response["Location"]).content.decode()
    assert answer(client, "growing", "no").status_code == 400
    assert client.get(f"{BASE}result/").status_code == 200
    assert client.get(f"{BASE}review/").status_code == 302


def test_a_question_that_does_not_apply_cannot_be_answered(client, questionnaire):
    run(client, ADULT_SELF_CARE[:1])
    assert answer(client, "fever", "yes").status_code == 400
    assert client.get(f"{BASE}q/fever/").status_code == 302


def test_the_result_needs_the_check_your_answers_step(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    response = client.get(f"{BASE}result/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}review/"
    assert not OutcomeTally.objects.exists()


def test_a_tampered_cookie_means_start_again_never_an_error(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    value = client.cookies[stored_answers.COOKIE_NAME].value
    client.cookies[stored_answers.COOKIE_NAME] = value[:-3] + "abc"
    response = client.get(f"{BASE}q/itch-pain/")
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()
    assert response.cookies[stored_answers.COOKIE_NAME].value == ""


def test_a_forged_cookie_with_a_red_flag_answer_is_refused(client, questionnaire):
    forged = signing.dumps({"v": questionnaire.live.version, "a": {"who": "adult"}}, salt="wrong")
    client.cookies[stored_answers.COOKIE_NAME] = forged
    assert client.get(f"{BASE}review/").status_code == 400


def test_an_expired_cookie_means_start_again(client, questionnaire, monkeypatch):
    run(client, ADULT_SELF_CARE[:2])
    monkeypatch.setattr(stored_answers, "MAX_AGE_SECONDS", -1)
    assert client.get(f"{BASE}q/itch-pain/").status_code == 400


def test_answers_from_an_older_version_mean_start_again(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    questionnaire.save()  # an edit in the admin, approved: the live version goes up
    make_live(questionnaire)
    assert client.get(f"{BASE}q/itch-pain/").status_code == 400


def test_a_huge_body_is_refused(client, questionnaire):
    response = client.post(f"{BASE}q/who/", {"answer": "adult", "padding": "x" * 20_000})
    assert response.status_code == 400
    assert stored_answers.COOKIE_NAME not in response.cookies


def test_an_unknown_step_or_questionnaire_is_404(client, questionnaire):
    assert client.get(f"{BASE}q/nope/").status_code == 404
    assert client.get("/check/nope/").status_code == 404


def test_a_draft_questionnaire_is_404_for_patients_but_staff_can_preview_it(client, questionnaire):
    questionnaire.take_offline(reviewer_user(), "Checking the advice again")
    assert client.get(BASE).status_code == 404
    assert client.get(f"{BASE}preview/").status_code == 302  # to the admin login
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.post(f"{BASE}preview/", {"who": "adult", "unwell": ["none"], "itch-pain": "yes"})
    assert page.status_code == 200
    decision = page.context["decision"]
    assert decision["outcome"]["slug"] == "see-gp" and decision["rule"] == "any"
    assert "Decided by the rule" in page.content.decode()


# -- downloads and advice -------------------------------------------------------------------------
def test_the_fhir_questionnaire_response_download_comes_from_the_result_page(client, questionnaire):
    run(client, ADULT_SELF_CARE)
    token = finish(client).context["response_token"]
    response = client.post(f"{BASE}fhir/response/", {"token": token})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert "attachment" in response["Content-Disposition"]
    assert b'"QuestionnaireResponse"' in response.content
    bad = client.post(f"{BASE}fhir/response/", {"token": token[:-2] + "zz"})
    assert bad.status_code == 400


def test_the_outcome_advice_page_has_the_advice_and_no_answers(client, questionnaire):
    response = client.get(f"{BASE}advice/emergency/")
    assert response.status_code == 200
    assert "Call 999" in response.content.decode()
    assert client.get(f"{BASE}advice/nope/").status_code == 404


def test_the_demo_marks_the_3_month_threshold_for_clinician_signoff(questionnaire):
    outcome = questionnaire.outcomes.get(slug="persistent-baby")
    assert outcome.needs_signoff and "product decision" in outcome.signoff_note
    assert questionnaire.featured and questionnaire.is_published
    assert str(questionnaire.next_review_due) == "2027-11-01"


# -- every outcome of the demo, for babies, children and adults -----------------------------------
EMERGENCY_SIGNS = [code for code, _text in signs.EMERGENCY_SIGNS]


def infected(steps):
    """The path with a squeezed or picked spot that became infected."""
    return replace(steps, infection="yes")


def first_change(who, steps) -> str:
    """The first answer in `steps` that differs from the typical path for `who`."""
    return next(k for (k, v), (_k, typical) in zip(steps, PATHS[who], strict=True) if v != typical)


def outcome_of(client, steps):
    response = run(client, steps)
    if response.status_code == 303:  # an urgent outcome: shown at once, no check-answers step
        assert response.cookies[stored_answers.COOKIE_NAME].value == ""  # answers forgotten
        assert client.get(f"{BASE}review/").status_code == 302  # no check-answers step
        return advice_slug(response)
    response = finish(client)
    assert response.status_code == 200
    return response.context["outcome"]["slug"]


# (who, path, outcome): every outcome, and every red flag, reached by a patient's answers.
EVERY_OUTCOME = [
    ("adult", ADULT_SELF_CARE, "self-care"),
    ("child", CHILD_SELF_CARE, "self-care"),
    ("baby", BABY_SELF_CARE, "self-care-baby"),
    ("baby", replace(BABY_SELF_CARE, baby_age="0"), "self-care-baby"),
    *[
        (who, replace(PATHS[who], unwell=[sign]), "emergency")
        for who in PATHS
        for sign in ("no-fade", "cold-hands")
    ],
    *[(who, replace(PATHS[who], fever="yes"), "urgent") for who in ("baby", "child")],
    *[(who, replace(PATHS[who], sleepy="yes"), "urgent") for who in ("baby", "child")],
    ("baby", replace(BABY_SELF_CARE, feeding="yes"), "urgent"),
    *[(who, infected(PATHS[who]), "urgent") for who in PATHS],
    ("baby", replace(BABY_SELF_CARE, newborn_blisters="yes"), "newborn-sore"),
    ("baby", replace(BABY_SELF_CARE, newborn_pain="yes"), "newborn-sore"),
    *[(who, replace(PATHS[who], growing="yes"), "skin-check") for who in PATHS],
    ("child", replace(CHILD_SELF_CARE, sudden_crop="yes"), "sudden-crop"),
    ("adult", near_the_eye(ADULT_SELF_CARE, yellow_flat="yes"), "xanthelasma"),
    ("child", near_the_eye(CHILD_SELF_CARE, near_eye_removal="yes"), "near-eye"),
    ("baby", replace(BABY_SELF_CARE, widespread="yes"), "see-gp"),
    ("baby", replace(BABY_SELF_CARE, where_baby=["nappy"]), "see-gp"),
    ("child", replace(CHILD_SELF_CARE, other_signs="yes"), "see-gp"),
    ("baby", older_baby("13"), "persistent-baby"),
    ("baby", older_baby("52"), "persistent-baby"),
]


@pytest.mark.parametrize(
    ("who", "steps", "slug"),
    EVERY_OUTCOME,
    ids=[f"{who}-{slug}-{n}" for n, (who, _steps, slug) in enumerate(EVERY_OUTCOME)],
)
def test_every_outcome_and_red_flag_of_the_demo_for_babies_children_and_adults(
    client, questionnaire, who, steps, slug
):
    urgent = questionnaire.outcomes.get(slug=slug).urgency in ("urgent", "emergency")
    response = run(client, steps)
    if urgent:  # the run ends at the answer that makes it certain, straight to its advice
        assert response.status_code == 303, slug
        assert response.stopped_at == first_change(who, steps)
        assert advice_slug(response) == slug
        assert response.cookies[stored_answers.COOKIE_NAME].value == ""
        advice = client.get(response["Location"])
        assert advice.status_code == 200 and advice.context["outcome"]["slug"] == slug
        assert client.get(response["Location"]).content == advice.content  # survives reload
        assert client.get(f"{BASE}review/").status_code == 302  # no check-answers step
        assert OutcomeTally.objects.get(outcome__slug=slug).count == 1
    else:  # every question answered, then "Check your answers", then the result
        assert response.status_code == 302 and response["Location"] == f"{BASE}review/"
        assert finish(client).context["outcome"]["slug"] == slug


def test_the_outcome_table_above_reaches_every_outcome_of_the_demo(questionnaire):
    reached = {slug for _who, _steps, slug in EVERY_OUTCOME}
    assert reached == set(questionnaire.outcomes.values_list("slug", flat=True))


EVERYTHING = {
    "unwell": ["drowsy", "shaking"],
    "fever": "yes",
    "sleepy": "yes",
    "growing": "yes",
    "pearly": "yes",
    "typical": "no",
    "where": ["face", "genitals", "mouth"],
    "dimple": "yes",
    "red_pus": "yes",
    "blisters": "yes",
    "itch_pain": "yes",
    "red_patch": "yes",
    "sudden_crop": "yes",
    "steroid_cream": "yes",
    "widespread": "yes",
}


@pytest.mark.parametrize("who", ["baby", "child", "adult"])
def test_an_emergency_sign_wins_over_every_other_answer(client, questionnaire, who):
    worst = replace(infected(PATHS[who] if who != "baby" else older_baby("30")), **EVERYTHING)
    assert outcome_of(client, worst) == "emergency"
    assert OutcomeTally.objects.get(outcome__slug="emergency").count == 1


def test_an_urgent_sign_wins_over_every_routine_answer(client, questionnaire):
    routine = {k: v for k, v in EVERYTHING.items() if k not in ("unwell", "fever", "sleepy")}
    steps = replace(infected(older_baby("40")), **routine)
    assert outcome_of(client, steps) == "urgent"


def test_a_red_flag_answer_hidden_by_a_later_change_no_longer_counts(client, questionnaire):
    run(client, replace(CHILD_SELF_CARE, other_signs="yes"))
    # A change of "who": the child-only questions are now hidden, the adult ones asked.
    response = client.post(f"{BASE}q/who/?change=1", {"answer": "adult"})
    assert response["Location"] == f"{BASE}q/sun-blisters/?change=1"
    assert client.post(response["Location"], {"answer": "no"})["Location"] == f"{BASE}review/"
    assert finish(client).context["outcome"]["slug"] == "self-care"


def test_after_an_urgent_result_the_answers_are_gone_and_the_advice_stays(client, questionnaire):
    response = run(client, replace(CHILD_SELF_CARE, unwell=["breathing"]))
    assert response.stopped_at == "unwell"
    assert response.cookies[stored_answers.COOKIE_NAME].value == ""
    advice = client.get(response["Location"])
    assert client.get(response["Location"]).content == advice.content  # a reload: the same
    assert client.get(f"{BASE}q/fever/")["Location"] == f"{BASE}q/who/"  # Back: start again
    assert client.get(f"{BASE}result/").status_code == 200  # "cleared", never the answers
    assert OutcomeTally.objects.get(outcome__slug="emergency").count == 1


def test_the_demo_questionnaire_is_linked_from_the_milia_article_and_the_home_page(
    client, questionnaire
):
    link = f'href="{BASE}"'
    assert link in client.get("/conditions/milia/").content.decode()
    assert link in client.get("/").content.decode()


# -- no-store on every questionnaire page ---------------------------------------------------------
def test_every_questionnaire_page_is_sent_with_no_store(client, questionnaire):
    responses = {"start": client.get(BASE), "step": client.get(f"{BASE}q/who/")}
    responses["answer"] = answer(client, "who", "adult")
    responses["htmx answer"] = answer(client, "unwell", ["none"], HTTP_HX_REQUEST="true")
    responses["error"] = answer(client, "itch-pain", "")
    responses["refused"] = answer(client, "itch-pain", "perhaps")
    run(client, ADULT_SELF_CARE[2:])
    responses["review"] = client.get(f"{BASE}review/")
    responses["confirm"] = client.post(f"{BASE}review/")
    responses["result"] = client.get(f"{BASE}result/")
    responses["cleared result"] = client.get(f"{BASE}result/")
    responses["clear"] = client.post(f"{BASE}clear/")
    client.cookies[stored_answers.COOKIE_NAME] = "tampered"
    responses["problem"] = client.get(f"{BASE}q/who/")
    for name, response in responses.items():
        assert "no-store" in response["Cache-Control"], name
        assert response.status_code < 500, name


# -- more bad input: refused or re-asked, never a 500, never a wrong outcome ----------------------
@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", "1e2", "1e-400", "0x10", "9" * 5000, "1,5", "5\x00", "½"],
)
def test_a_number_that_is_not_a_plain_number_in_range_is_re_asked(client, questionnaire, value):
    run(client, BABY_SELF_CARE[:2])
    response = answer(client, "baby-age", value)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert stored_answers.COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("who", ["adult", "baby"]),  # two answers to a one-answer question
        ("where", ["face", "martian"]),  # one unknown option among known ones
        ("where", ["<script>"]),
        ("itch-pain", "maybe"),
    ],
)
def test_a_tampered_choice_is_refused_and_nothing_is_stored(client, questionnaire, key, value):
    run(client, ADULT_SELF_CARE[: [k for k, _ in ADULT_SELF_CARE].index(key)])
    before = client.cookies.get(stored_answers.COOKIE_NAME)
    response = answer(client, key, value)
    assert response.status_code == 400
    assert "Choose one of the answers shown" in response.content.decode()
    assert stored_answers.COOKIE_NAME not in response.cookies
    assert client.cookies.get(stored_answers.COOKIE_NAME) == before


def test_a_repeated_option_counts_once(client, questionnaire):
    run(client, replace(ADULT_SELF_CARE, where=["face", "face"]))
    rows = {r["question"]["key"]: r["answer"] for r in client.get(f"{BASE}review/").context["rows"]}
    assert rows["where"] == "Somewhere else on the face"


def test_too_many_form_fields_are_a_400_not_a_500(client, questionnaire, settings):
    too_many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 100
    response = client.post(
        f"{BASE}q/who/", "a=1&" * too_many, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_broken_multipart_body_is_a_400_not_a_500(client, questionnaire):
    response = client.generic(
        "POST", f"{BASE}q/who/", b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert stored_answers.COOKIE_NAME not in response.cookies


def test_a_huge_htmx_body_is_refused_with_a_fragment_htmx_can_show(client, questionnaire):
    response = client.post(
        f"{BASE}q/who/", {"answer": "adult", "x": "y" * 20_000}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert '<div id="question-step"' in body and "<html" not in body
    assert "far too much data" in body


def test_a_refused_htmx_answer_comes_back_as_the_step_fragment(client, questionnaire):
    response = answer(client, "who", "martian", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 400
    assert '<div id="question-step"' in body and "<html" not in body
    assert "Choose one of the answers shown" in body


def test_an_unreadable_cookie_under_htmx_asks_to_start_again_in_the_step(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    client.cookies[stored_answers.COOKIE_NAME] = "not-a-signed-value"
    response = answer(client, "itch-pain", "no", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 400
    assert '<div id="question-step"' in body and "Please start again" in body
    assert response.cookies[stored_answers.COOKIE_NAME].value == ""


@pytest.mark.parametrize("how", ["tampered", "expired", "older version"])
def test_a_bad_cookie_at_the_last_steps_never_gives_a_result(
    client, questionnaire, monkeypatch, how
):
    run(client, ADULT_SELF_CARE)
    assert client.post(f"{BASE}review/").status_code == 302
    if how == "tampered":
        value = client.cookies[stored_answers.COOKIE_NAME].value
        client.cookies[stored_answers.COOKIE_NAME] = value[:-4] + "AAAA"
    elif how == "expired":
        monkeypatch.setattr(stored_answers, "MAX_AGE_SECONDS", -1)
    else:
        questionnaire.save()
        make_live(questionnaire)
    response = client.get(f"{BASE}result/")
    assert response.status_code == 400
    assert "outcome" not in (response.context or {})
    assert not OutcomeTally.objects.exists()


def test_a_forged_finished_flag_cannot_skip_questions(client, questionnaire):
    """Even a correctly signed cookie (e.g. an old key) must hold every answer for a result."""
    value = signing.dumps(
        {"v": questionnaire.live.version, "a": {"who": "adult"}, "f": True},
        salt="conditions.answers:white-spots",
        compress=True,
    )
    client.cookies[stored_answers.COOKIE_NAME] = value
    response = client.get(f"{BASE}result/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}q/unwell/"
    assert not OutcomeTally.objects.exists()


def test_the_downloaded_questionnaire_response_validates_as_fhir(client, questionnaire):
    import json

    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    steps = older_baby("7.5")
    run(client, steps)
    token = finish(client).context["response_token"]
    response = client.post(f"{BASE}fhir/response/", {"token": token})
    parsed = QuestionnaireResponse.model_validate(json.loads(response.content))
    assert parsed.status == "completed"
    assert [i.linkId for i in parsed.item] == [k for k, _ in steps]


@pytest.mark.parametrize(
    ("key", "earlier", "message"),
    [
        ("who", [], "Select who the spots are on"),
        ("unwell", [("who", "baby")], "Select the signs the person has now, or “None of these”"),
        ("baby-age", [("who", "baby"), ("unwell", ["none"])], "Enter your baby's age in weeks"),
        (
            "fever",
            [("who", "child"), ("unwell", ["none"])],
            "Select yes if your child has a temperature of 38°C or higher",
        ),
    ],
)
def test_an_unanswered_question_says_what_to_answer_in_its_own_words(
    client, questionnaire, key, earlier, message
):
    run(client, earlier)
    body = client.post(f"{BASE}q/{key}/", {}).content.decode()
    # In the error summary and beside the question.
    assert body.count(message.replace("'", "&#x27;")) == 2, message


def test_every_demo_question_has_its_own_error_message(questionnaire):
    for question in questionnaire.questions.all():
        assert question.error_text, question.key
        assert question.error_text.startswith(("Select ", "Enter ")), question.error_text


@pytest.mark.parametrize(
    ("kind", "options", "unit", "message"),
    [
        ("yes_no", [{"code": "yes"}, {"code": "no"}], "", "Select yes or no"),
        ("single", [{"code": "a"}], "", "Select one answer"),
        ("multiple", [{"code": "a"}], "", "Select at least one answer"),
        (
            "multiple",
            [{"code": "a"}, {"code": "none", "text": "None of these", "exclusive": True}],
            "",
            "Select at least one answer, or “None of these”",
        ),
        ("number", [], "weeks", "Enter the number of weeks"),
        ("number", [], "", "Enter a number"),
    ],
)
def test_a_question_without_its_own_error_message_gets_one_that_fits_its_answers(
    kind, options, unit, message
):
    question = {"kind": kind, "options": options, "unit": unit, "error_text": ""}
    assert required_message(question) == message
    assert required_message({**question, "error_text": "Select your age"}) == "Select your age"
