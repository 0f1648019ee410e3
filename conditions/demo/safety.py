"""Demo urgent help card for search, with the emergency terms that show it.

Written fresh from shared/content-notes/milia.md (RF-1: the NHS 999 signs for a baby or child
with a rash, NHS 111 Wales and NHS Healthier Together) and milia-review-2026-12.md (one 999
list: adds shaking uncontrollably, a fever that will not come down, cold hands and feet, floppy
or very hard to wake). Published through UrgentHelp.publish(), the same rules as the admin.

load_urgent_help() is idempotent: if the clinic already has a help card, nothing changes.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from conditions.models import EmergencyTerm, UrgentHelp

NEXT_REVIEW_DUE = datetime.date(2027, 11, 1)

CARD = {
    "heading": "Get help now if someone is very unwell",
    "body": """\
Call 999 or go to A&E now if you, your baby or your child has any of these:

- a rash that does not fade when you press the side of a clear glass on it
- a stiff neck, or bright light hurts their eyes
- trouble breathing, very fast breathing or grunting
- skin, lips or tongue that look blue, grey, very pale or blotchy (on brown or black skin,
  look at the palms, the soles of the feet and inside the lips)
- is floppy, very sleepy or very hard to wake
- a fit, or shaking they cannot control
- a fever that will not come down, or unusually cold hands and feet
- bleeding that is heavy or will not stop

These can be signs of meningitis or sepsis. Both get worse fast and need help straight away.

If you are worried but it is not an emergency, call 111 or your GP surgery for help today.
""",
    "emergency_phone": "999",
    "urgent_phone": "111",
    "source_name": "NHS 111 Wales: Skin rashes in babies and children",
    "source_url": "https://111.wales.nhs.uk/encyclopaedia/s/article/skinrashesinbabiesandchildren/",
}

# Each term with the other ways patients say it. A search matches a wording when it has all of
# its words in any order (conditions.search.matches_emergency), so keep wordings short.
TERMS = [
    {
        "phrase": "rash that does not fade",
        "variants": [
            "non-blanching rash",
            "rash does not disappear",
            "spots that do not fade",
            "glass test",
        ],
    },
    {"phrase": "meningitis", "variants": ["meningococcal"]},
    {"phrase": "sepsis", "variants": ["septicaemia", "septicemia", "blood poisoning"]},
    {"phrase": "stiff neck", "variants": ["neck stiffness", "bright light hurts eyes"]},
    {
        "phrase": "cannot breathe",
        "variants": [
            "difficulty breathing",
            "struggling to breathe",
            "hard to breathe",
            "breathing very fast",
            "stopped breathing",
            "grunting",
        ],
    },
    {
        "phrase": "blue lips",
        "variants": [
            "blue skin",
            "blue tongue",
            "grey skin",
            "blotchy skin",
            "mottled skin",
            "pale and floppy",
        ],
    },
    {
        "phrase": "floppy baby",
        "variants": [
            "floppy",
            "hard to wake",
            "difficult to wake",
            "will not wake",
            "unresponsive",
        ],
    },
    {
        "phrase": "fit",
        "variants": [
            "fits",
            "seizure",
            "convulsion",
            "shaking uncontrollably",
            "uncontrollable shaking",
        ],
    },
    {
        "phrase": "bleeding that will not stop",
        "variants": ["severe bleeding", "heavy bleeding", "bleeding heavily"],
    },
]


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
