"""The demo content and its loader: `manage.py load_demo_content`."""

import io
import re
import sys
import types

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models as dj_models
from django.db import transaction
from django.utils import timezone

from conditions import content
from conditions.demo import articles
from conditions.management.commands import load_demo_content
from conditions.models import FAQ, CareAdvice, ClinicalCode, Condition
from tests.factories import ConditionFactory
from tests.shared_texts import shared_path

pytestmark = pytest.mark.django_db

DEMO_SLUGS = ["milia", "acne", "syringoma", "xanthelasma", "sebaceous-hyperplasia"]
WORDS = re.compile(r"[a-z0-9]+")


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_demo_content", *args, stdout=out)
    return out.getvalue()


def article_text(condition: Condition) -> str:
    """Everything a patient can read on the article page, as one string."""
    parts = [condition.name, condition.also_known_as, condition.patient_text()]
    parts += [f"{a.signs} {a.action}" for a in condition.care_advice.all()]
    parts += [f"{r.title} {r.publisher}" for r in condition.references.all()]
    return "\n".join(parts)


def row_counts(history: bool = True) -> dict[str, int]:
    counted = list(apps.get_app_config("conditions").get_models())
    if not history:
        counted = [m for m in counted if not m.__name__.startswith("Historical")]
    counted += [get_user_model(), Group]
    return {m._meta.label: m._default_manager.count() for m in counted}


def eight_word_runs(text: str) -> set[tuple[str, ...]]:
    words = WORDS.findall(text.lower())
    return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}


# -- loading ---------------------------------------------------------------------------------
def test_demo_content_loads_cleanly_on_an_empty_database():
    assert not Condition.objects.exists()
    output = run()
    assert "Loaded: conditions.demo.articles" in output
    published = set(Condition.objects.published().values_list("slug", flat=True))
    assert set(DEMO_SLUGS) <= published
    assert Condition.objects.filter(featured=True).count() >= 2
    assert Condition.objects.get(slug="milia").featured


def test_a_second_run_creates_no_duplicate_rows():
    """Across every demo module present: the same row counts (history tables aside)."""
    run()
    before = row_counts(history=False)
    run()
    assert row_counts(history=False) == before


def test_a_second_run_leaves_the_articles_exactly_as_they_were():
    """The articles are not even re-saved: no new history rows, no raised versions."""
    run()
    article_models = ["Condition", "Section", "FAQ", "Reference", "CareAdvice", "ClinicalCode"]
    labels = [f"conditions.{m}" for m in article_models]
    labels += [f"conditions.Historical{m}" for m in article_models]
    before = {k: v for k, v in row_counts().items() if k in labels}
    versions = dict(Condition.objects.values_list("slug", "version"))
    output = run()
    assert {k: v for k, v in row_counts().items() if k in labels} == before
    assert dict(Condition.objects.values_list("slug", "version")) == versions
    assert "conditions.demo.articles: created nothing new" in output


def test_a_second_run_writes_no_history_anywhere():
    """Every demo module: nothing is re-saved, so no history table gains a row."""
    run()
    history = {k: v for k, v in row_counts().items() if ".Historical" in k}
    assert history["conditions.HistoricalComparisonRow"] > 0
    run()
    assert {k: v for k, v in row_counts().items() if ".Historical" in k} == history


def test_a_clinicians_edit_is_not_overwritten_by_a_later_run():
    run()
    milia = Condition.objects.get(slug="milia")
    milia.summary = "Edited by the clinic."
    milia.save()
    milia.related.clear()
    run()
    milia.refresh_from_db()
    assert milia.summary == "Edited by the clinic."
    assert not milia.related.exists()


def test_if_empty_loads_nothing_when_a_condition_already_exists():
    ConditionFactory(name="Eczema", slug="eczema")
    output = run("--if-empty")
    assert "demo content not loaded" in output
    assert list(Condition.objects.values_list("slug", flat=True)) == ["eczema"]


def test_if_empty_loads_everything_on_an_empty_database():
    run("--if-empty")
    assert Condition.objects.published().filter(slug__in=DEMO_SLUGS).count() == len(DEMO_SLUGS)


def test_a_demo_module_that_does_not_exist_yet_is_skipped_and_named(monkeypatch):
    monkeypatch.setattr(
        load_demo_content,
        "DEMO_MODULES",
        ["conditions.demo.articles", "conditions.demo.not_written_yet"],
    )
    output = run()
    assert "Not present yet (skipped): conditions.demo.not_written_yet" in output
    assert Condition.objects.filter(slug="milia").exists()


def test_a_failing_demo_module_rolls_back_everything(monkeypatch):
    broken = types.ModuleType("conditions.demo.broken_for_test")

    def load(author, reviewer):
        raise RuntimeError("broken demo module")

    broken.load = load
    monkeypatch.setitem(sys.modules, "conditions.demo.broken_for_test", broken)
    monkeypatch.setattr(
        load_demo_content,
        "DEMO_MODULES",
        ["conditions.demo.articles", "conditions.demo.broken_for_test"],
    )
    with pytest.raises(RuntimeError):
        run()
    assert not Condition.objects.exists()
    assert not get_user_model().objects.exists()


# -- demo users and accounts ------------------------------------------------------------------
def test_demo_author_and_reviewer_are_named_staff_who_cannot_log_in_by_default():
    Group.objects.get_or_create(name="Author")
    Group.objects.get_or_create(name="Clinical reviewer")
    run()
    User = get_user_model()
    author = User.objects.get(username="demo-author")
    reviewer = User.objects.get(username="demo-reviewer")
    for user in (author, reviewer):
        assert user.is_staff
        assert user.get_full_name().count(" ") >= 1
        assert not user.has_usable_password()
    assert author.groups.filter(name="Author").exists()
    assert reviewer.groups.filter(name="Clinical reviewer").exists()
    milia = Condition.objects.get(slug="milia")
    assert milia.author == author
    assert milia.reviewer == reviewer


def test_demo_accounts_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run("--demo-accounts")
    assert not get_user_model().objects.exists()
    assert not Condition.objects.exists()


def test_demo_passwords_are_printed_only_when_the_accounts_are_first_created(settings):
    settings.DEBUG = True
    first = run("--demo-accounts")
    shown = dict(re.findall(r"username (\S+)\s+password (\S+)", first))
    assert set(shown) == {"demo-author", "demo-reviewer"}
    User = get_user_model()
    for username, password in shown.items():
        assert User.objects.get(username=username).check_password(password)

    second = run("--demo-accounts")
    assert not re.search(r"username \S+\s+password", second)
    assert "changepassword demo-author" in second
    assert "changepassword demo-reviewer" in second
    for username, password in shown.items():
        assert User.objects.get(username=username).check_password(password)

    third = run("--if-empty", "--demo-accounts")
    assert "demo content not loaded" in third
    assert not any(password in third for password in shown.values())


# -- the content itself (loaded once for the class, rolled back afterwards) ------------------
# Seed texts: every run of 8 consecutive words.
def seed_runs() -> set[tuple[str, ...]]:
    files = sorted(p for p in shared_path("seeds").glob("*.txt"))
    assert files, "no seed texts in the shared seeds folder"
    runs: set[tuple[str, ...]] = set()
    for path in files:
        runs |= eight_word_runs(path.read_text(encoding="utf-8", errors="replace"))
    return runs


@pytest.fixture(scope="class")
def demo_content_loaded_once(django_db_setup, django_db_blocker):
    """Load the demo once for a class of read-only tests; roll it all back afterwards."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            run()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.usefixtures("demo_content_loaded_once")
class TestDemoArticles:
    def test_every_demo_condition_is_published_with_reviewer_dates_and_three_references(self):
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            assert condition.is_published, condition.slug
            assert condition.publish_problems() == [], condition.slug
            # Approved by the demo's example reviewer account: labelled as example content.
            assert condition.reviewer_name() == "Demo reviewer (example account, not a clinician)"
            assert condition.is_example and condition.live.is_example
            assert condition.last_reviewed == timezone.localdate()  # the approval's date
            assert str(condition.next_review_due) == "2027-11-01"
            references = list(condition.references.all())
            assert len(references) >= 3, condition.slug
            for ref in references:
                assert ref.title and ref.publisher and ref.accessed, ref
            assert sum(1 for r in references if r.url.startswith(("https://", "http://"))) >= 3
            assert condition.sections.count() >= 3
            assert condition.care_advice.exists()
            assert condition.synonyms
            # Patients see milia and each other demo article linked (in one direction or both).
            live = condition.live
            milia_live = Condition.objects.published().get(slug="milia")
            assert (
                live.related.filter(slug="milia").exists()
                or milia_live.related.filter(pk=live.pk).exists()
                or condition.slug == "milia"
            ), condition.slug
            assert "checked against the sources" in condition.patient_text()
            assert condition.search_text and condition.reading_grade is not None

    def test_milia_covers_every_required_topic(self):
        milia = Condition.objects.get(slug="milia")
        text = article_text(milia).lower()
        for topic in [
            "keratin",
            "newborn milia",
            "primary milia",
            "secondary milia",
            "milia en plaque",
            "multiple eruptive milia",
            "inherited skin condition",
            "epstein pearls",
            "bohn nodules",
            "not contagious",
            "how long milia last",
            "most are gone by 4 weeks",
            "can stay for good",
            "steroid cream",
            "burns",
            "blisters",
            "sun damage",
            "warm water",
            "adult creams",
            "do not squeeze",
            "sunscreen",
            "de-roofing",
            "cryotherapy",
            "basal cell carcinoma",
        ]:
            assert topic in text, topic

        aka = [s.lower() for s in milia.synonyms]
        for term in [
            "milk spots",
            "milia spots",
            "white spots on face",
            "hard white bumps",
            "oil seeds",
            "white bumps under eye",
            "milium",
        ]:
            assert term in aka, term

        assert set(milia.related.values_list("slug", flat=True)) == {
            "acne",
            "syringoma",
            "xanthelasma",
            "sebaceous-hyperplasia",
        }
        headings = list(milia.sections.values_list("order", flat=True))
        assert headings == sorted(headings) and len(set(headings)) == len(headings)

    @pytest.mark.parametrize(
        ("claim", "verdict"),
        [
            ("squeezing milia gets rid of them", FAQ.Verdict.MYTH),
            ("squeezing milia has benefits", FAQ.Verdict.MYTH),
            ("apple cider vinegar", FAQ.Verdict.MYTH),
            ("killing the bacteria", FAQ.Verdict.MYTH),
            ("leave scars if you do not treat them", FAQ.Verdict.MYTH),
            ("drinking more water", FAQ.Verdict.MYTH),
            ("catch milia", FAQ.Verdict.MYTH),
            ("newborn milia go away on their own", FAQ.Verdict.FACT),
        ],
    )
    def test_milia_faqs_settle_the_seed_claims_with_a_verdict(self, claim, verdict):
        faq = FAQ.objects.get(
            condition__slug="milia", condition__is_live=False, question__icontains=claim
        )
        live = FAQ.objects.get(condition__is_live=True, source=faq)  # what patients read
        assert (live.verdict, live.answer) == (faq.verdict, faq.answer)
        assert faq.verdict == verdict
        assert len(faq.answer.split()) >= 10

    def test_milia_when_to_get_help_has_all_four_urgency_levels(self):
        advice = {a.level: a for a in CareAdvice.objects.filter(condition__slug="milia")}
        assert set(advice) == set(CareAdvice.LEVEL_ORDER)
        assert "glass" in advice["emergency"].signs
        assert "999" in advice["emergency"].action
        assert "38°C" in advice["urgent"].signs
        assert "pearly" in advice["routine"].signs
        assert all(a.signs_html.startswith("<ul>") for a in advice.values())

    def test_milia_ships_only_the_verified_codes(self):
        codes = set(
            ClinicalCode.objects.filter(condition__slug="milia").values_list("system", "code")
        )
        assert codes == {("icd-10-cm", "L72.0"), ("snomed-ct", "254679001")}
        assert not ClinicalCode.objects.filter(code="L72.8").exists()
        assert not ClinicalCode.objects.filter(system="icd-11").exists()

    def test_milia_reads_at_grade_9_or_below(self):
        milia = Condition.objects.get(slug="milia")
        grade = content.reading_grades(milia.patient_text()).flesch_kincaid
        assert grade is not None and grade <= 9
        assert milia.reading_grade == grade

    @pytest.mark.parametrize("slug", DEMO_SLUGS)
    def test_every_demo_article_reads_at_the_target_grade_8_or_below(self, slug):
        condition = Condition.objects.get(slug=slug)
        assert content.reading_grades(condition.patient_text()).flesch_kincaid <= 8

    def test_the_demo_text_has_no_markup_a_patient_would_see_raw(self):
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            for section in condition.sections.all():
                assert "**" not in section.body_html and "| ---" not in section.body_html

    def test_the_seed_overlap_check_detects_a_copied_sentence(self):
        seeds = seed_runs()
        copied = next(p for p in sorted(shared_path("seeds").glob("*.txt"))).read_text(
            encoding="utf-8"
        )
        sample = " ".join(copied.split()[40:60])
        assert eight_word_runs(sample) & seeds

    def test_no_run_of_eight_words_from_the_seed_texts_appears_in_any_demo_article(self):
        seeds = seed_runs()
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            copied = eight_word_runs(article_text(condition)) & seeds
            assert not copied, (condition.slug, [" ".join(r) for r in sorted(copied)][:5])

    def test_no_run_of_eight_words_from_the_seed_texts_appears_in_any_demo_text(self):
        """Every text field the demo loader filled, from every demo module present."""
        seeds = seed_runs()
        copied = {}
        for model in apps.get_app_config("conditions").get_models():
            if model._meta.label.split(".")[1].startswith("Historical"):
                continue
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, dj_models.CharField | dj_models.TextField)
            ]
            for row in model._default_manager.values_list(*fields) if fields else []:
                found = eight_word_runs(" ".join(v or "" for v in row)) & seeds
                if found:
                    copied[model._meta.label] = [" ".join(r) for r in sorted(found)][:3]
        assert not copied, copied

    def test_the_article_data_uses_only_sources_from_the_content_notes(self):
        notes = shared_path("content-notes", "milia.md")
        text = notes.read_text(encoding="utf-8")
        for data in articles.ARTICLES:
            for _title, _publisher, url in data["references"]:
                if url.startswith("https://doi.org/"):
                    assert url.removeprefix("https://doi.org/") in text
                elif url:
                    assert url in text, url
