"""Search at 50,000 articles on PostgreSQL (SQLite: nothing here; its indexes are 0009 and 0020).

- conditions_section.search_vector: each section's words (heading and plain text), a stored,
  generated tsvector like the condition's (0005). The search snippet picks the result's
  best-matching section from it instead of parsing every section of every result on each
  search (4 ms per result at 50,000 articles). Not a model field: only the search reads it.
  While it exists, PostgreSQL refuses to change the type of heading or body_text; drop and
  re-add it around such a change.
- conditions_condition_exact_names: a GIN index of each condition's name and synonyms, one
  lower-case entry each, so that the search finds an article whose name or synonym is exactly
  what the patient typed however many other articles share its words.
"""

from django.db import migrations

# The same expression as ConditionQuerySet._pg_candidates (an index serves only its own).
EXACT_NAMES = (
    r"regexp_split_to_array(btrim(lower(name::text || E'\n' || also_known_as)), '\s*\n\s*')"
)
FORWARD = [
    "ALTER TABLE conditions_section ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "
    "COALESCE(heading, '') || ' ' || COALESCE(body_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS conditions_condition_exact_names ON conditions_condition "
    f"USING gin (({EXACT_NAMES}))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS conditions_condition_exact_names",
    "ALTER TABLE conditions_section DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("conditions", "0025_packs")]

    operations = [migrations.RunPython(forward, backward)]
