"""Articles in parts: sections can start a part; pictures say who made them.

Also a plain-text copy of each section's body (Section.body_text) for search snippets, filled
in here for existing sections, and on SQLite a full-text index of sections
(conditions_section_fts, FTS5 with external content: snippet() reads conditions_section) kept in
step by triggers. A later migration that remakes conditions_section on SQLite drops these
triggers: re-create them after it (tests/conditions/test_search_snippets.py fails if they are
missing). PostgreSQL needs no index: ts_headline runs only on the few result articles' sections.
"""

import sqlite3

from django.db import migrations, models

_ADD = """
    INSERT INTO conditions_section_fts(rowid, heading, body_text)
    VALUES (new.id, new.heading, new.body_text);
"""
# An external-content FTS5 table forgets a row when given the values it indexed.
_REMOVE = """
    INSERT INTO conditions_section_fts(conditions_section_fts, rowid, heading, body_text)
    VALUES ('delete', old.id, old.heading, old.body_text);
"""
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE conditions_section_fts USING fts5(
        heading, body_text, content='conditions_section', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    "CREATE TRIGGER conditions_section_fts_insert AFTER INSERT ON conditions_section "
    "BEGIN" + _ADD + "END",
    "CREATE TRIGGER conditions_section_fts_delete AFTER DELETE ON conditions_section "
    "BEGIN" + _REMOVE + "END",
    "CREATE TRIGGER conditions_section_fts_update "
    "AFTER UPDATE OF heading, body_text ON conditions_section "
    "BEGIN" + _REMOVE + _ADD + "END",
    "INSERT INTO conditions_section_fts(conditions_section_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS conditions_section_fts_insert",
    "DROP TRIGGER IF EXISTS conditions_section_fts_delete",
    "DROP TRIGGER IF EXISTS conditions_section_fts_update",
    "DROP TABLE IF EXISTS conditions_section_fts",
]


def _sqlite_fts(schema_editor) -> bool:
    # The same test as 0006 and 0009 (their indexes need FTS5's trigram tokenizer).
    return schema_editor.connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34)


def fill_body_text(apps, schema_editor):
    from conditions.content import snippet_text

    Section = apps.get_model("conditions", "Section")
    for section in Section.objects.only("pk", "body").iterator():
        Section.objects.filter(pk=section.pk).update(body_text=snippet_text(section.body))


def section_index(apps, schema_editor):
    if _sqlite_fts(schema_editor):
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def drop_section_index(apps, schema_editor):
    if _sqlite_fts(schema_editor):
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0019_importer"),
    ]

    operations = [
        migrations.AddField(
            model_name="conditionimage",
            name="credit",
            field=models.CharField(
                blank=True,
                help_text="Who made the picture and on what terms (e.g. “Drawn for this clinic” or “Photo: DermNet, CC BY-NC-ND 3.0 NZ”). Only use pictures you may use.",
                max_length=250,
                verbose_name="source and licence",
            ),
        ),
        migrations.AddField(
            model_name="historicalconditionimage",
            name="credit",
            field=models.CharField(
                blank=True,
                help_text="Who made the picture and on what terms (e.g. “Drawn for this clinic” or “Photo: DermNet, CC BY-NC-ND 3.0 NZ”). Only use pictures you may use.",
                max_length=250,
                verbose_name="source and licence",
            ),
        ),
        migrations.AddField(
            model_name="historicalsection",
            name="body_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="historicalsection",
            name="part_title",
            field=models.CharField(
                blank=True,
                help_text="Long articles are shown in parts of a few minutes' reading, each on its own page. Give a title here to start a new part with this section (e.g. “Treatment”). If no section of the article has one, sections are grouped by length.",
                max_length=120,
                verbose_name="starts a part called",
            ),
        ),
        migrations.AddField(
            model_name="section",
            name="body_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="section",
            name="part_title",
            field=models.CharField(
                blank=True,
                help_text="Long articles are shown in parts of a few minutes' reading, each on its own page. Give a title here to start a new part with this section (e.g. “Treatment”). If no section of the article has one, sections are grouped by length.",
                max_length=120,
                verbose_name="starts a part called",
            ),
        ),
        migrations.AlterField(
            model_name="condition",
            name="also_known_as",
            field=models.TextField(
                blank=True,
                help_text="The words patients use, one per line (e.g. milk spots), most common first: the first three show on the page as “Also called”, the rest help search only.",
                verbose_name="also known as",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcondition",
            name="also_known_as",
            field=models.TextField(
                blank=True,
                help_text="The words patients use, one per line (e.g. milk spots), most common first: the first three show on the page as “Also called”, the rest help search only.",
                verbose_name="also known as",
            ),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop),
        migrations.RunPython(section_index, drop_section_index),
    ]
