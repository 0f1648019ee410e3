"""A small clinic for the infobutton and API tests: milia (with a baby part), acne, xanthelasma,
a never-published draft that carries milia's codes, and a pending draft change to milia."""

from __future__ import annotations

import pytest

from conditions import models
from tests.factories import ConditionFactory, SectionFactory, make_live

ICD10CM = "2.16.840.1.113883.6.90"
ICD10 = "2.16.840.1.113883.6.3"
SNOMED = "2.16.840.1.113883.6.96"
PUBLIC = "https://info.example-clinic.org"


def code(condition, system, value, display):
    return models.ClinicalCode.objects.create(
        condition=condition, system=system, code=value, display=display
    )


def article(slug, name, *, sections=(), codes=(), also_known_as=""):
    condition = ConditionFactory(
        published=True, slug=slug, name=name, also_known_as=also_known_as, with_content=False
    )
    for order, heading in enumerate(sections):
        SectionFactory(condition=condition, order=order, heading=heading, slug="")
    from tests.factories import ReferenceFactory

    ReferenceFactory(condition=condition)
    for system, value, display in codes:
        code(condition, system, value, display)
    condition.refresh_derived()
    make_live(condition)
    return condition


@pytest.fixture
def clinic(db, settings):
    settings.PORTAL_PUBLIC_URL = PUBLIC
    milia = article(
        "milia",
        "Milia",
        also_known_as="milium\nmilk spots",
        sections=("What milia look like", "Milia in newborn babies", "Outlook"),
        codes=[("icd-10-cm", "L72.0", "Epidermal cyst"), ("snomed-ct", "254679001", "Milia")],
    )
    acne = article(
        "acne",
        "Acne",
        also_known_as="spots\nacne vulgaris",
        sections=("What acne is", "Baby acne"),
        codes=[("icd-10-cm", "L70.0", "Acne vulgaris"), ("snomed-ct", "11381005", "Acne")],
    )
    xanthelasma = article(
        "xanthelasma",
        "Xanthelasma",
        sections=("What xanthelasma looks like",),
        codes=[("icd-10-cm", "H02.6", "Xanthelasma of eyelid")],
    )
    # Never published: carries milia's codes and a name of its own; must never answer.
    draft = ConditionFactory(slug="secret-draft", name="Secret draft rash")
    code(draft, "icd-10-cm", "L72.0", "Epidermal cyst")
    code(draft, "snomed-ct", "254679001", "Milia")
    code(draft, "icd-10-cm", "L71.9", "Rosacea, unspecified")
    # A change to milia waiting for review: the new name and code are not live.
    milia.name = "Milia DRAFT CHANGE"
    milia.save()
    code(milia, "icd-10-cm", "L72.8", "Other follicular cysts of the skin and subcutaneous tissue")
    return {"milia": milia, "acne": acne, "xanthelasma": xanthelasma, "draft": draft}


def infobutton_url(code_value="", system="", **params):
    from urllib.parse import urlencode

    query = {}
    if code_value:
        query["mainSearchCriteria.v.c"] = code_value
    if system:
        query["mainSearchCriteria.v.cs"] = system
    query.update({key.replace("__", "."): value for key, value in params.items()})
    return "/infobutton/?" + urlencode(query)
