"""Condition articles: the text patients read, and everything hanging off it."""

from __future__ import annotations

import json
import re
import time
import weakref
import zlib

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conditions import content, search
from conditions.models.review import (
    Part,
    Reviewable,
    ReviewPart,
    ReviewQuerySet,
    Status,
    WorkingCopyManager,
)

SEARCH_LIMIT = 30
SEARCH_FIELDS = ("pk", "name", "slug", "summary", "also_known_as", "search_text")
# The model fields of a row of _pg_rows, in its order (then match_score, name_similarity,
# in_key_text and, for a query with words, section_snippet). PostgreSQL ranks in the query: the
# article text (3.5 KB an article in the synthetic content) is not fetched for its 30 results
# (0.8 ms of an 8 ms search at 50,000 articles).
PG_ROW_FIELDS = ("id", "name", "slug", "also_known_as", "summary")
# SQLite full-text indexes of published conditions (migration 0006), FTS5: names and synonyms
# (trigram tokenizer, SQLite 3.34+; portal/checks.py refuses an older SQLite), article text (by
# word).
SQLITE_NAME_FTS = "conditions_condition_name_fts"
SQLITE_TEXT_FTS = "conditions_condition_text_fts"
# Article sections by word (migration 0019; made where the two above are): search snippets.
SQLITE_SECTION_FTS = "conditions_section_fts"
# How many name/synonym candidates the index hands to the typo-tolerant scoring in Python.
NAME_CANDIDATES = 20
# PostgreSQL: how many candidates each tier (exact name, phrase, words, like a name) gives.
PG_TIER_CAP = 40
# PostgreSQL: the whole phrase is looked for among this many times the candidates per tier
# of the articles with every word.
PHRASE_SCAN = 10
# A name (not synonym) score from this up means the patient typed the condition's name.
NAMED_SCORE = 0.8
# PostgreSQL: each condition's name and synonyms, one lower-case entry each (the expression
# of the GIN index conditions_condition_exact_names, migrations 0026 and 0027).
PG_EXACT_NAMES = (
    r"regexp_split_to_array(btrim(lower(name::text || E'\n' || also_known_as)), '\s*\n\s*')"
)
# A live section's stored words (migration 0030), worked out on the spot for one whose working
# row was deleted since the last publication (its `source` is then NULL, and so its vector).
PG_SECTION_VECTOR = (
    "COALESCE(s.search_vector, to_tsvector('english'::regconfig, "
    "COALESCE(s.heading, '') || ' ' || COALESCE(s.body_text, '')))"
)
# PostgreSQL: the rows the search indexes hold (partial indexes, migration 0027), as the
# candidate queries write it for a table name or alias.
LIVE_PUBLISHED = '{0}."is_live" AND {0}."status" = ' + f"'{Status.PUBLISHED.value}'"
# PostgreSQL: stand-ins for the query and its words in the search's SQL, compiled once per
# shape of query (ConditionQuerySet._search_postgresql). clean_query() drops control
# characters, so no query a patient sends can equal either.
PG_QUERY_STAND_IN = "\x00query\x00"
PG_WORDS_STAND_IN = "\x00words\x00"
_PG_COMPILED: dict[tuple, tuple[str, tuple]] = {}
# How many synonyms the article shows as "Also called" (the first ones listed).
COMMON_NAMES = 3


# PostgreSQL: what each connection (psycopg connection) holds: the names of the statements
# prepared on it, and MODE_SETTLED once plan_cache_mode was set outside a transaction.
_PG_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MODE_SETTLED = ""
GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan"


def _execute_prepared(connection, cursor, sql: str, params: list, filled: list) -> None:
    """Run the search's SQL (`sql` with `params`, stand-ins; `filled`, this query's values) as
    a statement prepared once per connection, with one plan for every query (a generic
    plan): planning the SQL afresh took 0.8-1.5 ms of each search in the database at 50,000
    articles, 0.06 ms this way, and the plan is the one PostgreSQL chose for the words (bitmap
    scans of the indexes) with the text queries made once (_tsquery). Not for one common
    word (_common_word): for a word in most articles the plan made for it reads the first
    rows in table order, where the generic plan reads them all ("spots": 4.7 -> 7-9 ms).

    plan_cache_mode applies only to prepared statements with parameters, that is to these:
    Django's own queries reach PostgreSQL with their values written in. A prepared statement
    lasts as long as its connection (a rollback keeps it); a new connection prepares its
    own. The mode is a setting of the session, which a rollback undoes: within a
    transaction it is set again before each search (one round trip more); set once
    outside one, it stays. Preparing and setting go in one round trip."""
    raw = connection.connection
    done = _PG_PREPARED.setdefault(raw, set())
    name = f"portal_search_{zlib.crc32(sql.encode()):08x}"
    in_transaction = connection.in_atomic_block
    statements = [] if MODE_SETTLED in done and not in_transaction else [GENERIC_PLANS]
    if name not in done:
        numbers = iter(range(1, len(params) + 1))
        body = re.sub(r"%(s|%)", lambda m: f"${next(numbers)}" if m[1] == "s" else "%", sql)
        types = ", ".join("integer" if isinstance(p, int) else "text" for p in params)
        statements.append(f"PREPARE {name} ({types}) AS {body}")
    if statements:
        cursor.execute("; ".join(statements))
        done.add(name)
        if not in_transaction:
            done.add(MODE_SETTLED)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(filled))})", filled)


# PostgreSQL: how long a process keeps the statistics' list of the commonest words.
PG_COMMON_WORDS_SECONDS = 600.0
# Per database: (when read, the common stems, every start of one, the stems ending in i with y
# for it (a stem's y -> i: "baby", babi)).
_PG_COMMON_WORDS: dict[str, tuple[float, frozenset, frozenset, frozenset]] = {}


def _common_word(connection, model, word: str) -> bool:
    """Whether PostgreSQL's statistics of the articles' text (the most common elements of
    search_vector, which ANALYZE keeps) may list `word` (folded) among the commonest: such a
    word has a plan made for it, not a prepared statement's one plan (_execute_prepared),
    which would read every article with it. A word counts when it starts with a listed
    stem (or, for a stem ending in i, with y in its place) or begins one: "spots" (spot),
    "baby" (babi), each in four in five synthetic articles. Erring towards "common" costs
    a plan (about 1 ms). The list is read once per PG_COMMON_WORDS_SECONDS in each
    process: a query of the catalog, no patient's words."""
    now = time.monotonic()
    kept = _PG_COMMON_WORDS.get(connection.alias)
    if kept is None or now - kept[0] >= PG_COMMON_WORDS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[] FROM pg_stats WHERE schemaname = "
                "current_schema() AND tablename = %s AND attname = 'search_vector'",
                [model._meta.db_table],
            )
            row = cursor.fetchone()
        stems = frozenset(row[0] or ()) if row else frozenset()
        starts = frozenset(stem[:end] for stem in stems for end in range(1, len(stem) + 1))
        shorter = frozenset(stem[:-1] + "y" for stem in stems if stem.endswith("i"))
        kept = _PG_COMMON_WORDS[connection.alias] = (now, stems, starts, shorter)
    _, stems, starts, shorter = kept
    if word in starts:
        return True
    return any(word[:end] in stems or word[:end] in shorter for end in range(1, len(word) + 1))


def _tsquery(function: str, once: bool) -> str:
    """A text search query of the patient's words (`function`, one parameter) in the search's
    SQL. `once`: as a sub-select, which PostgreSQL works out once a search. Written plainly, a
    prepared statement's generic plan (_search_postgresql) made it anew for every row it
    tested or ranked (400 phrase checks took 3.6 ms instead of 0.5); a plan made for the
    query's own words works it out while planning."""
    call = f"{function}('english', %s)"
    return f"(SELECT {call})" if once else call


class ConditionQuerySet(ReviewQuerySet):
    def search(
        self, query: str, limit: int = SEARCH_LIMIT, language: str | None = None
    ) -> list[Condition]:
        """Published conditions matching a patient's words, best first (name and synonyms first).

        PostgreSQL: full-text search on the stored search_vector plus trigram similarity on
        name and synonyms (indexed by migrations 0002 and 0005). SQLite: FTS5 indexes of
        published conditions (migration 0006) find the text by word and the names sharing
        three-letter pieces with the query; edit-distance in Python ranks those few names. Each result
        carries `match_score`, `matched_synonym` and `matched_name`. Nothing is stored. At most two queries.
        """
        query = search.clean_query(query)
        if not query:
            return []
        if self.db and connections[self.db].vendor == "postgresql":
            results = self._search_postgresql(query, limit)
        else:
            results = self._search_fallback(query, limit)
        terms, terms_all = search.name_terms(query), search.query_terms(query)
        for condition in results:
            name_match = getattr(condition, "name_match", None)
            if name_match is None:
                name_match = search.name_score(query, condition.name, condition.synonyms, terms)
            score, synonym = name_match
            condition.matched_synonym = synonym if score >= 0.6 else ""
            # The query names this condition itself (not a synonym, not its text).
            condition.matched_name = score >= NAMED_SCORE and not synonym
            if getattr(condition, "in_key_text", False) or search.in_key_text(
                terms_all, condition.name, condition.also_known_as, condition.summary
            ):
                # Every word is in its name, synonyms or summary: the summary is the snippet.
                condition.section_snippet = None
        from conditions.models.translations import is_source_language, primary

        if language and not is_source_language(language):
            results = self._with_translations(query, primary(language), results, limit)
        return results

    def _with_translations(self, query: str, language: str, english: list, limit: int) -> list:
        """Search in the patient's language: approved translations matched with that
        language's PostgreSQL text search configuration ('simple' where PostgreSQL has none,
        as for Polish and Urdu) or, on SQLite, scored in Python; their synonyms count as
        names. They come first, then the English matches; every result with an approved
        translation shows its translated name and summary. Two queries more."""
        from conditions.models.translations import ContentTranslation, search_config

        rows = ContentTranslation.objects.approved().filter(
            language=language, condition__live__in=self.published()
        )
        if self.db and connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.lookups import TrigramWordSimilar
            from django.contrib.postgres.search import SearchQuery, SearchVector

            config = search_config(language)
            vector = SearchVector("live_name", "live_synonyms", "live_search_text", config=config)
            rows = rows.annotate(document=vector).filter(
                models.Q(document=SearchQuery(query, config=config, search_type="websearch"))
                | models.Q(TrigramWordSimilar(models.F("live_name"), query))
                | models.Q(TrigramWordSimilar(models.F("live_synonyms"), query))
            )
        found = {}
        translations = {}
        text_hits = search.text_hits_of(query)
        for t in rows.select_related("condition").only(
            "condition__live_id", "live_name", "live_synonyms", "live_search_text", "live_texts"
        ):
            live_id = t.condition.live_id
            translations[live_id] = t
            synonyms = [line.strip() for line in t.live_synonyms.splitlines() if line.strip()]
            score, synonym = search.name_score(query, t.live_name, synonyms)
            hits, most = text_hits(t.live_search_text)
            if score >= 0.7 or hits:
                found[live_id] = (2 * (score if score >= 0.7 else 0) + hits / most, score, synonym)
        ranked = sorted(found, key=lambda pk: -found[pk][0])[:limit]
        others = [c.pk for c in english if c.pk not in found]
        if not ranked and not others:
            return english
        missing = [pk for pk in others if pk not in translations]
        if missing:
            translations.update(
                {
                    t.condition.live_id: t
                    for t in ContentTranslation.objects.approved()
                    .filter(language=language, condition__live__in=missing)
                    .select_related("condition")
                    .only("condition__live_id", "live_name", "live_synonyms", "live_texts")
                }
            )
        by_pk = {c.pk: c for c in english}
        fetched = self.published().filter(pk__in=[pk for pk in ranked if pk not in by_pk])
        by_pk.update({c.pk: c for c in fetched.only(*SEARCH_FIELDS)})
        results = []
        for pk in [*ranked, *others][:limit]:
            condition = by_pk[pk]
            t = translations.get(pk)
            if pk in found:
                condition.match_score, score, synonym = found[pk]
                condition.matched_synonym = synonym if score >= 0.6 else ""
                condition.matched_name = score >= NAMED_SCORE and not synonym
                condition.section_snippet = None  # the snippet comes from the summary
            if t is not None and t.live_texts.get("summary"):
                condition.name = t.live_name or condition.name
                condition.summary = t.live_texts["summary"]
                condition.also_known_as = t.live_synonyms
                condition.section_snippet = None
            results.append(condition)
        return results

    def look_alikes(self, condition: Condition, limit: int = 6) -> list[Condition]:
        """Published conditions the clinicians linked to `condition` as related, by name.
        One query."""
        links = Condition.related.through.objects.filter(from_condition=condition)
        rows = self.published().filter(pk__in=links.values("to_condition"))
        rows = rows.exclude(pk=condition.pk)
        return list(rows.only("pk", "name", "slug", "summary").order_by("name")[:limit])

    def _search_postgresql(self, query: str, limit: int) -> list[Condition]:
        """The ranked rows (_pg_rows) through SQL written once per shape of query in this
        process, with stand-ins where the query and its words go: building the SQL took 0.9 ms
        of a 5 ms search at 50,000 articles when the ORM compiled it each time."""
        terms = search.query_terms(query)
        several, words = len(terms) > 1, " or ".join(terms)
        connection = connections[self.db]
        scoped = bool(self.query.where)  # a queryset its caller filtered: its own SQL each time
        # A prepared statement, one plan for every query (_execute_prepared): for several
        # words, and for one word but a common one (_common_word), which needs a plan of its own.
        prepared = not scoped and (
            several or (bool(words) and not _common_word(connection, self.model, terms[0]))
        )
        shape = (self.db, several, bool(words), prepared, limit, PG_TIER_CAP, PHRASE_SCAN)
        compiled = None if scoped else _PG_COMPILED.get(shape)
        if compiled is None:
            stand_in_words = PG_WORDS_STAND_IN if words else ""
            compiled = self._pg_rows(
                PG_QUERY_STAND_IN, several, stand_in_words, limit, once=several or prepared
            )
            if not scoped:
                _PG_COMPILED[shape] = compiled
        sql, params = compiled
        values = {PG_QUERY_STAND_IN: query, PG_WORDS_STAND_IN: words}
        filled = [values.get(p, p) if isinstance(p, str) else p for p in params]
        # Rows to models by hand: raw() worked out its column-to-field order anew for each
        # search (0.66-0.71 -> 0.49-0.51 ms of Python time for 30 rows). The columns are
        # _pg_rows' own.
        with connection.cursor() as cursor:
            if prepared:
                _execute_prepared(connection, cursor, sql, params, filled)
            else:
                cursor.execute(sql, filled)
            rows = cursor.fetchall()
        results = []
        for row in rows:
            condition = self.model.from_db(self.db, PG_ROW_FIELDS, row[:5])
            condition.match_score, condition.name_similarity, condition.in_key_text = row[5:8]
            if words:
                condition.section_snippet = row[8]
            results.append(condition)
        return results

    def _pg_rows(
        self, query: str, several_words: bool, words: str, limit: int, once: bool | None = None
    ) -> tuple[str, list]:
        """SQL and parameters: the published conditions among the candidates
        (_pg_candidates), ranked: names and synonyms like the query first (twice their
        trigram similarity), then the text's rank (ts_rank on the stored search_vector,
        migration 0005); ties by name similarity, then name. With each row's snippet
        (_pg_snippet; `words`: the query's words joined by "or", empty for none), made after
        the LIMIT, for the rows shown only, and only for those whose key text (name, synonyms,
        summary: key_vector) lacks some word of the query: those show their summary
        (search.in_key_text), and the sections' headlines were a third of the search's time in
        the database ("white spots on face", 50,000 articles: 2 ms of 6).

        Each row's rank and similarities are worked out once, in a LATERAL subquery kept apart
        by OFFSET 0: written as expressions in the select list and again in the sort key,
        PostgreSQL computed each twice (ts_rank decompresses the article's whole vector each
        time): 0.3-0.5 ms of a search's 2.5-9 ms at 50,000 articles."""
        table = self.model._meta.db_table
        # For a prepared statement (several words, or one rarer word: _execute_prepared),
        # each text query made once (see _tsquery).
        once = several_words if once is None else once
        candidates = self._pg_candidates(query, several_words, limit, once)
        to_words = _tsquery("websearch_to_tsquery", once)
        scoped, scoped_params = "", []
        if self.query.where:
            inner = self.values("pk").query.sql_with_params()
            scoped, scoped_params = f' AND c."id" IN ({inner[0]})', list(inner[1])
        sql = (
            'SELECT r."id", r."name", r."slug", r."also_known_as", r."summary", '  # noqa: S608
            "r.match_score, r.name_similarity, r.in_key_text"
            f"{', ' + self._pg_snippet('r', once) + ' AS section_snippet' if words else ''}"
            " FROM ("
            'SELECT c."id", c."name", c."slug", c."also_known_as", c."summary", s.name_similarity, '
            "GREATEST(s.name_similarity, s.synonym_similarity) * 2 + s.rank AS match_score, "
            f'c."key_vector" @@ {to_words} AS in_key_text '
            f'FROM "{table}" AS c, LATERAL (SELECT '
            f'ts_rank(c."search_vector", {to_words}) AS rank, '
            'GREATEST(similarity(c."name", %s), word_similarity(%s, c."name")) AS name_similarity, '
            'word_similarity(%s, c."also_known_as") AS synonym_similarity OFFSET 0) AS s '
            f'WHERE {LIVE_PUBLISHED.format("c")} AND c."id" IN ({candidates.sql}){scoped} '
            'ORDER BY match_score DESC, s.name_similarity DESC, c."name" LIMIT %s) AS r '
            'ORDER BY r.match_score DESC, r.name_similarity DESC, r."name"'
        )
        params = [*([search.HEADLINE_OPTIONS, words] if words else [])]
        params += [query, query, query, query, query, *candidates.params, *scoped_params, limit]
        return sql, params

    def _pg_candidates(
        self, query: str, several_words: bool, limit: int = SEARCH_LIMIT, once: bool = False
    ) -> RawSQL:
        """Ids of the published conditions worth ranking, straight from the indexes, in tiers
        from strict to loose: those whose name or a synonym is the query (GIN index of exact
        names), those with the whole phrase, those with every word (GIN full-text index on
        search_vector; for several words, first in the key text: key_vector, migration 0029),
        and those whose name or a synonym is like the query (GIN trigram indexes). Each tier
        takes at most PG_TIER_CAP matches (in table order), so a word in most articles costs
        no more than a rare one: ranking costs 15-30 microseconds a candidate at 50,000
        articles (its vector's rank, three trigram similarities of its names), and 400
        candidates took longer than the whole search may take. For several words, a tier is
        read only while the tiers before it hold fewer than `limit` rows (a page of results):
        a LIMIT of 0, with which PostgreSQL does not run the scan at all."""
        table = self.model._meta.db_table
        # Several words: text queries as sub-selects (_tsquery) whether prepared or not, as
        # in the statement _search_postgresql prepares for them.
        once = once or several_words
        # Written out, not a parameter: the indexes hold only these rows (migration 0027), and
        # PostgreSQL uses a partial index only where the query's WHERE says as much itself.
        live = LIVE_PUBLISHED.format(f'"{table}"')
        cap = PG_TIER_CAP
        # A name or synonym that is exactly the query (GIN index of migration 0026), wherever
        # it is in the table.
        exact = f"{PG_EXACT_NAMES} @> ARRAY[btrim(lower(%s))]"
        words = f"search_vector @@ {_tsquery('websearch_to_tsquery', once)}"
        # Names like the query (typos), only when no name or synonym is the query itself:
        # rechecking the trigrams of thousands of names that share a few with a common word
        # took up to 190 ms at 50,000 articles. PostgreSQL tests the NOT EXISTS once and then
        # skips the scan. First the query within a name or synonym (word similarity), then,
        # only for the places those left, the whole name like the query (similarity): the
        # index offers a short query every name that starts like it (1,619 names for "mila"
        # at 50,000 articles), and rechecking each against all three took 4-5 ms.
        not_exact = "NOT EXISTS (SELECT 1 FROM exact)"  # the CTE of the exact tier
        like_words = f'(%s <%% "name" OR %s <%% "also_known_as") AND {not_exact}'
        like_whole = f'"name" %% %s AND {not_exact}'

        def typos(size: str) -> str:
            return (
                f'like_words AS MATERIALIZED (SELECT "id" FROM "{table}" '  # noqa: S608
                f"WHERE {live} AND {like_words} LIMIT {size})"
            )

        def like_a_name(size: str) -> str:
            return (
                'SELECT "id" FROM like_words UNION SELECT "id" FROM (SELECT "id" '  # noqa: S608
                f'FROM "{table}" WHERE {live} AND {like_whole} LIMIT {size}) AS tier3'
            )

        def tier(number: int, match: str) -> str:
            return (
                f'SELECT "id" FROM (SELECT "id" FROM "{table}" WHERE {live} AND {match} '  # noqa: S608
                f"LIMIT %s) AS tier{number}"
            )

        def while_fewer(found: str, size: str = "%s") -> str:
            """A tier's LIMIT: `size` while the CTE `found` holds fewer than `limit` rows."""
            return f"(CASE WHEN (SELECT count(*) FROM {found}) < %s THEN {size} ELSE 0 END)"  # noqa: S608

        if not several_words:  # one word: its phrase is the word
            sql = (
                f"WITH exact AS MATERIALIZED ({tier(0, exact)}), {typos('%s')} "  # noqa: S608
                f'SELECT "id" FROM exact UNION {tier(1, words)} '
                f"UNION {like_a_name('(SELECT %s - count(*) FROM like_words)')}"
            )
            params = [query, cap, query, query, cap, query, cap, query, cap]
            return RawSQL(sql, params)  # noqa: S611 - the query is a parameter
        # The whole phrase among the first PHRASE_SCAN articles with every word (checking a
        # phrase reads each article's whole vector, and PostgreSQL, guessing a phrase as
        # common as its words, would otherwise read the table in search of a rare one); the
        # first of those same articles are the every-word tier, so the index is read for the
        # words once. First in the key text (name, synonyms, summary; migration 0029), then in
        # the whole article: its index took 3.6 ms for the first 400 articles with "white",
        # "spot" and "face" at 50,000. Names like the query last: for a long query the trigram
        # index of synonyms took 11 ms ("small brown spots on the legs").
        key_words = f"key_vector @@ {_tsquery('websearch_to_tsquery', once)}"
        phrase = _tsquery("phraseto_tsquery", once)
        sql = (
            f"WITH exact AS MATERIALIZED ({tier(0, exact)}), "  # noqa: S608
            f'key_words AS MATERIALIZED (SELECT "id", key_vector FROM "{table}" '
            f"WHERE {live} AND {key_words} LIMIT %s), "
            'key_phrase AS MATERIALIZED (SELECT "id" FROM exact UNION SELECT "id" FROM ('
            f'SELECT "id" FROM key_words WHERE key_vector @@ {phrase} LIMIT %s) AS tier1), '
            'key_found AS MATERIALIZED (SELECT "id" FROM key_phrase UNION SELECT "id" FROM ('
            f'SELECT "id" FROM key_words LIMIT {while_fewer("key_phrase")}) AS tier2), '
            f'words AS MATERIALIZED (SELECT "id", search_vector FROM "{table}" '
            f"WHERE {live} AND {words} LIMIT {while_fewer('key_found')}), "
            'found AS MATERIALIZED (SELECT "id" FROM key_found UNION SELECT "id" FROM ('
            f'SELECT "id" FROM words WHERE search_vector @@ {phrase} LIMIT %s) AS tier4 '
            'UNION SELECT "id" FROM (SELECT "id" FROM words LIMIT %s) AS tier5), '
            f"{typos(while_fewer('found'))} "
            'SELECT "id" FROM found UNION '
            f"{like_a_name(while_fewer('found', '%s - (SELECT count(*) FROM like_words)'))}"
        )
        params = [query, cap, query, PHRASE_SCAN * cap, query, cap, limit, cap]
        params += [query, limit, PHRASE_SCAN * cap, query, cap, cap]
        params += [query, query, limit, cap, query, limit, cap]
        return RawSQL(sql, params)  # noqa: S611 - the query is a parameter

    def _search_fallback(self, query: str, limit: int) -> list[Condition]:
        """SQLite: candidates from the FTS5 indexes of published conditions, ranked in Python."""
        text_tiers = search.fts_text_queries(query)
        if not text_tiers:  # no word of 3+ letters: nothing the indexes can answer
            return self._search_short(query, limit)
        names = {}  # pk: (name score, matched synonym), for the candidates the index found
        names_match = search.fts_name_queries(query)
        if names_match:
            candidates = self.published().filter(
                pk__in=self._fts_ranked(
                    SQLITE_NAME_FTS, names_match, NAME_CANDIDATES, search.FTS_NAME_RANK_CAP
                )
            )
            terms = search.name_terms(query)
            for pk, name, also_known_as in candidates.values_list("pk", "name", "also_known_as"):
                synonyms = [line.strip() for line in also_known_as.splitlines() if line.strip()]
                names[pk] = search.name_score(query, name, synonyms, terms)
        matched = {pk: match[0] for pk, match in names.items() if match[0] >= 0.7}
        best_names = sorted(matched, key=matched.get, reverse=True)[:limit]
        # One list of ids, not "id IN names OR id IN text": SQLite answers an OR of two
        # lists by reading every published row (90 ms at 50,000 articles, 0.1 ms this way).
        # Not ranked by bm25, which counts every article with each word before it ranks the
        # first (4-9 ms for common words at 50,000 articles, more than the rest of the
        # search): each tier's first articles, ranked in Python (_ranked).
        text = self._fts_ranked(SQLITE_TEXT_FTS, text_tiers, limit, limit, bm25=False)
        ids = RawSQL(  # noqa: S611 - ids and the words are parameters
            f"SELECT value FROM json_each(%s) UNION SELECT * FROM ({text.sql})",  # noqa: S608
            [json.dumps(best_names), *text.params],
        )
        rows = self.published().filter(pk__in=ids)
        # A name outside the candidates shares too little with the query to score: not re-scored.
        rows = self._with_snippets(rows.only(*SEARCH_FIELDS), query)
        return self._ranked(rows, query, names, limit, others=False)

    def _with_snippets(self, rows, query: str):
        """Each row with `section_snippet`: the best-matching section of its article, as JSON
        [section slug, text around the match with the matched words between SNIPPET_START and
        SNIPPET_END, the section's text], or NULL when no section has the words.

        SQLite (PostgreSQL: _pg_snippet): FTS5 snippet() on the section index (migration
        0019), of the first section in reading order with any of the words (whole words):
        ordering by bm25 made FTS5 count every section with the word once per section looked
        at, seconds for a common word at 50,000 articles. Run inside the search's own query,
        only on its rows, and not on those whose name, synonyms or summary surely hold every
        word (each word after a space there): those show their summary. search.in_key_text
        decides what shows, and also counts a word after other punctuation or with accents,
        so a row it counts may have had its snippet made, never the other way round. FTS5's
        snippets were 2 of the 14 ms "white spots on face" took at 50,000 articles.
        """
        tiers = search.fts_text_queries(query, min_length=1, prefix=False)
        if not tiers:
            return rows
        key_text = (
            "' ' || lower(\"conditions_condition\".\"name\" || ' ' || replace(replace("
            "\"conditions_condition\".\"also_known_as\", char(13), ' '), char(10), ' ') || ' ' || "
            '"conditions_condition"."summary")'
        )
        terms = search.query_terms(query)
        in_key_text = " AND ".join(["instr(" + key_text + ", ' ' || %s) > 0"] * len(terms))
        fts = SQLITE_SECTION_FTS
        # The index is read once per result, over the range of its sections' ids, not
        # once per section: each lookup by id merges the word's whole list of sections
        # again (30 results with "spots" took 26 ms that way, 2 ms this way).
        sections = 'FROM conditions_section WHERE condition_id = "conditions_condition"."id"'
        sql = (
            f"SELECT json_array(s.slug, snippet({fts}, 1, %s, %s, %s, %s), '')"  # noqa: S608
            f" FROM {fts} CROSS JOIN conditions_section AS s"
            f" WHERE {fts} MATCH %s AND {fts}.rowid BETWEEN (SELECT min(id) {sections})"
            f" AND (SELECT max(id) {sections}) AND s.id = {fts}.rowid"
            ' AND s.condition_id = "conditions_condition"."id"'
            ' ORDER BY s."order", s.id LIMIT 1'
        )
        if terms:
            sql = f"SELECT CASE WHEN {in_key_text} THEN NULL ELSE ({sql}) END"  # noqa: S608
        params = [
            *terms,
            search.SNIPPET_START,
            search.SNIPPET_END,
            "…",
            search.SNIPPET_TOKENS,
            tiers[-1],  # any of the words
        ]
        return rows.annotate(section_snippet=RawSQL(sql, params))  # noqa: S611 - parameters

    @staticmethod
    def _pg_snippet(alias: str, once: bool = False) -> str:
        """PostgreSQL's `section_snippet` (see _with_snippets) of the row `alias`, taking two
        parameters (the headline options, the words): ts_headline of the section ranked first
        for the query's words joined by "or" (any of them marks a match), on each section's
        stored vector (migrations 0026, 0030; PG_SECTION_VECTOR). NULL where the row's
        `in_key_text` is true: every word is in its name, synonyms or summary, and the result
        shows its summary."""
        return (
            f"CASE WHEN {alias}.in_key_text THEN NULL ELSE "  # noqa: S608 - an alias of ours
            "(SELECT json_build_array(s.slug, ts_headline('english', s.body_text, q.query, %s),"
            " s.body_text)::text FROM conditions_section s,"
            f" (SELECT {_tsquery('websearch_to_tsquery', once)}) AS q(query)"
            f' WHERE s.condition_id = {alias}."id" AND {PG_SECTION_VECTOR} @@ q.query'
            f' ORDER BY ts_rank({PG_SECTION_VECTOR}, q.query) DESC, s."order", s.id LIMIT 1) END'
        )

    @staticmethod
    def _fts_ranked(fts: str, tiers: list[str], limit: int, cap: int, bm25=True) -> RawSQL:
        """Ids of the published conditions matching an FTS5 index (`fts`), best tier first,
        bm25 within a tier. Each tier ranks at most `cap` of its matches (the first by id),
        so a word found in thousands of articles costs no more than a rarer one. Tiers
        go from strict to loose: a tier whose articles could not reach the result (the tiers
        before it already fill it) is not read (ranking every article with any word of
        "white spots on face" cost more than the rest of the search). `bm25=False`: within a
        tier, oldest first."""
        ctes, parts, params = [], [], []
        rank = "rank" if bm25 else "0"
        for tier, match in enumerate(tiers):
            size, size_params = "%s", [cap]
            if tier:
                # Read only while the tiers before it hold fewer than `limit` articles; by a
                # LIMIT of 0, not a false WHERE, with which FTS5 would still read every match.
                before = " UNION ".join(f"SELECT rowid FROM tier{t}" for t in range(tier))  # noqa: S608
                size = f"(CASE WHEN (SELECT count(*) FROM ({before})) < %s THEN %s ELSE 0 END)"  # noqa: S608
                size_params = [limit, cap]
            ctes.append(
                f"tier{tier} AS MATERIALIZED (SELECT rowid, {rank} AS rank FROM {fts} "  # noqa: S608
                f"WHERE {fts} MATCH %s LIMIT {size})"
            )
            params += [match, *size_params]
            parts.append(f"SELECT rowid, {tier} AS tier, rank FROM tier{tier}")  # noqa: S608
        sql = (
            f"WITH {', '.join(ctes)} SELECT rowid FROM ({' UNION ALL '.join(parts)}) "  # noqa: S608
            "GROUP BY rowid ORDER BY min(tier * 1000000.0 + rank), rowid LIMIT %s"
        )
        return RawSQL(sql, [*params, limit])  # noqa: S611 - the words are parameters

    def _search_short(self, query: str, limit: int) -> list[Condition]:
        """Queries with no word of three letters: names and synonyms containing the query, and
        text with its one- and two-letter words (the trigram index needs three letters)."""
        match = models.Q(name__icontains=query) | models.Q(also_known_as__icontains=query)
        text_tiers = search.fts_text_queries(query, min_length=1)
        if text_tiers:
            match |= models.Q(
                pk__in=self._fts_ranked(SQLITE_TEXT_FTS, text_tiers, 4 * limit, search.FTS_RANK_CAP)
            )
        rows = self._with_snippets(self.published().filter(match).only(*SEARCH_FIELDS), query)
        return self._ranked(rows.order_by("name")[: 4 * limit], query, {}, limit)

    @staticmethod
    def _ranked(rows, query: str, names: dict, limit: int, others=True) -> list[Condition]:
        """Score rows in Python: name or synonym (typo-tolerant) first, then words in the text.

        `names` holds (score, synonym) already worked out; `others`: score the rest too.
        """
        results = list(rows)
        terms = search.name_terms(query)
        text_hits = search.text_hits_of(query)
        for condition in results:
            condition.name_match = names.get(condition.pk) or (
                search.name_score(query, condition.name, condition.synonyms, terms)
                if others
                else (0.0, "")
            )
            score = condition.name_match[0]
            hits, most = text_hits(condition.search_text)
            condition.match_score = 2 * (score if score >= 0.7 else 0) + hits / most
        results.sort(key=lambda c: (-c.match_score, c.name))
        return results[:limit]


class ConditionManager(WorkingCopyManager):
    def search(self, query: str, limit: int = SEARCH_LIMIT, language: str | None = None):
        """Search reaches published (live) conditions only."""
        return self._all().search(query, limit, language=language)

    def look_alikes(self, condition, limit: int = 6):
        return self._all().look_alikes(condition, limit)


class Condition(Reviewable):
    UNIQUE_FIELDS = ("name", "slug")
    DERIVED_FIELDS = frozenset({"search_text", "reading_grade", "smog_grade"})

    name = models.CharField(_("name"), max_length=120, db_index=True)
    slug = models.SlugField(_("slug"), max_length=120)
    also_known_as = models.TextField(
        _("also known as"),
        blank=True,
        help_text=_(
            "The words patients use, one per line (e.g. milk spots), most common first: the "
            "first three show on the page as \u201cAlso called\u201d, the rest help search only."
        ),
    )
    summary = models.TextField(_("summary"), help_text=_("One plain-language paragraph."))
    # One-way: each article's own list, approved with it (a link added to one article must
    # not change another article's live page).
    related = models.ManyToManyField(
        "self", verbose_name=_("related conditions"), blank=True, symmetrical=False
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)
    # Derived on save: plain text of name, synonyms, summary and sections, for search.
    search_text = models.TextField(editable=False, blank=True, default="")
    # Derived on save: reading grades of the patient text (see conditions.content).
    reading_grade = models.FloatField(
        _("reading grade (FK)"), null=True, blank=True, editable=False
    )
    smog_grade = models.FloatField(_("SMOG grade"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_text"])

    all_copies = ConditionQuerySet.as_manager()
    objects = ConditionManager.from_queryset(ConditionQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("condition article")
        verbose_name_plural = _("condition articles")
        # Held by the "Clinical reviewer" group (conditions/roles.py) for every content type.
        permissions = [("publish_condition", "Can approve and publish patient content")]
        constraints = [
            models.UniqueConstraint(fields=["name", "is_live"], name="unique_condition_name"),
            models.UniqueConstraint(fields=["slug", "is_live"], name="unique_condition_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def review_parts(cls) -> list[Part]:
        return [
            Part(model, "condition", "condition")
            for model in (Section, FAQ, CareAdvice, Reference, ClinicalCode, ConditionImage)
        ]

    def after_copy(self) -> None:
        self.refresh_derived()

    @staticmethod
    def _part_skip(part: Part) -> set:
        # Kept up by save() (picture copies, a section's earlier anchors): the reviewer
        # compares the picture and the anchor themselves.
        return Reviewable._part_skip(part) | {"renditions", "previous_anchors"}

    def get_absolute_url(self) -> str:
        return reverse("conditions:condition_detail", args=[self.slug])

    @property
    def synonyms(self) -> list[str]:
        return [line.strip() for line in self.also_known_as.splitlines() if line.strip()]

    @property
    def common_names(self) -> list[str]:
        """The names shown as "Also called": the first few synonyms (editors list the most
        common first); the rest only help search."""
        return self.synonyms[:COMMON_NAMES]

    def publish_problems(self) -> list[str]:
        problems = super().publish_problems()
        references = list(self.references.all()) if self.pk else []
        if not references:
            problems.append(str(_("Add at least one reference.")))
        elif not any(reference.url for reference in references):
            problems.append(str(_("Give at least one reference a public web address or DOI.")))
        for reference in references:
            problem = reference_url_problem(reference.url)
            if problem:
                problems.append(
                    str(_("Reference “%(title)s”: %(problem)s"))
                    % {"title": reference.title, "problem": problem}
                )
        if self.pk:
            problems.extend(self.citation_problems(len(references)))
        if self.pk is None or not self.sections.exists():
            problems.append(str(_("Add at least one section.")))
        if self.pk:
            for image in self.images.all():
                for problem in image.image_problems():
                    problems.append(
                        str(_("Picture “%(alt)s”: %(problem)s."))
                        % {"alt": image.alt_text, "problem": problem}
                    )
            for code in self.codes.all():
                problem = code.code_problem()
                if problem:
                    problems.append(
                        str(_("Code %(code)s: %(problem)s")) % {"code": code, "problem": problem}
                    )
        return problems

    def citation_problems(self, reference_count: int) -> list[str]:
        """Inline citations ([2]) that point past the end of the reference list."""
        problems = []
        texts = [(s.heading, s.body) for s in self.sections.all()]
        texts += [(f.question, f.answer) for f in self.faqs.all()]
        for where, text in texts:
            missing = [n for n in content.cited_numbers(text) if not 1 <= n <= reference_count]
            if missing:
                problems.append(
                    str(
                        _(
                            "“%(where)s” cites source %(number)s, but the page has "
                            "%(count)s references."
                        )
                    )
                    % {"where": where, "number": missing[0], "count": reference_count}
                )
        return problems

    def patient_text(self) -> str:
        """The prose a patient reads, as plain text: for reading grades and search."""
        parts = [self.summary]
        if self.pk:
            for section in self.sections.all():
                parts.append(section.heading)
                parts.append(content.markdown_to_text(section.body))
            for faq in self.faqs.all():
                parts.append(faq.question)
                parts.append(content.markdown_to_text(faq.answer))
        return "\n\n".join(p for p in parts if p)

    def refresh_derived(self, save: bool = True) -> None:
        """Recompute search text and reading grades from the current sections and FAQs."""
        text = self.patient_text()
        grades = content.reading_grades(text)
        self.reading_grade = grades.flesch_kincaid
        self.smog_grade = grades.smog
        self.search_text = "\n".join([self.name, *self.synonyms, text])
        if save and self.pk:
            type(self).all_copies.filter(pk=self.pk).update(
                reading_grade=self.reading_grade,
                smog_grade=self.smog_grade,
                search_text=self.search_text,
            )


class Section(ReviewPart):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    slug = models.SlugField(_("anchor"), max_length=200, blank=True)
    # Anchors this section had before its heading (or anchor) changed: the page keeps an empty
    # element with each, so old links to #old-heading still land on the section.
    previous_anchors = models.JSONField(default=list, blank=True, editable=False)
    part_title = models.CharField(
        _("starts a part called"),
        max_length=120,
        blank=True,
        help_text=_(
            "Long articles are shown in parts of a few minutes' reading, each on its own page. "
            "Give a title here to start a new part with this section (e.g. \u201cTreatment\u201d). "
            "If no section of the article has one, sections are grouped by length."
        ),
    )
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(editable=False, blank=True, default="")
    # Derived on save: the body as plain text, for search snippets (ts_headline / FTS5).
    body_text = models.TextField(editable=False, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        self.update_anchor()
        self.body_html = content.render_markdown(self.body, citations=True)
        self.body_text = content.snippet_text(self.body)
        super().save(*args, **kwargs)

    def update_anchor(self) -> None:
        """The anchor follows the heading: renamed, it gets the new heading's anchor, unless an
        editor chose the anchor by hand. An anchor it had before is kept in previous_anchors."""
        from django.utils.text import slugify

        before = None
        if self.pk:
            before = type(self).objects.filter(pk=self.pk).values("heading", "slug").first()
        if (
            before
            and before["heading"] != self.heading
            and self.slug == before["slug"] == slugify(before["heading"])[:200]
        ):
            self.slug = ""  # it was the heading's own anchor: make the new heading's
        self.slug = self.slug or slugify(self.heading)[:200]
        earlier = list(self.previous_anchors or [])
        if before and before["slug"] and before["slug"] not in earlier:
            earlier.append(before["slug"])
        self.previous_anchors = [a for a in earlier if a and a != self.slug]


def anchor_aliases(sections) -> None:
    """Give each section (with `anchor` set) `old_anchors`: its previous anchors that no
    section of the page uses now, each once (for empty elements that old links land on)."""
    import json

    taken = {section.anchor for section in sections}
    for section in sections:
        previous = section.previous_anchors or []
        if isinstance(previous, str):  # read through a JSON subquery on SQLite
            previous = json.loads(previous)
        section.old_anchors = [a for a in previous if a not in taken]
        taken.update(section.old_anchors)


class FAQ(ReviewPart):
    class Verdict(models.TextChoices):
        NONE = "", _("No verdict")
        MYTH = "myth", _("Myth")
        FACT = "fact", _("Fact")
        PARTLY = "partly", _("Partly true")

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveIntegerField(_("order"), default=0)
    question = models.CharField(_("question"), max_length=300)
    verdict = models.CharField(
        _("myth or fact"), max_length=10, choices=Verdict.choices, blank=True, default=""
    )
    answer = models.TextField(_("answer (Markdown)"))
    answer_html = models.TextField(editable=False, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("FAQ or myth")
        verbose_name_plural = _("FAQs and myths")

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        self.answer_html = content.render_markdown(self.answer, citations=True)
        super().save(*args, **kwargs)


# Hosts a patient must never be sent to: development, staging and test copies of a site,
# and retired domains (mayoclinic.com moved to mayoclinic.org). A reference naming one of
# these is refused on save (Reference.clean) and blocks publishing (publish_problems).
NON_PUBLIC_HOST_PREFIXES = ("dev.", "dev2.", "staging.", "test.", "qa.", "uat.")
NON_PUBLIC_HOST_PARTS = (".dev.", ".dev2.", ".staging.", ".test.", ".qa.", ".uat.")
NON_PUBLIC_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}  # noqa: S104 - refused, not bound
RETIRED_HOSTS = {"mayoclinic.com": "mayoclinic.org"}


def reference_url_problem(url: str) -> str:
    """Why a reference's web address cannot be shown to patients ("" when it can)."""
    from urllib.parse import urlsplit

    if not url:
        return ""
    if not url.lower().startswith(("https://", "http://")):
        return str(_("Use a web address starting with https://"))
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    bare = host.removeprefix("www.")
    if bare in RETIRED_HOSTS:
        return str(
            _("%(host)s is a retired address: link to the page on %(new)s instead.")
            % {"host": bare, "new": RETIRED_HOSTS[bare]}
        )
    if (
        not host
        or host in NON_PUBLIC_HOSTS
        or host.endswith((".localhost", ".local", ".test", ".invalid"))
        or bare.startswith(NON_PUBLIC_HOST_PREFIXES)
        or any(part in f".{bare}" for part in NON_PUBLIC_HOST_PARTS)
    ):
        return str(
            _(
                "%(host)s looks like a development, staging or test copy of a site: link to "
                "the public page instead."
            )
            % {"host": host or url}
        )
    return ""


class Reference(ReviewPart):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="references")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(
        _("title"), max_length=300, help_text=_("The source's own title, as it appears on it.")
    )
    publisher = models.CharField(_("publisher"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("The year the source was published or last updated, when it says."),
    )
    url = models.URLField(
        _("web address or DOI link"),
        max_length=500,
        blank=True,
        help_text=_(
            "The public page, or https://doi.org/ and the DOI. Never a test or staging copy."
        ),
    )
    checked_on = models.DateField(
        _("link checked on"),
        null=True,
        blank=True,
        help_text=_(
            "The day a reviewer opened the link and checked that it still says what we cite. "
            "Leave it empty until someone has."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"

    def clean(self):
        super().clean()
        problem = reference_url_problem(self.url)
        if problem:
            raise ValidationError({"url": problem})
        if self.checked_on and self.checked_on > timezone.localdate():
            raise ValidationError(
                {"checked_on": _("A link cannot have been checked on a day still to come.")}
            )


class ClinicalCode(ReviewPart):
    class System(models.TextChoices):
        ICD10CM = "icd-10-cm", "ICD-10-CM"
        ICD10 = "icd-10", "ICD-10 (WHO)"
        ICD10GM = "icd-10-gm", "ICD-10-GM"
        ICD11 = "icd-11", "ICD-11 MMS"
        SNOMED = "snomed-ct", "SNOMED CT"

    SYSTEM_URIS = {
        "icd-10-cm": "http://hl7.org/fhir/sid/icd-10-cm",
        "icd-10": "http://hl7.org/fhir/sid/icd-10",
        "icd-10-gm": "http://fhir.de/CodeSystem/bfarm/icd-10-gm",
        "icd-11": "http://id.who.int/icd/release/11/mms",
        "snomed-ct": "http://snomed.info/sct",
    }

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="codes")
    system = models.CharField(_("code system"), max_length=20, choices=System.choices)
    version = models.CharField(_("edition or version"), max_length=40, blank=True)
    code = models.CharField(_("code"), max_length=40)
    display = models.CharField(_("display"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "system", "version", "code"], name="unique_code_per_condition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code}"

    @property
    def system_uri(self) -> str:
        return self.SYSTEM_URIS.get(self.system, "")

    def clean(self):
        """The code must be shaped like a code of its system (conditions/codes.py), with the
        system's own name for it as the display."""
        super().clean()
        from conditions import codes

        errors = {}
        self.code = codes.normalise(self.system, self.code)
        self.display = " ".join((self.display or "").split())
        problem = codes.code_problem(self.system, self.code) if self.system else ""
        if problem:
            errors["code"] = problem
        if not self.display:
            errors["display"] = _(
                "Enter the display: the code system's own name for this code (for example "
                "“Milia”), so that people and systems reading the code can check it."
            )
        if errors:
            raise ValidationError(errors)

    def code_problem(self) -> str:
        from conditions import codes

        return codes.code_problem(self.system, codes.normalise(self.system, self.code))


class CareAdvice(ReviewPart):
    """'When to get help', by urgency level, as the NHS presents it."""

    class Level(models.TextChoices):
        SELF_CARE = "self_care", _("You can look after this yourself")
        ROUTINE = "routine", _("See a GP (not urgent)")
        URGENT = "urgent", _("Get help today")
        EMERGENCY = "emergency", _("Emergency: call 999 or go to A&E")

    LEVEL_ORDER = ["self_care", "routine", "urgent", "emergency"]

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="care_advice")
    level = models.CharField(_("urgency"), max_length=20, choices=Level.choices)
    signs = models.TextField(_("signs (Markdown list)"))
    signs_html = models.TextField(editable=False, blank=True, default="")
    action = models.CharField(_("what to do"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("when to get help")
        verbose_name_plural = _("when to get help")
        constraints = [
            models.UniqueConstraint(fields=["condition", "level"], name="one_advice_per_level")
        ]

    def __str__(self) -> str:
        return self.get_level_display()

    def save(self, *args, **kwargs):
        self.signs_html = content.render_markdown(self.signs)
        super().save(*args, **kwargs)

    @property
    def level_rank(self) -> int:
        return self.LEVEL_ORDER.index(self.level)


class ConditionImage(ReviewPart):
    class SkinTone(models.TextChoices):
        I_II = "light", _("Light (Fitzpatrick I–II)")
        III_IV = "medium", _("Medium (Fitzpatrick III–IV)")
        V_VI = "dark", _("Dark (Fitzpatrick V–VI)")
        NOT_SKIN = "n/a", _("Not a picture of skin")

    class Origin(models.TextChoices):
        CLINIC_CONSENT = "clinic_consent", _("Clinic photo, with the patient's written consent")
        LICENSED_STOCK = "licensed_stock", _("Licensed stock photo")
        ILLUSTRATION = "illustration", _("Illustration or diagram")

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveIntegerField(_("order"), default=0)
    image = models.ImageField(_("image"), upload_to="conditions/")
    origin = models.CharField(
        _("source and consent"),
        max_length=20,
        choices=Origin.choices,
        default="",
        help_text=_("Where the picture comes from, and so what allows us to show it."),
    )
    # Derived on save: smaller copies for the page, {width: storage name} (conditions/uploads.py).
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"), max_length=250, help_text=_("What the picture shows, for screen readers.")
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)
    skin_tone = models.CharField(
        _("skin tone shown"), max_length=10, choices=SkinTone.choices, default=""
    )
    credit = models.CharField(
        _("source and licence"),
        max_length=250,
        blank=True,
        help_text=_(
            "Who made the picture and on what terms (e.g. \u201cDrawn for this clinic\u201d or "
            "\u201cPhoto: DermNet, CC BY-NC-ND 3.0 NZ\u201d). Only use pictures you may use."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.alt_text

    def clean(self):
        super().clean()
        errors = {}
        if not (self.alt_text or "").strip():
            errors["alt_text"] = _("Describe the picture for people who cannot see it.")
        if not (self.credit or "").strip():
            errors["credit"] = _("Say who made the picture and on what terms you may use it.")
        if self.image and not getattr(self.image, "_committed", True):
            # A new upload: real JPEG/PNG/WebP content, size and dimension caps.
            from conditions.uploads import validate_image_upload

            try:
                validate_image_upload(self.image.file)
            except ValidationError as error:
                errors["image"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_illustration(self) -> bool:
        return self.origin == self.Origin.ILLUSTRATION

    def image_problems(self) -> list[str]:
        """What stops the article being published because of this picture."""
        problems = []
        if not self.origin:
            problems.append(_("say where it comes from (source and consent)"))
        if not self.skin_tone:
            problems.append(_("say which skin tone it shows"))
        if not (self.credit or "").strip():
            problems.append(_("say who made it and on what terms (source and licence)"))
        return [str(p) for p in problems]

    def save(self, *args, **kwargs):
        """A new upload is stored without its metadata (EXIF, GPS) and with resized copies
        (derived on save, like rendered Markdown)."""
        if self.image and not getattr(self.image, "_committed", True):
            from pathlib import PurePath

            from django.core.files.base import ContentFile

            from conditions import uploads

            data, _format = uploads.without_metadata(self.image.file)
            self.image.save(PurePath(self.image.name).name, ContentFile(data), save=False)
            self.renditions = self._store_renditions(data)
        super().save(*args, **kwargs)

    def _store_renditions(self, data: bytes) -> dict:
        from pathlib import PurePath

        from django.core.files.base import ContentFile

        from conditions import uploads

        path = PurePath(self.image.name)
        stored = {str(self.image.width): self.image.name}  # the original is the widest
        for width, copy in uploads.renditions(data).items():
            name = f"conditions/renditions/{path.stem}-{width}{path.suffix.lower()}"
            stored[str(width)] = self.image.storage.save(name, ContentFile(copy))
        return stored

    @property
    def srcset(self) -> str:
        """The stored widths for <img srcset>, narrowest first ("" with only one)."""
        import json

        renditions = self.renditions
        if isinstance(renditions, str):  # read through a JSON subquery on SQLite
            renditions = json.loads(renditions or "{}")
        if not renditions or len(renditions) < 2:
            return ""
        storage = self.image.storage
        widths = sorted(renditions.items(), key=lambda item: int(item[0]))
        return ", ".join(f"{storage.url(name)} {width}w" for width, name in widths)
