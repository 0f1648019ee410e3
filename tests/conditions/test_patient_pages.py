"""Patient pages: home, A to Z and the article, with their query budgets."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions import models
from conditions.views import articles
from tests.factories import (
    ConditionFactory,
    FAQFactory,
    ReferenceFactory,
    SectionFactory,
    TreatmentComparisonFactory,
    UserFactory,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def json_ld_of(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def full_article(**kwargs):
    """A published article with every part the page shows."""
    reviewer = UserFactory(first_name="Priya", last_name="Shah")
    condition = ConditionFactory(
        published=True,
        reviewer=reviewer,
        name="Milia",
        slug="milia",
        also_known_as="milk spots\nmilia spots",
        summary="Milia are tiny hard white bumps just under the skin.",
        with_content=False,
        **kwargs,
    )
    SectionFactory(
        condition=condition, heading="What milia look like", body="Small **white** bumps."
    )
    SectionFactory(condition=condition, heading="Causes", body="Trapped keratin.")
    FAQFactory(
        condition=condition,
        question="Can I squeeze milia?",
        verdict=models.FAQ.Verdict.MYTH,
        answer="No. Squeezing can scar.",
    )
    FAQFactory(condition=condition, question="Are milia contagious?", answer="No.")
    ReferenceFactory(
        condition=condition,
        title="Milia overview",
        publisher="Cleveland Clinic",
        url="https://my.clevelandclinic.org/health/diseases/17868-milia",
        checked_on=datetime.date(2026, 10, 1),
    )
    models.ClinicalCode.objects.create(
        condition=condition, system="snomed-ct", code="254679001", display="Milium"
    )
    models.ClinicalCode.objects.create(
        condition=condition, system="icd-10-cm", code="L72.0", display="Epidermal cyst"
    )
    for level, signs in [
        ("emergency", "- a baby who is floppy"),
        ("self_care", "- a few spots that do not bother you"),
        ("urgent", "- spots that are spreading fast"),
        ("routine", "- spots that last more than a few months"),
    ]:
        models.CareAdvice.objects.create(condition=condition, level=level, signs=signs)
    condition.refresh_derived()
    make_live(condition)  # approved with every part
    return condition


def test_home_page_has_search_a_to_z_featured_conditions_and_who_writes_the_content(client):
    ConditionFactory(published=True, name="Milia", slug="milia", featured=True)
    ConditionFactory(published=True, name="Acne", slug="acne")
    ConditionFactory(name="Draft thing", slug="draft-thing", featured=True)
    html = html_of(client.get("/"))
    assert 'action="/search/"' in html and 'name="q"' in html
    assert 'href="/conditions/#letter-M"' in html and 'href="/conditions/#letter-A"' in html
    assert 'href="/conditions/#letter-Q"' not in html  # no conditions start with Q
    assert 'href="/conditions/milia/"' in html
    assert "Draft thing" not in html
    assert "Who writes this information" in html


def test_home_page_lists_featured_published_questionnaires_only(client):
    published = models.Questionnaire.objects.create(
        title="Check your white spots",
        slug="white-spots",
        intro="A few questions.",
        featured=True,
        status=models.Status.PUBLISHED,
    )
    make_live(published)
    models.Questionnaire.objects.create(
        title="Unfinished questions", slug="unfinished", intro="x", featured=True
    )
    html = html_of(client.get("/"))
    assert published.title in html
    assert "Unfinished questions" not in html


def test_a_to_z_groups_published_conditions_by_letter_with_anchors(client):
    for name in ["Acne", "Atopic eczema", "Milia", "1st degree burn"]:
        ConditionFactory(published=True, name=name)
    ConditionFactory(name="Mystery draft")
    html = html_of(client.get("/conditions/"))
    assert 'id="letter-A"' in html and 'id="letter-M"' in html and 'id="letter-other"' in html
    assert 'href="#letter-A"' in html
    assert html.index("Acne") < html.index("Atopic eczema") < html.index("Milia")
    assert "Mystery draft" not in html


def test_a_to_z_shows_one_letter_when_asked_and_404s_for_a_nonsense_letter(client):
    ConditionFactory(published=True, name="Acne")
    ConditionFactory(published=True, name="Milia")
    html = html_of(client.get("/conditions/?letter=m"))
    assert "Milia" in html and ">Acne<" not in html
    assert client.get("/conditions/?letter=%F0%9F%98%80").status_code == 404
    assert client.get("/conditions/?letter=AB").status_code == 404


def test_a_to_z_shows_one_letter_at_a_time_when_there_are_very_many(client, monkeypatch):
    monkeypatch.setattr(articles, "ALL_ON_ONE_PAGE", 2)
    for name in ["Acne", "Atopic eczema", "Milia"]:
        ConditionFactory(published=True, name=name, with_content=False)
    html = html_of(client.get("/conditions/"))
    assert "Acne" in html and ">Milia<" not in html
    assert 'href="?letter=M#letter-M"' in html


@pytest.mark.parametrize("how_many", [3, 40])
def test_a_to_z_takes_at_most_three_queries(client, django_assert_max_num_queries, how_many):
    for n in range(how_many):
        ConditionFactory(
            published=True, name=f"{chr(65 + n % 26)} condition {n}", with_content=False
        )
    with django_assert_max_num_queries(3):
        assert client.get("/conditions/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/conditions/?letter=B").status_code == 200


def test_article_shows_summary_contents_sections_faqs_care_levels_references_and_codes(client):
    full_article()
    html = html_of(client.get("/conditions/milia/"))
    assert "<h1>Milia</h1>" in html
    assert "tiny hard white bumps" in html
    assert "Also called:" in html and "milk spots" in html
    assert 'href="#what-milia-look-like"' in html and 'id="what-milia-look-like"' in html
    assert "Small <strong>white</strong> bumps." in html
    assert "Can I squeeze milia?" in html and "verdict-myth" in html
    # care advice: 999 then same-day in the urgent-help card right after the summary, before
    # the first section; routine then self-care further down, in "When to get help"
    order = [html.index(f"care-{level}") for level in reversed(models.CareAdvice.LEVEL_ORDER)]
    assert html.index('class="lead"') < html.index('id="urgent-help"') < order[0]
    assert order[1] < html.index('id="what-milia-look-like"') < order[2] < order[3]
    assert order[2] > html.index('id="when-to-get-help"')
    assert "Reviewed by Priya Shah on" in html and "Next review due" in html
    assert "This page is due for review" not in html
    assert "Cleveland Clinic" in html and "Link checked on 1 October 2026" in html
    assert 'href="https://my.clevelandclinic.org/health/diseases/17868-milia"' in html
    assert "For clinicians" in html and "254679001" in html and "L72.0" in html


def test_overdue_article_stays_visible_and_says_it_is_due_for_review(client):
    ConditionFactory(overdue=True, slug="old-news")
    response = client.get("/conditions/old-news/")
    assert response.status_code == 200
    assert "This page is due for review" in html_of(response)


@pytest.mark.parametrize(
    "status", [models.Status.DRAFT, models.Status.IN_REVIEW, models.Status.ARCHIVED]
)
def test_unpublished_condition_is_404_for_patients(client, status):
    ConditionFactory(slug="not-yet", status=status)
    response = client.get("/conditions/not-yet/")
    assert response.status_code == 404
    assert "Page not found" in html_of(response)


def test_article_lists_only_published_related_conditions(client):
    condition = ConditionFactory(published=True, slug="milia")
    condition.related.add(
        ConditionFactory(published=True, name="Acne", slug="acne"),
        ConditionFactory(name="Secret draft", slug="secret-draft"),
    )
    make_live(condition)
    html = html_of(client.get("/conditions/milia/"))
    assert 'href="/conditions/acne/"' in html
    assert "Secret draft" not in html and "secret-draft" not in html


def test_article_links_to_published_treatment_comparison_only(client):
    condition = ConditionFactory(published=True, slug="milia")
    comparison = TreatmentComparisonFactory(condition=condition)
    assert "Compare treatments" not in html_of(client.get("/conditions/milia/"))
    comparison.publish(by=reviewer_user(), attested=True)  # the cached article is invalidated
    assert 'href="/conditions/milia/treatments/"' in html_of(client.get("/conditions/milia/"))


def test_article_links_to_published_questionnaires_for_the_condition(client):
    condition = ConditionFactory(published=True, slug="milia")
    live = models.Questionnaire.objects.create(
        title="Check your spots", slug="spots", intro="x", status=models.Status.PUBLISHED
    )
    draft = models.Questionnaire.objects.create(title="Half done", slug="half", intro="x")
    live.conditions.add(condition)
    draft.conditions.add(condition)
    make_live(live)
    html = html_of(client.get("/conditions/milia/"))
    assert "Check your spots" in html and 'href="/check/spots/"' in html
    assert "Half done" not in html


def test_article_has_canonical_url_meta_description_and_medical_json_ld(client):
    full_article()
    html = html_of(client.get("/conditions/milia/"))
    assert '<link rel="canonical" href="http://testserver/conditions/milia/">' in html
    assert '<meta name="description" content="Milia are tiny hard white bumps' in html
    data = json_ld_of(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == "http://testserver/conditions/milia/"
    assert data["about"]["@type"] == "MedicalCondition"
    assert data["about"]["name"] == "Milia"
    assert "milk spots" in data["about"]["alternateName"]
    assert {c["codeValue"] for c in data["about"]["code"]} == {"254679001", "L72.0"}
    assert data["reviewedBy"]["name"] == "Priya Shah"


def test_json_ld_cannot_close_its_script_element(client):
    ConditionFactory(published=True, slug="tricky", summary="</script><script>alert(1)</script> &")
    html = html_of(client.get("/conditions/tricky/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json_ld_of(html)["description"].startswith("</script>")


def _grow(condition, n):
    for i in range(n):
        SectionFactory(condition=condition)
        FAQFactory(condition=condition, verdict="fact")
        ReferenceFactory(condition=condition)
        models.ClinicalCode.objects.create(
            condition=condition, system="icd-10", code=f"X{i}", display=f"Code {i}"
        )
        condition.related.add(ConditionFactory(published=True, with_content=False))


@pytest.mark.parametrize("extra", [0, 25])
def test_article_takes_at_most_four_queries_whatever_its_size(
    client, django_assert_max_num_queries, extra
):
    condition = full_article()
    _grow(condition, extra)
    make_live(condition)
    with django_assert_max_num_queries(4):
        response = client.get("/conditions/milia/")
    assert response.status_code == 200
    assert html_of(response).count('class="faq"') == 2 + extra


def test_home_takes_a_constant_number_of_queries(client):
    ConditionFactory(published=True, featured=True)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for _ in range(15):
        ConditionFactory(published=True, featured=True, with_content=False)
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large) == len(small) <= 4


@pytest.mark.parametrize(
    "path", ["/", "/conditions/", "/conditions/milia/", "/search/?q=milia", "/about/privacy/"]
)
def test_head_requests_answer_like_get_for_monitors_and_link_checkers(client, path):
    ConditionFactory(published=True, slug="milia")
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405
