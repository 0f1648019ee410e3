"""BENCHMARK DATA ONLY. THIS COMMAND BYPASSES THE MODEL RULES: no clean(), no publish rules, no
safety check, no clinical review. Never use it to put real content on a site; use the admin or
`manage.py load_demo_content`, which go through the rules.

It makes N published, clearly synthetic condition articles for the benchmark (bench/run.py) and
scale tests. Every name ends in "(synthetic NNNNN)", every summary says the condition is made up,
and the words come from a generated vocabulary, so nothing here can pass for clinical content.
It refuses to run in production (DEBUG off) without --force.

Fast by design: rows are built in Python and written with bulk_create in batches, which skips
each model's save() and full_clean(). Markdown is rendered once per body in a small pool, and
reading grades are added up from per-body counts with textstat's own formulas (the same numbers
conditions.content.reading_grades gives for the whole text; a test checks this), so nothing is
recomputed per object. On PostgreSQL, whose server does most of the work (text search
vectors, indexes), batches are written by one forked process per CPU (--jobs).

Like every published item, each condition and comparison is a working copy plus its live copy
(what patients see). The live copies are made with the workflow's own copying
(`_copy_to_live`), bypassing the approval rules: this is a bench tool, not an approval.
"""

from __future__ import annotations

import datetime
import multiprocessing
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction
from django.utils import timezone

from conditions import content
from conditions.models import (
    FAQ,
    CareAdvice,
    CareSetting,
    ClinicalCode,
    ComparisonRow,
    Condition,
    CostBand,
    EvidenceLevel,
    Recommendation,
    Reference,
    Section,
    Status,
    Suitability,
    Treatment,
    TreatmentComparison,
)
from conditions.models.review import Reviewable

SYNTHETIC_MARK = "synthetic"
REVIEWER_USERNAME = "synthetic-reviewer"

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "pl"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
CODAS = ["", "", "n", "r", "l", "s", "x", "m"]
SUFFIXES = ["osis", "itis", "ema", "oma", "ia", "ula", "ase"]
PLAIN_WORDS = ["spots", "bumps", "patches", "rash", "marks", "blisters", "lumps", "flakes"]
PLACES = ["face", "arms", "legs", "hands", "feet", "back", "scalp", "neck", "chest"]
COLOURS = ["white", "red", "brown", "pale", "pink", "yellow", "dark"]

HEADINGS = [
    "What it is",
    "What it looks like",
    "Who gets it",
    "What causes it",
    "How it is diagnosed",
    "Looking after yourself",
    "Treatments",
    "When to get help",
    "Outlook",
    "Living with it",
    "Babies and children",
    "Common worries",
]
SENTENCES = [
    "This made-up condition exists only to test this website.",
    "It shows up as small {colour} {plain} on the {place}.",
    "Most people notice it after a few days.",
    "It does not spread from person to person.",
    "It often gets better on its own in a few weeks.",
    "Keep the skin clean and dry, and use a plain moisturiser.",
    "Do not pick or squeeze the {plain}, as this can leave a mark.",
    "A pharmacist can help you choose a gentle cream.",
    "See a GP if the {plain} spread, hurt or bleed.",
    "It can look like other skin problems, so ask if you are not sure.",
    "Children can get it too, and it is usually mild in children.",
    "There is no need to change what you eat.",
    "Sun cream helps protect the skin while it heals.",
    "A doctor can usually tell what it is by looking at it.",
    "Some people get it again after it has gone.",
    "It is not caused by poor hygiene.",
]
BULLETS = [
    "wash with warm water",
    "pat the skin dry",
    "avoid heavy creams",
    "wear loose clothes",
    "use a mild soap",
    "keep nails short",
    "drink enough water",
    "rest when you can",
]
FAQ_QUESTIONS = [
    ("Is it catching?", "fact"),
    ("Will it leave a scar?", "partly"),
    ("Is it caused by dirt?", "myth"),
    ("Can I wear make-up?", ""),
    ("Does diet make it worse?", "myth"),
    ("Will it come back?", "partly"),
    ("Can babies get it?", "fact"),
    ("Should I squeeze the {plain}?", "myth"),
]
TREATMENTS = [
    ("Wait and see", CareSetting.HOME, "You", True),
    ("Plain moisturiser", CareSetting.HOME, "You", False),
    ("Gentle exfoliation", CareSetting.HOME, "You", False),
    ("Pharmacy cream", CareSetting.PHARMACY, "A pharmacist", False),
    ("Retinoid cream", CareSetting.GP, "A GP", False),
    ("Freezing", CareSetting.GP, "A GP or nurse", False),
    ("Sterile needle removal", CareSetting.DERMATOLOGIST, "A dermatologist", False),
    ("Laser", CareSetting.DERMATOLOGIST, "A dermatologist", False),
    ("Chemical peel", CareSetting.AESTHETIC, "A skin specialist", False),
    ("Squeezing at home", CareSetting.HOME, "You", False),
    ("Antibiotic tablets", CareSetting.GP, "A GP", False),
    ("Light therapy", CareSetting.DERMATOLOGIST, "A dermatologist", False),
]
ROWS_PER_COMPARISON = 8
ROW_FIELDS = [
    "comparison",
    "treatment",
    "order",
    "involves",
    "effectiveness",
    "evidence",
    "pain",
    "downtime",
    "risks",
    "cost",
    "near_eyes",
    "children",
    "recommendation",
    "reason",
    "babies",
]
SELF_CARE_SIGNS = "- the spots are small\n- they do not hurt"
ROUTINE_SIGNS = "- they spread or bleed\n- you are worried"


@dataclass
class TextStats:
    """The additive counts textstat's Flesch-Kincaid and SMOG formulas are built from."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    polysyllables: int = 0

    @classmethod
    def of(cls, text: str) -> TextStats:
        import re

        import textstat

        # textstat.sentence_count clamps to >= 1; count raw sentences so the sums add up.
        found = re.findall(r"\b[^.!?]+[.!?]*", text, re.UNICODE)
        sentences = sum(1 for s in found if textstat.lexicon_count(s) > 2)
        return cls(
            words=textstat.lexicon_count(text),
            sentences=sentences,
            syllables=textstat.syllable_count(text),
            polysyllables=textstat.polysyllabcount(text),
        )

    def __add__(self, other: TextStats) -> TextStats:
        return TextStats(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
            self.polysyllables + other.polysyllables,
        )

    def grades(self) -> tuple[float | None, float | None]:
        """(Flesch-Kincaid, SMOG) exactly as conditions.content.reading_grades computes them."""
        if not self.words:
            return None, None
        from textstat.textstat import textstat as stats

        r = stats._legacy_round  # textstat rounds its intermediate averages too
        sentences = max(1, self.sentences)
        asl = r(self.words / sentences, 1)
        spw = r(self.syllables / self.words, 1)
        fk = r(0.39 * asl + 11.8 * spw - 15.59, 1)
        smog = None
        if sentences >= content.SMOG_MIN_SENTENCES:
            smog = r(1.043 * (30 * (self.polysyllables / sentences)) ** 0.5 + 3.1291, 1)
        return fk, smog


@dataclass
class Body:
    """A pooled piece of Markdown with its rendered HTML, plain text and text counts."""

    markdown: str
    html: str
    text: str
    stats: TextStats
    snippet_text: str = ""  # Section.body_text: for search snippets


def _body(markdown_source: str, lead: str) -> Body:
    text = content.markdown_to_text(markdown_source)
    return Body(
        markdown_source,
        content.render_markdown(markdown_source),
        text,
        TextStats.of(f"{lead}\n\n{text}"),
        content.snippet_text(markdown_source),
    )


class Generator:
    """Deterministic source of names and text for one seed."""

    def __init__(self, seed: int, pool_size: int = 10):
        self.rng = random.Random(seed)
        self.section_pool = {
            heading: [_body(self._section_markdown(), heading) for _ in range(pool_size)]
            for heading in HEADINGS
        }
        self.faq_pool = []
        for question, verdict in FAQ_QUESTIONS:
            for _ in range(max(2, pool_size // 4)):
                q = self._fill(question)
                self.faq_pool.append((q, verdict, _body(self._paragraph(2, 3), q)))

    def _fill(self, sentence: str) -> str:
        return sentence.format(
            colour=self.rng.choice(COLOURS),
            plain=self.rng.choice(PLAIN_WORDS),
            place=self.rng.choice(PLACES),
        )

    def _paragraph(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self._fill(s) for s in self.rng.sample(SENTENCES, count))

    def _section_markdown(self) -> str:
        parts = [self._paragraph(2, 4)]
        if self.rng.random() < 0.4:
            parts.append("\n".join(f"- {b.capitalize()}." for b in self.rng.sample(BULLETS, 3)))
        parts.append(self._paragraph(2, 3))
        return "\n\n".join(parts)

    def word(self, syllables: int) -> str:
        return "".join(
            self.rng.choice(ONSETS) + self.rng.choice(VOWELS) + self.rng.choice(CODAS)
            for _ in range(syllables)
        )

    def name(self, number: int) -> tuple[str, str]:
        stem = self.word(self.rng.randint(1, 2))
        name = f"{stem.capitalize()}{self.rng.choice(SUFFIXES)} {self.word(2)}"
        name = f"{name} ({SYNTHETIC_MARK} {number:05d})"
        slug = f"{stem}-{SYNTHETIC_MARK}-{number:05d}"
        return name, slug

    def synonyms(self) -> list[str]:
        return [
            f"{self.rng.choice(COLOURS)} {self.rng.choice(PLAIN_WORDS)} on the {self.rng.choice(PLACES)}",
            f"{self.word(2)} {self.rng.choice(PLAIN_WORDS)}",
        ]

    def summary(self, name: str) -> str:
        return (
            f"{name} is a made-up condition for testing this website; it is not real medical "
            f"advice. {self._fill(SENTENCES[1])} {self._fill(self.rng.choice(SENTENCES[2:]))}"
        )


RAW_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "URLField",
    "PositiveIntegerField",
    "IntegerField",
    "BigAutoField",
    "ForeignKey",
    "BooleanField",
}


def synthetic_snomed_id(number: int) -> str:
    """A well-formed SNOMED CT extension id (item, namespace 9999999, partition 10, Verhoeff
    check digit) for made-up content: it passes the shape checks, and its "synthetic" version
    marks it as no real concept."""
    from conditions.codes import verhoeff_digit

    stem = f"{number}999999910"
    return stem + verhoeff_digit(stem)


def _insert(model, field_names: list[str], rows: list[tuple], chunk: int = 2000) -> None:
    """INSERT rows of plain values into model's table with executemany.

    The same statement bulk_create issues, without compiling SQL per value: for the leaf rows
    whose ids nobody needs back. Values go through the field's own database preparation
    unless they are plain strings, numbers or ids.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in field_names]
    prepare = [
        None
        if f.get_internal_type() in RAW_TYPES
        else (lambda value, f=f: f.get_db_prep_save(value, connection))
        for f in fields
    ]
    if any(prepare):
        rows = [tuple(p(v) if p else v for p, v in zip(prepare, row, strict=True)) for row in rows]
    quote = connection.ops.quote_name
    # Table and column names come from the model's _meta, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[start : start + chunk])


def _set_live(model, items: list) -> None:
    """Point each working copy at its live copy (item.live, just created): one plain UPDATE
    a row with executemany, where bulk_update built a CASE of 500 branches in the ORM each
    batch (3,000 articles on SQLite: 8.7 s with bulk_update, 7.8 s with this)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    # Table and column names come from the model's _meta, quoted; the ids are parameters.
    sql = "UPDATE {} SET {} = %s WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        quote(model._meta.get_field("live").column),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(item.live_id, item.pk) for item in items])


def _copy_parts(model, parent: str, item_model, item_ids: list[int]) -> None:
    """Copy the rows of `model` belonging to working copies `item_ids` to their live copies
    (one INSERT ... SELECT): the same content, `parent` pointing at the live item, `source` at
    the working row. A comparison row's treatment becomes the live comparison's own copy."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    parent_column = model._meta.get_field(parent).column
    columns = [
        f.column
        for f in Reviewable._content_fields(model)
        if f.column not in (parent_column, "treatment_id")
    ]
    select = [f"r.{quote(c)}" for c in columns]
    joins = ""
    if model is ComparisonRow:
        columns.append("treatment_id")
        select.append("t.id")
        joins = (
            f" JOIN {quote(Treatment._meta.db_table)} t"
            " ON t.source_id = r.treatment_id AND t.live_for_id = i.live_id"
        )
    placeholders = ", ".join(["%s"] * len(item_ids))
    # Table and column names come from the models' _meta, quoted; the ids are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(c) for c in [*columns, parent_column, 'source_id'])}) "
        f"SELECT {', '.join(select)}, i.live_id, r.id FROM {quote(model._meta.db_table)} r "
        f"JOIN {quote(item_model._meta.db_table)} i ON i.id = r.{quote(parent_column)}{joins} "
        f"WHERE r.{quote(parent_column)} IN ({placeholders}) ORDER BY r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, item_ids)


def _copy_row_references(comparison_ids: list[int]) -> None:
    """The live comparison rows cite the live copies of their working rows' references."""
    through = ComparisonRow.references.through
    connection = connections[router.db_for_write(through)]
    quote = connection.ops.quote_name
    rows, refs = quote(ComparisonRow._meta.db_table), quote(Reference._meta.db_table)
    placeholders = ", ".join(["%s"] * len(comparison_ids))
    sql = (
        f"INSERT INTO {quote(through._meta.db_table)} (comparisonrow_id, reference_id) "  # noqa: S608
        f"SELECT live_row.id, live_ref.id FROM {quote(through._meta.db_table)} w "
        f"JOIN {rows} wr ON wr.id = w.comparisonrow_id "
        f"JOIN {rows} live_row ON live_row.source_id = w.comparisonrow_id "
        f"JOIN {refs} live_ref ON live_ref.source_id = w.reference_id "
        f"WHERE wr.comparison_id IN ({placeholders}) ORDER BY live_row.id, live_ref.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, comparison_ids)


# (command, generator, reviewer, treatments) of the running command, for _make_batch_job in
# the processes it forks.
_FORKED = None


def _make_batch_job(batch: tuple[int, int, int]) -> int:
    """Make one batch (seed, first number, count) in its own transaction; return its count.
    The words come from the seed and the batch's first number, so the content is the same
    however many jobs write it, in whatever order."""
    command, generator, reviewer, treatments = _FORKED
    seed, first, count = batch
    generator.rng.seed(f"{seed}-{first}")
    connection = connections[router.db_for_write(Condition)]
    if connection.vendor == "postgresql":
        # The copies to the live rows (INSERT ... SELECT over a batch) cost enough for
        # PostgreSQL to compile them with JIT, every batch anew: 10,000 articles took 43.0 s
        # with it, 37.2 without. This session only; the site's own settings are untouched.
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    with transaction.atomic():
        command._make_batch(generator, first, count, reviewer, treatments)
    if multiprocessing.parent_process() is not None:
        connections.close_all()  # a forked job: no session left open when the pool ends
    return count


class Command(BaseCommand):
    help = (
        "BENCHMARK DATA ONLY, BYPASSES THE MODEL RULES (no validation, publish rules or review): "
        "make N published, clearly synthetic conditions for benchmarks and scale tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conditions", type=int, required=True, help="How many to make.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same content.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="Batches written at once by forked processes (default: one per CPU on "
            "PostgreSQL, where the server's work is most of the time; one on SQLite, which "
            "has one writer).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a live clinic database).",
        )

    def handle(
        self, *args, conditions: int, seed: int, batch_size: int, force: bool, jobs: int, **options
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to add synthetic content with DEBUG off: this looks like production. "
                "Use --force only on a benchmark or test database."
            )
        if conditions < 1:
            raise CommandError("--conditions must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        generator = Generator(seed)
        self.self_care_html = content.render_markdown(SELF_CARE_SIGNS)
        self.routine_html = content.render_markdown(ROUTINE_SIGNS)
        reviewer = self._reviewer()
        treatments = self._treatments()
        first = Condition.objects.filter(slug__contains=f"-{SYNTHETIC_MARK}-").count() + 1
        batches = [
            (seed, first + made, min(batch_size, conditions - made))
            for made in range(0, conditions, batch_size)
        ]
        connection = connections[router.db_for_write(Condition)]
        if jobs < 1:
            jobs = (multiprocessing.cpu_count() or 1) if connection.vendor == "postgresql" else 1
        # Inside a transaction (a test's) other processes would not see its rows.
        if connection.in_atomic_block or connection.vendor != "postgresql":
            jobs = 1
        global _FORKED  # noqa: PLW0603 - what forked jobs inherit
        _FORKED = (self, generator, reviewer, treatments)
        made = 0
        if jobs > 1 and len(batches) > 1:
            connections.close_all()  # each forked job opens its own connection
            context = multiprocessing.get_context("fork")
            pool = context.Pool(min(jobs, len(batches)))
            try:
                for count in pool.imap_unordered(_make_batch_job, batches):
                    made += count
                    self._progress(made, conditions, options)
                pool.close()  # the jobs have closed their connections: let them end
            finally:
                pool.terminate()
                pool.join()
        else:
            for batch in batches:
                made += _make_batch_job(batch)
                self._progress(made, conditions, options)

        self._refresh_planner_statistics()

        from conditions import caching

        caching.bump_generation()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {conditions} synthetic conditions in {elapsed:.1f} s "
                f"(numbers {first:05d}-{first + conditions - 1:05d}, seed {seed})."
            )
        )

    def _progress(self, made: int, conditions: int, options: dict) -> None:
        if options.get("verbosity", 1) > 1:
            self.stdout.write(f"  {made}/{conditions}")

    @staticmethod
    def _refresh_planner_statistics() -> None:
        """After a bulk load, tell PostgreSQL what the tables now hold.

        Without it the planner still believes the tables are nearly empty and (for search)
        re-parses every article instead of using the GIN indexes, whose freshly inserted
        entries also wait in a pending list until VACUUM merges them. Autovacuum would get
        there eventually; a benchmark that starts at once would measure the bad plan.
        """
        connection = connections[router.db_for_write(Condition)]
        if connection.vendor != "postgresql":
            return
        # VACUUM cannot run inside a transaction (e.g. a test's); ANALYZE alone still helps.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        tables = [Condition, Section, FAQ, Reference, ClinicalCode, CareAdvice]
        tables += [TreatmentComparison, ComparisonRow, Condition.related.through]
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")

    # -- shared rows ----------------------------------------------------------------------
    def _reviewer(self):
        user, created = get_user_model().objects.get_or_create(
            username=REVIEWER_USERNAME,
            defaults={
                "first_name": "Synthetic",
                "last_name": "Reviewer (not a person)",
                "is_active": False,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _treatments(self) -> list[Treatment]:
        made = []
        for name, setting, who, is_none in TREATMENTS:
            treatment, _ = Treatment.objects.get_or_create(
                slug=f"{SYNTHETIC_MARK}-{name.lower().replace(' ', '-')}",
                defaults={
                    "name": f"{name} ({SYNTHETIC_MARK})",
                    "description": f"A made-up treatment option for testing: {name.lower()}.",
                    "setting": setting,
                    "who_does_it": who,
                    "is_no_treatment": is_none,
                },
            )
            made.append(treatment)
        return made

    # -- one batch ------------------------------------------------------------------------
    def _make_batch(self, gen: Generator, first: int, count: int, reviewer, treatments):
        rng = gen.rng
        today = timezone.localdate()
        now = timezone.now()
        conditions, plans = [], []
        for number in range(first, first + count):
            name, slug = gen.name(number)
            synonyms = gen.synonyms()
            summary = gen.summary(name)
            headings = rng.sample(HEADINGS, rng.randint(6, 10))
            sections = [(h, rng.choice(gen.section_pool[h])) for h in headings]
            faqs = rng.sample(gen.faq_pool, rng.randint(3, 5))
            text_parts = [summary]
            stats = TextStats.of(summary)
            for heading, body in sections:
                text_parts += [heading, body.text]
                stats = stats + body.stats
            for question, _verdict, body in faqs:
                text_parts += [question, body.text]
                stats = stats + body.stats
            patient_text = "\n\n".join(p for p in text_parts if p)
            fk, smog = stats.grades()
            last_reviewed = today - datetime.timedelta(days=rng.randint(1, 300))
            conditions.append(
                Condition(
                    name=name,
                    slug=slug,
                    also_known_as="\n".join(synonyms),
                    summary=summary,
                    status=Status.PUBLISHED,
                    reviewer=reviewer,
                    author=reviewer,
                    last_reviewed=last_reviewed,
                    next_review_due=last_reviewed + datetime.timedelta(days=365),
                    published_at=now,
                    search_text="\n".join([name, *synonyms, patient_text]),
                    reading_grade=fk,
                    smog_grade=smog,
                )
            )
            plans.append((sections, faqs))
        Condition.objects.bulk_create(conditions, batch_size=500)
        self._require_ids(conditions, Condition)

        sections, faqs, references, codes, advice, comparisons = [], [], [], [], [], []
        for condition, (section_plan, faq_plan) in zip(conditions, plans, strict=True):
            cid = condition.pk
            for order, (heading, body) in enumerate(section_plan):
                sections.append(
                    (
                        cid,
                        order,
                        heading,
                        heading.lower().replace(" ", "-"),
                        "",  # part_title: synthetic articles are grouped by length
                        [],  # previous_anchors: never renamed
                        body.markdown,
                        body.html,
                        body.snippet_text,
                    )
                )
            for order, (question, verdict, body) in enumerate(faq_plan):
                faqs.append((cid, order, question, verdict, body.markdown, body.html))
            number = condition.slug.rsplit("-", 1)[1]
            for order in range(3):
                references.append(
                    (
                        cid,
                        order,
                        f"Synthetic source {order + 1} for {condition.name}",
                        "Synthetic test publisher (not a real source)",
                        f"https://example.org/{SYNTHETIC_MARK}/{number}/{order + 1}",
                        condition.last_reviewed,
                    )
                )
            codes += [
                (
                    cid,
                    ClinicalCode.System.ICD10.value,
                    SYNTHETIC_MARK,
                    # Well formed, in U50-U81, a range WHO's ICD-10 leaves unused.
                    f"U{50 + int(number) % 30}.{int(number) % 10}",
                    f"Synthetic code for {condition.name}",
                ),
                (
                    cid,
                    ClinicalCode.System.SNOMED.value,
                    SYNTHETIC_MARK,
                    synthetic_snomed_id(int(number)),
                    f"Synthetic concept for {condition.name}",
                ),
            ]
            advice += [
                (cid, CareAdvice.Level.SELF_CARE.value, SELF_CARE_SIGNS, self.self_care_html, ""),
                (
                    cid,
                    CareAdvice.Level.ROUTINE.value,
                    ROUTINE_SIGNS,
                    self.routine_html,
                    "Book an appointment with your GP.",
                ),
            ]
            comparisons.append(
                TreatmentComparison(
                    condition=condition,
                    intro="A made-up comparison for testing. Every option, side by side.",
                    status=Status.PUBLISHED,
                    reviewer=reviewer,
                    author=reviewer,
                    last_reviewed=condition.last_reviewed,
                    next_review_due=condition.next_review_due,
                    published_at=now,
                )
            )
        section_fields = [
            *("condition", "order", "heading", "slug", "part_title", "previous_anchors"),
            *("body", "body_html", "body_text"),
        ]
        _insert(Section, section_fields, sections)
        _insert(FAQ, ["condition", "order", "question", "verdict", "answer", "answer_html"], faqs)
        _insert(
            Reference, ["condition", "order", "title", "publisher", "url", "checked_on"], references
        )
        _insert(ClinicalCode, ["condition", "system", "version", "code", "display"], codes)
        _insert(CareAdvice, ["condition", "level", "signs", "signs_html", "action"], advice)
        TreatmentComparison.objects.bulk_create(comparisons, batch_size=500)
        self._require_ids(comparisons, TreatmentComparison)

        condition_ids = [c.pk for c in conditions]
        reference_ids: dict[int, list[int]] = {}
        for pk, cid in (
            Reference.objects.filter(condition_id__in=condition_ids)
            .order_by("condition_id", "order")
            .values_list("pk", "condition_id")
        ):
            reference_ids.setdefault(cid, []).append(pk)

        rows, row_refs = [], {}
        no_treatment = [t for t in treatments if t.is_no_treatment]
        others = [t for t in treatments if not t.is_no_treatment]
        for comparison in comparisons:
            refs = reference_ids[comparison.condition_id]
            chosen = no_treatment + rng.sample(others, ROWS_PER_COMPARISON - 1)
            for order, treatment in enumerate(chosen):
                rows.append(self._row(rng, comparison.pk, treatment, order))
                row_refs[(comparison.pk, treatment.pk)] = rng.choice(refs)
        _insert(ComparisonRow, ROW_FIELDS, rows)
        row_ids = ComparisonRow.objects.filter(
            comparison_id__in=[c.pk for c in comparisons]
        ).values_list("pk", "comparison_id", "treatment_id")
        through = ComparisonRow.references.through
        _insert(
            through,
            ["comparisonrow", "reference"],
            [(pk, row_refs[(comp, treat)]) for pk, comp, treat in row_ids],
        )
        # The live copies patients see: what the workflow's own copying (`_copy_to_live`)
        # makes, written in bulk (one object at a time it took seconds per 100 articles).
        self._publish(conditions, comparisons)
        live_ids = [c.live_id for c in conditions]
        links = []
        for ids in (condition_ids, live_ids):
            for a, b in zip(ids, ids[1:], strict=False):
                links += [(a, b), (b, a)]
        _insert(Condition.related.through, ["from_condition", "to_condition"], links)

    def _publish(self, conditions: list, comparisons: list) -> None:
        """Live copies of a batch's articles and comparisons, with every part, as
        Reviewable._copy_to_live makes them: the same content fields, parts pointing back at
        their working rows (`source`), links to the live counterparts (live articles,
        references and one frozen copy of each treatment per live comparison). No history
        rows: the working copies were bulk-created without them too."""
        lives = [self._live_copy(item) for item in conditions]
        Condition.all_copies.bulk_create(lives, batch_size=500)
        self._require_ids(lives, Condition)
        for item, live in zip(conditions, lives, strict=True):
            item.live = live
        _set_live(Condition, conditions)
        condition_ids = [c.pk for c in conditions]
        for part in Condition.review_parts():
            _copy_parts(part.model, part.parent, Condition, condition_ids)

        live_comparisons = []
        for item, condition in zip(comparisons, conditions, strict=True):
            live = self._live_copy(item)
            live.condition = condition.live
            live_comparisons.append(live)
        TreatmentComparison.all_copies.bulk_create(live_comparisons, batch_size=500)
        self._require_ids(live_comparisons, TreatmentComparison)
        for item, live in zip(comparisons, live_comparisons, strict=True):
            item.live = live
        _set_live(TreatmentComparison, comparisons)
        comparison_ids = [c.pk for c in comparisons]
        used = ComparisonRow.objects.filter(comparison_id__in=comparison_ids)
        by_id = {t.pk: t for t in Treatment.all_copies.filter(pk__in=used.values("treatment"))}
        live_of = {c.pk: c.live_id for c in comparisons}
        copies = [
            Treatment(
                is_live=True,
                live_for_id=live_of[comparison_id],
                source=by_id[treatment_id],
                **{name: getattr(by_id[treatment_id], name) for name in Treatment.COPIED_FIELDS},
            )
            for comparison_id, treatment_id in used.values_list("comparison_id", "treatment_id")
            .order_by("comparison_id", "treatment_id")
            .distinct()
        ]
        Treatment.all_copies.bulk_create(copies, batch_size=1000)
        _copy_parts(ComparisonRow, "comparison", TreatmentComparison, comparison_ids)
        _copy_row_references(comparison_ids)

    @staticmethod
    def _live_copy(item):
        model = type(item)
        live = model(is_live=True)
        for field in item._content_fields(model, skip={"is_live", "live", "version"}):
            setattr(live, field.attname, getattr(item, field.attname))
        live.status = Status.PUBLISHED
        return live

    @staticmethod
    def _row(rng, comparison_id, treatment, order) -> tuple:
        if treatment.is_no_treatment:
            return (
                comparison_id,
                treatment.pk,
                order,
                "Nothing. You leave the skin alone and watch it.",
                "Often clears by itself in a few weeks or months.",
                EvidenceLevel.CONSENSUS.value,
                "None",
                "None",
                "None, but it can take a while.",
                CostBand.FREE.value,
                Suitability.YES.value,
                Suitability.YES.value,
                Recommendation.RECOMMENDED.value,
                "Safe and free; a good first choice for a made-up mild condition.",
                Suitability.YES.value,  # babies
            )
        harmful = "squeezing" in treatment.name.lower()
        evidence = rng.choice(["trials", "consensus", "case_reports"])
        return (
            comparison_id,
            treatment.pk,
            order,
            f"{treatment.who_does_it} does this. It takes a short time.",
            rng.choice(["Works for many people.", "Works for some people.", "Not known."]),
            EvidenceLevel.HARM.value if harmful else evidence,
            rng.choice(["None", "Mild", "Some stinging"]),
            rng.choice(["None", "A day or two", "Up to a week"]),
            rng.choice(["Redness for a day.", "Dry skin.", "A small chance of a mark."]),
            rng.choice(["low", "medium", "high"]),
            rng.choice(["yes", "care", "no"]),
            rng.choice(["yes", "care", "no"]),
            Recommendation.NOT_RECOMMENDED.value
            if harmful
            else rng.choice(["option", "recommended"]),
            "It can scar and infect the skin." if harmful else "A fair option to try.",
            Suitability.NO.value,  # babies: only waiting suits them in made-up content too
        )

    @staticmethod
    def _require_ids(objects, model):
        """bulk_create fills primary keys on PostgreSQL and SQLite 3.35+; anything else is refused."""
        if objects and objects[0].pk is None:
            raise CommandError(
                f"This database did not return ids from a bulk insert of {model.__name__}; "
                "use PostgreSQL or SQLite 3.35 or later."
            )
