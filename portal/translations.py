"""Faster English: the empty fallback catalogs of the site's language dropped.

Django builds one translation per language from every installed app's catalog. For en-GB,
Python's gettext also loads each app's plain "en" catalog and chains it behind as a fallback;
five of those hold nothing but their header. A string with no en-GB translation, which is most
of the portal's own (written in British English), then walks all five on every gettext(): 5.4
microseconds a call where it takes 2.6 without them, and a search page makes about fifty calls.
Only catalogs with no message at all are dropped, so every translation stays as it was.
"""

from __future__ import annotations

import gettext

from django.conf import settings
from django.utils.translation import trans_real


def drop_empty_fallbacks(language: str | None = None) -> int:
    """Unlink the message-less catalogs behind `language`'s translation (default: the site's
    LANGUAGE_CODE). Returns how many it dropped."""
    translation = trans_real.translation(language or settings.LANGUAGE_CODE)
    dropped, previous = 0, translation
    current = getattr(previous, "_fallback", None)
    while current is not None:
        catalog = getattr(current, "_catalog", None)
        if (
            isinstance(current, gettext.GNUTranslations)
            and isinstance(catalog, dict)
            and all(key == "" for key in catalog)  # the header is all it has
        ):
            previous._fallback = current._fallback
            dropped += 1
        else:
            previous = current
        current = previous._fallback
    return dropped
