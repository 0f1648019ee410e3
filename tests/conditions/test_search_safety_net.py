"""The search safety net: emergency words show the reviewed help card, symptom words offer the
questionnaire and look-alikes, and a search that finds nothing still leaves the patient help."""

import datetime
import re

import factory
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conditions import models
from conditions.search import emergency_wordings, matches_emergency
from tests.factories import (
    ConditionFactory,
    SectionFactory,
    UserFactory,
    editors,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HEADING = "Get help now if someone is very unwell"


class UrgentHelpFactory(factory.django.DjangoModelFactory):
    """A draft help card (the working copy); `published=True` has a clinical reviewer who did
    not write it approve it, with every publishing rule (terms first: publishing needs one).
    The approval names the reviewer and the review date."""

    class Meta:
        model = models.UrgentHelp
        skip_postgeneration_save = True

    heading = HEADING
    body = "Call 999 if your child has a **rash that does not fade**."
    source_name = "NHS 111 Wales"
    source_url = "https://111.wales.nhs.uk/encyclopaedia/s/article/skinrashesinbabiesandchildren/"
    author = factory.SubFactory(UserFactory)
    next_review_due = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=300)
    )

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        """terms=[(phrase, variants)], default the five the tracker names."""
        if not create:
            return
        for order, (phrase, variants) in enumerate(TERMS if extracted is None else extracted):
            models.EmergencyTerm.objects.create(
                urgent_help=obj, order=order, phrase=phrase, variants=variants
            )

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.publish(by=reviewer_user(), attested=True)


TERMS = [
    ("rash that does not fade", "non-blanching rash"),
    ("meningitis", ""),
    ("sepsis", "septicaemia"),
    ("cannot breathe", "difficulty breathing\nstruggling to breathe"),
    ("bleeding that will not stop", "heavy bleeding"),
]


@pytest.fixture
def library():
    """Milia (with a baby rash section), its look-alikes, and the white-spots questionnaire."""
    milia = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        also_known_as="milk spots\nwhite spots on face",
        summary="Milia are tiny hard white spots under the skin. They are harmless.",
        with_content=False,
    )
    SectionFactory(
        condition=milia,
        heading="Is it milia or another baby rash?",
        body="Milia are not a rash: they do not itch, hurt or go red. A rash that does not "
        "fade when pressed needs help at once.",
    )
    look_alikes = [
        ConditionFactory(published=True, name=name, slug=name.lower(), with_content=False)
        for name in ("Syringoma", "Xanthelasma")
    ]
    milia.related.add(*look_alikes)
    hidden = ConditionFactory(name="Draft look-alike", slug="draft-look-alike", with_content=False)
    milia.related.add(hidden)
    for condition in (milia, *look_alikes, hidden):
        condition.refresh_derived()
    make_live(milia)  # as approved: the section and the live look-alikes
    today = timezone.localdate()
    review = {
        "reviewer": milia.reviewer,
        "last_reviewed": today,
        "next_review_due": today + datetime.timedelta(days=300),
    }
    white_spots = models.Questionnaire.objects.create(
        title="Check your white spots",
        slug="white-spots",
        intro="A few questions about white spots on the skin.",
        status=models.Status.PUBLISHED,
        **review,
    )
    white_spots.conditions.add(milia)
    make_live(white_spots)
    models.Questionnaire.objects.create(
        title="Draft rash checker", slug="draft-rash", intro="Rash questions.", **review
    )
    return milia


@pytest.fixture
def card():
    return UrgentHelpFactory(published=True)


def page(client, q, **headers) -> str:
    response = client.get("/search/", {"q": q}, **headers)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    return response.content.decode()


def shows_card(html: str) -> bool:
    return 'class="care care-emergency urgent-help"' in html


# -- matching ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "rash that does not fade",
        "Rash that doesn't fade",
        "rash that won’t fade",
        "not fading rash",
        "baby rash not fading under glass",
        "non-blanching rash",
        "MÉNINGITIS",
        "meningitus symptoms",
        "sepsis",
        "septicaemia in children",
        "cannot breathe",
        "baby can't breathe",
        "difficulty breathing",
        "bleeding that will not stop",
        "bleeding won't stop!",
    ],
)
def test_emergency_words_match_in_the_ways_patients_write_them(query):
    wordings = [w for phrase, variants in TERMS for w in emergency_wordings(phrase, variants)]
    assert matches_emergency(query, wordings)


@pytest.mark.parametrize(
    "query", ["rash", "baby rash", "spots", "milia", "breathing", "bleeding", "fading spots", ""]
)
def test_ordinary_searches_are_not_emergencies(query):
    wordings = [w for phrase, variants in TERMS for w in emergency_wordings(phrase, variants)]
    assert not matches_emergency(query, wordings)


# -- the card -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "meningitis",
        "rash that does not fade",
        "sepsis",
        "cannot breathe",
        "bleeding that will not stop",
    ],
)
def test_an_emergency_search_shows_the_help_card_on_the_page_and_in_live_results(
    client, library, card, query
):
    for headers in ({}, HTMX):
        html = page(client, query, **headers)
        assert shows_card(html) and HEADING in html
        assert "<strong>rash that does not fade</strong>" in html  # the reviewed Markdown
        assert "Urgent help is shown first." in html


def test_the_help_card_comes_before_the_results(client, library, card):
    html = page(client, "milia rash that does not fade")
    assert "Milia" in html and html.index("urgent-help") < html.index('class="result-list"')
    fragment = page(client, "milia rash that does not fade", **HTMX)
    assert fragment.strip().startswith('<div id="search-results"')
    assert fragment.index("urgent-help") < fragment.index('class="result-list"')


def test_the_help_card_has_999_and_111_phone_links(client, library, card):
    html = page(client, "meningitis")
    assert 'href="tel:999"' in html and 'href="tel:111"' in html


def test_the_clinic_can_change_the_numbers_and_spaces_are_dropped_from_the_link(client, library):
    UrgentHelpFactory(published=True, emergency_phone="112", urgent_phone="0300 123 4567")
    html = page(client, "sepsis")
    assert 'href="tel:112"' in html and 'href="tel:03001234567"' in html and "0300 123 4567" in html


def test_an_ordinary_search_with_results_shows_no_help_card(client, library, card):
    html = page(client, "milia")
    assert "Milia" in html and not shows_card(html)


def test_a_draft_term_list_is_never_used(client, library):
    draft = UrgentHelpFactory(heading="Draft card", terms=[("milia", "")])
    html = page(client, "milia")
    assert not shows_card(html) and "Draft card" not in html
    draft.submit_for_review()
    assert not shows_card(page(client, "milia"))
    assert "Draft card" not in page(client, "meningitis")  # no results: the plain card only


def test_approving_editing_and_taking_offline_show_once_approved_or_at_once(client, library):
    """Approval shows the card; an edited term shows only once approved; offline is at once."""
    help_card = UrgentHelpFactory(terms=[("milia", "")])
    reviewer = reviewer_user()
    assert not shows_card(page(client, "milia"))
    help_card.publish(by=reviewer, attested=True)
    assert shows_card(page(client, "milia"))  # the cached term list was replaced
    term = help_card.terms.get()
    term.phrase = "sepsis"
    term.save()  # as the admin does: the working copy only ...
    help_card.record_change(help_card.author)
    assert shows_card(page(client, "milia"))  # ... patients still get the approved terms
    live_terms = models.EmergencyTerm.objects.filter(urgent_help__is_live=True)
    assert list(live_terms.values_list("phrase", flat=True)) == ["milia"]
    help_card.publish(by=reviewer, attested=True)
    assert not shows_card(page(client, "milia"))  # approved: the new term list, at once
    assert list(live_terms.values_list("phrase", flat=True)) == ["sepsis"]
    help_card.take_offline(by=reviewer, reason="Terms under review")
    assert HEADING not in page(client, "sepsis")


def test_a_card_cannot_be_published_without_terms_text_or_source(client, library):
    """(The reviewer is no longer a field to fill in: it is whoever approves.)"""
    help_card = UrgentHelpFactory(terms=[], body="", source_url="")
    problems = " ".join(help_card.publish_problems())
    for missing in ("emergency term", "heading and the text", "web address"):
        assert missing in problems
    with pytest.raises(ValidationError):
        help_card.publish(by=reviewer_user(), attested=True)
    assert not models.UrgentHelp.objects.published().exists()
    assert HEADING not in page(client, "zebra stripes")


def test_the_card_text_is_sanitised(client, library):
    UrgentHelpFactory(published=True, body="Call now <script>alert(1)</script>[x](javascript:x)")
    html = page(client, "sepsis")
    assert "<script>alert" not in html and "javascript:" not in html


# -- nothing found --------------------------------------------------------------------------------
def test_no_results_show_the_help_card_and_the_a_to_z(client, library, card):
    for headers in ({}, HTMX):
        html = page(client, "zebra stripes", **headers)
        assert "We could not find anything" in html
        assert shows_card(html) and HEADING in html
        assert 'href="/conditions/"' in html and 'href="tel:999"' in html


def test_no_results_show_the_phone_numbers_even_before_a_card_is_published(client, library):
    html = page(client, "zebra stripes")
    assert shows_card(html) and 'href="tel:999"' in html and 'href="tel:111"' in html
    assert 'href="/conditions/"' in html


def test_an_empty_search_shows_no_card(client, library, card):
    assert not shows_card(page(client, ""))


# -- symptom words ------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["rash", "spots", "baby rash"])
def test_a_symptom_search_offers_the_questionnaire_and_the_look_alikes(client, library, query):
    for headers in ({}, HTMX):
        html = page(client, query, **headers)
        assert 'href="/check/white-spots/"' in html
        assert 'href="/conditions/syringoma/"' in html and 'href="/conditions/xanthelasma/"' in html
        assert "Conditions that can look like Milia" in html
        assert "draft-look-alike" not in html and "draft-rash" not in html


def publish_spots_questionnaire(library) -> models.Questionnaire:
    """A published questionnaire linked to no condition, with "spots" in its title."""
    spots = models.Questionnaire.objects.create(
        title="Spots and bumps checker",
        slug="spots-and-bumps",
        intro="Questions about lumps.",
        status=models.Status.PUBLISHED,
        reviewer=library.reviewer,
        last_reviewed=library.last_reviewed,
        next_review_due=library.next_review_due,
    )
    make_live(spots)
    return spots


def test_a_questionnaire_is_offered_for_a_word_in_its_title_even_without_a_link(client, library):
    publish_spots_questionnaire(library)
    html = page(client, "milk spots")
    assert 'href="/check/spots-and-bumps/"' in html and 'href="/check/white-spots/"' in html


def test_a_questionnaire_published_after_a_search_is_offered_by_the_next_one(client, library):
    assert 'href="/check/spots-and-bumps/"' not in page(client, "milk spots")  # lists kept
    spots = publish_spots_questionnaire(library)
    assert 'href="/check/spots-and-bumps/"' in page(client, "milk spots")
    spots.take_offline(reviewer_user(), reason="Under review")  # gone from the next search
    assert 'href="/check/spots-and-bumps/"' not in page(client, "milk spots")


def test_a_look_alike_linked_after_a_search_shows_in_the_next_one(client, library):
    live = models.Condition.objects.published().get(slug="milia")
    assert 'href="/conditions/rosacea/"' not in page(client, "spots")
    rosacea = ConditionFactory(published=True, name="Rosacea", slug="rosacea", with_content=False)
    live.related.add(models.Condition.objects.published().get(pk=rosacea.live_id or rosacea.pk))
    assert 'href="/conditions/rosacea/"' in page(client, "spots")


def test_suggestions_still_show_when_the_cache_is_down(client, library, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, broken)
    for _ in range(2):
        html = page(client, "spots")
        assert 'href="/check/white-spots/"' in html and 'href="/conditions/syringoma/"' in html


def test_an_emergency_search_shows_the_card_and_results_but_no_suggestions(client, library, card):
    html = page(client, "rash that does not fade")
    # The result leads into the milia article (to the part where the words are).
    assert shows_card(html) and 'href="/conditions/milia/' in html
    assert "Not sure what it is?" not in html


def test_searching_a_condition_by_name_goes_straight_to_results(client, library):
    html = page(client, "milia")
    assert "Not sure what it is?" not in html and 'href="/conditions/milia/"' in html


# -- query budget -------------------------------------------------------------------------------
@pytest.mark.parametrize("extra_terms", [0, 30])
def test_the_help_card_costs_one_query_uncached_and_none_cached(
    django_assert_num_queries, extra_terms
):
    UrgentHelpFactory(
        published=True, terms=[*TERMS, *((f"term {n}", f"other {n}") for n in range(extra_terms))]
    )
    with django_assert_num_queries(1):
        card = models.UrgentHelp.objects.search_card()
    with django_assert_num_queries(0):
        assert models.UrgentHelp.objects.search_card() == card
    assert card.matches("meningitis") and card.heading == HEADING


def test_the_help_card_still_shows_when_the_cache_is_down(client, library, card, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, broken)
    assert shows_card(page(client, "meningitis")) and HEADING in page(client, "meningitis")


@pytest.mark.parametrize(
    ("query", "cold", "warm"),
    [
        ("milia", 3, 2),  # search, + help card when cold
        ("meningitis", 3, 2),
        ("milia rash that does not fade", 3, 2),  # the card, so no suggestions
        ("zebra stripes", 3, 2),
        # + questionnaires (2) and look-alikes (1), kept per content generation: none warm
        ("rash", 6, 2),
    ],
)
def test_search_stays_within_its_query_budget(
    client, library, card, django_assert_max_num_queries, query, cold, warm
):
    with django_assert_max_num_queries(cold):
        page(client, query, **HTMX)
    for headers in (HTMX, {}):
        with django_assert_max_num_queries(warm):
            page(client, query, **headers)


# -- demo content -----------------------------------------------------------------------------
def test_the_demo_card_is_published_with_the_nhs_999_terms_and_loads_once(client, library):
    from conditions.demo.safety import load_urgent_help

    author, reviewer = editors()
    assert load_urgent_help(author, reviewer) == ["urgent-help"]
    assert load_urgent_help(author, reviewer) == []
    help_card = models.UrgentHelp.objects.published().get()
    assert help_card.reviewer == reviewer and help_card.author == author
    for query in [
        "meningitis",
        "sepsis",
        "rash that does not fade",
        "stiff neck",
        "difficulty breathing",
        "can't breathe",
        "baby lips turning blue",
        "floppy baby",
        "baby hard to wake",
        "my baby won't wake up",
        "baby stopped breathing",
        "shaking uncontrollably",
        "bleeding that will not stop",
    ]:
        assert shows_card(page(client, query)), query
    html = page(client, "meningitis")
    assert re.search(r"glass", html) and "A&amp;E" in html


def test_pages_with_the_card_and_the_suggestions_are_valid_html_with_one_h1(client, library, card):
    import html5lib

    from tests.conditions.test_site_invariants import html_errors

    for query in ("meningitis rash", "zebra"):
        html = page(client, query)
        assert html_errors(html) == [], query
        assert len(re.findall(r"<h1[\s>]", html)) == 1
        fragment = page(client, query, **HTMX)
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(fragment)
