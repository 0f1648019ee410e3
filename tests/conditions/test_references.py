"""References patients can follow: public addresses only, and inline citations that link to them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conditions import content
from conditions.models import Reference, Section
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    SectionFactory,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

REFUSED = [
    "https://dev.example.org/milia",
    "https://dev2.statpearls.com/articlelibrary/viewarticle/25157",
    "https://staging.healthiertogether.nhs.uk/new-parent-and-baby/rashes",
    "https://emedicine.staging.medscape.com/article/1058063-workup",
    "https://test.nhs.uk/conditions/milia",
    "https://qa.dermnetnz.org/topics/milium",
    "https://uat.clinic.example/page",
    "http://localhost:8000/conditions/milia/",
    "http://127.0.0.1/milia",
    "https://portal.localhost/milia",
    "http://www.mayoclinic.com/health/milia/DS01059",
    "https://mayoclinic.com/health/milia/DS01059",
    "ftp://files.example.org/milia.pdf",
]
ACCEPTED = [
    "https://my.clevelandclinic.org/health/diseases/17868-milia",
    "https://www.mayoclinic.org/diseases-conditions",
    "https://emedicine.medscape.com/article/1058063-workup",
    "https://doi.org/10.1016/j.jaad.2011.11.932",
    "https://pubmed.ncbi.nlm.nih.gov/32809316/",
    "https://www.testing-skin.org/milia",  # "test" only as a whole first label is refused
    "https://developer.mozilla.org/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_development_staging_test_or_retired_address_is_refused_by_the_model(url):
    reference = ReferenceFactory.build(condition=ConditionFactory(), url=url)
    with pytest.raises(ValidationError) as error:
        reference.full_clean()
    assert "url" in error.value.message_dict


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_public_address_is_accepted(url):
    ReferenceFactory.build(condition=ConditionFactory(), url=url).full_clean()


def test_publishing_is_refused_while_a_reference_points_at_a_staging_host():
    condition = ConditionFactory()
    # Saved without clean(), as an import or an old row could be.
    Reference.objects.create(
        condition=condition,
        title="Milia",
        publisher="StatPearls",
        url="https://dev2.statpearls.com/articlelibrary/viewarticle/25157",
    )
    problems = condition.publish_problems()
    assert any("dev2.statpearls.com" in p for p in problems), problems
    with pytest.raises(ValidationError):
        condition.publish(by=reviewer_user(), attested=True)


def test_publishing_needs_a_reference_with_a_public_address():
    condition = ConditionFactory()
    condition.references.all().delete()
    Reference.objects.create(condition=condition, title="A book", publisher="A publisher")
    assert any("public web address or DOI" in p for p in condition.publish_problems())


def test_the_checked_on_date_is_shown_as_such_and_only_when_set(client):
    condition = ConditionFactory(published=True, slug="checked")
    condition.references.all().delete()
    day = datetime.date(2026, 12, 1)
    ReferenceFactory(condition=condition, title="Checked", checked_on=day, year=2018)
    ReferenceFactory(condition=condition, title="Unchecked", checked_on=None)
    make_live(condition)
    html = client.get("/conditions/checked/").content.decode()
    assert "Link checked on 1 December 2026." in html
    assert html.count("Link checked on") == 1
    assert "Accessed" not in html and ", 2018." in html


def test_an_inline_citation_renders_as_a_link_to_the_reference_anchor():
    html = content.render_markdown("Half of newborns have them [2]. Cited twice [1, 3].", True)
    assert '<sup>[<a href="#ref-2"' in html
    assert 'href="#ref-1"' in html and 'href="#ref-3"' in html
    assert "[2]" not in content.markdown_to_text("Half of newborns have them [2].")


def test_citations_are_only_linked_in_article_text_and_never_inside_links_or_markup():
    assert "href" not in content.render_markdown("Step [2] of 3")
    html = content.render_markdown("[see 2](https://www.nhs.uk/) [x](https://a.org/?q=[2])", True)
    assert "#ref-" not in html
    nasty = content.render_markdown(
        '[2]<script>alert(1)</script><a href="#ref-2" onclick="x">', True
    )
    assert "<script" not in nasty and "onclick" not in nasty


def test_a_section_citation_links_to_an_existing_reference_on_the_page(client):
    condition = ConditionFactory(published=True, slug="cited", with_content=False)
    ReferenceFactory(condition=condition, order=1)
    ReferenceFactory(condition=condition, order=2, title="Second source")
    SectionFactory(condition=condition, heading="Claims", body="A claim with a source [2].")
    make_live(condition)
    html = client.get("/conditions/cited/").content.decode()
    assert 'href="#ref-2"' in html and 'id="ref-2"' in html
    assert html.index('href="#ref-2"') < html.index('id="ref-2"')


def test_publishing_is_refused_when_a_citation_points_past_the_reference_list():
    condition = ConditionFactory(with_content=False)
    ReferenceFactory(condition=condition)
    Section.objects.create(condition=condition, heading="Claims", body="Sourced [4].")
    problems = condition.publish_problems()
    assert any("cites source 4" in p for p in problems), problems


def test_a_link_cannot_be_checked_on_a_future_day():
    reference = ReferenceFactory.build(
        condition=ConditionFactory(), checked_on=datetime.date(2999, 1, 1)
    )
    reference.checked_on = datetime.date(2999, 1, 1)
    with pytest.raises(ValidationError) as error:
        reference.full_clean()
    assert "checked_on" in error.value.message_dict
