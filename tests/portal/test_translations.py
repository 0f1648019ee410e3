"""Interface translations: every offered language has a complete, compiled catalogue.

The catalogues are locale/<lang>/LC_MESSAGES/django.po (translated by hand) and django.mo
(compiled by `make messages`, committed so that installing needs no GNU gettext).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sd]")
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue(code: str) -> polib.POFile:
    path = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{code} is offered but has no {path.relative_to(ROOT)}"
    return polib.pofile(str(path))


def test_the_tests_offer_the_demonstration_languages():
    assert TRANSLATED == ["pl", "ur"]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_interface_string_is_translated_and_none_is_fuzzy(code):
    po = catalogue(code)
    assert len(po) > 500
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"
    assert not po.metadata_is_fuzzy
    assert not po.obsolete_entries()


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder_and_say_they_await_review(code):
    po = catalogue(code)
    assert "awaiting review by" in po.header and "clinician" in po.header
    wrong = []
    for entry in po:
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            # A singular form may leave out the count ("one question"), never another value.
            found = sorted(PLACEHOLDER.findall(form))
            if entry.msgid_plural and found != expected:
                found = sorted(set(found) | {p for p in expected if "counter" in p or "(n)" in p})
            if found != expected:
                wrong.append((entry.msgid, form))
    assert not wrong, wrong[:3]


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(code):
    """A .mo older than its .po would serve yesterday's words: `make messages` rebuilds it."""
    po = catalogue(code)
    mo = polib.mofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo}
    for entry in po.translated_entries():
        got = compiled.get((entry.msgctxt, entry.msgid))
        assert got is not None, f"{code}: {entry.msgid!r} is not in the .mo: run make messages"
        if entry.msgid_plural:
            assert {int(k): v for k, v in got[1].items()} == {
                int(k): v for k, v in entry.msgstr_plural.items()
            }, entry.msgid
        else:
            assert got[0] == entry.msgstr, f"{code}: {entry.msgid!r}: run make messages"


def test_the_catalogues_hold_every_string_marked_for_translation(tmp_path):
    """makemessages on a copy of the code finds no string the committed catalogues lack."""
    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("GNU gettext (xgettext) is needed under CI=true: .ci/run installs it")
        pytest.skip("needs GNU gettext (xgettext)")
    makefile = (ROOT / "Makefile").read_text()
    block = re.search(r"^MESSAGE_IGNORE := (.*?)\n(?!\t)", makefile, re.M | re.S).group(1)
    ignores = block.replace("\\\n", " ").split()
    for name in ("bench", "conditions", "exchange", "feedback", "portal", "templates", "locale"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file"]
        + [f"-l{code}" for code in TRANSLATED]
        + [f"--ignore={pattern}" for pattern in ignores],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    for code in TRANSLATED:
        fresh = polib.pofile(str(tmp_path / "locale" / code / "LC_MESSAGES" / "django.po"))
        assert len(fresh) > 500  # makemessages did read the code
        committed = {(e.msgctxt, e.msgid) for e in catalogue(code)}
        new = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed]
        assert not new, f"{code}: not in the catalogue (run make messages, translate): {new[:5]}"
