"""Content files and packs: the schema's errors, export -> import -> export round trip, imports
as drafts with provenance and diffs, and the admin's zipped-pack upload."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from conditions.demo import CONTENT_DIR
from conditions.demo import articles as demo_articles
from conditions.models import Condition, Status
from conditions.packs import files, importing
from tests.conditions.article_admin import user_in
from tests.factories import UserFactory, reviewer_user

URL = "/admin/conditions/condition/import-pack/"


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("translations"))
    return folder


def problems_of(folder: Path) -> str:
    with pytest.raises(files.ContentFileError) as caught:
        files.read(folder)
    return str(caught.value)


# -- the schema ------------------------------------------------------------------------------
def test_the_demo_content_files_are_valid():
    content = files.read(CONTENT_DIR)
    assert [a.slug for a in content.articles][0] == "milia"
    assert len(content.articles) == 5 and content.comparisons and content.questionnaires
    # Every source once: no two keys with the same address.
    urls = [source.url for source in content.references.values()]
    assert len(urls) == len(set(urls))


def test_the_loader_ignores_translations(tmp_path):
    folder = demo_copy(tmp_path)
    (folder / "translations" / "pl" / "articles").mkdir(parents=True)
    (folder / "translations" / "pl" / "articles" / "milia.md").write_text("not a valid file")
    assert len(files.read(folder).articles) == 5


def test_a_missing_field_names_the_file_and_key(tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace('name = "Acne"\n', "", 1))
    message = problems_of(folder)
    assert "articles/acne.md: name" in message and "missing (required)" in message


def test_an_unknown_key_names_the_file_line_and_key(tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace("featured = true", "featurd = true", 1))
    message = problems_of(folder)
    assert "articles/acne.md: featurd (line 4): unknown key" in message


def test_a_bad_reference_key_is_named(tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace('"dermnet_acne",', '"dermnet_acen",', 1))
    message = problems_of(folder)
    assert "articles/acne.md: references: unknown reference key 'dermnet_acen'" in message
    # ...and a citation of a key the article does not list
    assert "citation [[dermnet_acne]]: 'dermnet_acne' is not in this article's references" in (
        message
    )


def test_a_bad_code_is_named_with_the_codes_own_check(tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace('code = "11381005"', 'code = "11381006"', 1))
    message = problems_of(folder)
    assert "articles/acne.md: codes[1]" in message and "11381006" in message


def test_a_bad_choice_in_a_comparison_and_a_broken_toml_file(tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "comparisons" / "milia.toml"
    path.write_text(path.read_text().replace('evidence = "consensus"', 'evidence = "great"', 1))
    quest = folder / "questionnaires" / "white-spots.toml"
    quest.write_text(quest.read_text() + "\n[oops\n")
    message = problems_of(folder)
    assert "comparisons/milia.toml: rows[0]" in message and "evidence 'great'" in message
    assert "questionnaires/white-spots.toml: not valid TOML" in message and "line" in message


# -- packs -----------------------------------------------------------------------------------
@pytest.fixture
def demo_articles_live(db):
    author, reviewer = UserFactory(), reviewer_user(first_name="Ada", last_name="Lovelace")
    demo_articles.load(author, reviewer)
    return reviewer


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_export_import_into_an_empty_database_and_export_again_gives_the_same_files(
    demo_articles_live, tmp_path
):
    call_command("export_content", tmp_path / "a", stdout=io.StringIO())
    first = tree(tmp_path / "a")
    assert "articles/milia.md" in first and "references.toml" in first
    assert 'reviewed_by = "Ada Lovelace"' in first["articles/milia.md"]
    assert "[[" in first["articles/milia.md"]  # citations by key, not by number
    files.read(tmp_path / "a")  # what export writes is a valid pack

    Condition._base_manager.all().delete()  # an empty database: working and live copies
    assert not Condition._base_manager.exists()
    out = io.StringIO()
    call_command("import_content", tmp_path / "a", stdout=out)
    assert out.getvalue().count("new ") == 5
    assert not Condition.objects.published().exists()  # drafts, never published

    call_command("export_content", "--status", "draft", tmp_path / "b", stdout=io.StringIO())
    assert tree(tmp_path / "b") == first


def test_an_import_makes_drafts_with_provenance_and_diffs(demo_articles_live, tmp_path):
    call_command("export_content", tmp_path / "a", stdout=io.StringIO())
    acne = tmp_path / "a" / "articles" / "acne.md"
    acne.write_text(acne.read_text().replace("Acne is", "Acne really is", 1))
    new = tmp_path / "a" / "articles" / "milium-new.md"
    new.write_text(
        (tmp_path / "a" / "articles" / "syringoma.md")
        .read_text()
        .replace('slug = "syringoma"', 'slug = "milium-new"')
        .replace('name = "Syringoma"', 'name = "Milium (new)"')
    )
    live_before = Condition.objects.get(slug="acne").live.summary
    results = {r.slug: r for r in importing.import_pack(tmp_path / "a", by=None)}

    assert results["acne"].state == "changed"
    assert results["milia"].state == results["xanthelasma"].state == "unchanged"
    assert results["milium-new"].state == "new"
    field, diff = results["acne"].diffs[0]
    assert field == "summary" and "<ins>really</ins>" in str(diff)

    acne_draft = Condition.objects.get(slug="acne")
    assert acne_draft.status == Status.DRAFT
    assert acne_draft.live.summary == live_before  # patients still see the approved page
    assert acne_draft.provenance["reviewed_by"] == "Ada Lovelace"
    assert "by Ada Lovelace on" in acne_draft.provenance_text
    new_item = Condition.objects.get(slug="milium-new")
    assert new_item.status == Status.DRAFT and new_item.live is None
    assert new_item.last_reviewed is None and new_item.reviewer is None  # not this clinic's review
    assert not Condition.objects.published().filter(slug="milium-new").exists()

    # This clinic's reviewer approves the change. The import wrote every part again (its care
    # advice at the same levels as the live page's), and the live page takes the new version.
    acne_draft.publish(by=reviewer_user(username="clinic-reviewer"), attested=True)
    live = Condition.objects.get(slug="acne").live
    assert live.summary.startswith("Acne really is")
    assert live.care_advice.count() == acne_draft.care_advice.count() == 4


def test_a_dry_run_lists_every_kind_and_writes_nothing(tmp_path, db):
    out = io.StringIO()
    call_command("import_content", "--dry-run", demo_copy(tmp_path), stdout=out)
    for line in ("new          comparison milia", "new          questionnaire white-spots"):
        assert line in out.getvalue()
    assert "not imported" not in out.getvalue()
    assert "Would import 9 item(s) as drafts; none published." in out.getvalue()
    assert not Condition.objects.exists()  # a dry run writes nothing


def test_import_content_refuses_a_broken_pack_and_changes_nothing(tmp_path, db):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace("featured = true", "featurd = true", 1))
    with pytest.raises(CommandError, match="featurd"):
        call_command("import_content", folder, stdout=io.StringIO())
    assert not Condition.objects.exists()


# -- the admin upload ------------------------------------------------------------------------
def zipped(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "pack/" + str(path.relative_to(folder)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def author(client, db):
    user = user_in("Author")
    client.force_login(user)
    return user


def post(client, data: bytes, name="pack.zip"):
    return client.post(URL, {"pack": SimpleUploadedFile(name, data)})


def test_the_admin_imports_a_zipped_pack_as_drafts_and_shows_the_diff(
    client, demo_articles_live, tmp_path
):
    call_command("export_content", tmp_path / "a", stdout=io.StringIO())
    acne = tmp_path / "a" / "articles" / "acne.md"
    acne.write_text(acne.read_text().replace("Acne is", "Acne really is", 1))
    client.force_login(user_in("Author"))
    assert (
        'href="/admin/conditions/condition/import-pack/"'
        in client.get("/admin/conditions/condition/").content.decode()
    )
    response = post(client, zipped(tmp_path / "a"))
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "<ins>really</ins>" in page and "unchanged" in page
    draft = Condition.objects.get(slug="acne")
    assert draft.status == Status.DRAFT and draft.provenance_text
    change = client.get(f"/admin/conditions/condition/{draft.pk}/change/").content.decode()
    assert "Ada Lovelace" in change  # the provenance, shown to editors
    patient = client.get("/conditions/acne/").content.decode()
    assert "Imported from a content pack" not in patient


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("pack.zip", b"this is not a zip", "not a zip"),
        ("pack.zip", b"PK" + b"\0" * 6_000_000, "larger than 5 MB"),
    ],
)
def test_bad_uploads_get_a_400_with_a_message(client, author, name, data, words):
    response = post(client, data, name)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Condition.objects.exists()


def test_path_traversal_links_and_zip_bombs_are_refused(client, author, tmp_path):
    folder = demo_copy(tmp_path)
    for extra, words in [
        ({"../evil.toml": b"x = 1"}, "path outside the pack"),
        ({"/etc/evil.toml": b"x = 1"}, "path outside the pack"),
        ({"pack/bomb.toml": b"0" * 15_000_000}, "zip bomb"),
    ]:
        response = post(client, zipped(folder, extra))
        assert response.status_code == 400, extra
        assert words in response.content.decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("pack/link.toml")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    response = post(client, buffer.getvalue())
    assert response.status_code == 400 and "link" in response.content.decode()
    assert not Condition.objects.exists()


def test_a_pack_with_schema_errors_gets_a_400_naming_the_file(client, author, tmp_path):
    folder = demo_copy(tmp_path)
    path = folder / "articles" / "acne.md"
    path.write_text(path.read_text().replace("featured = true", "featurd = true", 1))
    response = post(client, zipped(folder))
    assert response.status_code == 400
    assert "articles/acne.md: featurd (line 4): unknown key" in response.content.decode()
    assert not Condition.objects.exists()


def test_staff_without_a_role_may_not_import(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403
