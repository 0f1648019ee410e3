"""Demo content: the "Waiting room" kiosk profile, featuring milia and its questionnaire.

`load(author, reviewer)` is idempotent. It expects conditions.demo.articles (milia) and
conditions.demo.questionnaires (white-spots) to have run; whichever is missing is left out and
a warning is printed, so the kiosk still starts.
"""

from __future__ import annotations

import sys

from conditions.demo import content
from conditions.models import Condition, KioskProfile, Questionnaire

# The profile is in conditions/demo/content/kiosk.toml.
_FILE = content().kiosk
PROFILE = _FILE.model_dump(exclude={"featured_conditions", "featured_questionnaires"})
FEATURED_CONDITIONS = list(_FILE.featured_conditions)
FEATURED_QUESTIONNAIRES = list(_FILE.featured_questionnaires)


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
