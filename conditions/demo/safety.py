"""Demo urgent help card for search, with the emergency terms that show it.

Written fresh from shared/content-notes/milia.md (RF-1: the NHS 999 signs for a baby or child
with a rash, NHS 111 Wales and NHS Healthier Together) and milia-review-2026-12.md (one 999
list: adds shaking uncontrollably, a fever that will not come down, cold hands and feet, floppy
or very hard to wake). Published through UrgentHelp.publish(), the same rules as the admin.

load_urgent_help() is idempotent: if the clinic already has a help card, nothing changes.
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content
from conditions.models import EmergencyTerm, UrgentHelp

# The card and its terms are in conditions/demo/content/search-help.toml.
_FILE = content().search_help
NEXT_REVIEW_DUE = content().next_review_due(_FILE)
CARD = _FILE.model_dump(exclude={"terms", "review"})
TERMS = [term.model_dump() for term in _FILE.terms]


def load_urgent_help(author, reviewer) -> list[str]:
    """Create and publish the help card unless the clinic has one; return what was created."""
    if UrgentHelp.objects.exists():
        return []
    with transaction.atomic():
        card = UrgentHelp(
            **CARD,
            author=author,
            next_review_due=NEXT_REVIEW_DUE,
        )
        card.full_clean()
        card._history_user = author
        card.save()
        for order, term in enumerate(TERMS, start=1):
            child = EmergencyTerm(
                urgent_help=card,
                order=order,
                phrase=term["phrase"],
                variants="\n".join(term["variants"]),
            )
            child.full_clean()
            child._history_user = author
            child.save()
        card._history_user = reviewer
        card.publish(by=reviewer, attested=True)
    return ["urgent-help"]


# The demo loader calls each module's load(author, reviewer).
load = load_urgent_help
