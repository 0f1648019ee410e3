"""/infobutton/ answers realistic EHR requests: codes, parents, names, infants, languages."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import feedparser
import jsonschema
import pytest
from django.test import override_settings

from tests.exchange.conftest import ICD10, ICD10CM, PUBLIC, SNOMED, infobutton_url

SCHEMA = json.loads(
    (
        Path(__file__).parents[2] / "exchange" / "schemas" / "infobutton-response.schema.json"
    ).read_text()
)

# What an Epic or Oracle Health (Cerner) build sends for a problem-list entry: the code, its
# system, the display name, the audience, the patient's language, age and sex.
EHR_MILIA_ICD = (
    "/infobutton/?representedOrganization.id.root=1.2.3.4.5"
    "&taskContext.c.c=PROBLISTREV&mainSearchCriteria.v.c=L72.0"
    "&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.dn=Milium"
    "&informationRecipient=PAT&informationRecipient.languageCode.c=en"
    "&age.v.v=34&age.v.u=a&administrativeGender.c=F&knowledgeResponseType=text/html"
)
EHR_MILIA_SNOMED = (
    "/infobutton/?mainSearchCriteria.v.c=254679001&mainSearchCriteria.v.cs=2.16.840.1.113883.6.96"
    "&mainSearchCriteria.v.dn=Milia%20(disorder)&informationRecipient=PROV"
)
EHR_NEWBORN = (
    "/infobutton/?mainSearchCriteria.v.c=L72.0&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
    "&mainSearchCriteria.v.dn=Milium&informationRecipient=PAT&age.v.v=3&age.v.u=mo"
    "&administrativeGender.c=M"
)


def as_json(client, url):
    response = client.get(url + "&knowledgeResponseType=application/json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    jsonschema.validate(document, SCHEMA)
    return document["feed"]


def entry_urls(feed):
    return [entry["link"][0]["href"] for entry in feed["entry"]]


# -- one click to the page --------------------------------------------------------------------
def test_icd10cm_l72_0_from_the_problem_list_opens_the_milia_article(client, clinic):
    response = client.get(EHR_MILIA_ICD)
    assert response.status_code == 302
    assert response["Location"] == "/conditions/milia/"
    assert client.get(response["Location"]).status_code == 200


def test_snomed_ct_milia_opens_the_milia_article(client, clinic):
    response = client.get(EHR_MILIA_SNOMED)
    assert response.status_code == 302
    assert response["Location"] == "/conditions/milia/"


def test_a_code_without_its_dot_is_read_as_icd10(client, clinic):
    response = client.get(infobutton_url("l720", ICD10CM))
    assert response["Location"] == "/conditions/milia/"


def test_a_child_code_opens_the_article_coded_with_its_parent(client, clinic):
    # H02.64: xanthelasma of the left upper eyelid; the article carries H02.6.
    response = client.get(
        infobutton_url(
            "H02.64", ICD10CM, mainSearchCriteria__v__dn="Xanthelasma of left upper eyelid"
        )
    )
    assert response.status_code == 302
    assert response["Location"] == "/conditions/xanthelasma/"
    feed = as_json(client, infobutton_url("H02.64", ICD10CM))
    assert [e["match"]["kind"] for e in feed["entry"]] == ["broader"]
    assert feed["entry"][0]["match"]["code"]["code"] == "H02.6"


def test_a_who_icd10_request_finds_the_icd10cm_coded_article(client, clinic):
    response = client.get(infobutton_url("L70.0", ICD10))
    assert response["Location"] == "/conditions/acne/"


def test_the_display_name_alone_opens_the_article_it_names(client, clinic):
    response = client.get(infobutton_url(mainSearchCriteria__v__dn="Milk spots"))
    assert response.status_code == 302
    assert response["Location"] == "/conditions/milia/"


def test_an_unknown_code_falls_back_to_its_display_name(client, clinic):
    response = client.get(infobutton_url("L72.9", ICD10CM, mainSearchCriteria__v__dn="Milia"))
    assert response["Location"] == "/conditions/milia/"


# -- related pages: offered, never opened without a choice ------------------------------------
def test_a_sibling_code_in_the_same_category_offers_the_page_to_choose(client, clinic):
    response = client.get(infobutton_url("L72.3", ICD10CM))  # sebaceous cyst
    assert response.status_code == 200
    page = response.content.decode()
    assert "No page about this code yet" in page
    assert 'href="/conditions/milia/"' in page and "acne" not in page.lower()
    feed = as_json(client, infobutton_url("L72.3", ICD10CM))
    assert [e["match"]["kind"] for e in feed["entry"]] == ["same-category"]


def test_a_code_in_the_same_block_lists_the_pages_of_that_group(client, clinic):
    # L71.9 rosacea: no page; L70.0 (acne) and L72.0 (milia) share the block L60-L75.
    feed = as_json(client, infobutton_url("L71.9", ICD10CM))
    assert entry_urls(feed) == [f"{PUBLIC}/conditions/acne/", f"{PUBLIC}/conditions/milia/"]
    assert {e["match"]["kind"] for e in feed["entry"]} == {"same-group"}
    response = client.get(infobutton_url("L71.9", ICD10CM))
    assert response.status_code == 200
    assert "Choose" not in response.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_a_display_name_is_tried_before_related_pages(client, clinic):
    response = client.get(
        infobutton_url("L71.9", ICD10CM, mainSearchCriteria__v__dn="Acne vulgaris")
    )
    assert response["Location"] == "/conditions/acne/"


# -- nothing found -----------------------------------------------------------------------------
def test_an_unknown_code_with_a_name_goes_to_the_search_page_with_the_help_card(client, clinic):
    url = infobutton_url("22298006", SNOMED, mainSearchCriteria__v__dn="Myocardial infarction")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=Myocardial+infarction"
    search = client.get(response["Location"])
    assert "urgent-help" in search.content.decode()


def test_a_name_only_in_an_articles_text_is_left_to_the_search_page(client, clinic):
    # "newborn" is in milia's text, but no article is called that.
    response = client.get(infobutton_url("Z38.00", ICD10CM, mainSearchCriteria__v__dn="Newborn"))
    assert response["Location"] == "/search/?q=Newborn"


def test_an_unknown_code_without_a_name_says_so_with_the_help_card(client, clinic):
    response = client.get(infobutton_url("Z99.89", ICD10CM))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No page found" in page and "urgent-help" in page and 'name="q"' in page
    feed = as_json(client, infobutton_url("Z99.89", ICD10CM))
    assert feed["entry"] == [] and "No page" in feed["subtitle"]["_value"]


def test_a_snomed_id_with_a_wrong_check_digit_is_not_looked_up(client, clinic):
    feed = as_json(client, infobutton_url("254679002", SNOMED, mainSearchCriteria__v__dn="Milia"))
    assert any("check digit" in note for note in feed["notes"])
    assert [e["match"]["kind"] for e in feed["entry"]] == ["name"]


# -- the person: infant, language ---------------------------------------------------------------
@pytest.mark.parametrize(("value", "unit"), [("3", "mo"), ("0.5", "a"), ("10", "wk"), ("12", "d")])
def test_an_infant_lands_on_the_articles_part_about_babies(client, clinic, value, unit):
    url = infobutton_url("L72.0", ICD10CM, age__v__v=value, age__v__u=unit)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/conditions/milia/#milia-in-newborn-babies"
    page = client.get("/conditions/milia/").content.decode()
    assert 'id="milia-in-newborn-babies"' in page


def test_the_newborn_request_from_the_ehr_lands_on_the_baby_part(client, clinic):
    assert client.get(EHR_NEWBORN)["Location"] == "/conditions/milia/#milia-in-newborn-babies"
    feed = as_json(client, EHR_NEWBORN)
    assert feed["entry"][0]["babyPart"] is True
    assert entry_urls(feed) == [f"{PUBLIC}/conditions/milia/#milia-in-newborn-babies"]


def test_an_adult_or_an_article_without_a_baby_part_opens_at_the_top(client, clinic):
    assert (
        client.get(infobutton_url("L72.0", ICD10CM, age__v__v="1", age__v__u="a"))["Location"]
        == "/conditions/milia/"
    )
    assert (
        client.get(infobutton_url("H02.6", ICD10CM, age__v__v="2", age__v__u="mo"))["Location"]
        == "/conditions/xanthelasma/"
    )


def test_acne_for_a_baby_opens_at_baby_acne(client, clinic):
    url = infobutton_url("L70.0", ICD10CM, age__v__v="6", age__v__u="wk")
    assert client.get(url)["Location"] == "/conditions/acne/#baby-acne"


def test_spanish_is_answered_in_english_with_a_notice(client, clinic):
    url = infobutton_url("L72.0", ICD10CM, informationRecipient__languageCode__c="es")
    response = client.get(url)
    assert response.status_code == 200  # the notice needs a page: no silent redirect
    page = response.content.decode()
    assert "English only" in page and 'href="/conditions/milia/"' in page
    feed = as_json(client, url)
    assert feed["language"] == {
        "requested": "es",
        "served": "en",
        "note": "Spanish (es) was asked for; these pages are in English only.",
    }
    assert feed["entry"][0]["language"] == "en"


def test_english_in_any_region_is_served_without_a_note(client, clinic):
    url = infobutton_url("L72.0", ICD10CM, informationRecipient__languageCode__c="en-US")
    assert client.get(url)["Location"] == "/conditions/milia/"
    assert as_json(client, url)["language"]["note"] is None


# -- JSON and Atom -----------------------------------------------------------------------------
def test_the_json_answer_has_what_a_clinician_needs(client, clinic):
    feed = as_json(client, infobutton_url("L72.0", ICD10CM))
    assert len(feed["entry"]) == 1
    entry = feed["entry"][0]
    assert entry["title"]["_value"] == "Milia"
    assert entry["link"][0]["href"] == f"{PUBLIC}/conditions/milia/"
    assert entry["summary"]["_value"].startswith("A short plain summary")
    assert entry["alsoCalled"] == ["milium", "milk spots"]
    assert entry["language"] == "en"
    assert entry["lastReviewed"] == clinic["milia"].live.last_reviewed.isoformat()
    assert entry["match"] == {
        "kind": "exact",
        "label": "coded with this code",
        "code": {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "L72.0",
            "display": "Epidermal cyst",
        },
    }
    assert {"scheme": "mainSearchCriteria.v.c", "term": "L72.0"} in feed["category"]


def test_links_use_the_public_address_whatever_host_was_asked(client, clinic):
    url = infobutton_url("L72.0", ICD10CM) + "&knowledgeResponseType=application/json"
    for host in ("127.0.0.1", "localhost"):
        feed = client.get(url, HTTP_HOST=host).json()["feed"]
        assert entry_urls(feed) == [f"{PUBLIC}/conditions/milia/"]


def test_at_most_three_pages_are_listed(client, clinic):
    from tests.exchange.conftest import article

    for n in range(4):
        article(f"cyst-{n}", f"Cyst {n}", codes=[("icd-10-cm", "L72.3", "Sebaceous cyst")])
    feed = as_json(client, infobutton_url("L72.3", ICD10CM))
    assert len(feed["entry"]) == 3


def test_the_atom_answer_parses_as_an_atom_feed(client, clinic):
    url = infobutton_url(
        "L72.0",
        ICD10CM,
        age__v__v="3",
        age__v__u="mo",
        knowledgeResponseType="application/atom+xml",
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Milia"]
    entry = feed.entries[0]
    assert entry.link == f"{PUBLIC}/conditions/milia/#milia-in-newborn-babies"
    assert entry.id == f"{PUBLIC}/conditions/milia/"
    assert entry.summary.startswith("A short plain summary")
    terms = {(t["scheme"], t["term"]) for t in entry.tags}
    assert ("alsoCalled", "milk spots") in terms and ("match", "exact") in terms
    assert ("mainSearchCriteria.v.c", "L72.0") in {(t["scheme"], t["term"]) for t in feed.feed.tags}


def test_an_unencoded_plus_in_the_atom_type_still_gets_atom(client, clinic):
    url = infobutton_url("L72.0", ICD10CM) + "&knowledgeResponseType=application/atom+xml"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")


def test_the_atom_answer_carries_the_language_note(client, clinic):
    url = infobutton_url(
        "L72.0",
        ICD10CM,
        informationRecipient__languageCode__c="pl",
        knowledgeResponseType="text/xml",
    )
    feed = feedparser.parse(client.get(url).content)
    assert "Polish (pl) was asked for" in feed.feed.subtitle
    assert len(feed.entries) == 1


# -- drafts never answer ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        infobutton_url("L72.0", ICD10CM),
        infobutton_url("254679001", SNOMED),
        infobutton_url("L71.9", ICD10CM),
        infobutton_url("L72.8", ICD10CM),
        infobutton_url(mainSearchCriteria__v__dn="Secret draft rash"),
        infobutton_url(mainSearchCriteria__v__dn="Milia DRAFT CHANGE"),
    ],
)
@pytest.mark.parametrize("kind", ["text/html", "application/json", "application/atom+xml"])
def test_no_draft_ever_appears_in_any_answer(client, clinic, url, kind):
    response = client.get(url + f"&knowledgeResponseType={quote(kind)}", follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "secret-draft" not in body
    # A name asked for may be echoed back (the search box); never as a page's title.
    for title in ("Secret draft rash", "Milia DRAFT CHANGE"):
        assert f">{title}</a>" not in body and f"<title>{title}</title>" not in body
        assert f'"_value": "{title}"' not in body


def test_the_pending_code_of_a_draft_change_does_not_match(client, clinic):
    # L72.8 was added to milia's working copy only: related (same category), not exact.
    feed = as_json(client, infobutton_url("L72.8", ICD10CM))
    assert [e["match"]["kind"] for e in feed["entry"]] == ["same-category"]
    assert feed["entry"][0]["title"]["_value"] == "Milia"


# -- bad requests ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/infobutton/", "Give a code"),
        (infobutton_url("L72.0"), "code system"),
        (infobutton_url("L72.0", "2.16.840.1.113883.6.1"), "code system"),
        (infobutton_url("not a code!", ICD10CM), "not shaped like an ICD-10 code"),
        (infobutton_url("L72.0", ICD10CM, age__v__v="three"), "is not a number"),
        (infobutton_url("L72.0", ICD10CM, age__v__v="3", age__v__u="months"), "UCUM"),
        (infobutton_url("L72.0", ICD10CM, age__v__v="-1"), "not a possible age"),
        (infobutton_url("L72.0", ICD10CM, knowledgeResponseType="application/pdf"), "not offered"),
        (infobutton_url("L72.0", ICD10CM, informationRecipient__languageCode__c="e$"), "language"),
    ],
)
def test_bad_requests_get_a_400_that_says_what_to_fix(client, clinic, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("kind", ["text/html", "application/json", "application/atom+xml"])
@pytest.mark.parametrize(
    "params",
    [
        {"mainSearchCriteria.v.dn": "\x00milia"},
        {"mainSearchCriteria.v.dn": "milk\x1bspots", "mainSearchCriteria.v.c": "L72.0\x00"},
        {"mainSearchCriteria.v.dn": '"*( OR 1=1; --'},
        {"mainSearchCriteria.v.dn": "x" * 5000},
        {"mainSearchCriteria.v.c": "9" * 40, "mainSearchCriteria.v.cs": SNOMED},
    ],
)
def test_odd_input_never_breaks_an_answer(client, clinic, params, kind):
    from urllib.parse import urlencode

    response = client.get("/infobutton/?" + urlencode({**params, "knowledgeResponseType": kind}))
    assert response.status_code in (200, 302, 400)
    if kind == "application/atom+xml" and response.status_code == 200:
        assert not feedparser.parse(response.content).bozo


def test_a_bad_json_request_gets_its_reason_as_json(client, clinic):
    response = client.get(
        infobutton_url("L72.0", ICD10CM, age__v__v="x", knowledgeResponseType="application/json")
    )
    assert response.status_code == 400
    assert "age.v.v" in response.json()["error"]


def test_only_get_and_head_are_allowed(client, clinic):
    assert client.post(infobutton_url("L72.0", ICD10CM)).status_code == 405
    assert client.head(infobutton_url("L72.0", ICD10CM)).status_code == 302


# -- caching, CORS, queries ----------------------------------------------------------------------
def test_answers_are_public_for_five_minutes_and_revalidate(client, clinic):
    url = infobutton_url("L72.0", ICD10CM, knowledgeResponseType="application/json")
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_publish_changes_the_answer(client, clinic):
    url = infobutton_url("L72.8", ICD10CM, knowledgeResponseType="application/json")
    assert client.get(url).json()["feed"]["entry"][0]["match"]["kind"] == "same-category"
    from tests.factories import make_live

    make_live(clinic["milia"])  # what an approval does
    entry = client.get(url).json()["feed"]["entry"][0]
    assert entry["match"]["kind"] == "exact" and entry["title"]["_value"] == "Milia DRAFT CHANGE"


@override_settings(CORS_ALLOWED_ORIGINS=["https://ehr.example-trust.nhs.uk"])
def test_cors_allows_gets_from_configured_ehr_origins_only(client, clinic):
    url = infobutton_url("L72.0", ICD10CM, knowledgeResponseType="application/json")
    allowed = client.get(url, HTTP_ORIGIN="https://ehr.example-trust.nhs.uk")
    assert allowed["Access-Control-Allow-Origin"] == "https://ehr.example-trust.nhs.uk"
    assert "Access-Control-Allow-Credentials" not in allowed
    other = client.get(url, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        url,
        HTTP_ORIGIN="https://ehr.example-trust.nhs.uk",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    # Patient pages are not opened to other sites.
    page = client.get("/conditions/milia/", HTTP_ORIGIN="https://ehr.example-trust.nhs.uk")
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize(
    "url",
    [
        infobutton_url("L72.0", ICD10CM),
        infobutton_url("L72.0", ICD10CM, age__v__v="3", age__v__u="mo"),
        infobutton_url("L71.9", ICD10CM, knowledgeResponseType="application/json"),
        infobutton_url("H02.64", ICD10CM, mainSearchCriteria__v__dn="Xanthelasma"),
    ],
)
def test_an_answer_takes_few_queries(client, clinic, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code in (200, 302)
