"""Demo questionnaire: "White spots on the face or body" (milia), for babies, children and adults.

Written fresh from shared/content-notes/milia.md section 4 (red flags RF-1 to RF-14 and the
self-care pattern) with the corrections of milia-review-2026-12.md. Routes follow the NHS
pattern: emergency (999), urgent (today), routine (GP), self-care.

How it is built, so that the engine can stop at the first urgent answer (NHS 111 online):
- The emergency question comes straight after "who": everyone is asked it, whatever their age.
  Its answers are conditions.demo.signs.EMERGENCY_SIGNS, the list the article uses too.
- The same-day questions come next, then the routine ones: one idea per question, each a
  yes/no wherever it can be, so each answer leads to one clear outcome.
- Emergency and urgent outcomes are red flags: they win over every other answer.
- Age matters: newborn self-care says nothing about removal or sun cream; babies under 4
  weeks with blistered or painful spots get their own questions and outcome.

Product decisions no source makes are marked for clinician sign-off on their outcome
(needs_signoff + signoff_note): the 3-month cut-off (RF-4), the level for blistered or painful
spots in a baby under 4 weeks (the review note), and where spots on the genitals or in the
mouth of an older child or adult are sent. The file is written by the content-pack importer's
writers (conditions.packs.importing, with the admin's model checks) and published by the demo
reviewer. Idempotent: an existing questionnaire is left alone.
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content, write
from conditions.demo.articles import DEMO_NOTE
from conditions.models import Condition, Questionnaire

# The questionnaire's texts are in conditions/demo/content/questionnaires/white-spots.toml.
_FILE = next(q for q in content().questionnaires if q.slug == "white-spots")
SLUG = _FILE.slug
QUESTIONS = _FILE.questions
OUTCOMES = _FILE.outcomes

# A typical milia path for each age, in the order the questions come: every answer that
# leads to self-care. For tests and demonstrations; change one answer to reach an outcome.
SELF_CARE_PATHS: dict[str, list[tuple[str, object]]] = {
    age: [(key, value) for key, value in steps]
    for age, steps in _FILE.examples.get("self_care_paths", {}).items()
}


class MissingCondition(Exception):
    pass


def load(author, reviewer) -> list[str]:
    """Create and publish the demo questionnaire if it does not exist; return what was made."""
    if Questionnaire.objects.filter(slug=SLUG).exists():
        return []
    found = set(Condition.objects.filter(slug__in=_FILE.conditions).values_list("slug", flat=True))
    if found != set(_FILE.conditions):
        raise MissingCondition(
            "The demo questionnaire needs the 'milia' condition article: load "
            "conditions.demo.articles first (python manage.py load_demo_content)."
        )
    with transaction.atomic():
        questionnaire = write("questionnaire", None, _FILE, author, DEMO_NOTE)
        # The demo's example reviewer signs off the product decisions, as a clinic's clinician
        # would; the pages say this is example content awaiting the clinic's own review.
        for outcome in questionnaire.outcomes.filter(needs_signoff=True):
            outcome.sign_off(reviewer)
        # publish() runs the safety check (every path of answers) and refuses, listing the
        # problems, if any path is unsafe: no need to walk the paths twice here.
        questionnaire._history_user = reviewer
        questionnaire.publish(by=reviewer, attested=True)
    return [SLUG]
