"""The privacy boundary: the only code that reads or writes a patient's questionnaire answers.

Answers live in one signed, HttpOnly cookie per questionnaire, scoped by path to that
questionnaire's pages (``/check/<slug>/`` or ``/kiosk/check/<slug>/``) and valid for two hours.
They are never written to the database, the session store, the cache or the logs. They are
cleared once the result has been shown, on "Clear my answers", and on kiosk reset (which expires
every questionnaire's cookie: conditions/views/kiosk.py ``reset``).

A cookie that was tampered with, has expired, or belongs to an older version of the
questionnaire raises ``AnswersUnreadable``; the views then ask the patient to start again.

Each run also carries a random run code in the cookie, made at the first answer and kept until
the cookie is cleared. ``run_code`` gives the views a digest of it, so that a finished run is
counted once (conditions.models.CountedRun): replaying a saved copy of the cookie shows the
result again but does not count it again. The code is not derived from the answers.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.urls import reverse

COOKIE_NAME = "questionnaire_answers"
MAX_AGE_SECONDS = 2 * 60 * 60
RESPONSE_TOKEN_MAX_AGE = MAX_AGE_SECONDS
_SALT = "conditions.answers"
_RESPONSE_SALT = "conditions.answers.fhir-response"


class AnswersUnreadable(Exception):
    """The answers cookie or download token is tampered with, expired or out of date."""


def cookie_path(request, slug: str) -> str:
    """The questionnaire's own URL prefix, in whichever instance (public or kiosk) we are."""
    namespace = request.resolver_match.namespace if request.resolver_match else "conditions"
    return reverse("conditions:questionnaire_start", args=[slug], current_app=namespace)


def _salt(spec: dict) -> str:
    return f"{_SALT}:{spec['slug']}"


def _clean(spec: dict, raw) -> dict:
    """Keep only answers that fit the questionnaire as it is now; anything else is refused."""
    if not isinstance(raw, dict):
        raise AnswersUnreadable("answers are not a mapping")
    questions = {q["key"]: q for q in spec["questions"]}
    answers = {}
    for key, value in raw.items():
        question = questions.get(key)
        if question is None:
            raise AnswersUnreadable("answer to an unknown question")
        if value is None:
            answers[key] = None
            continue
        codes = {o["code"] for o in question["options"]}
        if question["kind"] == "number":
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError) as exc:
                raise AnswersUnreadable("not a number") from exc
            if not (question["min"] <= number <= question["max"]):
                raise AnswersUnreadable("number out of range")
            answers[key] = number
        elif question["kind"] == "multiple":
            if not isinstance(value, list) or not set(value) <= codes:
                raise AnswersUnreadable("unknown option")
            exclusive = {o["code"] for o in question["options"] if o.get("exclusive")}
            if len(set(value)) > 1 and exclusive & set(value):
                raise AnswersUnreadable("an exclusive answer with another")
            answers[key] = list(value)
        else:
            if value not in codes:
                raise AnswersUnreadable("unknown option")
            answers[key] = value
    return answers


def _dump(spec: dict, answers: dict) -> dict:
    return {
        key: (str(value) if isinstance(value, Decimal) else value) for key, value in answers.items()
    }


def read(request, spec: dict) -> dict:
    """The patient's answers so far ({} when there are none). Raises AnswersUnreadable."""
    return read_run(request, spec)[0]


def read_run(request, spec: dict) -> tuple[dict, bool]:
    """(answers, finished): finished once the patient confirmed "Check your answers"."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return {}, False
    payload = _signed_payload(raw, spec, salt=_salt(spec), max_age=MAX_AGE_SECONDS)
    return _clean(spec, payload.get("a")), payload.get("f") is True


def _signed_payload(value: str, spec: dict, *, salt: str, max_age: int) -> dict:
    """The signed answers payload for this version of the questionnaire, or AnswersUnreadable."""
    try:
        payload = signing.loads(value, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise AnswersUnreadable("expired") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise AnswersUnreadable("tampered") from exc
    if not isinstance(payload, dict) or payload.get("v") != spec["version"]:
        raise AnswersUnreadable("questionnaire changed")
    return payload


def _payload(request, spec: dict) -> dict | None:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        payload = signing.loads(raw, salt=_salt(spec), max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return payload if isinstance(payload, dict) and payload.get("v") == spec["version"] else None


def run_code(request, spec: dict) -> str | None:
    """A digest of this run's random code (None: no readable answers cookie, a fresh run).

    A cookie written before run codes existed stands for itself: the digest of its value.
    """
    payload = _payload(request, spec)
    if payload is None:
        return None
    code = payload.get("n") or request.COOKIES[COOKIE_NAME]
    return hashlib.sha256(f"{spec['slug']}:{code}".encode()).hexdigest()


def write(request, response, spec: dict, answers: dict, finished: bool = False) -> None:
    """Store the answers in the signed cookie on this response (same run code as before)."""
    payload = _payload(request, spec)
    code = (payload or {}).get("n") or secrets.token_urlsafe(16)
    value = signing.dumps(
        {"v": spec["version"], "a": _dump(spec, answers), "f": finished, "n": code},
        salt=_salt(spec),
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=MAX_AGE_SECONDS,
        path=cookie_path(request, spec["slug"]),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def clear(request, response, slug: str) -> None:
    """Forget this questionnaire's answers in this browser."""
    response.delete_cookie(COOKIE_NAME, path=cookie_path(request, slug), samesite="Lax")
    # The same flags as the cookie it replaces.
    response.cookies[COOKIE_NAME]["secure"] = request.is_secure()
    response.cookies[COOKIE_NAME]["httponly"] = True


# -- the FHIR QuestionnaireResponse download (answers carried in the result page only) ----------
def response_token(spec: dict, answers: dict) -> str:
    """A signed token of the answers, embedded in the result page's download form (POST)."""
    return signing.dumps(
        {"v": spec["version"], "a": _dump(spec, answers)},
        salt=f"{_RESPONSE_SALT}:{spec['slug']}",
        compress=True,
    )


def read_response_token(spec: dict, token: str) -> dict:
    salt = f"{_RESPONSE_SALT}:{spec['slug']}"
    payload = _signed_payload(token, spec, salt=salt, max_age=RESPONSE_TOKEN_MAX_AGE)
    return _clean(spec, payload.get("a"))
