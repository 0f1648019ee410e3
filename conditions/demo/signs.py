"""The warning signs the demo content uses, in one place (content/signs.toml).

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

from conditions.demo import content

_SIGNS = content().signs  # conditions/demo/content/signs.toml

# (answer code, the sign in plain words). The codes are the questionnaire's answer codes.
EMERGENCY_SIGNS: list[tuple[str, str]] = [(sign.code, sign.text) for sign in _SIGNS.emergency]
EMERGENCY_ACTION = _SIGNS.emergency_action
URGENT_SIGNS: list[str] = list(_SIGNS.urgent)
URGENT_ACTION = _SIGNS.urgent_action


def as_markdown_list(items: list[str]) -> str:
    """A Markdown bullet list, one item a line, each ending with a full stop."""
    return "".join(f"- {item.rstrip('.')}.\n" for item in items)


def emergency_markdown() -> str:
    return as_markdown_list([text for _code, text in EMERGENCY_SIGNS])


def urgent_markdown() -> str:
    return as_markdown_list(URGENT_SIGNS)
