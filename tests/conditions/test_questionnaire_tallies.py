"""A finished questionnaire run is counted once: replaying its answers cookie counts nothing."""

import datetime

import pytest
import time_machine
from django.core import signing

from conditions import answers as stored_answers
from conditions.models import CountedRun, OutcomeTally
from tests.conditions.test_questionnaire_views import (
    ADULT_SELF_CARE,
    BASE,
    finish,
    milia_questionnaire_built,  # noqa: F401 - the fixture the next one uses
    questionnaire,  # noqa: F401 - the fixture
    run,
)

pytestmark = pytest.mark.django_db


def tally(slug: str) -> int:
    found = OutcomeTally.objects.filter(outcome__slug=slug).first()
    return found.count if found else 0


def finished_cookie(client) -> str:
    """Answer every question and confirm them; the cookie a saved browser profile would hold."""
    run(client, ADULT_SELF_CARE)
    assert client.post(f"{BASE}review/").status_code == 302
    return client.cookies[stored_answers.COOKIE_NAME].value


def replay(client, cookie: str):
    client.cookies[stored_answers.COOKIE_NAME] = cookie
    return client.get(f"{BASE}result/")


def test_replaying_a_finished_answers_cookie_shows_the_result_but_counts_once(
    client,
    questionnaire,  # noqa: F811
):
    cookie = finished_cookie(client)
    first = client.get(f"{BASE}result/")
    assert first.status_code == 200 and first.context["outcome"]["slug"] == "self-care"
    assert tally("self-care") == 1
    for _ in range(5):
        again = replay(client, cookie)
        assert again.status_code == 200
        assert again.context["outcome"]["slug"] == "self-care"  # still shown
    assert tally("self-care") == 1
    assert CountedRun.objects.count() == 1


def test_confirming_the_same_run_twice_is_still_one_run(client, questionnaire):  # noqa: F811
    run(client, ADULT_SELF_CARE)
    client.post(f"{BASE}review/")
    client.post(f"{BASE}review/")  # a double submit: a new cookie, the same run code
    client.get(f"{BASE}result/")
    replay_cookie = client.cookies[stored_answers.COOKIE_NAME].value
    assert replay_cookie == ""  # cleared after the result
    assert tally("self-care") == 1


def test_each_new_run_counts(client, questionnaire):  # noqa: F811
    for _ in range(3):
        run(client, ADULT_SELF_CARE)
        finish(client)
    assert tally("self-care") == 3


def test_two_patients_with_the_same_answers_are_two_runs(questionnaire):  # noqa: F811
    from django.test import Client

    for _ in range(2):
        client = Client()
        run(client, ADULT_SELF_CARE)
        finish(client)
    assert tally("self-care") == 2


def test_replaying_a_cookie_that_makes_an_urgent_outcome_certain_counts_once(client):
    from tests.conditions.questionnaire_factories import urgent_questionnaire

    urgent_questionnaire()
    base, salt = "/check/check/", "conditions.answers:check"
    client.post(f"{base}q/who/", {"answer": "adult"})
    client.post(f"{base}q/breathing/", {"answer": "no"})
    client.post(f"{base}q/spots/", {"answer": ["white"]})
    cookie = client.cookies[stored_answers.COOKIE_NAME].value
    # The saved cookie of a run whose answers already make "today" certain (an older page's
    # answers, replayed on a step page): counted once, then only shown the advice.
    state = signing.loads(cookie, salt=salt)
    state["a"]["fever"] = "yes"
    urgent_cookie = signing.dumps(state, salt=salt, compress=True)
    for _ in range(3):
        client.cookies[stored_answers.COOKIE_NAME] = urgent_cookie
        assert client.get(f"{base}q/who/")["Location"] == f"{base}advice/today/"
    assert tally("today") == 1


def test_a_cookie_from_before_run_codes_counts_once(client, questionnaire):  # noqa: F811
    cookie = finished_cookie(client)
    state = signing.loads(cookie, salt="conditions.answers:white-spots")
    del state["n"]
    old = signing.dumps(state, salt="conditions.answers:white-spots", compress=True)
    for _ in range(3):
        assert replay(client, old).status_code == 200
    assert tally("self-care") == 1


def test_counted_runs_are_pruned_once_no_cookie_could_replay_them(
    client,
    questionnaire,  # noqa: F811
):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        run(client, ADULT_SELF_CARE)
        finish(client)
    assert CountedRun.objects.count() == 1
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)):
        run(client, ADULT_SELF_CARE)
        finish(client)
    assert CountedRun.objects.count() == 1  # the 9 o'clock run is gone, this one kept
    assert tally("self-care") == 2


def test_the_run_code_is_random_not_derived_from_the_answers(client, questionnaire):  # noqa: F811
    codes = set()
    for _ in range(2):
        cookie = finished_cookie(client)
        codes.add(signing.loads(cookie, salt="conditions.answers:white-spots")["n"])
        client.get(f"{BASE}result/")
    assert len(codes) == 2
