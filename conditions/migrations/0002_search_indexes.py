"""Search indexes on PostgreSQL only: pg_trgm, a GIN full-text index, GIN trigram indexes.

The full-text index expression matches what ConditionQuerySet.search() filters on:
to_tsvector('english'::regconfig, COALESCE(search_text, '')). SQLite gets nothing here; its
search fallback needs no index at clinic-laptop scale.
"""

from django.db import migrations

INDEXES = [
    (
        "conditions_condition_search_fts",
        "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))",
    ),
    ("conditions_condition_name_trgm", "USING gin (name gin_trgm_ops)"),
    ("conditions_condition_aka_trgm", "USING gin (also_known_as gin_trgm_ops)"),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON conditions_condition {definition}"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("conditions", "0001_initial")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
