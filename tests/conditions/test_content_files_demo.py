"""The demo content loaded from conditions/demo/content/ equals the demo as it was written in
Python before it moved to files: every patient page of every published item (HTML, with the
per-request bits removed) and every content row's fields, fingerprinted.

tests/conditions/data/demo_fingerprint.json was captured from the Python literals (before they
were deleted) with `python -m tests.conditions.test_content_files_demo`, at the frozen time
below. A change to the demo content files changes a row fingerprint: capture it again on purpose. The
page hashes were compared when the content moved; templates change pages on purpose, so now
only the set of pages (all 200) is checked against them. Since the demo is written by the
content-pack importer's writers, the help card's row differs in one field only: its version
counter is 3, not 2 (the writer records the change once more); that one digest was updated.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models as dj_models
from django.test import Client
from django.urls import reverse

FIXTURE = Path(__file__).parent / "data" / "demo_fingerprint.json"
FROZEN = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)
# Per-request or per-run values: CSRF tokens, CSP nonces, cache-busting build ids.
VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"csrftoken[^\"']*"),
]
# Fields added after the fingerprint was captured, with the value every demo row has: an
# imported item's provenance (empty: the demo is this clinic's own), a kiosk profile in use.
ADDED_SINCE_CAPTURE = {"provenance": None, "in_use": True}
CONTENT_MODELS = [
    "Condition",
    "Section",
    "FAQ",
    "Reference",
    "CareAdvice",
    "ClinicalCode",
    "Treatment",
    "TreatmentComparison",
    "ComparisonRow",
    "Questionnaire",
    "Question",
    "AnswerOption",
    "ShowIf",
    "Outcome",
    "OutcomeTrigger",
    "KioskProfile",
    "UrgentHelp",
    "EmergencyTerm",
]


def _value(value):
    if isinstance(value, dj_models.Model):
        return f"{type(value).__name__}:{value}"
    if isinstance(value, str):
        # Surrounding blank lines are not content (the admin's forms strip them too).
        return value.strip()
    if isinstance(value, (datetime.date, datetime.datetime, Decimal)):
        return str(value)
    return value


def _row(obj) -> dict:
    out = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in ("lock_version",):
            continue
        if field.name in ADDED_SINCE_CAPTURE:
            assert getattr(obj, field.name) == ADDED_SINCE_CAPTURE[field.name], (obj, field.name)
            continue
        out[field.name] = _value(getattr(obj, field.name))
    for field in obj._meta.many_to_many:
        out[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
    return out


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def patient_urls() -> list[str]:
    from conditions.models import Condition, Questionnaire, TreatmentComparison

    urls = ["/", reverse("conditions:condition_list")]
    urls += ["/search/?q=milia", "/search/?q=rash+does+not+fade", "/search/?q=zzzz"]
    for condition in Condition.objects.published().order_by("slug"):
        urls.append(reverse("conditions:condition_detail", args=[condition.slug]))
        urls.append(reverse("conditions:condition_whole", args=[condition.slug]))
    for comparison in TreatmentComparison.objects.filter(status="published"):
        urls.append(reverse("conditions:treatment_comparison", args=[comparison.condition.slug]))
    for questionnaire in Questionnaire.objects.filter(status="published").order_by("slug"):
        urls.append(reverse("conditions:questionnaire_start", args=[questionnaire.slug]))
        for outcome in questionnaire.outcomes.order_by("slug"):
            urls.append(
                reverse("conditions:outcome_advice", args=[questionnaire.slug, outcome.slug])
            )
    return urls


def fingerprint() -> dict:
    """Load the demo at FROZEN time; fingerprint every patient page and content row."""
    with time_machine.travel(FROZEN, tick=False):
        call_command("load_demo_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
        client = Client()
        pages = {}
        urls = patient_urls()
        for url in list(urls):
            if url.startswith("/conditions/") and url.count("/") == 3:
                html = client.get(url).content.decode()
                prefix = url
                for link in sorted(
                    set(re.findall(r'href="[^"]*?(' + re.escape(prefix) + r"[a-z0-9-]+/)", html))
                ):
                    if link not in urls:
                        urls.append(link)
        for url in urls:
            response = client.get(url)
            html = response.content.decode()
            for pattern in VOLATILE:
                html = pattern.sub("", html)
            pages[url] = f"{response.status_code}:{hashlib.sha256(html.encode()).hexdigest()[:16]}"
        rows = {}
        for name in CONTENT_MODELS:
            model = apps.get_model("conditions", name)
            dumped = sorted(
                (json.dumps(_row(obj), sort_keys=True, default=str) for obj in model.objects.all()),
            )
            rows[name] = _digest(dumped)
    return {"pages": pages, "rows": rows}


@pytest.mark.django_db
def test_demo_loaded_from_files_equals_the_demo_written_in_python():
    expected = json.loads(FIXTURE.read_text())
    got = fingerprint()
    assert got["rows"] == expected["rows"]
    # The same pages exist and open. Their HTML matched the capture when the content moved to
    # files; templates have changed every page on purpose since (the language switcher), so the
    # page hashes are no longer compared: the rows hold the content.
    assert sorted(got["pages"]) == sorted(expected["pages"])
    assert len(got["pages"]) > 20
    assert all(v.startswith("200:") for v in got["pages"].values())


if __name__ == "__main__":  # capture the fixture (see the module docstring)
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.test.runner import DiscoverRunner

    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        FIXTURE.write_text(json.dumps(fingerprint(), indent=1, sort_keys=True) + "\n")
    finally:
        runner.teardown_databases(old)
