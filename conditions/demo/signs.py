"""The warning signs the demo content uses, in one place.

EMERGENCY_SIGNS is the one list of "call 999" signs for a rash (NHS 111 Wales, "Skin rashes
in babies and children", and NHS Healthier Together, as corrected by
milia-review-2026-12.md: it adds shaking, a fever that will not come down, cold hands and
feet, and floppy or very hard to wake). The milia article's emergency care advice and the
questionnaire's emergency question and outcome are both built from it, and a test checks
that the loaded article and questionnaire show the same signs.

URGENT_SIGNS are the "get help today" signs of the milia article; the questionnaire asks about
each of them as its own yes/no question (see conditions.demo.questionnaires).
"""

from __future__ import annotations

# (answer code, the sign in plain words). The codes are the questionnaire's answer codes.
EMERGENCY_SIGNS: list[tuple[str, str]] = [
    ("no-fade", "A rash that does not fade when you press a clear glass firmly against it"),
    ("neck-light", "A stiff neck, or bright light hurts the eyes"),
    ("drowsy", "Confused, floppy, very sleepy or very hard to wake"),
    ("breathing", "Fast breathing, or finding it hard to breathe"),
    ("colour", "Skin, lips or tongue that look pale, blue, grey or blotchy"),
    ("shaking", "Shaking that cannot be stopped"),
    ("fever-high", "A high temperature that will not come down"),
    ("cold-hands", "Hands and feet that feel unusually cold"),
]

EMERGENCY_ACTION = "Call 999 or go to A&E now."

URGENT_SIGNS: list[str] = [
    "Your baby is under 3 months old and has a temperature of 38°C or higher.",
    "Your baby or child has spots and a temperature of 38°C or higher.",
    "Your baby is feeding less than usual, or your baby or child is much sleepier than usual.",
    "Your baby is under 4 weeks old and has blisters, or spots that seem to hurt.",
    "After squeezing or picking a spot, redness is spreading, or there is swelling, pus, "
    "pain or a temperature.",
]

URGENT_ACTION = "Call your GP surgery now and ask to be seen today. If it is closed, call NHS 111."


def as_markdown_list(items: list[str]) -> str:
    """A Markdown bullet list, one item a line, each ending with a full stop."""
    return "".join(f"- {item.rstrip('.')}.\n" for item in items)


def emergency_markdown() -> str:
    return as_markdown_list([text for _code, text in EMERGENCY_SIGNS])


def urgent_markdown() -> str:
    return as_markdown_list(URGENT_SIGNS)
