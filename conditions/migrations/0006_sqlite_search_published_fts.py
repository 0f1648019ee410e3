"""SQLite search at 5,000+ articles: two small full-text indexes of published conditions only.

0005 indexed every condition (drafts too) in one FTS5 trigram table over name, synonyms and
article text. Ranking a common word ("spots" is in most articles) read the trigram position
lists of thousands of long texts, and the status check joined the condition table for every
match (and let the planner pick a plan that read every row).

This migration replaces it with two contentless FTS5 tables that hold published conditions only,
so no query needs a join or a status check:

- conditions_condition_name_fts (name, also_known_as; trigram tokenizer): the candidates for
  typo-tolerant name and synonym matching (three-letter pieces survive most typos).
- conditions_condition_text_fts (search_text; porter stemmer, accents folded): article text by
  word ("spots" also finds "spot", "baby" finds "babies"), cheap to rank.

Triggers keep both in step with the condition table (insert, delete, and an update of name,
synonyms, text or status; publishing adds a row, archiving or unpublishing removes it). They are
contentless (content=''): 'rebuild' is not available; to re-index, 'delete-all' and run the last two
statements of SQLITE_FORWARD again. A migration that remakes the condition table on SQLite
drops these triggers: re-create them after it (tests/conditions/test_search.py fails if they are
missing).

PostgreSQL: nothing (its indexes are in 0002 and 0005).
"""

import importlib
import sqlite3

from django.db import migrations

_ADD = """
    INSERT INTO conditions_condition_name_fts(rowid, name, also_known_as)
    SELECT new.id, new.name, new.also_known_as WHERE new.status = 'published';
    INSERT INTO conditions_condition_text_fts(rowid, search_text)
    SELECT new.id, new.search_text WHERE new.status = 'published';
"""
# A contentless FTS5 table forgets a row when given the values it indexed.
_REMOVE = """
    INSERT INTO conditions_condition_name_fts(
        conditions_condition_name_fts, rowid, name, also_known_as)
    SELECT 'delete', old.id, old.name, old.also_known_as WHERE old.status = 'published';
    INSERT INTO conditions_condition_text_fts(conditions_condition_text_fts, rowid, search_text)
    SELECT 'delete', old.id, old.search_text WHERE old.status = 'published';
"""

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS conditions_condition_fts_insert",
    "DROP TRIGGER IF EXISTS conditions_condition_fts_delete",
    "DROP TRIGGER IF EXISTS conditions_condition_fts_update",
    "DROP TABLE IF EXISTS conditions_condition_fts",
    """CREATE VIRTUAL TABLE conditions_condition_name_fts USING fts5(
        name, also_known_as, content='', tokenize='trigram')""",
    """CREATE VIRTUAL TABLE conditions_condition_text_fts USING fts5(
        search_text, content='', tokenize='porter unicode61 remove_diacritics 2')""",
    "CREATE TRIGGER conditions_condition_search_insert AFTER INSERT ON conditions_condition "
    "BEGIN" + _ADD + "END",
    "CREATE TRIGGER conditions_condition_search_delete AFTER DELETE ON conditions_condition "
    "BEGIN" + _REMOVE + "END",
    "CREATE TRIGGER conditions_condition_search_update "
    "AFTER UPDATE OF status, name, also_known_as, search_text ON conditions_condition "
    "BEGIN" + _REMOVE + _ADD + "END",
    # The published conditions already there.
    """INSERT INTO conditions_condition_name_fts(rowid, name, also_known_as)
    SELECT id, name, also_known_as FROM conditions_condition WHERE status = 'published'""",
    """INSERT INTO conditions_condition_text_fts(rowid, search_text)
    SELECT id, search_text FROM conditions_condition WHERE status = 'published'""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS conditions_condition_search_insert",
    "DROP TRIGGER IF EXISTS conditions_condition_search_delete",
    "DROP TRIGGER IF EXISTS conditions_condition_search_update",
    "DROP TABLE IF EXISTS conditions_condition_name_fts",
    "DROP TABLE IF EXISTS conditions_condition_text_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _sqlite_with_trigram(schema_editor):
    return schema_editor.connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34)


def forward(apps, schema_editor):
    if _sqlite_with_trigram(schema_editor):
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    if _sqlite_with_trigram(schema_editor):
        _run(schema_editor, SQLITE_BACKWARD)
        previous = importlib.import_module("conditions.migrations.0005_search_at_scale")
        _run(schema_editor, previous.SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("conditions", "0005_search_at_scale")]

    operations = [migrations.RunPython(forward, backward)]
