"""Patients see live copies (0008): the SQLite search indexes hold live, published conditions.

Re-creates the FTS5 tables and triggers of 0006 with `is_live = 1` added to their test (0008
rebuilt the condition table, which drops triggers), and fills them from the rows there.
Then gives content published before 0008 a live copy, so patients keep seeing it: such rows
were published under the old rules, so they are copied as they stand (using the current models,
which is safe here because only databases with such rows run that step).
PostgreSQL: nothing for the indexes (0002 and 0005 index every row; queries filter).
"""

import sqlite3

from django.db import migrations

LIVE = "{row}.is_live = 1 AND {row}.status = 'published'"
_ADD = f"""
    INSERT INTO conditions_condition_name_fts(rowid, name, also_known_as)
    SELECT new.id, new.name, new.also_known_as WHERE {LIVE.format(row="new")};
    INSERT INTO conditions_condition_text_fts(rowid, search_text)
    SELECT new.id, new.search_text WHERE {LIVE.format(row="new")};
"""
_REMOVE = f"""
    INSERT INTO conditions_condition_name_fts(
        conditions_condition_name_fts, rowid, name, also_known_as)
    SELECT 'delete', old.id, old.name, old.also_known_as WHERE {LIVE.format(row="old")};
    INSERT INTO conditions_condition_text_fts(conditions_condition_text_fts, rowid, search_text)
    SELECT 'delete', old.id, old.search_text WHERE {LIVE.format(row="old")};
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS conditions_condition_search_insert",
    "DROP TRIGGER IF EXISTS conditions_condition_search_delete",
    "DROP TRIGGER IF EXISTS conditions_condition_search_update",
    "DROP TABLE IF EXISTS conditions_condition_name_fts",
    "DROP TABLE IF EXISTS conditions_condition_text_fts",
    """CREATE VIRTUAL TABLE conditions_condition_name_fts USING fts5(
        name, also_known_as, content='', tokenize='trigram')""",
    """CREATE VIRTUAL TABLE conditions_condition_text_fts USING fts5(
        search_text, content='', tokenize='porter unicode61 remove_diacritics 2')""",
    "CREATE TRIGGER conditions_condition_search_insert AFTER INSERT ON conditions_condition "
    "BEGIN" + _ADD + "END",
    "CREATE TRIGGER conditions_condition_search_delete AFTER DELETE ON conditions_condition "
    "BEGIN" + _REMOVE + "END",
    "CREATE TRIGGER conditions_condition_search_update "
    "AFTER UPDATE OF status, is_live, name, also_known_as, search_text ON conditions_condition "
    "BEGIN" + _REMOVE + _ADD + "END",
    f"""INSERT INTO conditions_condition_name_fts(rowid, name, also_known_as)
    SELECT id, name, also_known_as FROM conditions_condition AS c WHERE {LIVE.format(row="c")}""",
    f"""INSERT INTO conditions_condition_text_fts(rowid, search_text)
    SELECT id, search_text FROM conditions_condition AS c WHERE {LIVE.format(row="c")}""",
]


def search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34):
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def live_copies_for_published_content(apps, schema_editor):
    names = ("Condition", "TreatmentComparison", "Questionnaire")
    historical = [apps.get_model("conditions", name) for name in names]
    if not any(
        m._default_manager.filter(status="published", is_live=False).exists() for m in historical
    ):
        return
    from conditions import models as current

    for name in names:
        model = getattr(current, name)
        for item in model.all_copies.filter(status="published", is_live=False, live=None):
            item.live = item._copy_to_live()
            item.save()


class Migration(migrations.Migration):
    dependencies = [("conditions", "0008_working_and_live_copies")]

    operations = [
        migrations.RunPython(search_indexes, migrations.RunPython.noop),
        migrations.RunPython(live_copies_for_published_content, migrations.RunPython.noop),
    ]
