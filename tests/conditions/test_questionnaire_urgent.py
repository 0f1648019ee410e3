"""Clinical safety over HTTP: an answer that makes an urgent outcome certain ends the run at once.

Walks every path of a small questionnaire with two urgent red flags, as a browser without
JavaScript does and as HTMX does, and checks the urgent advice page itself.
"""

from __future__ import annotations

import pytest

from conditions import answers as stored_answers
from conditions.models import OutcomeTally
from tests.conditions.questionnaire_factories import URGENT_ANSWERS, urgent_questionnaire
from tests.factories import ConditionFactory, make_live, reviewer_user

BASE = "/check/check/"
COOKIE = stored_answers.COOKIE_NAME
# Every distinct answer worth trying on each question of urgent_questionnaire().
CANDIDATES = {
    "who": ["adult", "child"],
    "breathing": ["yes", "no"],
    "spots": [["white"], ["red"], ["none"], ["white", "red"]],
    "fever": ["yes", "no"],
    "itch": ["yes", "no"],
}


@pytest.fixture
def questionnaire(db):
    return urgent_questionnaire()


def walk_every_path(client, base, htmx, key="who", path=()):
    """Answer `key` every way from the same answers so far; follow each branch to its end.

    Returns [(path, end)], end being the urgent outcome's slug or "review".
    """
    ends = []
    saved = client.cookies[COOKIE].value if COOKIE in client.cookies else None
    for value in CANDIDATES[key]:
        if saved is None:
            client.cookies.pop(COOKIE, None)
        else:
            client.cookies[COOKIE] = saved
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(f"{base}q/{key}/", {"answer": value}, **extra)
        here = (*path, (key, value))
        urgent = URGENT_ANSWERS.get((key, value)) if isinstance(value, str) else None
        if urgent:  # straight to the advice: no more questions, no check-answers step
            advice = f"{base}advice/{urgent}/"
            if htmx:
                assert (response.status_code, response["HX-Redirect"]) == (200, advice), here
            else:
                assert (response.status_code, response["Location"]) == (303, advice), here
            assert response.cookies[COOKIE].value == "", here  # the answers are forgotten
            ends.append((here, urgent))
            continue
        if htmx:
            assert response.status_code == 200, here
            next_url = response["HX-Push-Url"]
        else:
            assert response.status_code == 302, here
            next_url = response["Location"]
        assert "/advice/" not in next_url, here
        if next_url == f"{base}review/":
            ends.append((here, "review"))
        else:
            next_key = next_url.rstrip("/").rsplit("/", 1)[-1]
            ends.extend(walk_every_path(client, base, htmx, next_key, here))
    return ends


@pytest.mark.parametrize("htmx", [False, True], ids=["no-javascript", "htmx"])
def test_every_urgent_answer_is_followed_directly_by_its_urgent_result(client, questionnaire, htmx):
    ends = walk_every_path(client, BASE, htmx)
    urgent_ends = {end for _path, end in ends if end != "review"}
    assert urgent_ends == {"emergency", "today"}
    # Every path that gave an urgent answer ended at that answer; every other reached review.
    for path, end in ends:
        urgent_in_path = [URGENT_ANSWERS.get(a) for a in path if isinstance(a[1], str)]
        urgent_in_path = [u for u in urgent_in_path if u]
        assert urgent_in_path == ([] if end == "review" else [end]), path
    assert len(ends) == 25  # adult 4 x (fever yes, or 2 x itch) = 12; child 1 + 12
    for slug in urgent_ends:  # the result survives a reload: its own URL, no answers in it
        first = client.get(f"{BASE}advice/{slug}/")
        again = client.get(f"{BASE}advice/{slug}/")
        assert first.status_code == again.status_code == 200
        assert first.content == again.content


def test_an_urgent_answer_skips_the_remaining_questions_and_is_counted_once(client, questionnaire):
    client.post(f"{BASE}q/who/", {"answer": "adult"})
    client.post(f"{BASE}q/spots/", {"answer": "white"})
    response = client.post(f"{BASE}q/fever/", {"answer": "yes"})
    assert response.status_code == 303 and response["Location"] == f"{BASE}advice/today/"
    client.get(response["Location"])
    client.get(response["Location"])  # a reload counts nothing
    assert client.get(f"{BASE}review/")["Location"] == f"{BASE}q/who/"  # nothing left to check
    assert client.get(f"{BASE}result/").status_code == 200  # "cleared", no outcome
    assert OutcomeTally.objects.get(outcome__slug="today").count == 1
    assert OutcomeTally.objects.filter(outcome__slug="emergency").count() == 0


def test_the_emergency_advice_shows_only_what_to_do_now_with_a_999_phone_link(
    client, questionnaire
):
    ConditionFactory(published=True, slug="rash", name="Rashes")
    questionnaire.outcomes.get(slug="emergency").conditions.add(
        questionnaire.conditions.model.objects.get(slug="rash")
    )
    live = make_live(questionnaire)  # the link is on the version patients see
    assert live.outcomes.get(slug="emergency").conditions.filter(slug="rash").exists()
    body = client.get(f"{BASE}advice/emergency/").content.decode()
    advice = body[body.index("data-urgent-advice") :]
    assert "<h1>Call 999 now</h1>" in advice
    assert '<a class="button call-button" href="tel:999">Call 999</a>' in advice
    assert "What to do now" in advice and "Call <strong>999</strong> now." in advice
    for absent in ("/conditions/", "treatments", "fhir", "Rashes", "Answer the questions"):
        assert absent not in advice, absent


def test_the_same_day_advice_links_111_when_it_says_to_call_111(client, questionnaire):
    body = client.get(f"{BASE}advice/today/").content.decode()
    assert 'href="tel:111"' in body and 'href="tel:999"' not in body
    assert "fhir" not in body[body.index("data-urgent-advice") :]


def test_in_the_kiosk_an_urgent_answer_says_to_tell_a_member_of_staff_now(client, questionnaire):
    kiosk = "/kiosk/check/check/"
    client.post(f"{kiosk}q/who/", {"answer": "child"})
    response = client.post(f"{kiosk}q/breathing/", {"answer": "yes"})
    assert response.status_code == 303
    assert response["Location"] == f"{kiosk}advice/emergency/"
    body = client.get(response["Location"]).content.decode()
    assert "Tell a member of staff now." in body
    assert "tel:" not in body


def test_a_draft_article_linked_from_an_outcome_is_not_shown(client, questionnaire):
    live = ConditionFactory(published=True, slug="milia", name="Milia")
    draft = ConditionFactory(slug="draft-thing", name="Draft thing")
    offline = ConditionFactory(published=True, slug="offline-thing", name="Offline thing")
    offline.take_offline(by=reviewer_user(), reason="Under review")  # its live copy remains
    questionnaire.outcomes.get(slug="see-gp").conditions.add(live, draft, offline)
    live_outcome = make_live(questionnaire).outcomes.get(slug="see-gp")  # as approved
    # The live version links the offline page's live copy: the view must leave it out.
    assert live_outcome.conditions.filter(slug="offline-thing").exists()
    body = client.get(f"{BASE}advice/see-gp/").content.decode()
    assert 'href="/conditions/milia/"' in body
    assert "Draft thing" not in body and "/conditions/draft-thing/" not in body
    assert "Offline thing" not in body and "/conditions/offline-thing/" not in body
    for key, value in [("who", "adult"), ("spots", "red"), ("fever", "no"), ("itch", "no")]:
        client.post(f"{BASE}q/{key}/", {"answer": value})
    client.post(f"{BASE}review/")
    result = client.get(f"{BASE}result/").content.decode()
    assert 'href="/conditions/milia/"' in result and "Draft thing" not in result
    assert "Offline thing" not in result


# -- refused answers ------------------------------------------------------------------------------
def test_none_of_these_with_another_answer_is_refused_and_keeps_the_answers(client, questionnaire):
    client.post(f"{BASE}q/who/", {"answer": "adult"})
    before = client.cookies[COOKIE].value
    response = client.post(f"{BASE}q/spots/", {"answer": ["red", "none"]})
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "“None of these” cannot be ticked with another answer to “What do the spots look like?”"
        in body
    )
    assert 'value="red" checked' in body and 'value="none" checked' in body
    assert "data-exclusive" in body
    assert COOKIE not in response.cookies and client.cookies[COOKIE].value == before
    assert client.post(f"{BASE}q/spots/", {"answer": ["none"]}).status_code == 302


def test_an_htmx_exclusive_refusal_comes_back_as_the_step_fragment(client, questionnaire):
    client.post(f"{BASE}q/who/", {"answer": "adult"})
    response = client.post(f"{BASE}q/spots/", {"answer": ["none", "white"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert '<div id="question-step"' in body and "<html" not in body
    assert "cannot be ticked with another answer" in body


def test_a_signed_cookie_with_none_of_these_and_another_answer_means_start_again(
    client, questionnaire
):
    from django.core import signing

    client.cookies[COOKIE] = signing.dumps(
        {"v": questionnaire.version, "a": {"who": "adult", "spots": ["none", "red"]}},
        salt="conditions.answers:check",
        compress=True,
    )
    response = client.get(f"{BASE}q/fever/")
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()
