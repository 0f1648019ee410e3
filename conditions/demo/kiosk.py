"""Demo content: the "Waiting room" kiosk profile, featuring milia and its questionnaire.

`load(author, reviewer)` is idempotent. It expects conditions.demo.articles (milia) and
conditions.demo.questionnaires (white-spots) to have run; whichever is missing is left out and
a warning is printed, so the kiosk still starts.
"""

from __future__ import annotations

import sys

from conditions.models import Condition, KioskProfile, Questionnaire

PROFILE = {
    "name": "Waiting room",
    "slug": "waiting-room",
    "welcome_text": (
        "Read about common skin problems while you wait. Tap a topic to start. "
        "You do not need to type anything, and nothing you read or answer is kept."
    ),
    "idle_seconds": 90,
    "warning_seconds": 30,
    "printer_available": False,
}
FEATURED_CONDITIONS = ["milia"]
FEATURED_QUESTIONNAIRES = ["white-spots"]


def load(author, reviewer) -> KioskProfile:
    defaults = {key: value for key, value in PROFILE.items() if key != "slug"}
    profile, _created = KioskProfile.objects.get_or_create(slug=PROFILE["slug"], defaults=defaults)
    _feature(profile.featured_conditions, Condition, FEATURED_CONDITIONS, "condition")
    _feature(
        profile.featured_questionnaires, Questionnaire, FEATURED_QUESTIONNAIRES, "questionnaire"
    )
    return profile


def _feature(relation, model, slugs: list[str], kind: str) -> None:
    found = list(model.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {obj.slug for obj in found})
    for slug in missing:
        print(f"warning: kiosk demo: no {kind} with slug {slug!r}; not featured", file=sys.stderr)
    relation.add(*found)
