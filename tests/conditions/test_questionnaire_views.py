"""The patient questionnaire over HTTP, with the demo milia questionnaire."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import signing
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from conditions import answers as stored_answers
from conditions.demo import questionnaires as demo
from conditions.models import OutcomeTally, Question, Questionnaire
from tests.factories import ConditionFactory, UserFactory, editors, reviewer_user

BASE = "/check/white-spots/"

ADULT_SELF_CARE = [
    ("who", "adult"),
    ("look", ["typical"]),
    ("itch-pain", "no"),
    ("squeezed", "no"),
    ("history", ["none"]),
]
BABY_SELF_CARE = [
    ("who", "baby"),
    ("baby-age", "2"),
    ("unwell", ["none"]),
    ("fever", "no"),
    ("look", ["typical"]),
    ("itch-pain", "no"),
    ("squeezed", "no"),
    ("history", ["none"]),
]


@pytest.fixture
def questionnaire(db):
    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())
    return Questionnaire.objects.get(slug="white-spots")


def answer(client, key, value, **extra):
    return client.post(f"{BASE}q/{key}/", {"answer": value}, **extra)


def run(client, steps):
    """Answer each step as a no-JS browser does, following the redirects."""
    response = None
    for key, value in steps:
        response = answer(client, key, value)
        assert response.status_code == 302, (key, response.status_code)
    return response


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


@pytest.mark.parametrize("steps", [ADULT_SELF_CARE, BABY_SELF_CARE], ids=["adult", "baby"])
def test_typical_milia_reaches_self_care(client, questionnaire, steps):
    run(client, steps)
    response = finish(client)
    assert response.status_code == 200
    assert response.context["outcome"]["slug"] == "self-care"


@pytest.mark.parametrize("sign", ["no-fade", "breathing", "colour", "neck-light", "drowsy"])
@pytest.mark.parametrize("who", ["baby", "child"])
def test_each_emergency_sign_leads_to_999_whatever_else_was_answered(
    client, questionnaire, sign, who
):
    steps = replace(BABY_SELF_CARE, who=who, unwell=[sign, "none"], fever="yes")
    if who == "child":
        steps = [s for s in steps if s[0] != "baby-age"]
    run(client, steps)
    response = finish(client)
    assert response.context["outcome"]["slug"] == "emergency"
    assert response.context["decision"]["rule"] == "red_flag"


def test_a_baby_with_a_temperature_needs_advice_today(client, questionnaire):
    run(client, replace(BABY_SELF_CARE, fever="yes"))
    assert finish(client).context["outcome"]["slug"] == "urgent"


def test_an_infected_squeezed_spot_needs_advice_today(client, questionnaire):
    steps = replace(ADULT_SELF_CARE, squeezed="yes")
    steps.insert(4, ("infection", "yes"))
    run(client, steps)
    response = finish(client)
    assert response.context["outcome"]["slug"] == "urgent"
    assert "You answered “Yes” to" in response.content.decode()


# Answers that each turn a self-care path into "see a GP or pharmacist".
ROUTINE_FLAGS = [
    {"look": ["red-pus"]},
    {"look": ["blisters"]},
    {"look": ["typical", "pearly"]},
    {"look": ["changing"]},
    {"look": ["yellow-flat"]},
    {"look": ["dimpled"]},
    {"look": ["red-patch"]},
    {"look": ["unsure"]},
    {"itch_pain": "yes"},
    {"history": ["sudden-crop"]},
    {"history": ["new-medicine"]},
    {"history": ["after-blisters"]},
    {"history": ["steroid-cream"]},
    {"history": ["near-eye"]},
    {"history": ["widespread"]},
]


@pytest.mark.parametrize("change", ROUTINE_FLAGS)
def test_each_routine_red_flag_leads_to_a_gp_appointment(client, questionnaire, change):
    run(client, replace(ADULT_SELF_CARE, **change))
    assert finish(client).context["outcome"]["slug"] == "see-gp"


@pytest.mark.parametrize(("weeks", "slug"), [("12.99", "self-care"), ("13", "persistent-baby")])
def test_baby_spots_after_about_3_months_need_a_check(client, questionnaire, weeks, slug):
    run(client, replace(BABY_SELF_CARE, baby_age=weeks))
    assert finish(client).context["outcome"]["slug"] == slug


def test_the_result_says_why_what_next_and_links_to_the_article(client, questionnaire):
    run(client, replace(ADULT_SELF_CARE, itch_pain="yes"))
    body = finish(client).content.decode()
    assert "Book an appointment with your GP" in body
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


def test_clear_is_a_post_only(client, questionnaire):
    assert client.get(f"{BASE}clear/").status_code == 405


def test_no_database_row_holds_any_answer_after_a_complete_run(client, questionnaire):
    steps = replace(BABY_SELF_CARE, baby_age="7.25", look=["typical", "dimpled"])
    run(client, steps)
    finish(client)
    needles = {"7.25", "dimpled"} | {
        o.text for o in questionnaire.questions.get(key="look").options.filter(code="dimpled")
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
    body = client.get(f"{BASE}q/look/").content.decode()
    assert "Question 2 of about 5" in body
    assert f'class="back-link" href="{BASE}q/who/"' in body
    assert f'action="{BASE}clear/"' in body


def test_back_shows_the_earlier_answer_and_changing_it_drops_hidden_answers(client, questionnaire):
    run(client, BABY_SELF_CARE[:4])
    body = client.get(f"{BASE}q/who/").content.decode()
    assert 'value="baby" checked' in body
    run(client, [("who", "adult")])
    review = client.get(f"{BASE}review/")
    assert review.status_code == 302  # the adult path still has unanswered questions
    assert review["Location"] == f"{BASE}q/look/"
    run(client, ADULT_SELF_CARE[1:])
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
    run(client, ADULT_SELF_CARE)
    response = client.post(f"{BASE}q/squeezed/?change=1", {"answer": "yes"})
    assert response["Location"] == f"{BASE}q/infection/?change=1"
    page = client.get(response["Location"]).content.decode()
    assert f'class="back-link" href="{BASE}review/"' in page
    response = client.post(f"{BASE}q/infection/?change=1", {"answer": "no"})
    assert response["Location"] == f"{BASE}review/"  # not on through the answered questions


def test_an_htmx_change_that_reveals_a_new_question_swaps_it_in_then_the_review(
    client, questionnaire
):
    run(client, ADULT_SELF_CARE)
    response = client.post(f"{BASE}q/squeezed/?change=1", {"answer": "yes"}, HTTP_HX_REQUEST="true")
    assert response["HX-Push-Url"] == f"{BASE}q/infection/?change=1"
    assert f'hx-post="{BASE}q/infection/?change=1"' in response.content.decode()
    response = client.post(
        f"{BASE}q/infection/?change=1", {"answer": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Push-Url"] == f"{BASE}review/"
    assert "Check your answers" in response.content.decode()


def test_htmx_posts_get_the_next_step_fragment_and_its_url(client, questionnaire):
    response = answer(client, "who", "adult", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{BASE}q/look/"
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert body.lstrip().startswith("<title>What do the spots look like?")
    assert '<div id="question-step"' in body
    assert "<html" not in body and "What do the spots look like?" in body


def test_the_last_htmx_step_swaps_in_the_review(client, questionnaire):
    run(client, ADULT_SELF_CARE[:-1])
    response = answer(client, "history", ["none"], HTTP_HX_REQUEST="true")
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
    assert response["Location"] == "/kiosk/check/white-spots/q/look/"
    assert response.cookies[stored_answers.COOKIE_NAME]["path"] == "/kiosk/check/white-spots/"


# -- bad input ----------------------------------------------------------------------------------
def test_a_missing_answer_re_asks_with_a_linked_error_summary(client, questionnaire):
    response = client.post(f"{BASE}q/who/", {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Who are the spots on?" in body
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
        ("", "Enter a number"),
    ],
)
def test_a_bad_number_re_asks_with_a_message(client, questionnaire, value, message):
    run(client, BABY_SELF_CARE[:1])
    response = answer(client, "baby-age", value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_jumping_ahead_to_a_later_step_goes_back_to_the_first_unanswered(client, questionnaire):
    response = client.get(f"{BASE}q/history/")
    assert response["Location"] == f"{BASE}q/who/?skipped=1"
    assert "Please answer this question first" in client.get(response["Location"]).content.decode()
    assert answer(client, "history", ["none"]).status_code == 400
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


def approve_new_version(questionnaire):
    """An edit approved by a reviewer: the live questionnaire patients answer changes."""
    questionnaire.record_change()
    questionnaire.publish(by=reviewer_user(), attested=True)


def test_answers_from_an_older_version_mean_start_again(client, questionnaire):
    run(client, ADULT_SELF_CARE[:2])
    questionnaire.record_change()  # an edit in the admin: a draft, patients see no change
    assert client.get(f"{BASE}q/itch-pain/").status_code == 200
    approve_new_version(questionnaire)
    assert client.get(f"{BASE}q/itch-pain/").status_code == 400


def test_a_huge_body_is_refused(client, questionnaire):
    response = client.post(f"{BASE}q/who/", {"answer": "adult", "padding": "x" * 20_000})
    assert response.status_code == 400
    assert stored_answers.COOKIE_NAME not in response.cookies


def test_an_unknown_step_or_questionnaire_is_404(client, questionnaire):
    assert client.get(f"{BASE}q/nope/").status_code == 404
    assert client.get("/check/nope/").status_code == 404


def test_a_draft_questionnaire_is_404_for_patients_but_staff_can_preview_it(client, questionnaire):
    questionnaire.take_offline(by=reviewer_user(), reason="Being checked")
    assert client.get(BASE).status_code == 404
    assert client.get(f"{BASE}preview/").status_code == 302  # to the admin login
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.post(f"{BASE}preview/", {"who": "adult", "look": ["typical"], "itch-pain": "yes"})
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


def test_the_demo_loader_is_idempotent_and_needs_the_milia_article(db):
    with pytest.raises(demo.MissingCondition):
        demo.load(*editors())
    ConditionFactory(published=True, slug="milia", name="Milia")
    assert demo.load(*editors()) == ["white-spots"]
    assert demo.load(*editors()) == []
    working = Question.objects.filter(
        questionnaire__slug="white-spots", questionnaire__is_live=False
    )
    assert working.count() == 9
    live = Question.objects.filter(questionnaire__slug="white-spots", questionnaire__is_live=True)
    assert live.count() == 9


# -- every outcome of the demo, for babies, children and adults -----------------------------------
CHILD_SELF_CARE = [s for s in BABY_SELF_CARE if s[0] != "baby-age"]
CHILD_SELF_CARE[0] = ("who", "child")
PATHS = {"adult": ADULT_SELF_CARE, "child": CHILD_SELF_CARE, "baby": BABY_SELF_CARE}
EMERGENCY_SIGNS = ["no-fade", "breathing", "colour", "neck-light", "drowsy"]


def infected(steps):
    """The path with a squeezed spot that became infected (reveals the infection question)."""
    steps = replace(steps, squeezed="yes")
    at = [k for k, _ in steps].index("squeezed") + 1
    return [*steps[:at], ("infection", "yes"), *steps[at:]]


def outcome_of(client, steps):
    run(client, steps)
    response = finish(client)
    assert response.status_code == 200
    return response.context["outcome"]["slug"]


# (who, path, outcome): every outcome, and every red flag, reached by a patient's answers.
EVERY_OUTCOME = [
    *[(who, PATHS[who], "self-care") for who in PATHS],
    *[
        (who, replace(PATHS[who], unwell=[sign]), "emergency")
        for who in ("baby", "child")
        for sign in EMERGENCY_SIGNS
    ],
    *[(who, replace(PATHS[who], fever="yes"), "urgent") for who in ("baby", "child")],
    *[(who, infected(PATHS[who]), "urgent") for who in PATHS],
    *[(who, replace(PATHS[who], **flag), "see-gp") for who in PATHS for flag in ROUTINE_FLAGS],
    ("baby", replace(BABY_SELF_CARE, baby_age="13"), "persistent-baby"),
    ("baby", replace(BABY_SELF_CARE, baby_age="52"), "persistent-baby"),
    ("baby", replace(BABY_SELF_CARE, baby_age="0"), "self-care"),
]


@pytest.mark.parametrize(
    ("who", "steps", "slug"),
    EVERY_OUTCOME,
    ids=[f"{who}-{slug}-{n}" for n, (who, _steps, slug) in enumerate(EVERY_OUTCOME)],
)
def test_every_outcome_and_red_flag_of_the_demo_for_babies_children_and_adults(
    client, questionnaire, who, steps, slug
):
    assert outcome_of(client, steps) == slug


def test_the_outcome_table_above_reaches_every_outcome_of_the_demo(questionnaire):
    reached = {slug for _who, _steps, slug in EVERY_OUTCOME}
    assert reached == set(questionnaire.outcomes.values_list("slug", flat=True))


@pytest.mark.parametrize("who", ["baby", "child"])
def test_an_emergency_sign_wins_over_every_other_answer(client, questionnaire, who):
    worst = replace(
        infected(PATHS[who]),
        unwell=["drowsy", "none"],
        fever="yes",
        look=["red-pus", "blisters", "pearly", "changing", "unsure"],
        itch_pain="yes",
        history=["sudden-crop", "near-eye", "widespread"],
    )
    if who == "baby":
        worst = replace(worst, baby_age="30")
    assert outcome_of(client, worst) == "emergency"


def test_an_urgent_sign_wins_over_every_routine_answer(client, questionnaire):
    steps = replace(
        infected(BABY_SELF_CARE),
        baby_age="40",
        look=["red-pus", "pearly", "unsure"],
        itch_pain="yes",
        history=["sudden-crop", "widespread"],
    )
    assert outcome_of(client, steps) == "urgent"


def test_a_red_flag_answer_hidden_by_a_later_change_no_longer_counts(client, questionnaire):
    run(client, replace(CHILD_SELF_CARE, unwell=["breathing"]))
    run(client, [("who", "adult")])  # the child-only questions are now hidden
    run(client, ADULT_SELF_CARE[1:])
    assert finish(client).context["outcome"]["slug"] == "self-care"


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
    responses["htmx answer"] = answer(client, "look", ["typical"], HTTP_HX_REQUEST="true")
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
    run(client, BABY_SELF_CARE[:1])
    response = answer(client, "baby-age", value)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert stored_answers.COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("who", ["adult", "baby"]),  # two answers to a one-answer question
        ("look", ["typical", "martian"]),  # one unknown option among known ones
        ("look", ["<script>"]),
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
    run(client, replace(ADULT_SELF_CARE, look=["typical", "typical"]))
    rows = {r["question"]["key"]: r["answer"] for r in client.get(f"{BASE}review/").context["rows"]}
    assert rows["look"] == "Small, hard, white or pale yellow bumps, about the size of a pinhead"


def test_too_many_form_fields_are_a_400_not_a_500(client, questionnaire):
    response = client.post(
        f"{BASE}q/who/", "a=1&" * 1100, content_type="application/x-www-form-urlencoded"
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
        approve_new_version(questionnaire)
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
    assert response.status_code == 302 and response["Location"] == f"{BASE}q/look/"
    assert not OutcomeTally.objects.exists()


def test_the_downloaded_questionnaire_response_validates_as_fhir(client, questionnaire):
    import json

    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    run(client, replace(BABY_SELF_CARE, baby_age="7.5"))
    token = finish(client).context["response_token"]
    response = client.post(f"{BASE}fhir/response/", {"token": token})
    parsed = QuestionnaireResponse.model_validate(json.loads(response.content))
    assert parsed.status == "completed"
    assert [i.linkId for i in parsed.item] == [k for k, _ in BABY_SELF_CARE]
