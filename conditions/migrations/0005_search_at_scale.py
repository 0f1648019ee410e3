"""Search that stays fast at thousands of articles.

PostgreSQL: a stored, generated tsvector column `search_vector` (the same expression as
SearchVector("search_text", config="english")) and the GIN full-text index on it, replacing the
expression index of 0002 under the same name. Ranking and rechecks read the stored vector
instead of re-parsing every matching article's text on each search (seconds at 5,000 articles).
The column is not a model field: only ConditionQuerySet._search_postgresql reads it. While it
exists, PostgreSQL refuses to change search_text's type; drop and re-add it around such a change.

SQLite (3.34+): an FTS5 table with the trigram tokenizer over name, also_known_as and
search_text, with external content (the condition table itself) kept in step by triggers, so
bulk inserts are indexed too. It answers case-insensitive substring matches of 3+ characters
(what `icontains` did by reading every row) from the index. A migration that remakes the
condition table on SQLite drops these triggers: re-create them after it (the search tests fail
if they are missing).
"""

import sqlite3

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE conditions_condition ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_text, ''))) STORED",
    "DROP INDEX IF EXISTS conditions_condition_search_fts",
    "CREATE INDEX conditions_condition_search_fts ON conditions_condition "
    "USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS conditions_condition_search_fts",
    "ALTER TABLE conditions_condition DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX conditions_condition_search_fts ON conditions_condition "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))",
]

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE conditions_condition_fts USING fts5(
        name, also_known_as, search_text,
        content='conditions_condition', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER conditions_condition_fts_insert AFTER INSERT ON conditions_condition BEGIN
        INSERT INTO conditions_condition_fts(rowid, name, also_known_as, search_text)
        VALUES (new.id, new.name, new.also_known_as, new.search_text);
    END""",
    """CREATE TRIGGER conditions_condition_fts_delete AFTER DELETE ON conditions_condition BEGIN
        INSERT INTO conditions_condition_fts(
            conditions_condition_fts, rowid, name, also_known_as, search_text)
        VALUES ('delete', old.id, old.name, old.also_known_as, old.search_text);
    END""",
    """CREATE TRIGGER conditions_condition_fts_update
    AFTER UPDATE OF name, also_known_as, search_text ON conditions_condition BEGIN
        INSERT INTO conditions_condition_fts(
            conditions_condition_fts, rowid, name, also_known_as, search_text)
        VALUES ('delete', old.id, old.name, old.also_known_as, old.search_text);
        INSERT INTO conditions_condition_fts(rowid, name, also_known_as, search_text)
        VALUES (new.id, new.name, new.also_known_as, new.search_text);
    END""",
    "INSERT INTO conditions_condition_fts(conditions_condition_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS conditions_condition_fts_insert",
    "DROP TRIGGER IF EXISTS conditions_condition_fts_delete",
    "DROP TRIGGER IF EXISTS conditions_condition_fts_update",
    "DROP TABLE IF EXISTS conditions_condition_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34, 0):
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("conditions", "0004_editorial_groups_cover_all_content")]

    operations = [migrations.RunPython(forward, backward)]
