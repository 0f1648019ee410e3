"""The demo content and its loader: `manage.py load_demo_content`."""

import io
import re
import sys
import types
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models as dj_models
from django.db import transaction
from django.utils import timezone

from conditions import content, rules, safety
from conditions.demo import articles, signs
from conditions.demo import questionnaires as demo_questionnaires
from conditions.management.commands import load_demo_content
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    ComparisonRow,
    Condition,
    Questionnaire,
    Reference,
    Status,
)
from conditions.models.articles import reference_url_problem
from conditions.packs import schema
from conditions.run_state import ADVICE, RunState
from tests.conditions.demo_sources import SOURCES, url_is_from_the_notes
from tests.factories import ConditionFactory, UserFactory, reviewer_user
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


def test_each_live_demo_article_links_to_every_look_alike_its_file_names(client):
    """Links point at live pages only, and the articles are approved one by one: milia's
    look-alikes were not live yet when milia was first approved."""
    run()
    for article in articles.ARTICLES:
        live = Condition.objects.published().get(slug=article.slug)
        linked = set(live.related.values_list("slug", flat=True))
        assert linked == set(article.related) | {
            one for one, other in articles.RELATED if other == article.slug
        }, article.slug
        assert set(live.related.values_list("is_live", flat=True)) == {True}
    page = client.get("/conditions/milia/").content.decode()
    for slug in LOOK_ALIKES:
        assert f'href="/conditions/{slug}/"' in page, slug


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


def test_a_missing_demo_module_fails_and_loads_nothing(monkeypatch):
    monkeypatch.setattr(
        load_demo_content,
        "DEMO_MODULES",
        ["conditions.demo.articles", "conditions.demo.no_such_module"],
    )
    with pytest.raises(ModuleNotFoundError):
        run()
    assert not Condition.objects.exists()


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


# -- bringing a database loaded by an earlier version up to date (--refresh) ---------------------
def load_an_earlier_version(monkeypatch, *slugs: str) -> None:
    """Load the demo as an earlier version had it: `slugs` citing only GPonline and a milia
    page, with no inline citations."""

    def earlier(article):
        if article.slug not in slugs:
            return article
        bumps = schema.Section(heading="What it looks like", body="Small bumps.\n")
        return article.model_copy(
            update={
                "summary": "An earlier summary.",
                "sections": [bumps, article.sections[-1]],
                "parts": {},
                "faqs": [],
                "references": ["gponline", "cc"],
            }
        )

    with monkeypatch.context() as patch:
        patch.setattr(articles, "ARTICLES", [earlier(a) for a in articles.ARTICLES])
        run()


def history_rows(slug: str) -> int:
    condition = Condition.objects.get(slug=slug)
    return condition.history.count() + condition.events().count()


def test_refresh_brings_unreviewed_example_articles_up_to_this_version(monkeypatch):
    load_an_earlier_version(monkeypatch, "syringoma", "acne")
    # Milia as loaded by the version before GPonline's title was corrected (a capital F).
    milia_gponline = Reference.objects.get(
        condition__slug="milia", condition__is_live=False, url=SOURCES["gponline"].url
    )
    assert milia_gponline.comparisonrow_set.exists()  # the treatment comparison cites it
    Reference.objects.filter(condition__slug="milia", url=SOURCES["gponline"].url).update(
        title="Differential diagnoses: facial lesions"
    )
    run()  # without --refresh, an existing article is left exactly as it is
    assert Condition.objects.get(slug="syringoma").summary == "An earlier summary."
    cited_by_rows = ComparisonRow.references.through.objects.count()
    untouched = {slug: history_rows(slug) for slug in ("xanthelasma", "sebaceous-hyperplasia")}

    output = run("--refresh")

    assert "brought up to date milia, acne, syringoma\n" in output
    for slug in ("syringoma", "acne"):
        condition = Condition.objects.get(slug=slug)
        data = data_for(slug)
        live = condition.live
        assert condition.status == Status.PUBLISHED and live.status == Status.PUBLISHED
        assert condition.is_example and live.is_example  # still example content
        assert condition.reviewer.username == "demo-reviewer"
        assert live.summary == data.summary
        assert [r.url for r in live_references(slug)] == [SOURCES[k].url for k in data.references]
        assert len(titles_about(slug, [r.title for r in live_references(slug)])) >= 2
        assert live.sections.count() == len(data.sections)
        assert "#ref-" in "".join(live.sections.values_list("body_html", flat=True))
        reasons = condition.history.values_list("history_change_reason", flat=True)
        assert articles.DEMO_UPDATE_NOTE in reasons
    # Milia: its GPonline reference is corrected in place, and the comparison still cites it.
    milia_gponline.refresh_from_db()
    assert milia_gponline.title == "Differential diagnoses: Facial lesions"
    assert ComparisonRow.references.through.objects.count() == cited_by_rows
    milia = Condition.objects.get(slug="milia")
    assert milia.publish_problems() == [] and milia.live.references.count() >= 24
    # Articles already at this version are not touched.
    assert {slug: history_rows(slug) for slug in untouched} == untouched

    before = {slug: history_rows(slug) for slug in DEMO_SLUGS}
    again = run("--refresh")
    assert "brought up to date nothing (already up to date)" in again
    assert {slug: history_rows(slug) for slug in DEMO_SLUGS} == before


def test_refresh_leaves_what_the_clinic_approved_or_is_editing_alone(monkeypatch):
    load_an_earlier_version(monkeypatch, "syringoma", "xanthelasma", "sebaceous-hyperplasia")
    editor = UserFactory()
    syringoma = Condition.objects.get(slug="syringoma")
    syringoma.summary = "The clinic's own words, in draft."
    syringoma.record_change(editor)
    xanthelasma = Condition.objects.get(slug="xanthelasma")
    xanthelasma.summary = "The clinic's own words, approved."
    xanthelasma.record_change(editor)
    xanthelasma.publish(by=reviewer_user(), attested=True)
    sebaceous = Condition.objects.get(slug="sebaceous-hyperplasia")
    sebaceous.take_offline(by=reviewer_user(), reason="Being checked")
    before = {slug: history_rows(slug) for slug in ("syringoma", "xanthelasma")}

    output = run("--refresh")

    assert "brought up to date nothing (already up to date)" in output
    for slug in ("syringoma", "xanthelasma", "sebaceous-hyperplasia"):
        condition = Condition.objects.get(slug=slug)
        assert [r.title for r in condition.references.all()][0].startswith("Differential")
    assert Condition.objects.get(slug="syringoma").status == Status.DRAFT
    assert Condition.objects.get(slug="xanthelasma").live.summary.startswith("The clinic's")
    assert not Condition.objects.get(slug="sebaceous-hyperplasia").is_published
    assert {slug: history_rows(slug) for slug in before} == before


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
    def test_every_demo_condition_is_published_with_reviewer_dates_and_references(self):
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            assert condition.is_published, condition.slug
            assert condition.publish_problems() == [], condition.slug
            # Approved by the demo's example reviewer account, named as what it is.
            reviewer = load_demo_content.DEMO_USERS["reviewer"]
            assert condition.reviewer.username == reviewer["username"]
            assert condition.reviewer_name() == f"{reviewer['first_name']} {reviewer['last_name']}"
            assert condition.last_reviewed == timezone.localdate()  # approved when loaded
            assert str(condition.next_review_due) == "2027-11-01"
            references = list(condition.references.all())
            assert len(references) >= 2, condition.slug
            assert condition.sections.count() >= 3
            assert condition.care_advice.exists()
            assert condition.synonyms
            assert condition.related.filter(slug="milia").exists() or condition.slug == "milia"
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
            condition__slug="milia", condition__is_live=True, question__icontains=claim
        )
        assert faq.verdict == verdict
        assert len(faq.answer.split()) >= 10

    def test_milia_when_to_get_help_has_all_four_urgency_levels(self):
        advice = {
            a.level: a
            for a in CareAdvice.objects.filter(condition__slug="milia", condition__is_live=True)
        }
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

    def test_the_demo_uses_only_sources_from_the_content_notes_or_read_in_a_stored_copy(self):
        """A source the notes do not record says where its text was read (`read_at`)."""
        text = shared_path("content-notes", "milia.md").read_text(encoding="utf-8")
        text += shared_path("content-notes", "milia-review-2026-12.md").read_text(encoding="utf-8")
        for key, source in SOURCES.items():
            if source.url.startswith("https://doi.org/"):
                assert source.url.removeprefix("https://doi.org/") in text, key
            elif not url_is_from_the_notes(source.url, text):
                assert source.read_at.strip(), (key, source.url)
            assert reference_url_problem(source.url) == "", (key, source.url)
        for article in articles.ARTICLES:
            assert set(article.references) <= set(SOURCES), article.slug


# -- references, citations and the urgent card (the demo loaded once) -------------------------
LOOK_ALIKES = ["acne", "syringoma", "xanthelasma", "sebaceous-hyperplasia"]
# The words that name each look-alike in a source's title (DermNet files xanthelasma under
# "Xanthoma"). A page about milia that merely mentions the look-alike does not count.
TITLE_WORDS = {
    "acne": ("acne",),
    "syringoma": ("syringoma",),
    "xanthelasma": ("xanthelasma", "xanthoma"),
    "sebaceous-hyperplasia": ("sebaceous hyperplasia",),
}
CITATION_LINK = re.compile(r'href="#ref-(\d+)"')


def titles_about(slug: str, titles) -> list[str]:
    """The titles (of a page's references) that name the look-alike `slug`."""
    return [t for t in titles if any(word in t.lower() for word in TITLE_WORDS[slug])]


def live_references(slug: str) -> list[Reference]:
    """The references patients see on the live page, in their numbered order."""
    return list(Reference.objects.filter(condition__slug=slug, condition__is_live=True))


def data_for(slug: str):
    """The demo file of the article `slug` (conditions.packs.schema.Article)."""
    return next(a for a in articles.ARTICLES if a.slug == slug)


def list_items(html: str) -> list[str]:
    return [content.markdown_to_text(li).rstrip(".") for li in re.findall(r"<li>(.*?)</li>", html)]


@pytest.mark.usefixtures("demo_content_loaded_once")
class TestDemoReferences:
    def test_every_demo_reference_has_a_title_publisher_and_a_public_address_or_doi(self):
        references = Reference.objects.filter(condition__slug__in=DEMO_SLUGS)
        assert references.count() >= 30
        for ref in references:
            assert ref.title.strip() and ref.publisher.strip(), ref
            assert ref.url.startswith("https://"), ref.url
            assert reference_url_problem(ref.url) == "", ref.url
            # Nobody has checked these links for the clinic: no invented "checked on" date.
            assert ref.checked_on is None, ref

    def test_no_demo_reference_uses_a_staging_dev_or_retired_address(self):
        urls = " ".join(Reference.objects.values_list("url", flat=True))
        for bad in ["dev2.statpearls", "staging.", "mayoclinic.com", "misc.medscape", "http://"]:
            assert bad not in urls, bad

    def test_references_carry_the_real_titles_the_review_asks_for(self):
        titles = set(Reference.objects.values_list("title", flat=True))
        for title in [
            "Periocular Laser Complications",
            "Complications of Medium Depth and Deep Chemical Peels",
            "Milia Induced by Corticosteroids",
            "Multiple eruptive milia",
        ]:
            assert title in titles, title
        statpearls = Reference.objects.filter(url__contains="32809316").first()
        assert statpearls and "PMID 32809316" in statpearls.publisher
        assert "Berk" not in " ".join(titles)  # no DOI in the notes, so not cited at all

    @pytest.mark.parametrize("slug", LOOK_ALIKES)
    def test_each_look_alike_cites_at_least_two_sources_about_itself(self, slug):
        """On the live page: two or more references whose titles name the condition."""
        references = live_references(slug)
        titles = [r.title for r in references]
        assert len(titles_about(slug, titles)) >= 2, (slug, titles)
        about = [k for k in data_for(slug).references if slug in SOURCES[k].about]
        assert len(about) >= 2, slug
        # Never the DermNet milia page standing in for a look-alike's own sources.
        assert not any("milium" in t.lower() for t in titles), slug
        assert all(r.url.startswith("https://") and r.checked_on is None for r in references)

    def test_the_look_alike_check_would_fail_on_milia_sources_alone(self):
        milia_titles = [r.title for r in live_references("milia")]
        assert len(milia_titles) >= 20
        for slug in LOOK_ALIKES:
            assert len(titles_about(slug, milia_titles)) < 2, slug

    @pytest.mark.parametrize("slug", LOOK_ALIKES)
    def test_each_look_alike_cites_its_key_claims_inline_and_every_source_is_cited(
        self, slug, client
    ):
        # The whole article on one page (a long one is otherwise in parts).
        html = client.get(f"/conditions/{slug}/all/").content.decode()
        cited = {int(n) for n in CITATION_LINK.findall(html)}
        count = len(live_references(slug))
        assert cited == set(range(1, count + 1)), (slug, cited, count)
        for n in cited:
            assert f'id="ref-{n}"' in html, (slug, n)
        assert "[[" not in html

    def test_the_acne_page_describes_acne_first_with_acne_sources(self):
        acne = Condition.objects.get(slug="acne")
        first = acne.sections.first()
        assert first.heading == "What acne is"
        assert "pore" in first.body and "whitehead" in first.body
        references = live_references("acne")
        cited = {int(n) for n in content.cited_numbers(first.body)}
        assert cited
        for n in cited:  # every source behind "What acne is" is an acne page
            assert titles_about("acne", [references[n - 1].title]), references[n - 1].title
        titles = [r.title for r in references]
        assert len(titles_about("acne", titles)) >= 2
        publishers = {r.publisher for r in references if titles_about("acne", [r.title])}
        assert {"NHS", "DermNet"} <= publishers

    def test_the_look_alikes_carry_no_note_that_their_sources_are_missing(self):
        for slug in LOOK_ALIKES:
            note = data_for(slug).editor_note.lower()
            assert "needs a second source" not in note and "needs an acne source" not in note
            assert "awaiting the clinic's own clinical review" in note

    def test_milia_cites_its_key_claims_inline_and_every_citation_has_an_anchor(self, client):
        # The whole article on one page (the article itself is in parts).
        html = client.get("/conditions/milia/all/").content.decode()
        cited = {int(n) for n in CITATION_LINK.findall(html)}
        count = Condition.objects.get(slug="milia").references.count()
        assert len(cited) >= 15
        assert cited <= set(range(1, count + 1))
        for n in cited:
            assert f'id="ref-{n}"' in html, n
        assert "[[" not in html
        sections = Condition.objects.get(slug="milia").sections.all()
        assert sum(1 for s in sections if "#ref-" in s.body_html) >= 10

    def test_the_urgent_card_comes_right_after_the_summary_before_the_first_section(self, client):
        html = client.get("/conditions/milia/").content.decode()
        lead = html.index('class="lead"')
        card = html.index('id="urgent-help"')
        first_section = html.index('id="what-milia-look-like"')
        assert lead < card < html.index('id="contents-heading"') < first_section
        card_html = html[card:first_section]
        assert "999" in card_html and "glass" in card_html and "NHS 111" in card_html
        assert html.index("care-emergency") < html.index("care-urgent") < first_section

    def test_the_article_and_the_questionnaire_show_the_same_999_signs(self, client):
        html = client.get("/conditions/milia/").content.decode()
        card = html[html.index('class="care care-emergency"') :]
        in_article = list_items(card[: card.index("</ul>")])
        question = Questionnaire.objects.get(slug="white-spots").questions.get(key="unwell")
        options = [o for o in question.options.all() if not o.exclusive]
        in_questionnaire = [o.text for o in options]
        assert in_article == in_questionnaire == [text for _code, text in signs.EMERGENCY_SIGNS]
        for sign in ["fade", "floppy", "hard to wake", "Shaking", "will not come down", "cold"]:
            assert any(sign in text for text in in_article), sign
        emergency = question.questionnaire.outcomes.get(slug="emergency")
        triggered = {t.option.code for t in emergency.triggers.all()}
        assert triggered == {o.code for o in options}
        none = question.options.get(code="none")
        assert none.exclusive

    def test_jargon_is_explained_where_it_first_appears(self):
        text = Condition.objects.get(slug="milia").patient_text()
        for term, explanation in [
            ("AHA", "alpha and beta hydroxy acids"),
            ("SPF", "sun protection factor"),
            ("electrodesiccation", "This is called electrodesiccation"),
            ("curettage", "This is called curettage"),
        ]:
            first = text.index(term)
            assert explanation in text[max(first - 200, 0) : first + 200], term

    def test_routine_advice_names_a_gp_for_a_changing_spot_and_keeps_rf5_soon(self):
        routine = CareAdvice.objects.get(
            condition__slug="milia", condition__is_live=True, level="routine"
        )
        assert "pharmacist" not in routine.action.lower()
        assert "some skin cancers start like this" in routine.signs
        assert "See a GP soon" in routine.signs
        assert "cholesterol" in routine.signs
        assert routine.get_level_display() == "See a GP (not urgent)"

    def test_milia_says_removal_is_not_usually_paid_for_by_the_nhs(self):
        text = Condition.objects.get(slug="milia").patient_text()
        assert "The NHS does not usually pay to remove milia" in text

    def test_demo_pages_say_they_are_example_content_awaiting_the_clinics_review(self):
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            text = condition.patient_text()
            assert "example content" in text and "waiting for review" in text, condition.slug
            # The approval by the demo's example reviewer account marks it as example content.
            assert condition.is_example and condition.live.is_example, condition.slug

    def test_the_demo_note_is_in_each_articles_history_for_the_admin(self):
        for condition in Condition.objects.filter(slug__in=DEMO_SLUGS):
            reasons = condition.history.values_list("history_change_reason", flat=True)
            assert any("awaiting the clinic's own clinical review" in (r or "") for r in reasons)


# -- the demo questionnaire (the demo loaded once) --------------------------------------------
def fill(spec: dict, who: str, **changes) -> dict:
    """A typical-milia path for `who`, with `changes` (keys with _ for -), answered in order."""
    changes = {k.replace("_", "-"): v for k, v in changes.items()}
    answers = {"who": who}
    while (question := rules.first_unanswered(spec, answers)) is not None:
        key = question["key"]
        if key in changes:
            answers[key] = changes[key]
        elif key == "unwell":
            answers[key] = ["none"]
        elif key == "baby-age":
            answers[key] = Decimal(6)
        elif key in ("where", "where-baby"):
            answers[key] = ["face"]
        elif key == "typical":
            answers[key] = "yes"
        else:
            answers[key] = "no"
    return answers


def outcome_for(spec: dict, who: str, **changes) -> dict:
    return rules.decide_outcome(spec, fill(spec, who, **changes))["outcome"]


def outcome_text(outcome: dict) -> str:
    return " ".join([outcome["title"], outcome["explanation"], outcome["next_steps_html"]])


AGES = ["baby", "child", "adult"]

# milia.md section 4: red flag -> (who, the answers that trigger it, the outcome patients see).
RED_FLAGS = [
    ("RF-1", who, {"unwell": [code]}, "emergency")
    for who in AGES
    for code, _text in signs.EMERGENCY_SIGNS
] + [
    ("RF-2", "baby", {"baby_age": Decimal(6), "fever": "yes"}, "urgent"),
    ("RF-2", "child", {"fever": "yes"}, "urgent"),
    ("RF-2", "baby", {"feeding": "yes"}, "urgent"),
    ("RF-2", "baby", {"sleepy": "yes"}, "urgent"),
    ("RF-3", "baby", {"baby_age": Decimal(2), "newborn_blisters": "yes"}, "newborn-sore"),
    ("RF-3", "baby", {"baby_age": Decimal(2), "newborn_pain": "yes"}, "newborn-sore"),
    ("RF-3", "baby", {"red_pus": "yes"}, "see-gp"),
    ("RF-3", "baby", {"blisters": "yes"}, "see-gp"),
    ("RF-4", "baby", {"baby_age": Decimal(13)}, "persistent-baby"),
    ("RF-4", "baby", {"widespread": "yes"}, "see-gp"),
    ("RF-4", "child", {"other_signs": "yes"}, "see-gp"),
    ("RF-5", "adult", {"sudden_crop": "yes"}, "sudden-crop"),
    ("RF-6", "adult", {"after_blisters": "yes"}, "see-gp"),
    ("RF-6", "adult", {"sun_blisters": "yes"}, "see-gp"),
    ("RF-7", "adult", {"red_patch": "yes"}, "see-gp"),
    *[("RF-8", who, {"growing": "yes"}, "skin-check") for who in AGES],
    ("RF-8", "adult", {"pearly": "yes"}, "skin-check"),
    ("RF-9", "adult", {"where": ["eyelid"], "yellow_flat": "yes"}, "xanthelasma"),
    ("RF-10", "adult", {"where": ["eyelid"], "skin_coloured": "yes"}, "see-gp"),
    ("RF-10", "adult", {"dimple": "yes"}, "see-gp"),
    ("RF-11", "adult", {"itch_pain": "yes"}, "see-gp"),
    ("RF-11", "child", {"typical": "no"}, "see-gp"),
    ("RF-12", "adult", {"where": ["eyelid"], "near_eye_removal": "yes"}, "near-eye"),
    *[("RF-13", who, {"infection": "yes"}, "urgent") for who in AGES],
    ("RF-14", "adult", {"steroid_cream": "yes"}, "see-gp"),
    ("self-care", "baby", {}, "self-care-baby"),
    ("self-care", "child", {}, "self-care"),
    ("self-care", "adult", {}, "self-care"),
]


@pytest.fixture(scope="class")
def spec(demo_content_loaded_once, django_db_blocker):
    with django_db_blocker.unblock():
        return Questionnaire.objects.published().get(slug="white-spots").spec()


class TestDemoQuestionnaire:
    def test_the_demo_questionnaire_passes_its_safety_check(self, spec):
        assert safety.safety_problems(spec) == []

    @pytest.mark.parametrize("who", AGES)
    def test_every_age_group_gets_the_emergency_question_straight_after_who(self, spec, who):
        keys = [q["key"] for q in rules.visible_questions(spec, {"who": who})]
        assert keys[:2] == ["who", "unwell"]

    def test_a_17_year_old_with_a_rash_that_does_not_fade_is_sent_to_999(self, spec):
        outcome = outcome_for(spec, "adult", unwell=["no-fade"])
        assert outcome["slug"] == "emergency" and "999" in outcome_text(outcome)

    @pytest.mark.parametrize("who", AGES)
    def test_everyone_is_asked_where_the_spots_are_and_if_one_is_growing(self, spec, who):
        answers = fill(spec, who)
        keys = [q["key"] for q in rules.visible_questions(spec, answers)]
        assert "growing" in keys
        where = "where-baby" if who == "baby" else "where"
        assert where in keys
        growing = rules.question_by_key(spec, "growing")
        assert growing["kind"] == "yes_no"
        if who != "baby":
            codes = [o["code"] for o in rules.question_by_key(spec, "where")["options"]]
            assert codes == ["eyelid", "face", "body", "genitals", "mouth"]

    @pytest.mark.parametrize(("rf", "who", "changes", "slug"), RED_FLAGS)
    def test_each_red_flag_of_the_notes_reaches_its_outcome(self, spec, rf, who, changes, slug):
        assert outcome_for(spec, who, **changes)["slug"] == slug, rf

    @pytest.mark.parametrize(("rf", "who", "changes", "slug"), RED_FLAGS)
    def test_an_urgent_red_flag_ends_the_run_at_its_answer_and_no_other_does(
        self, spec, rf, who, changes, slug
    ):
        """The patient's run (RunState), answered in order: an urgent or emergency outcome is
        certain at the red-flag answer itself, so nothing more is asked; a routine one never."""
        answers = fill(spec, who, **changes)
        keys = [k.replace("_", "-") for k in changes]
        given, stopped = {}, None
        for key, value in answers.items():
            given[key] = value
            state = RunState(spec, given)
            if state.urgent:
                stopped = (key, state.urgent["slug"], state.next_step(after=key).kind)
                break
        urgent = next(o for o in spec["outcomes"] if o["slug"] == slug)["urgency"] in (
            "urgent",
            "emergency",
        )
        if urgent:
            assert stopped is not None, rf
            assert stopped[0] in keys and stopped[1:] == (slug, ADVICE), (rf, stopped)
        else:
            assert stopped is None, (rf, stopped)

    @pytest.mark.parametrize("who", AGES)
    def test_a_growing_spot_goes_to_a_gp_and_says_some_skin_cancers_start_like_this(
        self, spec, who
    ):
        outcome = outcome_for(spec, who, growing="yes")
        text = outcome_text(outcome)
        assert outcome["slug"] == "skin-check" and outcome["urgency"] == "routine"
        assert "some skin cancers start like this" in text and "GP" in text
        assert "pharmacist" not in text.lower() and "pharmacist" not in outcome["urgency_label"]
        assert "not serious" not in text

    def test_newborn_self_care_says_nothing_about_removal_or_sun_cream(self, spec):
        outcome = outcome_for(spec, "baby", baby_age=Decimal(1))
        text = outcome_text(outcome).lower()
        assert outcome["slug"] == "self-care-baby"
        for word in ["remov", "sunscreen", "sun cream", "spf", "sun protection"]:
            assert word not in text, word
        assert "direct strong sunlight" in text and "no treatment" in text

    def test_adult_self_care_says_removal_is_not_usually_nhs_funded(self, spec):
        text = outcome_text(outcome_for(spec, "adult"))
        assert "NHS does not usually pay" in text and "sun protection factor" in text

    def test_blistered_or_painful_spots_in_a_baby_under_4_weeks_are_marked_for_signoff(self, spec):
        outcome = next(o for o in spec["outcomes"] if o["slug"] == "newborn-sore")
        assert outcome["needs_signoff"] and "sign-off" in outcome["signoff_note"]
        assert outcome["urgency"] == "urgent" and outcome["rule"] == "red_flag"
        older = fill(spec, "baby", baby_age=Decimal(5), blisters="yes")
        assert "newborn-blisters" not in older
        assert rules.decide_outcome(spec, older)["outcome"]["slug"] == "see-gp"

    def test_product_decisions_are_marked_for_clinician_signoff(self, spec):
        marked = {o["slug"] for o in spec["outcomes"] if o["needs_signoff"]}
        assert marked == {"newborn-sore", "persistent-baby", "see-gp"}
        for o in spec["outcomes"]:
            assert len(o["signoff_note"]) <= 300

    def test_urgent_outcomes_say_what_to_do_now_and_nothing_else(self, spec):
        for o in spec["outcomes"]:
            if o["urgency"] in ("emergency", "urgent"):
                assert o["rule"] == "red_flag", o["slug"]
                assert o["next_steps_html"].count("<li>") <= 3, o["slug"]
                assert len(o["explanation"].split()) <= 20, o["slug"]

    def test_xanthelasma_outcome_mentions_cholesterol_and_rf5_says_soon(self, spec):
        xan = next(o for o in spec["outcomes"] if o["slug"] == "xanthelasma")
        assert "cholesterol" in outcome_text(xan)
        soon = next(o for o in spec["outcomes"] if o["slug"] == "sudden-crop")
        assert "soon" in soon["title"]

    def test_one_idea_per_question_every_flag_is_a_yes_no_but_emergency_and_where(self, spec):
        kinds = {q["key"]: q["kind"] for q in spec["questions"]}
        multiple = {k for k, kind in kinds.items() if kind == "multiple"}
        assert multiple == {"unwell", "where", "where-baby"}

    def test_the_rf_table_covers_every_red_flag_and_every_outcome(self, spec):
        assert {rf for rf, *_ in RED_FLAGS} >= {f"RF-{n}" for n in range(1, 15)}
        assert {slug for *_, slug in RED_FLAGS} == {o["slug"] for o in spec["outcomes"]}
        assert demo_questionnaires.SLUG == "white-spots"

    @pytest.mark.parametrize("who", AGES)
    def test_the_self_care_paths_other_tests_use_answer_exactly_the_questions_asked(
        self, spec, who
    ):
        path = demo_questionnaires.SELF_CARE_PATHS[who]
        answers = {key: Decimal(v) if key == "baby-age" else v for key, v in path}
        assert [k for k, _v in path] == [q["key"] for q in rules.visible_questions(spec, answers)]
        assert rules.first_unanswered(spec, answers) is None
        expected = "self-care-baby" if who == "baby" else "self-care"
        assert rules.decide_outcome(spec, answers)["outcome"]["slug"] == expected


@pytest.mark.usefixtures("demo_content_loaded_once")
class TestDemoTranslations:
    """The Polish "White spots" questionnaire: a demonstration translation, said so."""

    def test_the_polish_questionnaire_is_complete_and_approved_by_a_labelled_example_account(
        self,
    ):
        from conditions.models import ContentTranslation

        polish = ContentTranslation.objects.get(questionnaire__slug="white-spots", language="pl")
        assert polish.approved_at and polish.is_example
        assert "not a Polish-speaking clinician" in polish.reviewer.get_full_name()
        live = polish.questionnaire.live
        assert safety.translation_problems(live.spec(), polish.live_texts, "Polish") == []

    def test_a_polish_reader_gets_the_questionnaire_in_polish_labelled_as_a_demonstration(
        self, client
    ):
        from django.urls import reverse
        from django.utils import translation

        with translation.override("pl"):
            url = reverse("conditions:questionnaire_start", args=["white-spots"])
        english_url = reverse("conditions:questionnaire_start", args=["white-spots"])
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
        assert "Białe krostki na twarzy lub ciele" in page
        assert 'class="example-label"' in page
        english = client.get(english_url, HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()
        assert "Białe" not in english

    def test_the_polish_milia_article_gives_every_text_and_is_labelled_a_demonstration(self):
        from conditions.models import ContentTranslation

        polish = ContentTranslation.objects.get(condition__slug="milia", language="pl")
        assert polish.approved_at and polish.is_example
        assert "not a Polish-speaking clinician" in polish.reviewer.get_full_name()
        assert polish.missing(polish.live_texts) == []
        assert polish.live_name == "Prosaki"

    def test_a_polish_reader_reads_milia_and_every_part_of_it_in_polish(self, client):
        import tomllib

        from django.urls import reverse
        from django.utils import translation

        from conditions.demo.translations import CONTENT

        data = tomllib.loads((CONTENT / "pl" / "milia.toml").read_text(encoding="utf-8"))
        with translation.override("pl"):
            opening = reverse("conditions:condition_detail", args=["milia"])
            whole = reverse("conditions:condition_whole", args=["milia"])
            comparison = reverse("conditions:treatment_comparison", args=["milia"])
        page = client.get(opening).content.decode()
        assert "Prosaki to maleńkie, twarde, białe lub żółte grudki" in page
        assert 'class="example-label"' in page and 'data-content-language="pl"' in page
        assert "Milia are tiny, hard" not in page
        parts = sorted(set(re.findall(r'href="(' + re.escape(opening) + r'[a-z0-9-]+/)"', page)))
        parts = [url for url in parts if url != comparison]  # not the article's: its own page
        assert whole in parts and len(parts) >= 8, parts
        for url in parts:
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert 'data-content-language="pl"' in html, url  # translated, not the fallback
            assert 'data-content-language="en' not in html, url
        html = client.get(whole).content.decode()
        for section in data["sections"].values():
            assert html.count(section["heading"]) >= 1, section["heading"]
        assert "What milia look like" not in html and "Is it true that" not in html
        assert 'href="#ref-' in html  # citations link to the sources, as in English

    def test_a_polish_article_file_with_a_wrong_section_or_faq_count_is_refused(self):
        import tomllib

        from conditions.demo import translations as demo_translations

        path = demo_translations.CONTENT / "pl" / "milia.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        milia = Condition.objects.get(slug="milia")
        assert demo_translations.article_texts(data, milia)["name"] == "Prosaki"
        renamed = {**data, "sections": dict(data["sections"])}
        renamed["sections"]["no-such-anchor"] = renamed["sections"].pop("outlook")
        with pytest.raises(demo_translations.TranslationFileError, match="no-such-anchor"):
            demo_translations.article_texts(renamed, milia)
        with pytest.raises(demo_translations.TranslationFileError, match="FAQs"):
            demo_translations.article_texts({**data, "faqs": data["faqs"][:-1]}, milia)
