"""ICD-10 shapes, parents and blocks; the demo articles' codes are real and reach the infobutton."""

from __future__ import annotations

import json
import re

import pytest
from stdnum import verhoeff

from conditions.demo import articles as demo_articles
from exchange import icd10
from tests.factories import editors


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("L72.0", "L72.0"),
        ("l720", "L72.0"),
        (" L72 ", "L72"),
        ("S01.01XA", "S01.01XA"),
        ("D3A.010", "D3A.010"),
    ],
)
def test_icd10_codes_are_read_in_any_usual_spelling(raw, code):
    assert icd10.normalise(raw) == code


@pytest.mark.parametrize("raw", ["", "72.0", "L7", "L72.00000", "milia", "L72-0"])
def test_things_that_are_not_icd10_codes_are_refused(raw):
    assert icd10.normalise(raw) is None


def test_parents_are_the_shorter_forms_nearest_first():
    assert icd10.parents("S01.01XA") == ["S01.01X", "S01.01", "S01.0", "S01"]
    assert icd10.parents("L72.0") == ["L72"]
    assert icd10.parents("L72") == []


def test_blocks_come_from_each_edition():
    assert icd10.block_of("L72.0") == ("L60-L75", "Disorders of skin appendages")
    assert icd10.block_of("H02.61") == ("H00-H05", "Disorders of eyelid, lacrimal system and orbit")
    assert icd10.block_of("H02.6", icd10.WHO)[0] == "H00-H06"  # the WHO edition differs here
    assert "L72" in icd10.block_categories("L60-L75")
    assert icd10.block_of("U99.9") is None


def test_the_shipped_block_table_is_what_the_icd10_packages_say():
    shipped = json.loads(icd10.GROUPS_FILE.read_text("utf-8"))
    assert shipped == icd10.build_groups(), "run: python manage.py build_icd10_groups"


# -- the demo articles' codes ------------------------------------------------------------------
DEMO_CODES = [
    (article.slug, code.system, code.code, code.display)
    for article in demo_articles.ARTICLES
    for code in article.codes
]


def test_the_demo_articles_that_carry_codes():
    assert {slug for slug, *_ in DEMO_CODES} == {"milia", "acne", "xanthelasma"}


@pytest.mark.parametrize(
    ("slug", "code", "display"),
    [(s, c, d) for s, system, c, d in DEMO_CODES if system == "icd-10-cm"],
)
def test_demo_icd10cm_codes_exist_with_their_official_titles(slug, code, display):
    import simple_icd_10_cm as cm

    assert cm.is_valid_item(code), f"{slug}: {code}"
    assert cm.get_description(code) == display


@pytest.mark.parametrize(
    ("slug", "code"), [(s, c) for s, system, c, _d in DEMO_CODES if system == "snomed-ct"]
)
def test_demo_snomed_ids_have_a_valid_check_digit(slug, code):
    assert re.fullmatch(r"\d{6,18}", code) and verhoeff.is_valid(code), f"{slug}: {code}"


@pytest.fixture
def demo(db, settings):
    settings.PORTAL_PUBLIC_URL = "https://info.example-clinic.org"
    demo_articles.load(*editors())


@pytest.mark.parametrize(
    ("code", "system", "slug"),
    [
        ("L72.0", "2.16.840.1.113883.6.90", "milia"),
        ("254679001", "2.16.840.1.113883.6.96", "milia"),
        ("L70.0", "2.16.840.1.113883.6.90", "acne"),
        ("11381005", "2.16.840.1.113883.6.96", "acne"),
        ("H02.63", "2.16.840.1.113883.6.90", "xanthelasma"),
    ],
)
def test_the_demo_codes_reach_their_articles_through_the_infobutton(
    client, demo, code, system, slug
):
    url = f"/infobutton/?mainSearchCriteria.v.c={code}&mainSearchCriteria.v.cs={system}"
    assert client.get(url)["Location"] == f"/conditions/{slug}/"


def test_every_coded_demo_article_carries_its_codes_in_json_ld(client, demo):
    for slug in ("milia", "acne", "xanthelasma"):
        page = client.get(f"/conditions/{slug}/").content.decode()
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
        expected = {code for s, _system, code, _d in DEMO_CODES if s == slug}
        assert {c["codeValue"] for c in data["about"]["code"]} == expected


# Syringoma and sebaceous hyperplasia have no code a source we could name verifies (see
# conditions/demo/articles.py): they ship uncoded, the admin says a coder is needed, and an EHR
# still reaches them by the display name it sends with whatever code it holds.
UNCODED_DEMO = {"syringoma": "Syringoma", "sebaceous-hyperplasia": "Sebaceous hyperplasia"}


def test_the_uncoded_demo_look_alikes_are_exactly_syringoma_and_sebaceous_hyperplasia():
    slugs = {article.slug for article in demo_articles.ARTICLES if not article.codes}
    assert slugs == set(UNCODED_DEMO)


# What an EHR may send with the name: nothing else (a free-text problem-list entry), an eyelid
# skin code the portal does not hold, a code in acne's block (the name still wins), an unknown
# SNOMED CT id.
NAME_WITH = [
    {},
    {"mainSearchCriteria.v.c": "D23.10", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90"},
    {"mainSearchCriteria.v.c": "L73.8", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90"},
    {"mainSearchCriteria.v.c": "999999999999", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.96"},
]


def test_the_uncoded_look_alikes_are_found_by_the_display_name(client, demo):
    from urllib.parse import urlencode

    for slug, name in UNCODED_DEMO.items():
        for extra in NAME_WITH:
            query = {"mainSearchCriteria.v.dn": name, **extra}
            response = client.get("/infobutton/?" + urlencode(query))
            assert response.status_code == 302, (query, response.content[:300])
            assert response["Location"] == f"/conditions/{slug}/", query
            as_json = {**query, "knowledgeResponseType": "application/json"}
            feed = client.get("/infobutton/?" + urlencode(as_json)).json()["feed"]
            assert feed["entry"][0]["link"][0]["href"].endswith(f"/conditions/{slug}/"), query


def test_the_admin_shows_which_demo_articles_need_a_clinical_coder(client, demo):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:conditions_condition_changelist")
    page = client.get(changelist).content.decode()
    assert page.count('<strong class="needs-coder">Needs a clinical coder</strong>') == 2

    page = client.get(changelist + "?codes=none").content.decode()
    for slug, name in UNCODED_DEMO.items():
        assert f">{name}</a>" in page, slug
    for name in ("Milia", "Acne", "Xanthelasma"):
        assert f">{name}</a>" not in page

    page = client.get(changelist + "?codes=coded").content.decode()
    assert ">Milia</a>" in page and ">Syringoma</a>" not in page

    from conditions.models import Condition

    syringoma = Condition.objects.working_copies().get(slug="syringoma")
    change = reverse("admin:conditions_condition_change", args=[syringoma.pk])
    page = client.get(change).content.decode()
    assert "None yet: needs a clinical coder." in page
    assert "find this page by its name only" in page
    milia = Condition.objects.working_copies().get(slug="milia")
    page = client.get(reverse("admin:conditions_condition_change", args=[milia.pk])).content
    assert b"needs a clinical coder" not in page
    assert b"ICD-10-CM L72.0, SNOMED CT 254679001" in page
