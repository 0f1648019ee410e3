"""Demo urgent help card for search, with the emergency terms that show it.

Written fresh from shared/content-notes/milia.md (RF-1: the NHS 999 signs for a baby or child
with a rash, NHS 111 Wales and NHS Healthier Together) and milia-review-2026-12.md (one 999
list: adds shaking uncontrollably, a fever that will not come down, cold hands and feet, floppy
or very hard to wake). Written by the content-pack importer's writers (the admin's model
checks) and published through UrgentHelp.publish(), the same rules as the admin.

load_urgent_help() is idempotent: if the clinic already has a help card, nothing changes.
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content, write
from conditions.demo.articles import DEMO_NOTE
from conditions.models import UrgentHelp


def load_urgent_help(author, reviewer) -> list[str]:
    """Create and publish the help card (conditions/demo/content/search-help.toml) unless the
    clinic has one; return what was created."""
    if UrgentHelp.objects.exists():
        return []
    with transaction.atomic():
        card = write("help card", None, content().search_help, author, DEMO_NOTE)
        card._history_user = reviewer
        card.publish(by=reviewer, attested=True)
    return ["urgent-help"]


# The demo loader calls each module's load(author, reviewer).
load = load_urgent_help
