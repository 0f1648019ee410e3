"""make_synthetic_content: published, clearly synthetic, complete, deterministic, refused in production."""

import pytest
from django.core.management import CommandError, call_command

from conditions import content
from conditions.models import ComparisonRow, Condition, Status, TreatmentComparison


def _make(n, seed=1, **options):
    call_command(
        "make_synthetic_content", conditions=n, seed=seed, force=True, verbosity=0, **options
    )


@pytest.mark.django_db
def test_it_makes_n_published_conditions_that_pass_every_publishing_rule():
    _make(12)
    assert Condition.objects.published().count() == 12  # the live copies patients see
    conditions = Condition.objects.all()  # their working copies
    assert conditions.count() == 12
    for condition in conditions:
        assert condition.is_published
        assert condition.publish_problems() == []
        live = condition.live
        assert live.sections.count() == condition.sections.count()
        assert live.faqs.count() == condition.faqs.count()
        assert live.references.count() == 3 and live.codes.count() == 2
        assert live.search_text == condition.search_text
        assert set(live.related.values_list("is_live", flat=True)) == {True}
        assert 6 <= condition.sections.count() <= 10
        assert condition.faqs.count() >= 3
        assert condition.references.count() == 3
        assert condition.codes.count() == 2
        assert condition.synonyms
        assert all(s.body_html.startswith("<p>") for s in condition.sections.all())
        comparison = condition.comparison
        assert comparison.status == Status.PUBLISHED and comparison.is_published
        assert comparison.publish_problems() == []
        assert comparison.rows.count() == 8
        assert comparison.rows.filter(treatment__is_no_treatment=True).count() == 1
        assert all(row.references.count() == 1 for row in comparison.rows.all())
        live_comparison = comparison.live
        assert live_comparison.condition == live
        assert live_comparison.rows.count() == 8
        for row in live_comparison.rows.all():
            assert [r.condition_id for r in row.references.all()] == [live.pk]


@pytest.mark.django_db
def test_every_synthetic_condition_says_it_is_made_up():
    _make(5)
    for condition in Condition.objects.all():
        assert "(synthetic " in condition.name
        assert "made-up condition" in condition.summary
        assert "not real medical advice" in condition.summary
        assert condition.reviewer.get_username() == "synthetic-reviewer"
        assert not condition.reviewer.is_active
        assert all("Synthetic" in r.publisher for r in condition.references.all())


@pytest.mark.django_db
def test_search_text_and_reading_grades_match_what_saving_would_compute():
    _make(15)
    for condition in Condition.objects.all():
        stored = (condition.search_text, condition.reading_grade, condition.smog_grade)
        grades = content.reading_grades(condition.patient_text())
        condition.refresh_derived(save=False)
        assert stored == (condition.search_text, grades.flesch_kincaid, grades.smog)
        assert stored[1] is not None
        for section in condition.sections.all():  # search snippets' text, as save() makes it
            assert section.body_text == content.snippet_text(section.body) != ""


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_content():
    _make(4, seed=7)
    first = list(Condition.objects.values_list("name", "summary", "search_text"))
    ComparisonRow.objects.all().delete()
    TreatmentComparison.all_copies.all().delete()
    Condition.all_copies.all().delete()
    _make(4, seed=7)
    assert list(Condition.objects.values_list("name", "summary", "search_text")) == first


@pytest.mark.django_db(transaction=True)
def test_batches_written_by_forked_jobs_are_the_same_content_as_one_at_a_time():
    # On PostgreSQL two forked processes write the four batches (committed: outside a test
    # transaction, where they could see the rows); on SQLite, one writer, one at a time.
    _make(8, seed=3, batch_size=2, jobs=1)
    one = sorted(Condition.objects.values_list("slug", "name", "summary", "search_text"))
    ComparisonRow.objects.all().delete()
    TreatmentComparison.all_copies.all().delete()
    Condition.all_copies.all().delete()
    _make(8, seed=3, batch_size=2, jobs=2)
    assert sorted(Condition.objects.values_list("slug", "name", "summary", "search_text")) == one
    assert Condition.objects.published().count() == 8
    assert TreatmentComparison.objects.published().count() == 8


@pytest.mark.django_db
def test_running_it_again_adds_more_without_clashing_names():
    _make(3)
    _make(3)
    assert Condition.objects.count() == 6
    assert Condition.objects.values("name").distinct().count() == 6


@pytest.mark.django_db
def test_names_start_with_many_letters_so_the_a_to_z_page_is_realistic():
    _make(60)
    letters = {name[0] for name in Condition.objects.values_list("name", flat=True)}
    assert len(letters) >= 8


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        call_command("make_synthetic_content", conditions=1, verbosity=0)
    assert Condition.objects.count() == 0


@pytest.mark.django_db
def test_it_makes_the_cached_pages_stale():
    from conditions import caching

    before = caching.generation()
    _make(1)
    assert caching.generation() != before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_proxy_bench_counts_the_synthetic_conditions_a_database_holds():
    # bench/run.py copies the bench's database into the proxy stage's stack only when it holds
    # exactly N synthetic conditions (each a working copy and a live copy: N, not 2N).
    from django.db import connection

    from bench import run

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    assert run.synthetic_count(url) == 0
    _make(3)
    assert Condition.all_copies.filter(slug__contains="-synthetic-").count() == 6
    assert run.synthetic_count(url) == 3
    assert run.synthetic_count(url.rsplit("/", 1)[0] + "/no_such_database") is None
