"""The site language's empty fallback catalogs are dropped (portal/translations.py): no
catalog without a message is left to walk, and every string translates as before."""

import gettext

from django.utils.translation import trans_real

from portal.translations import drop_empty_fallbacks


def chain(translation):
    while translation is not None:
        yield translation
        translation = getattr(translation, "_fallback", None)


def is_empty(catalog_holder) -> bool:
    catalog = getattr(catalog_holder, "_catalog", None)
    return isinstance(catalog, dict) and all(key == "" for key in catalog)


def test_no_empty_catalog_is_left_behind_the_site_language(settings):
    trans_real._translations.pop(settings.LANGUAGE_CODE, None)  # built afresh, as Django does
    built = trans_real.translation(settings.LANGUAGE_CODE)
    empty = [t for t in chain(built) if isinstance(t, gettext.GNUTranslations) and is_empty(t)]
    messages = sorted(
        {
            key if isinstance(key, str) else key[0]
            for t in chain(built)
            for key in getattr(t, "_catalog", {}).keys()  # noqa: SIM118 - Django's catalog has no __iter__
            if key
        }
    )
    before = {message: built.gettext(message) for message in messages}
    before["Also called %(term)s"] = built.gettext("Also called %(term)s")  # not translated

    assert empty  # five with this project's apps (their "en" catalogs, header only)
    assert drop_empty_fallbacks() == len(empty)
    assert not [t for t in chain(built) if t is not built and is_empty(t)]
    assert {message: built.gettext(message) for message in before} == before
    assert drop_empty_fallbacks() == 0  # nothing more to drop
