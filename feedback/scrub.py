"""Pure text functions: take personal details out of free text; normalise a search query.

`scrub` runs on every note before it is saved. It replaces what could name a patient or reach
them: email addresses, dates (of birth or any other), NHS numbers, phone numbers, postcodes and
any other run of five or more digits. It is a safety net, not a promise that a note can never
hold a name: the form asks patients not to write personal details, and notes are deleted after
90 days.

`normalise_query` is the only form in which a search is ever counted: lower case, accents
folded, digits and anything email-like removed, punctuation to spaces.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NOTE = 500
MAX_QUERY = 100

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_EMAIL = re.compile(r"[\w.+'-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*\.\s*[\w-]+)+", re.I)
_DATES = [
    # 12/03/1980, 12-3-80, 12.03.1980, 1980-03-12
    re.compile(r"(?<!\d)\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}(?!\d)"),
    re.compile(r"(?<!\d)\d{4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,2}(?!\d)"),
    # 12 March 1980, 12th of March, 1980 (the year optional: "born 3rd May")
    re.compile(rf"\b{_ORDINAL}\s+(?:of\s+)?{_MONTHS}\b\.?,?(?:\s+\d{{2,4}})?(?!\d)", re.I),
    # March 12, 1980 / March 12th
    re.compile(rf"\b{_MONTHS}\.?\s+{_ORDINAL}\b,?(?:\s+\d{{2,4}})?(?!\d)", re.I),
]
# NHS number: 10 digits, often written 3 3 4.
_NHS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
# Phone numbers: +44 or 0, then 9 or more digits with spaces, dashes, dots or brackets.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?\d{1,3}|\(?0)[\d\s().-]{8,}\d(?!\d)")
# UK postcodes (SW1A 1AA, m1 1ae).
_POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.I)
_LONG_DIGITS = re.compile(r"\d{5,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\ufeff]")


def scrub(text: str | None, limit: int = MAX_NOTE) -> str:
    """The note as it may be stored: personal details replaced, tidy, at most `limit` long."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = _CONTROL.sub(" ", text)
    text = _EMAIL.sub("[email]", text)
    for pattern in _DATES:
        text = pattern.sub("[date]", text)
    text = _NHS.sub("[number]", text)
    text = _PHONE.sub("[phone]", text)
    text = _POSTCODE.sub("[postcode]", text)
    text = _LONG_DIGITS.sub("[number]", text)
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    text = "\n".join(line for line in lines if line)
    if len(text) > limit:
        # Cut, then take out anything the cut may have turned into a shorter number.
        text = _LONG_DIGITS.sub("[number]", text[:limit]).rstrip()
    return text


_EMAILISH = re.compile(r"\S*@\S*|\S+\.(?:com|org|net|uk|nhs)\b\S*", re.I)
_NOT_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_query(query: str | None) -> str:
    """The counted form of a search: "Milk-Spots 2024!" and "milk spots" are the same."""
    text = fold_accents(query or "")
    text = _EMAILISH.sub(" ", text)
    text = _NOT_LETTERS.sub(" ", text)
    return " ".join(text.split())[:MAX_QUERY].strip()
