"""Content packs carry every kind the demo content has: treatment comparisons, questionnaires,
the search help card and the kiosk profile, as well as articles. Each comes in as a draft of
this clinic (new / changed with a word diff / unchanged), keeps the source clinic's review as
provenance that patients never see, never makes anything live, and round-trips byte for byte.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from conditions.demo import articles, kiosk, questionnaires, safety, treatments
from conditions.models import (
    Condition,
    KioskProfile,
    Questionnaire,
    Status,
    Treatment,
    TreatmentComparison,
    UrgentHelp,
)
from conditions.packs import importing
from tests.built_once import built_per_module
from tests.conditions.article_admin import user_in
from tests.conditions.test_content_packs import post, tree, zipped
from tests.factories import UserFactory, reviewer_user

COMPARISON = "comparisons/milia.toml"
QUESTIONNAIRE = "questionnaires/white-spots.toml"
HELP_CARD = "search-help.toml"
KIOSK = "kiosk.toml"
KINDS = {
    "comparison": "milia",
    "questionnaire": "white-spots",
    "help card": "search-help",
    "kiosk profile": "waiting-room",
}


@built_per_module
def demo_live():
    """The demo content, every kind, approved by a reviewer with a name to look for; loaded
    once for the module (the tests' own changes are rolled back after each). Tests that need
    an empty database are in test_content_packs_files.py."""
    author, reviewer = UserFactory(), reviewer_user(first_name="Ada", last_name="Lovelace")
    for module in (articles, treatments, questionnaires, safety, kiosk):
        module.load(author, reviewer)


@pytest.fixture
def pack(demo_live, db, tmp_path) -> Path:
    call_command("export_content", tmp_path / "pack", stdout=io.StringIO())
    return tmp_path / "pack"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def by_kind(results) -> dict[str, importing.ItemResult]:
    return {r.kind: r for r in results if r.kind != "article"}


def empty_the_database() -> None:
    KioskProfile.objects.all().delete()
    Questionnaire.all_copies.all().delete()
    UrgentHelp.all_copies.all().delete()
    Condition.all_copies.all().delete()  # their comparisons and references go with them
    Treatment.all_copies.all().delete()


# -- export --------------------------------------------------------------------------------------
def test_export_writes_every_kind_with_its_review_and_cited_sources(pack):
    files = tree(pack)
    for name in (COMPARISON, QUESTIONNAIRE, HELP_CARD, KIOSK):
        assert name in files
    for name in (COMPARISON, QUESTIONNAIRE, HELP_CARD):
        assert 'reviewed_by = "Ada Lovelace"' in files[name], name
    # Named fields, never positions: links by key and code.
    assert 'treatment = "no-treatment"' in files[COMPARISON]
    assert '{ question = "who", op = "is_not", answer = "baby" }' in files[QUESTIONNAIRE]
    assert 'featured_questionnaires = [\n    "white-spots",\n]' in files[KIOSK]
    # Every source a comparison row cites is in the pack's bibliography.
    comparison = importing.files.read(pack).comparisons[0]
    bibliography = importing.files.read(pack).references
    assert all(key in bibliography for row in comparison.rows for key in row.references)


# -- the round trip ------------------------------------------------------------------------------
def test_every_kind_round_trips_byte_for_byte_through_an_empty_database(pack, tmp_path):
    first = tree(pack)
    empty_the_database()
    out = io.StringIO()
    call_command("import_content", pack, stdout=out)
    for kind, slug in KINDS.items():
        assert f"new          {kind} {slug}" in out.getvalue()
    for model in (Condition, TreatmentComparison, Questionnaire, UrgentHelp):
        assert not model.objects.published().exists(), model  # drafts, never published
    assert not KioskProfile.objects.filter(in_use=True).exists()

    call_command("export_content", "--status", "draft", tmp_path / "again", stdout=io.StringIO())
    assert tree(tmp_path / "again") == first
    # ...and the same pack again changes nothing.
    results = importing.import_pack(pack, by=None)
    assert {(r.kind, r.state) for r in results} == {
        (kind, "unchanged") for kind in ("article", *KINDS)
    }


# -- new, changed (with a diff), unchanged --------------------------------------------------------
def test_an_unchanged_pack_is_unchanged_for_every_kind(pack):
    results = by_kind(importing.import_pack(pack, by=None))
    assert {kind: r.state for kind, r in results.items()} == dict.fromkeys(KINDS, "unchanged")
    assert TreatmentComparison.objects.get().status == Status.PUBLISHED  # nothing rewritten


def change_every_kind(pack: Path) -> None:
    edit(pack / COMPARISON, "Milia are harmless and often", "Milia are harmless and usually")
    edit(pack / QUESTIONNAIRE, "It needs help now.", "It needs help right now.")
    edit(pack / HELP_CARD, "Both get worse fast", "Both get worse very fast")
    edit(pack / KIOSK, "while you wait", "while you are waiting")


def test_a_changed_item_of_every_kind_is_a_draft_with_a_word_diff(pack):
    live = {
        "comparison": TreatmentComparison.objects.published().get().intro,
        "questionnaire": Questionnaire.objects.published().get().spec(),
        "help card": UrgentHelp.objects.published().get().body,
    }
    change_every_kind(pack)
    results = by_kind(importing.import_pack(pack, by=None))
    assert {kind: r.state for kind, r in results.items()} == dict.fromkeys(KINDS, "changed")
    expected = {
        "comparison": ("intro", "<del>often</del> <ins>usually</ins>"),
        "questionnaire": ("outcomes: emergency", "help <ins>right</ins> now."),
        "help card": ("body", "worse <ins>very</ins> fast"),
        "kiosk profile": ("welcome text", "<del>wait.</del> <ins>are waiting.</ins>"),
    }
    for kind, (name, words) in expected.items():
        assert [n for n, _diff in results[kind].diffs] == [name], kind
        assert words in str(results[kind].diffs[0][1]), (kind, results[kind].diffs)

    comparison = TreatmentComparison.objects.get()
    assert comparison.status == Status.DRAFT and "usually" in comparison.intro
    assert comparison.live.intro == live["comparison"]  # patients still see the approved one
    card = UrgentHelp.objects.get()
    assert card.status == Status.DRAFT and card.live.body == live["help card"]
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.status == Status.DRAFT
    assert "right now" in questionnaire.outcomes.get(slug="emergency").explanation


def test_a_kiosk_profile_in_use_is_left_as_it_is_and_one_not_in_use_takes_the_change(pack):
    edit(pack / KIOSK, "while you wait", "while you are waiting")
    result = by_kind(importing.import_pack(pack, by=None))["kiosk profile"]
    assert result.state == "changed" and "in use" in result.note
    profile = KioskProfile.objects.get()
    assert "while you wait" in profile.welcome_text  # the screens are not changed by a pack

    profile.in_use = False
    profile.save()
    result = by_kind(importing.import_pack(pack, by=None))["kiosk profile"]
    assert result.state == "changed" and not result.note
    profile.refresh_from_db()
    assert "while you are waiting" in profile.welcome_text and not profile.in_use


def test_a_new_item_of_every_kind_is_a_draft_of_this_clinic(pack):
    edit(pack / COMPARISON, 'condition = "milia"', 'condition = "acne"')
    (pack / COMPARISON).rename(pack / "comparisons" / "acne.toml")
    edit(pack / QUESTIONNAIRE, 'slug = "white-spots"', 'slug = "white-spots-2"')
    edit(pack / KIOSK, 'slug = "waiting-room"', 'slug = "second-screen"')
    UrgentHelp.all_copies.all().delete()
    results = by_kind(importing.import_pack(pack, by=None))
    assert {kind: r.state for kind, r in results.items()} == dict.fromkeys(KINDS, "new")

    comparison = TreatmentComparison.objects.get(condition__slug="acne")
    questionnaire = Questionnaire.objects.get(slug="white-spots-2")
    card = UrgentHelp.objects.get()
    for item in (comparison, questionnaire, card):
        assert item.status == Status.DRAFT and item.live is None, item
        assert item.reviewer is None and item.last_reviewed is None  # not this clinic's review
        assert item.provenance["reviewed_by"] == "Ada Lovelace", item
    # The acne article now lists the sources its comparison cites: a draft too.
    assert Condition.objects.get(slug="acne").status == Status.DRAFT
    assert not KioskProfile.objects.get(slug="second-screen").in_use


# -- never live, never this clinic's review -------------------------------------------------------
def test_a_questionnaire_import_makes_nothing_live_and_clears_a_changed_sign_off(pack):
    edit(pack / QUESTIONNAIRE, "Newborn milia do not blister", "Newborn milia never blister")
    edit(pack / QUESTIONNAIRE, 'op = "gte", number = 13', 'op = "gte", number = 10')
    live = Questionnaire.objects.published().get()
    spec_before = live.spec()
    importing.import_pack(pack, by=None)

    live.refresh_from_db()
    assert live.spec() == spec_before and live.status == Status.PUBLISHED
    working = Questionnaire.objects.get()
    assert working.status == Status.DRAFT
    outcomes = {o.slug: o for o in working.outcomes.all()}
    # Changed outcomes need this clinic's sign-off again; untouched ones keep theirs.
    assert outcomes["newborn-sore"].signed_off_at is None
    assert outcomes["persistent-baby"].signed_off_at is None
    assert outcomes["see-gp"].signed_off_at is not None  # the pack left it as it was
    assert outcomes["near-eye"].needs_signoff is False
    assert any("sign-off" in p for p in working.publish_problems())


def test_provenance_is_kept_for_editors_and_never_shown_to_patients(client, pack):
    for name in (COMPARISON, QUESTIONNAIRE, HELP_CARD):
        edit(pack / name, 'reviewed_by = "Ada Lovelace"', 'reviewed_by = "Grace Hopper"')
    change_every_kind(pack)
    importing.import_pack(pack, by=None)
    reviewer = reviewer_user()
    items = [
        TreatmentComparison.objects.get(),
        Questionnaire.objects.get(),
        UrgentHelp.objects.get(),
    ]
    for item in items:
        assert item.provenance["reviewed_by"] == "Grace Hopper"
        assert "by Grace Hopper" in item.provenance_text
        if isinstance(item, Questionnaire):
            for outcome in item.outcomes.filter(needs_signoff=True):
                outcome.sign_off(reviewer)
        item.publish(by=reviewer, attested=True)  # this clinic's reviewer approves
        assert item.reviewer == reviewer

    client.force_login(user_in("Author"))
    admin = client.get(f"/admin/conditions/treatmentcomparison/{items[0].pk}/change/")
    assert "Grace Hopper" in admin.content.decode()
    client.logout()
    for url in ("/conditions/milia/treatments/", "/check/white-spots/", "/search/?q=meningitis"):
        page = client.get(url, follow=True)
        assert page.status_code == 200, url
        body = page.content.decode()
        assert "Grace Hopper" not in body and "Imported from a content pack" not in body, url


# -- the admin upload ----------------------------------------------------------------------------
def test_the_admin_imports_a_pack_of_every_kind_as_drafts(client, pack):
    change_every_kind(pack)
    client.force_login(user_in("Author"))
    response = post(client, zipped(pack))
    page = response.content.decode()
    assert response.status_code == 200, page
    for words in (
        "Comparison:",
        "Questionnaire: White spots",
        "Help card:",
        "Kiosk profile: Waiting room",
        "<ins>usually</ins>",
        "<ins>right</ins>",
        "<ins>very</ins>",
        "in use on the kiosk screens",
    ):
        assert words in page, words
    assert TreatmentComparison.objects.get().status == Status.DRAFT
    assert Questionnaire.objects.get().status == Status.DRAFT
    assert UrgentHelp.objects.get().status == Status.DRAFT
