"""Site search: patients' own words, typos, ranking, snippets, live results, hostile input.

The same tests run on SQLite (fallback search) and PostgreSQL (full-text + trigram).
"""

import functools
import json
import re
import time
import zlib

import pytest
from django.db import connection, connections, transaction

from conditions import models
from conditions.search import (
    clean_query,
    fts_name_queries,
    fts_phrase_query,
    in_key_text,
    query_terms,
    snippet,
)
from tests.factories import ConditionFactory, SectionFactory, make_live, reviewer_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def library():
    milia = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        also_known_as="milk spots\nmilia spots\nwhite spots on face\nhard white bumps",
        summary="Milia are tiny hard white bumps under the skin. They are harmless.",
        with_content=False,
    )
    SectionFactory(
        condition=milia,
        heading="Milia in newborn babies",
        body="Many babies are born with them. Spots on the gums are called Epstein pearls.",
    )
    acne = ConditionFactory(
        published=True,
        name="Acne",
        slug="acne",
        also_known_as="spots\npimples",
        summary="Acne causes spots, oily skin and sometimes hot, painful lumps.",
        with_content=False,
    )
    SectionFactory(
        condition=acne,
        heading="How acne differs from milia",
        body="Unlike milia, milia-like whiteheads in acne come with redness. Milia milia milia.",
    )
    syringoma = ConditionFactory(
        published=True,
        name="Syringoma",
        slug="syringoma",
        summary="Small firm bumps, often under the eyes, from sweat glands.",
        with_content=False,
    )
    SectionFactory(condition=syringoma, heading="Where", body="Usually on the lower eyelids.")
    draft = ConditionFactory(
        name="Milia en plaque",
        slug="milia-en-plaque",
        summary="A rare form.",
        with_content=False,
    )
    SectionFactory(condition=draft, heading="Rare", body="Milk spots in a patch.")
    for condition in (milia, acne, syringoma, draft):
        condition.refresh_derived()
    for condition in (milia, acne, syringoma):
        make_live(condition)  # approved with their sections
    return {"milia": milia, "acne": acne, "syringoma": syringoma}


def names(q: str) -> list[str]:
    return [c.name for c in models.Condition.objects.search(q)]


def page(client, q, **headers):
    return client.get("/search/", {"q": q}, **headers)


def test_search_finds_a_condition_by_a_word_patients_use(library):
    assert names("milk spots")[0] == "Milia"
    assert names("white spots on face")[0] == "Milia"


@pytest.mark.parametrize("typo", ["mila", "millia", "Milai", "MILIA"])
def test_search_tolerates_typos_and_case(library, typo):
    assert names(typo)[0] == "Milia"


def test_search_finds_words_that_are_only_in_section_text(library):
    assert names("Epstein pearls") == ["Milia"]
    assert "Syringoma" in names("eyelids")


def test_search_ranks_name_and_synonym_matches_above_text_matches(library):
    # Acne's text says "milia" more often than the milia article does, but Milia is the name.
    assert names("milia")[:2] == ["Milia", "Acne"]
    assert names("pimples")[0] == "Acne"


def test_search_follows_publishing_renaming_archiving_and_deleting(library):
    Condition = models.Condition
    reviewer = reviewer_user()
    draft = Condition.objects.get(slug="milia-en-plaque")
    make_live(draft)
    assert "Milia en plaque" in names("patch")
    syringoma = library["syringoma"]
    syringoma.name, syringoma.also_known_as = "Syringomata", "sweat duct bumps"
    syringoma.record_change()  # a new draft: patients still find the old name
    assert "Syringomata" not in names("syringomata")
    assert names("eyelids") == ["Syringoma"]
    make_live(syringoma)  # the renaming is approved
    assert names("sweat duct bumps")[0] == "Syringomata"
    assert names("syringomata")[0] == "Syringomata" and "Syringoma" not in names("eyelids")
    syringoma.take_offline(by=reviewer, reason="Being checked")
    assert "Syringomata" not in names("syringomata") + names("eyelids")
    make_live(syringoma)
    assert names("eyelids") == ["Syringomata"]
    syringoma.refresh_from_db()
    syringoma.archive(by=reviewer, reason="Merged")
    assert "Syringomata" not in names("syringomata") + names("eyelids")
    make_live(syringoma)
    assert names("eyelids") == ["Syringomata"]
    syringoma.refresh_from_db()
    syringoma.live.delete()
    syringoma.delete()
    assert names("eyelids") == [] and "Syringomata" not in names("sweat duct bumps")


def published_summary(name: str, summary: str):
    """A live condition with only a name and a summary, its search text made."""
    condition = ConditionFactory(name=name, summary=summary, with_content=False)
    condition.refresh_derived()
    make_live(condition)
    return condition


def test_a_phrase_is_found_when_its_words_are_in_more_articles_than_the_results_hold(library):
    # Each tier of text matches (the whole phrase, all words, any word) gives only its first
    # articles: the one article with the whole phrase must still come first.
    for i in range(4):
        published_summary(f"Rash {i}", "Red spots. Drink milk.")
    published_summary("Nose dots", "Tiny milk spots on the nose.")
    # Three results: Milia (its synonym is the query) and the one article with the phrase,
    # though four older ones have both words.
    found = [c.name for c in models.Condition.objects.search("milk spots", limit=3)]
    assert found[0] == "Milia" and "Nose dots" in found
    found = names("milk spots")
    assert "Nose dots" in found
    assert all(found.index("Nose dots") < found.index(n) for n in found if n.startswith("Rash"))


def test_the_phrase_asks_the_word_index_for_the_words_around_stop_words_near_each_other():
    # FTS5 would read every place of "on" in every article to match it inside a phrase.
    assert fts_phrase_query("white spots on face") == 'NEAR("white spots" "face", 1)'
    assert fts_phrase_query("small brown spots on the legs") == (
        'NEAR("small brown spots" "legs", 2)'
    )
    assert fts_phrase_query("spots on the face and neck") == 'NEAR("spots" "face" "neck", 4)'
    # No stop word inside it: the phrase as it is, stop words at either end left out.
    assert fts_phrase_query("Milk spots") == '"milk spots"'
    assert fts_phrase_query("the milk spots on") == '"milk spots"'
    assert fts_phrase_query("on the") == '"on the"'
    # Only ever text inside quotes: no FTS5 syntax from the query.
    assert fts_phrase_query('white "spots" OR face*') == 'NEAR("white spots" "face", 1)'
    assert fts_phrase_query("NEAR(white on spots)") == 'NEAR("near white" "spots", 1)'


def test_the_condition_named_by_the_query_comes_before_names_containing_it(library):
    # Alphabetical order would put both of these before Milia.
    published_summary("Eruptive milia", "Many milia appear at once.")
    published_summary("Dusmilia", "A made-up name with milia inside it.")
    assert names("milia")[0] == "Milia"
    assert names("MILIA")[0] == "Milia"
    # Inside a word by chance is no match of the name: the typo of Milia comes first.
    published_summary("Gaismilase", "A made-up name with mila inside a word.")
    assert names("mila").index("Milia") < names("mila").index("Gaismilase")


def test_names_with_every_word_are_asked_for_by_pieces_covering_each_word():
    # Each piece FTS5 ranks by costs a pass over every name that has it: no more than cover.
    every, any_piece = fts_name_queries("white spots on face")
    assert every == '"whi" AND "ite" AND "spo" AND "ots" AND "fac" AND "ace"'
    assert any_piece.count(" OR ") == 7  # every piece of every word: typos keep some
    assert fts_name_queries("babies")[0] == '"bab" AND "ies"'
    assert fts_name_queries("xanthelasma")[0] == '"xan" AND "the" AND "las" AND "sma"'
    assert fts_name_queries("acne")[0] == '"acn" AND "cne"'
    assert fts_name_queries("ab") == []


def test_a_phrase_with_a_stop_word_in_it_is_found_before_articles_with_its_words_apart(library):
    for i in range(4):
        published_summary(f"Rash {i}", "White patches come and go. Spots on the arms. A red face.")
    published_summary("Newborn dots", "Babies get white spots on face and nose.")
    found = [c.name for c in models.Condition.objects.search("white spots on face", limit=3)]
    assert "Newborn dots" in found
    found = names("white spots on face")
    assert all(found.index("Newborn dots") < found.index(n) for n in found if n.startswith("Rash"))


def test_one_and_two_letter_queries_find_names_and_words_in_the_text(library):
    sunburn = ConditionFactory(
        name="Sunburn", summary="Skin burned by UV light.", with_content=False
    )
    sunburn.refresh_derived()
    make_live(sunburn)
    assert "Sunburn" in names("uv") and "Sunburn" in names("UV")
    assert names("ac")[0] == "Acne" and "Milia" in names("mi")


def test_search_never_returns_drafts(library):
    assert "Milia en plaque" not in names("milia en plaque")
    assert "Milia en plaque" not in names("patch")


def test_search_page_shows_a_highlighted_snippet_and_the_matched_synonym(client, library):
    html = page(client, "pearls").content.decode()
    assert "<mark>pearls</mark>" in html
    html = page(client, "milk spots").content.decode()
    assert "Also called milk spots" in html


def test_the_matched_synonym_is_escaped_and_worded_in_the_page_language(client):
    condition = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        also_known_as="<b>spots</b> & co",
        with_content=False,
    )
    condition.refresh_derived()
    make_live(condition)
    html = page(client, "spots & co").content.decode()
    assert "Also called &lt;b&gt;spots&lt;/b&gt; &amp; co" in html and "<b>spots" not in html
    html = client.get("/pl/search/", {"q": "spots & co"}).content.decode()
    assert "Inna nazwa: &lt;b&gt;spots&lt;/b&gt; &amp; co" in html


def test_key_text_holds_a_query_when_every_word_starts_a_word_of_it():
    key = ("Milia", "milk spots\nwhite spots on face", "Tiny hard white bumps. They are harmless.")
    assert in_key_text(query_terms("white spots on face"), *key)
    assert in_key_text(query_terms("Harm BUMP"), *key)  # the start of a word, any case
    assert not in_key_text(query_terms("white spots on legs"), *key)  # one word missing
    assert not in_key_text(query_terms("ilia"), *key)  # inside a word only
    assert not in_key_text([], *key)


def test_snippet_escapes_everything_but_its_own_marks():
    text = "Before <script>alert(1)</script> the word milia & more"
    html = str(snippet(text, "milia"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>milia</mark>" in html and "&amp; more" in html


def test_snippet_of_a_long_text_is_short_and_centred_on_the_match():
    text = "word " * 200 + "the target is here " + "word " * 200
    html = str(snippet(text, "target"))
    assert "<mark>target</mark>" in html
    assert html.startswith("…") and html.endswith("…") and len(html) < 260


def test_full_page_without_htmx_and_fragment_with_htmx(client, library):
    full = page(client, "milia")
    assert full.status_code == 200
    body = full.content.decode()
    assert "<html" in body and "<h1>" in body and 'id="search-results"' in body
    assert 'action="/search/"' in body and 'method="get"' in body
    fragment = page(client, "milia", **HTMX)
    text = fragment.content.decode()
    assert "<html" not in text and "<h1" not in text
    assert text.strip().startswith('<div id="search-results"')
    assert 'hx-swap-oob="innerHTML"' in text and "results for “milia”" in text
    for response in (full, fragment):
        assert "HX-Request" in response["Vary"]


def test_boosted_navigation_to_search_gets_the_full_page(client, library):
    response = page(client, "milia", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<h1>" in response.content.decode()
    assert "HX-Boosted" in response["Vary"]


def test_live_search_input_is_debounced_and_replaces_the_url(client):
    html = client.get("/search/").content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-target="#search-results"' in html and 'hx-replace-url="true"' in html
    assert 'role="status" aria-live="polite"' in html


def test_no_results_says_so_and_suggests_a_to_z_and_the_questionnaires(client, library):
    html = page(client, "zebra stripes").content.decode()
    assert "We could not find anything for “zebra stripes”" in html
    assert 'href="/conditions/"' in html and 'href="/#check"' in html
    assert "0 results" in html


def test_empty_query_shows_the_search_form_without_a_result_count(client, library):
    html = page(client, "   ").content.decode()
    assert 'name="q"' in html and "results for" not in html


HOSTILE = [
    "",
    "x" * 10_000,
    "😀🦠 spots",
    "'; DROP TABLE conditions_condition; --",
    "milia\x00spots",
    "\x00",
    "حبوب بيضاء على الوجه",
    "%_\\",
    "%",
    "\\",
    "a & b | !c <-> d:*",
    '"unclosed quote',
    "( ) ( (",
    "\u202emilia",
    # regular-expression and LIKE metacharacters
    ".*",
    "^milia$",
    "[a-z]+",
    "(?i)mil(ia|k)",
    "milia)|(",
    "\\d{3,}?",
    "*+?{}",
    "$$ $1 \\1",
    # lengths and character sets
    "milia " * 2_000,
    "é" * 5_000,
    "🦠" * 3_000,
    "\x00" * 500,
    "m\u0301i\u0301l\u0301i\u0301a\u0301",
    "\ufeffmilia\u200b",
    "ミリア 粟粒腫",
    "\U0010ffff\ue000",
    "' OR '1'='1",
    "milia'; SELECT pg_sleep(10); --",
    # SQLite FTS5 query syntax: none of it may reach MATCH as syntax
    '"',
    '""',
    '"milia',
    'milia"spots',
    "NEAR(milia spots, 2)",
    "milia AND spots OR NOT acne",
    "milia*",
    "^milia",
    "* milia",
    "{name also_known_as}: milia",
    "name: milia",
    "milia + spots - acne",
    "(milia",
    "milia)",
    "'\"'\"",
    "___ milia",
    "and or not the",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_error(client, library, q):
    for headers in ({}, HTMX):
        response = client.get("/search/", {"q": q}, **headers)
        assert response.status_code == 200


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%00", "%E0%A4", "%%%"])
def test_query_strings_that_are_not_valid_utf8_never_error(client, library, raw):
    assert client.get(f"/search/?q={raw}").status_code == 200
    assert client.get(f"/search/?q={raw}", **HTMX).status_code == 200


def test_a_percent_sign_does_not_match_everything(library):
    assert names("%") == [] and names("_") == []


def test_clean_query_strips_control_characters_and_limits_length():
    assert clean_query("milia\x00 \t spots") == "milia spots"
    assert len(clean_query("y" * 10_000)) == 200
    assert clean_query(None) == ""


@pytest.mark.parametrize("q", ["milia", "zebra", "mila"])
def test_search_fragment_takes_at_most_two_queries(
    client, library, django_assert_max_num_queries, q
):
    page(client, "acne")  # the help card's words are now cached (none published here)
    with django_assert_max_num_queries(2):
        assert page(client, q, **HTMX).status_code == 200


@pytest.mark.parametrize("q", ["milia", "zebra", "mila"])
def test_search_fragment_takes_one_more_query_while_the_help_card_is_not_cached(
    client, library, django_assert_max_num_queries, q
):
    with django_assert_max_num_queries(3):
        assert page(client, q, **HTMX).status_code == 200


def test_search_does_not_write_to_the_database(client, library, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page(client, "milk spots")
    # On PostgreSQL a search of several words runs as a statement prepared on the connection
    # (articles._execute_prepared): preparing it and running it write nothing either.
    prepared = ("SET PLAN_CACHE_MODE = FORCE_GENERIC_PLAN", "EXECUTE PORTAL_SEARCH_")
    for query in queries.captured_queries:
        sql = query["sql"].lstrip().upper()
        assert sql.startswith(("SELECT", *prepared)), sql
        if sql.startswith(prepared[0]):
            statements = sql.split("; ")
            assert statements[0] == prepared[0]
            for statement in statements[1:]:
                assert statement.startswith("PREPARE PORTAL_SEARCH_"), sql
                assert statement.split(" AS ", 1)[1].startswith("SELECT"), sql


@pytest.mark.postgres
def test_postgresql_search_uses_full_text_and_trigram_indexes(library):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'conditions_condition'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
    assert {
        "conditions_condition_search_fts",
        "conditions_condition_name_trgm",
        "conditions_condition_aka_trgm",
    } <= indexes


@pytest.mark.postgres
def test_postgresql_search_indexes_hold_only_live_published_rows_and_serve_the_search(library):
    # Partial indexes (migration 0027): a working copy's words are not in them. PostgreSQL
    # uses a partial index only for a query whose WHERE states the index's condition itself,
    # as text it can compare: a parameter would not do (at 50,000 articles EXPLAIN shows
    # each tier on these indexes; a handful of test rows is read faster without them).
    indexes = [
        "conditions_condition_search_fts",
        "conditions_condition_name_trgm",
        "conditions_condition_aka_trgm",
        "conditions_condition_exact_names",
        "conditions_condition_key_fts",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [indexes]
        )
        definitions = dict(cursor.fetchall())
    assert set(definitions) == set(indexes)
    for definition in definitions.values():
        assert definition.endswith("WHERE (is_live AND ((status)::text = 'published'::text))")
    for query in ("white spots on fce", "miliia"):
        several_words = len(query_terms(query)) > 1
        candidates = models.Condition.objects.all()._pg_candidates(query, several_words)
        wheres = candidates.sql.split(" WHERE ")[1:]
        assert len(wheres) >= 4
        for where in wheres:
            assert where.startswith(
                (
                    """"conditions_condition"."is_live" AND "conditions_condition"."status" = 'published'""",
                    """exact."is_live" AND exact."status" = 'published'""",
                    # the phrase among the rows found (made once a search: _tsquery)
                    "search_vector @@ (SELECT phraseto_tsquery",
                    "key_vector @@ (SELECT phraseto_tsquery",
                )
            ), where
        assert "published" not in candidates.params
    # And the search still finds through them: a phrase with a typo, a misspelt name.
    assert "Milia" in names("white spots on fce")
    assert names("miliia")[0] == "Milia"


@pytest.mark.postgres
def test_postgresql_plans_the_typo_tier_from_a_short_histogram(library):
    # Migration 0028: estimating pg_trgm's % and <% applies them to each histogram entry of
    # name and also_known_as; 101 entries made planning each search cost 1.6 ms at 50,000
    # articles, 10 make it 0.5 ms with the same plans.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = "
            "'conditions_condition'::regclass AND attname IN ('name', 'also_known_as', 'slug')"
        )
        targets = dict(cursor.fetchall())
    assert targets["name"] == targets["also_known_as"] == 10
    # Every other column keeps the server's default (-1; PostgreSQL 17 and later say NULL).
    assert targets["slug"] in (-1, None)
    assert names("miliia")[0] == "Milia"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    ["milia", "white spots on fce", "miliia", "!!", 'it\'s 50% "milk" spots', "a", "x y"],
)
def test_postgresql_search_sql_written_once_is_what_is_built_for_each_query(library, query):
    # The search's SQL is written once per shape of query, with stand-ins for the query and
    # its words; filled in, it must be exactly what is built for this query.
    from conditions.models import articles

    query = clean_query(query)
    terms = query_terms(query)
    words = " or ".join(terms)
    conditions = models.Condition.all_copies.all()  # what Condition.objects.search() uses
    several = len(terms) > 1
    prepared = several or (
        bool(words) and not articles._common_word(connection, models.Condition, terms[0])
    )
    built = conditions._pg_rows(query, several, words, 30, once=several or prepared)
    names(query)  # writes this shape, if no test did before
    shape = (connection.alias, several, bool(words), prepared, 30)
    shape += (articles.PG_TIER_CAP, articles.PHRASE_SCAN)
    sql, params = articles._PG_COMPILED[shape]
    values = {articles.PG_QUERY_STAND_IN: query, articles.PG_WORDS_STAND_IN: words}
    assert sql == built[0]
    assert [values.get(p, p) if isinstance(p, str) else p for p in params] == list(built[1])
    assert list(conditions.search(query)) == list(conditions.raw(*built))


@pytest.mark.postgres
def test_postgresql_several_words_read_the_whole_text_only_when_the_key_text_gives_too_few(
    library,
):
    # Migration 0029: the words of a phrase are looked for first in each article's name,
    # synonyms and summary; the full-text index of whole articles is read only while those
    # give fewer rows than a page of results. Milia's body says "babies are born with them";
    # for "babies born" its key text has neither word.
    conditions = models.Condition.all_copies.all()

    def candidates(query: str, limit: int) -> set[str]:
        found = conditions._pg_candidates(query, True, limit)
        with connection.cursor() as cursor:
            sql = f"SELECT id FROM ({found.sql}) AS ids"  # noqa: S608 - the search's own SQL
            cursor.execute(sql, found.params)
            ids = [row[0] for row in cursor.fetchall()]
        return set(conditions.filter(pk__in=ids).values_list("name", flat=True))

    assert candidates("babies born", 30) == {"Milia"}  # the key texts give none: whole text
    assert names("babies born") == ["Milia"]
    # "hard white bumps": Milia's synonym and summary. With a page of one row, the key text
    # fills it and the whole text is not read; with a page of thirty it is, and Acne (whose
    # body has "whiteheads", not the words) still is not a candidate.
    assert candidates("hard white bumps", 1) == {"Milia"}
    assert candidates("white bumps", 30) >= {"Milia"}
    assert tier_read("hard white bumps", 1, "words") is False
    assert tier_read("hard white bumps", 30, "words") is True


@pytest.mark.postgres
def test_postgresql_several_words_look_for_names_like_them_only_when_the_words_give_too_few(
    library,
):
    # The typo tier (names and synonyms like the whole query, pg_trgm) is the costliest for a
    # long query (11 ms for "small brown spots on the legs" at 50,000 articles): read only
    # while the words themselves gave fewer rows than a page.
    assert tier_read("hard white bumps", 1, "like_words") is False
    assert tier_read("white bumps on the face", 30, "like_words") is True
    assert "Milia" in names("white spots on fce")  # a typo in a phrase: found by the tier


def tier_read(query: str, limit: int, cte: str) -> bool:
    """Whether the candidates' CTE `cte` read the table (EXPLAIN ANALYZE: its scan ran)."""
    found = models.Condition.all_copies.all()._pg_candidates(query, True, limit)
    with connection.cursor() as cursor:
        explain = f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM ({found.sql}) AS ids"  # noqa: S608
        cursor.execute(explain, found.params)
        plan = cursor.fetchone()[0][0]["Plan"]
    (node,) = [n for n in _plan_nodes(plan) if n.get("Subplan Name") == f"CTE {cte}"]
    scans = [
        n
        for n in _plan_nodes(node)
        if "Scan" in n["Node Type"]
        and "CTE" not in n["Node Type"]
        and n.get("Relation Name") == "conditions_condition"
        and n.get("Alias") != "exact"  # the NOT EXISTS check of exact names
    ]
    return any(scan["Actual Loops"] > 0 for scan in scans)


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.postgres
def test_postgresql_search_snippets_only_the_rows_shown(library):
    # The snippet's ts_headline (the costliest thing a row needs) runs above the LIMIT: for
    # the 30 rows shown, not for every candidate ranked.
    conditions = models.Condition.all_copies.all()
    sql, params = conditions._pg_rows("white spots on face", True, "white or spots or face", 30)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE, FORMAT JSON) " + sql, params)
        top = cursor.fetchone()[0][0]["Plan"]
    # ...and only for a row whose name, synonyms and summary lack some word of the query.
    assert re.fullmatch(
        r"CASE WHEN r\.in_key_text THEN NULL::text ELSE \(SubPlan \d+\) END", top["Output"][-1]
    )
    assert top["Plans"][0]["Node Type"] == "Limit"
    assert "ts_headline" not in json.dumps(top["Plans"][0])
    assert names("white spots on face")[0] == "Milia"


@pytest.mark.postgres
def test_postgresql_several_words_run_as_one_prepared_statement_with_a_generic_plan(
    library, monkeypatch
):
    # Planning the search's SQL took 1.0-1.5 ms of each search at 50,000 articles: for
    # several words it is prepared once per connection and planned once for every query.
    from conditions.models import articles

    def statements() -> dict[str, tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE name LIKE 'portal_search_%%'"
            )
            return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}

    conditions = models.Condition.all_copies.all()
    for query in ("white spots on fce", "babies born", "hard white bumps", "zzqx qqqx"):
        built = conditions._pg_rows(query, True, " or ".join(query_terms(query)), 30)
        # The same rows, in the same order, as the SQL written out for this query alone.
        assert [(c.pk, c.match_score, c.section_snippet) for c in conditions.search(query)] == [
            (c.pk, c.match_score, c.section_snippet) for c in conditions.raw(*built)
        ]
    sql, params = articles._PG_COMPILED[
        (connection.alias, True, True, True, 30, articles.PG_TIER_CAP, articles.PHRASE_SCAN)
    ]
    name = f"portal_search_{zlib.crc32(sql.encode()):08x}"  # one statement for every query
    generic, custom = statements()[name]
    assert generic >= 4 and custom == 0
    # One word: prepared too (a statement of its own), unless PostgreSQL's statistics count
    # it among the commonest words ("spots", in most articles, needs a plan made for it).
    common = articles._PG_COMMON_WORDS
    monkeypatch.setitem(common, connection.alias, (time.monotonic(), {"milia"}, {"m"}, set()))
    before = statements()
    assert names("milia")[0] == "Milia"
    assert statements() == before  # no statement prepared or run
    assert names("miliia")[0] == "Milia"
    one_word, _ = articles._PG_COMPILED[
        (connection.alias, False, True, True, 30, articles.PG_TIER_CAP, articles.PHRASE_SCAN)
    ]
    generic, custom = statements()[f"portal_search_{zlib.crc32(one_word.encode()):08x}"]
    assert generic >= 1 and custom == 0
    # A rolled-back transaction keeps the statement; another connection prepares its own.
    with transaction.atomic():
        assert names("white spots")[0] == "Milia"
        transaction.set_rollback(True)
    assert names("white spots")[0] == "Milia"
    assert name in articles._PG_PREPARED[connection.connection]
    other = connections.create_connection(connection.alias)
    try:
        values = {articles.PG_QUERY_STAND_IN: "zz yy", articles.PG_WORDS_STAND_IN: "zz or yy"}
        filled = [values.get(p, p) if isinstance(p, str) else p for p in params]
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone() == (0,)
            articles._execute_prepared(other, cursor, sql, params, filled)
            assert cursor.fetchall() == []
            cursor.execute("SELECT name FROM pg_prepared_statements")
            assert cursor.fetchall() == [(name,)]
        # Set outside a transaction: the mode stays for the connection's next searches.
        assert articles._PG_PREPARED[other.connection] == {name, articles.MODE_SETTLED}
        with other.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone() == ("force_generic_plan",)
    finally:
        other.close()


@pytest.mark.postgres
def test_postgresql_common_words_are_the_statistics_most_common_stems(library):
    # A one-word search is planned for itself when PostgreSQL's statistics list the word
    # among the commonest (ANALYZE: most_common_elems of search_vector); otherwise prepared.
    from conditions.models import articles

    articles._PG_COMMON_WORDS.pop(connection.alias, None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conditions_condition")
        cursor.execute(
            "SELECT most_common_elems::text::text[] FROM pg_stats "
            "WHERE tablename = 'conditions_condition' AND attname = 'search_vector'"
        )
        listed = set(cursor.fetchone()[0])
    assert {"milia", "babi"} <= listed  # in every live article of the test library
    common = functools.partial(articles._common_word, connection, models.Condition)
    assert common("milia") and common("babies") and common("baby")
    assert not common("zzqx")
    # Read once, then kept: a new stem counts only after PG_COMMON_WORDS_SECONDS.
    kept = articles._PG_COMMON_WORDS[connection.alias]
    assert kept[1] == listed
    articles._PG_COMMON_WORDS[connection.alias] = (kept[0], frozenset(), frozenset(), frozenset())
    assert not common("milia")
    stale = kept[0] - articles.PG_COMMON_WORDS_SECONDS
    articles._PG_COMMON_WORDS[connection.alias] = (stale, frozenset(), frozenset(), frozenset())
    assert common("milia")
    articles._PG_COMMON_WORDS.pop(connection.alias)


@pytest.mark.postgres
def test_postgresql_full_text_search_matches_word_forms(library):
    # "baby" matches "babies" through the English stemmer.
    assert names("baby")[0] == "Milia"


@pytest.mark.postgres
def test_a_synonym_that_is_the_query_is_found_beyond_what_each_tier_ranks(library, monkeypatch):
    # Each tier of candidates takes the first PG_TIER_CAP matches in table order: the article
    # whose synonym is exactly the query must be found even when it comes after them.
    from conditions.models import articles

    monkeypatch.setattr(articles, "PG_TIER_CAP", 1)
    for i in range(3):
        blotch = ConditionFactory(
            name=f"Blotch {i}",
            also_known_as="red blotches",
            summary="Red blotches on the arms.",
            with_content=False,
        )
        blotch.refresh_derived()
        make_live(blotch)
    stork = ConditionFactory(
        name="Stork mark",
        also_known_as="angel kiss\nblotches",
        summary="A pink patch.",
        with_content=False,
    )
    stork.refresh_derived()
    make_live(stork)
    assert "Stork mark" in names("blotches")
