"""Search results show a sentence around the match from the article's text, with the matched
words marked, never the list of other names, and lead to the part that holds it.

The same tests run on SQLite (FTS5 snippet()) and PostgreSQL (ts_headline).
"""

import re

import pytest
from django.db import connection

from conditions import models
from conditions.search import SNIPPET_END, SNIPPET_START, section_snippet
from tests.factories import ConditionFactory, FAQFactory, SectionFactory, make_live

pytestmark = pytest.mark.django_db

FILLER = " ".join(["Most people need nothing else."] * 40)


@pytest.fixture
def milia():
    condition = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        also_known_as="milk spots\nmilia spots\noil seeds\nwhite spots on face\nhard white bumps",
        summary="Milia are tiny hard white bumps under the skin. They are harmless.",
        with_content=False,
    )
    SectionFactory(
        condition=condition,
        order=1,
        heading="What milia look like",
        part_title="About milia",
        body=f"They are firm and white. {FILLER}",
    )
    SectionFactory(
        condition=condition,
        order=2,
        heading="Milia in newborn babies",
        part_title="Milia in babies",
        body=f"{FILLER} Tiny pearls on the gums are called Epstein pearls. {FILLER}",
    )
    SectionFactory(
        condition=condition,
        order=3,
        heading="What not to do",
        body="Do not use 5 < 6 & <b>harsh</b> scrubs or steam.",
    )
    FAQFactory(condition=condition, question="Can I squeeze them?", answer="No, it can scar.")
    condition.refresh_derived()
    make_live(condition)
    return condition


def results(client, q) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def snippet_of(page: str) -> str:
    return re.search(r'<p class="result-snippet">(.*?)</p>', page, re.S).group(1)


def test_the_snippet_is_a_sentence_from_the_text_with_the_words_marked(client, milia):
    snippet = snippet_of(results(client, "gum pearls"))
    assert "Epstein <mark>pearls</mark>" in snippet and "<mark>gums</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")  # cut from a longer section
    assert "oil seeds" not in snippet and "milk spots" not in snippet
    assert len(re.sub(r"<[^>]+>", "", snippet)) < 300


def test_a_name_search_shows_text_not_the_list_of_other_names(client, milia):
    snippet = snippet_of(results(client, "milia"))
    assert "oil seeds" not in snippet and "white spots on face" not in snippet
    assert "<mark>" in snippet


def test_a_result_found_in_the_text_leads_to_the_part_that_holds_it(client, milia):
    page = results(client, "epstein pearls")
    assert 'href="/conditions/milia/milia-in-newborn-babies/"' in page
    response = client.get("/conditions/milia/milia-in-newborn-babies/")
    assert response.status_code == 200 and "Epstein pearls" in response.content.decode()


def test_a_result_found_by_its_name_or_another_name_leads_to_the_article_itself(client, milia):
    assert 'href="/conditions/milia/"' in results(client, "milia")
    assert 'href="/conditions/milia/"' in results(client, "hard white bumps")


def test_the_snippet_escapes_the_text_and_the_query_cannot_add_markup(client, milia):
    snippet = snippet_of(results(client, "scrubs <>&'\""))
    assert "<mark>scrubs</mark>" in snippet
    assert "5 &lt; 6 &amp;" in snippet and "<b>" not in snippet and "<script" not in snippet
    assert set(re.findall(r"</?(\w+)", snippet)) == {"mark"}


def test_words_all_in_the_summary_show_the_summary_and_lead_to_the_article(client, milia):
    # The summary is the article's own plain answer; no section is looked for.
    page = results(client, "hard bumps")
    snippet = snippet_of(page)
    assert snippet.startswith("Milia are tiny <mark>hard</mark> white <mark>bumps</mark>")
    assert 'href="/conditions/milia/"' in page


def test_a_word_missing_from_the_summary_shows_the_section_that_holds_the_words(client, milia):
    # "skin" is in the summary, "firm" only in the first section: a sentence from there.
    page = results(client, "firm skin")
    assert "<mark>firm</mark> and white" in snippet_of(page)
    assert 'href="/conditions/milia/what-milia-look-like/"' in page


def test_a_match_only_in_a_question_shows_the_summary(client, milia):
    snippet = snippet_of(results(client, "squeeze"))
    assert snippet.startswith("Milia are tiny hard white bumps")


def test_the_section_index_follows_edits(client, milia):
    section = milia.live.sections.get(heading="What not to do")
    section.body = "Never rub them with sandpaper."
    section.save()
    milia.live.refresh_derived()
    assert "<mark>sandpaper</mark>" in snippet_of(results(client, "sandpaper"))
    section.delete()
    milia.live.refresh_derived()
    assert "<mark>" not in results(client, "sandpaper")


def test_a_live_result_takes_no_more_queries_than_before(
    client, milia, django_assert_max_num_queries
):
    client.get("/search/", {"q": "acne"})  # the help card is now cached
    with django_assert_max_num_queries(2):  # the search, snippets included
        client.get("/search/", {"q": "milia"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(4):  # + questionnaires and look-alikes
        client.get("/search/", {"q": "pearls"}, HTTP_HX_REQUEST="true")


def test_stray_marks_in_a_snippet_do_not_unbalance_the_markup():
    raw = f'["s", "a {SNIPPET_END}b{SNIPPET_START} c {SNIPPET_START}d", ""]'
    slug, html = section_snippet(raw)
    assert slug == "s" and str(html) == "a b<mark> c d</mark>"
    assert section_snippet(None) is None and section_snippet("not json") is None


def test_sqlite_keeps_a_full_text_index_of_sections_with_its_triggers(milia):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {
        "conditions_section_fts_insert",
        "conditions_section_fts_delete",
        "conditions_section_fts_update",
    } <= triggers


def test_the_database_makes_no_section_snippet_where_the_summary_holds_every_word(milia):
    # The snippet shown would be the summary: the database does not make one it would drop.
    # (PostgreSQL: in_key_text from key_vector; SQLite: each word after a space.)
    def made(query):
        conditions = models.Condition.all_copies.all()
        if connection.vendor == "postgresql":
            terms = " or ".join(query.split())
            sql, params = conditions._pg_rows(query, " " in query, terms, 30)
            rows = {row.pk: row for row in conditions.raw(sql, params)}
        else:
            rows = {row.pk: row for row in conditions._with_snippets(conditions.all(), query)}
        return rows[milia.live.pk].section_snippet

    assert made("white bumps") is None  # both in the summary ("white" in a section too)
    assert made("firm bumps") is not None  # "firm" only in a section
    assert "pearls" in made("pearls")


@pytest.mark.postgres
def test_postgresql_marks_word_forms_with_ts_headline(client, milia):
    # The English stemmer: "baby" finds and marks "babies".
    snippet = snippet_of(results(client, "baby gums"))
    assert "<mark>gums</mark>" in snippet
    found = models.Condition.objects.search("baby gums")[0]
    assert "ts_headline" not in str(found.section_snippet)


@pytest.mark.postgres
def test_postgresql_stores_search_words_for_live_copies_only(milia):
    # Only live copies are searched: drafts and their sections carry no stored vectors.
    def vectors(table, where, pk):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {where} FROM {table} WHERE id = %s", [pk])  # noqa: S608
            return cursor.fetchone()

    conditions, sections = "conditions_condition", "conditions_section"
    both = "search_vector IS NOT NULL, key_vector IS NOT NULL"
    assert vectors(conditions, both, milia.pk) == (False, False)
    assert vectors(conditions, both, milia.live.pk) == (True, True)
    working = milia.sections.get(order=2)
    live = milia.live.sections.get(source=working)
    assert vectors(sections, "search_vector IS NOT NULL", working.pk) == (False,)
    assert vectors(sections, "search_vector IS NOT NULL", live.pk) == (True,)


def test_a_section_deleted_from_the_draft_keeps_its_live_snippet(client, milia):
    # Deleting the working section sets its live copy's `source` to NULL (and, on PostgreSQL,
    # its stored vector); patients see the published article until the next publication.
    milia.sections.get(order=2).delete()
    live = milia.live.sections.get(order=2)
    assert live.source_id is None
    assert "Epstein <mark>pearls</mark>" in snippet_of(results(client, "pearls gums"))
