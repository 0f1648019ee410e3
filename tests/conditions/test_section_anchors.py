"""Section anchors: a renamed heading gets a new anchor and old links still land."""

import pytest

from conditions.models import Section
from tests.conditions.article_admin import change_url, form_data, user_in
from tests.factories import ConditionFactory, SectionFactory, make_live

pytestmark = pytest.mark.django_db


def test_renaming_a_heading_gives_a_new_anchor_and_keeps_the_old_one():
    section = SectionFactory(condition=ConditionFactory(with_content=False), heading="Causes")
    assert section.slug == "causes"
    section.heading = "What causes milia"
    section.save()
    assert section.slug == "what-causes-milia"
    assert section.previous_anchors == ["causes"]
    section.heading = "Causes"  # renamed back: the anchor is current again, not an old one
    section.save()
    assert (section.slug, section.previous_anchors) == ("causes", ["what-causes-milia"])


def test_an_anchor_chosen_by_hand_is_kept_when_the_heading_changes():
    section = SectionFactory(condition=ConditionFactory(with_content=False), heading="Causes")
    section.slug = "why"
    section.save()
    section.heading = "Why milia form"
    section.save()
    assert section.slug == "why"
    assert section.previous_anchors == ["causes"]


def test_renaming_in_the_admin_changes_the_anchor(client):
    client.force_login(user_in("Author"))
    condition = ConditionFactory(with_content=False)
    section = SectionFactory(condition=condition, heading="Causes")
    data = form_data(condition, **{"sections-0-heading": "What causes milia"})
    assert client.post(change_url(condition), data).status_code == 302
    section.refresh_from_db()
    assert section.slug == "what-causes-milia"
    assert section.previous_anchors == ["causes"]


def test_the_live_page_has_the_new_anchor_and_an_element_for_the_old_one(client):
    condition = ConditionFactory(published=True, with_content=False)
    SectionFactory(condition=condition, heading="Causes")
    SectionFactory(condition=condition, heading="Treatment", order=2)
    make_live(condition)
    section = condition.sections.get(heading="Causes")
    section.heading = "What causes milia"
    section.save()
    make_live(condition)
    assert Section.objects.filter(condition=condition.live, slug="what-causes-milia").exists()
    page = client.get(condition.live.get_absolute_url()).content.decode()
    assert '<section id="what-causes-milia"' in page
    assert '<span id="causes"></span>' in page
    assert 'href="#what-causes-milia"' in page


def test_an_old_anchor_that_another_section_now_uses_is_not_repeated(client):
    condition = ConditionFactory(published=True, with_content=False)
    first = SectionFactory(condition=condition, heading="Causes")
    first.heading = "Why they form"
    first.save()
    SectionFactory(condition=condition, heading="Causes", order=2)
    make_live(condition)
    page = client.get(condition.live.get_absolute_url()).content.decode()
    assert page.count('id="causes"') == 1
