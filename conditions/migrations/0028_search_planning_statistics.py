"""PostgreSQL: a short histogram for the name and synonym columns, so planning a search is cheap.

The search's typo tier asks for names and synonyms like the query (pg_trgm's % and <%, served
by the trigram indexes of migration 0027). To guess how many rows that tier finds, PostgreSQL
applies each operator to every entry of the column's histogram, 101 entries at the default
statistics target: 1.3 ms of the 1.6 ms it took to plan each search at 50,000 articles, more
than running the tier. With 10 entries per column, planning "spots" takes 0.46 ms, and the
plans, and their run times, are the same (EXPLAIN ANALYZE of "spots", "white spots on face"
and "mila" at 50,000 articles): the tiers have LIMITs and a trigram index either way. Nothing
else plans on these two columns' value distribution (lists sort by name; lookups are by slug
or id). SQLite: nothing here.
"""

from django.db import migrations

COLUMNS = ("name", "also_known_as")


def _statistics(schema_editor, target: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(f"ALTER COLUMN {column} SET STATISTICS {target}" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE conditions_condition {columns}")
    schema_editor.execute("ANALYZE conditions_condition")


def forward(apps, schema_editor):
    _statistics(schema_editor, 10)


def backward(apps, schema_editor):
    _statistics(schema_editor, -1)  # back to default_statistics_target


class Migration(migrations.Migration):
    dependencies = [("conditions", "0027_live_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
