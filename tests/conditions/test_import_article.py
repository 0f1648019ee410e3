"""`import_article`: plain-text articles become drafts; bad input creates nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conditions import importer
from conditions.models import Condition, Section, Status
from tests.factories import ConditionFactory, UserFactory
from tests.shared_texts import shared_path

# Written for these tests, in the shape of the texts clinics collect: an opening paragraph,
# short title-case headings without a full stop, one paragraph per line, repeats, an advert.
ARTICLE = """\
Chalk bumps are tiny pale lumps that sit just under the top layer of the skin. They feel firm and do not hurt.
Where Chalk Bumps Show Up
They are most often seen on the cheeks and around the eyes. They can also show up on the chest.
Grown-ups and small children can both get them.
What Makes Chalk Bumps Form?
Old skin cells get stuck in a small pocket instead of coming off. The pocket slowly fills and hardens.
They are most often seen on the cheeks and around the eyes. They can also show up on the chest.

Looking After Your Skin
Wash with a mild soap and pat the skin dry. Leave the bumps alone and they often fade by themselves.
Wash with a mild soap and pat your skin dry! Leave the bumps alone and they often fade by themselves.
Order today and get 20% off our gentle bump-clearing serum.
Final Words
Most chalk bumps are harmless and go away without any help.
Find out how to clear your skin fast with our very affordable
Bump Away Cream
"""


def write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_article", *args, stdout=out)
    return out.getvalue()


# -- the pure parser -------------------------------------------------------------------------
def test_parser_makes_one_section_per_heading():
    article = importer.parse_article(ARTICLE)
    assert article.title == "Chalk bumps"
    assert article.summary.startswith("Chalk bumps are tiny pale lumps")
    assert [s.heading for s in article.sections] == [
        "Where Chalk Bumps Show Up",
        "What Makes Chalk Bumps Form?",
        "Looking After Your Skin",
        "Final Words",
    ]


def test_parser_merges_exact_and_near_duplicate_paragraphs():
    article = importer.parse_article(ARTICLE)
    forming = article.sections[1].paragraphs
    assert forming == [
        "Old skin cells get stuck in a small pocket instead of coming off. "
        "The pocket slowly fills and hardens."
    ]
    care = article.sections[2].paragraphs
    assert len(care) == 1 and care[0].startswith("Wash with a mild soap and pat the skin dry.")
    assert len(article.merged_paragraphs) == 2


def test_parser_drops_adverts_including_one_split_over_two_lines():
    article = importer.parse_article(ARTICLE)
    assert article.dropped_promotions == [
        "Order today and get 20% off our gentle bump-clearing serum.",
        "Find out how to clear your skin fast with our very affordable Bump Away Cream",
    ]
    body = " ".join(s.body for s in article.sections)
    assert "serum" not in body and "Bump Away" not in body
    assert "Bump Away Cream" not in [s.heading for s in article.sections]


@pytest.mark.parametrize(
    "line",
    [
        "Buy now while stocks last.",
        "Use the discount code SKIN10 at checkout.",
        "Our clinic-strength cream clears spots in days.",
        "Get yours at https://shop.example.com/bump-cream today.",
        "This post contains affiliate links.",
    ],
)
def test_promotional_lines_are_recognised(line):
    assert importer.is_promotional(line)


@pytest.mark.parametrize(
    "line",
    [
        "A pharmacist can suggest a gentle moisturiser.",
        "Our skin sheds old cells all the time.",
        "Do not squeeze them: it can leave a mark.",
    ],
)
def test_ordinary_advice_is_not_taken_for_an_advert(line):
    assert not importer.is_promotional(line)


def test_repeated_heading_goes_into_one_section():
    text = (
        "Pale bumps are small and firm. They are harmless.\n"
        "Why They Happen\nSkin cells get trapped.\n"
        "Who Gets Them\nAnyone can.\n"
        "Why They Happen\nSome creams can play a part.\n"
    )
    article = importer.parse_article(text)
    assert [s.heading for s in article.sections] == ["Why They Happen", "Who Gets Them"]
    assert article.sections[0].paragraphs == [
        "Skin cells get trapped.",
        "Some creams can play a part.",
    ]
    assert article.merged_headings == ["Why They Happen"]


def test_title_line_at_the_top_is_used_as_the_title():
    text = "# Pale Bumps\nThese are small bumps.\n## Causes\nTrapped skin cells.\n"
    article = importer.parse_article(text)
    assert article.title == "Pale Bumps"
    assert article.summary == "These are small bumps."
    assert [s.heading for s in article.sections] == ["Causes"]


def test_paragraphs_glued_without_a_space_are_split():
    text = "Pale bumps are small.They go away.\nCauses\nTrapped cells.\n"
    article = importer.parse_article(text)
    assert article.summary == "Pale bumps are small."
    assert article.sections[0].heading == "Overview"


# -- the command -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_command_creates_a_draft_and_prints_slug_admin_url_and_dropped_lines(tmp_path):
    output = run(write(tmp_path, "chalk.txt", ARTICLE))
    condition = Condition.objects.get(slug="chalk-bumps")
    assert condition.status == Status.DRAFT
    assert condition.published_at is None
    assert list(condition.sections.values_list("heading", flat=True)) == [
        "Where Chalk Bumps Show Up",
        "What Makes Chalk Bumps Form?",
        "Looking After Your Skin",
        "Final Words",
    ]
    assert "slug: chalk-bumps" in output
    assert f"/admin/conditions/condition/{condition.pk}/change/" in output
    assert "promotional lines dropped: 2" in output
    assert "- Order today and get 20% off our gentle bump-clearing serum." in output
    assert "repeated paragraphs merged: 2" in output
    assert condition.reading_grade is not None
    assert condition.history.latest().history_change_reason == "Imported from chalk.txt"


@pytest.mark.django_db
def test_command_never_overwrites_an_existing_article(tmp_path):
    existing = ConditionFactory(name="Chalk bumps", slug="chalk-bumps", published=True)
    output = run(write(tmp_path, "chalk.txt", ARTICLE))
    draft = Condition.objects.exclude(pk=existing.pk).get()
    assert draft.name == "Chalk bumps (imported draft)"
    assert f"slug: {draft.slug}" in output
    existing.refresh_from_db()
    assert existing.sections.count() == 1


@pytest.mark.django_db
def test_command_records_the_author(tmp_path):
    user = UserFactory(username="nurse")
    run(write(tmp_path, "chalk.txt", ARTICLE), "--author", "nurse")
    assert Condition.objects.get().author == user


BAD_INPUT = {
    "empty": (b"", "the file is empty"),
    "blank": (b"  \n\n \n", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    "latin1": (
        "Pale bumps are caf\u00e9 coloured.\nCauses\nTrapped.\n".encode("latin-1"),
        "not UTF-8",
    ),
    "utf16": ("Pale Bumps\nThey are small.\n".encode("utf-16"), "saved as UTF-16, not UTF-8"),
    "headings-only": (b"Pale Bumps\nWhere They Show Up\nWhat Causes Them\n", "no section has"),
    "no-headings": (
        b"Pale bumps are small. They are firm.\nThey go away by themselves in time.\n",
        "no headings found",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BAD_INPUT)
def test_bad_input_gets_a_one_line_error_and_creates_nothing(tmp_path, kind):
    data, message = BAD_INPUT[kind]
    path = write(tmp_path, f"{kind}.txt", data)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)
    assert str(error.value).startswith(path)
    assert "\n" not in str(error.value)
    assert not Condition.objects.exists() and not Section.objects.exists()


@pytest.mark.django_db
def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nope.txt"))
    assert not Condition.objects.exists()


@pytest.mark.django_db
def test_one_bad_file_among_good_ones_creates_nothing(tmp_path):
    good = write(tmp_path, "good.txt", ARTICLE)
    bad = write(tmp_path, "bad.txt", b"")
    with pytest.raises(CommandError, match="bad.txt: the file is empty"):
        run(good, bad)
    assert not Condition.objects.exists()


@pytest.mark.django_db
def test_unknown_author_creates_nothing(tmp_path):
    with pytest.raises(CommandError, match="no user called"):
        run(write(tmp_path, "chalk.txt", ARTICLE), "--author", "ghost")
    assert not Condition.objects.exists()


@pytest.mark.django_db
def test_the_shared_seed_texts_import_cleanly_as_drafts():
    files = sorted(str(p) for p in shared_path("seeds").glob("*.txt"))
    assert files
    output = run(*files)
    drafts = Condition.objects.all()
    assert drafts.count() == len(files)
    for draft in drafts:
        assert draft.status == Status.DRAFT
        assert draft.sections.count() >= 5
        assert "Cream" not in " ".join(draft.sections.values_list("body", flat=True))
    assert output.count("promotional lines dropped: 1") == len(files)
    assert "our very affordable Milia Removal Cream" in output
    for draft in drafts:
        assert f"slug: {draft.slug}" in output
        assert f"/admin/conditions/condition/{draft.pk}/change/" in output


def test_a_sentence_case_first_line_is_the_title_not_the_first_heading():
    text = (
        "Seborrhoeic keratosis\n\nSeborrhoeic keratoses are common, harmless growths.\n\n"
        "## What they look like\nRaised, waxy spots that look stuck on.\n"
    )
    article = importer.parse_article(text)
    assert article.title == "Seborrhoeic keratosis"
    assert [s.heading for s in article.sections] == ["What they look like"]


def test_an_advert_inside_a_paragraph_goes_and_the_advice_around_it_stays():
    text = (
        "Skin tags\n\nSkin tags are small, soft growths.\n\n"
        "## Treatment\nMost need no treatment. A doctor can remove one that catches. "
        "Buy TagAway cream today and get 20% off!\n"
    )
    article = importer.parse_article(text)
    body = " ".join(article.sections[0].paragraphs)
    assert body == "Most need no treatment. A doctor can remove one that catches."
    assert article.dropped_promotions == ["Buy TagAway cream today and get 20% off!"]
