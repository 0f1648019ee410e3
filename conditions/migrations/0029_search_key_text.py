"""PostgreSQL: the key text of each condition (name, synonyms, summary) as a stored tsvector,
`key_vector`, with a GIN index of the published live copies.

A search of several words looks for them here first: the whole phrase among the first articles
whose key text has every word, and the first of those. Only when these and the exact names
give fewer rows than a page of results does it read the full-text index of the whole article
(ConditionQuerySet._pg_candidates). An article that names the words in its name, synonyms or
summary is about them; the full text of 50,000 articles holds common words thousands of times:
the full-text index took 3.6 ms to list the first 400 articles with "white", "spot" and
"face" (8,741 of them) and checking the phrase in those 400 another 1.1 ms, where the key
text takes 1.6 ms for both. The column is not a model field, like search_vector (migration
0005); while it exists PostgreSQL refuses to change the type of name, also_known_as or
summary: drop and re-add it around such a change. SQLite: nothing here (its FTS5 indexes).
"""

from django.db import migrations

WHERE = "WHERE is_live AND status = 'published'"
KEY_TEXT = (
    "COALESCE(name, '') || E'\\n' || COALESCE(also_known_as, '') || E'\\n' || COALESCE(summary, '')"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE conditions_condition ADD COLUMN IF NOT EXISTS key_vector tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {KEY_TEXT})) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS conditions_condition_key_fts ON conditions_condition "
        f"USING gin (key_vector) {WHERE}"
    )
    schema_editor.execute("ANALYZE conditions_condition")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS conditions_condition_key_fts")
    schema_editor.execute("ALTER TABLE conditions_condition DROP COLUMN IF EXISTS key_vector")


class Migration(migrations.Migration):
    dependencies = [("conditions", "0028_search_planning_statistics")]

    operations = [migrations.RunPython(forward, backward)]
