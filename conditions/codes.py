"""Pure checks on clinical codes: is this string shaped like a code of its system?

Formats only: a well-formed code may still not exist in the release, so a clinician or coder
checks the meaning in the system's own browser. What is checked:
- ICD-10 (WHO) and ICD-10-GM: a letter, two digits, and optionally a full stop and one or two
  more digits (L72, L72.0, L72.00).
- ICD-10-CM: a letter, a digit, a digit or letter (C4A), then optionally a full stop and up to
  four digits or letters (L72.0, L72.11, S52.521A, T36.0X1A).
- ICD-11 MMS stem codes: four characters (1A00, ED50) and optionally a full stop and one or two
  more (ED50.0); ICD-11 leaves out the letters I and O.
- SNOMED CT concept ids: 6 to 18 digits, no leading zero, a valid Verhoeff check digit (the
  last digit), and the partition identifier of a concept (the second- and third-last digits:
  00 for a short-format concept id, 10 for a long-format one).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Verhoeff's dihedral group D5: multiplication table, and the position permutations.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)


def _powers(permutation: tuple[int, ...], count: int) -> tuple[tuple[int, ...], ...]:
    """The identity, the permutation, and the permutation applied again, `count` in all."""
    powers = [tuple(range(len(permutation)))]
    while len(powers) < count:
        powers.append(tuple(permutation[digit] for digit in powers[-1]))
    return tuple(powers)


# Position i permutes a digit by the first permutation applied i times (i mod 8).
_P = _powers((1, 5, 7, 6, 2, 8, 3, 0, 9, 4), 8)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

SNOMED_CONCEPT_PARTITIONS = {"00", "10"}
_ICD10 = re.compile(r"[A-Z][0-9]{2}(?:\.[0-9]{1,2})?")
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")
_ICD11 = re.compile(r"[1-9A-HJ-NP-Z][A-HJ-NP-Z][0-9][0-9A-HJ-NP-Z](?:\.[0-9A-HJ-NP-Z]{1,2})?")
_NO_DOT = re.compile(r"([A-Z][0-9][0-9A-Z])([0-9A-Z]{1,4})")


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the others."""
    if not digits.isdigit():
        return False
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


def verhoeff_digit(digits: str) -> str:
    """The Verhoeff check digit to append to `digits`."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _D[check][_P[(position + 1) % 8][int(digit)]]
    return str(_INV[check])


def normalise(system: str, code: str) -> str:
    """The code as it is written in its system: no spaces; ICD codes in capitals."""
    code = "".join((code or "").split())
    return code if system == "snomed-ct" else code.upper()


def code_problem(system: str, code: str) -> str:
    """Why `code` is not a well-formed code of `system` ("" when it is). Pass it normalised."""
    if not code:
        return _("Enter the code.")
    if system == "snomed-ct":
        return _snomed_problem(code)
    if system in ("icd-10", "icd-10-gm"):
        if _ICD10.fullmatch(code):
            return ""
        return _icd_hint(
            code,
            _(
                "an ICD-10 code is a letter and two digits, then a full stop and one or two "
                "digits for a subcategory: L72 or L72.0"
            ),
        )
    if system == "icd-10-cm":
        if _ICD10CM.fullmatch(code):
            return ""
        return _icd_hint(
            code,
            _(
                "an ICD-10-CM code is a letter, a digit and a digit or letter, then a full "
                "stop and up to four more: L72, L72.0 or L72.11"
            ),
        )
    if system == "icd-11":
        if _ICD11.fullmatch(code):
            return ""
        return _(
            "Check the code: an ICD-11 MMS code has four characters, then a full stop and "
            "one or two more for a subcategory (ED50 or ED50.0); it has no letter I or O."
        )
    return ""


def _icd_hint(code: str, rule: str) -> str:
    missing_dot = _NO_DOT.fullmatch(code)
    if missing_dot:
        return _("Write the full stop: %(code)s (%(rule)s).") % {
            "code": f"{missing_dot.group(1)}.{missing_dot.group(2)}",
            "rule": rule,
        }
    return _("Check the code: %(rule)s.") % {"rule": rule}


def _snomed_problem(code: str) -> str:
    if not code.isdigit():
        return _("A SNOMED CT concept id has digits only (for example 254679001).")
    if not 6 <= len(code) <= 18:
        return _(
            "A SNOMED CT concept id has 6 to 18 digits; this one has %(n)s. Check that it was "
            "copied whole."
        ) % {"n": len(code)}
    if code.startswith("0"):
        return _("A SNOMED CT concept id never starts with 0. Check that it was copied correctly.")
    if not verhoeff_valid(code):
        return _(
            "This is not a valid SNOMED CT id: its last digit (the check digit) does not match "
            "the others, so a digit was probably mistyped. Copy it again from the SNOMED CT "
            "browser."
        )
    partition = code[-3:-1]
    if partition in ("01", "11"):
        return _(
            "This SNOMED CT id is a description id, not a concept id (its partition digits are "
            "%(p)s). Use the concept id of the finding or disorder."
        ) % {"p": partition}
    if partition in ("02", "12"):
        return _(
            "This SNOMED CT id is a relationship id, not a concept id (its partition digits "
            "are %(p)s). Use the concept id of the finding or disorder."
        ) % {"p": partition}
    if partition not in SNOMED_CONCEPT_PARTITIONS:
        return _(
            "This is not a SNOMED CT concept id: a concept id has 00 or 10 as its second- and "
            "third-last digits, this one has %(p)s. Check that it was copied correctly."
        ) % {"p": partition}
    return ""
