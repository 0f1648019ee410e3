"""The admin's "Import a text" page: paste or upload, a draft by the logged-in user,
what was dropped shown, a title naming an existing article asks first, bad files get a 400."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conditions.models import Condition, Status
from tests.conditions.article_admin import change_url, messages_of, user_in
from tests.conditions.test_import_article import ARTICLE
from tests.docx_files import docx, paragraph, sample_article
from tests.factories import ConditionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/conditions/condition/import/"


@pytest.fixture
def author(client):
    user = user_in("Author")
    client.force_login(user)
    return user


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_page_is_linked_from_the_article_list_for_authors(client, author):
    assert reverse("admin:conditions_condition_import") == URL
    page = client.get(reverse("admin:conditions_condition_changelist")).content.decode()
    assert f'href="{URL}"' in page
    response = client.get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_reviewers_may_import_and_staff_without_a_role_may_not(client):
    client.force_login(user_in("Clinical reviewer"))
    assert client.get(URL).status_code == 200
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": ARTICLE}).status_code == 403
    assert not Condition.objects.exists()


def test_pasted_text_becomes_a_draft_by_the_logged_in_user(client, author):
    response = client.post(URL, {"text": ARTICLE})
    condition = Condition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(condition)
    assert condition.name == "Chalk bumps"
    assert condition.status == Status.DRAFT and not condition.is_published
    assert condition.author == author
    assert condition.sections.count() == 4
    notes = " ".join(messages_of(response))
    assert "imported from pasted text as a draft" in notes
    # What was dropped, named as the command names it.
    assert "Order today and get 20% off our gentle bump-clearing serum." in notes
    assert "repeated paragraph merged" in notes


def test_a_word_file_keeps_headings_and_lists_and_names_what_it_dropped(client, author):
    response = client.post(URL, {"file": upload("chalk.docx", sample_article())})
    assert response.status_code == 302
    condition = Condition.objects.get()
    assert condition.name == "Chalk Bumps"
    assert condition.author == author
    sections = {s.heading: s for s in condition.sections.all()}
    assert list(sections) == ["Where They Show Up", "What You Can Do"]
    assert "<ul>\n<li>on the cheeks</li>" in sections["Where They Show Up"].body_html
    assert "<ol>\n<li>Wash with a mild soap</li>" in sections["What You Can Do"].body_html
    assert "<strong>Leave them alone</strong>" in sections["What You Can Do"].body_html
    notes = " ".join(messages_of(response))
    assert "empty heading skipped: Further Reading" in notes
    assert "Buy now and get 20% off" in notes
    assert "tracking link (shop.example)" in notes
    assert condition.history.latest().history_change_reason == "Imported from chalk.docx"


def test_markdown_and_word_bullets_in_a_text_file_become_lists(client, author):
    text = (
        "# Chalk Bumps\n\nChalk bumps are tiny pale lumps.\n\n## What You Can Do\n\n"
        "Try these:\n•\tWash gently\n•\tPat dry\n"
    )
    client.post(URL, {"file": upload("chalk.md", text.encode())})
    body = Condition.objects.get().sections.get().body
    assert body == "Try these:\n\n- Wash gently\n- Pat dry"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("chalk.docx", b"this is plain text renamed to .docx", "not a Word .docx file"),
        ("chalk.docx", b"PK\x03\x04 broken zip", "not a Word .docx file"),
        ("chalk.pdf", b"%PDF-1.4", "cannot import a .pdf"),
        ("chalk.doc", b"\xd0\xcf\x11\xe0", "cannot import a .doc"),
        ("chalk.txt", b"\x00\x01\x02binary" * 50, "binary file"),
        ("chalk.txt", b"Pale bumps.\nNo headings here at all.\n", "no headings found"),
    ],
)
def test_bad_files_get_a_400_with_a_message_and_create_nothing(client, author, name, data, words):
    response = client.post(URL, {"file": upload(name, data)})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Condition.objects.exists()


def test_an_empty_or_oversized_file_or_nothing_at_all_gets_a_400(client, author):
    assert client.post(URL, {"file": upload("a.txt", b"")}).status_code == 400
    big = client.post(URL, {"file": upload("a.txt", b"x" * 2_000_001)})
    assert big.status_code == 400
    assert "too large" in big.content.decode()
    nothing = client.post(URL, {"text": "  "})
    assert nothing.status_code == 400
    assert "Paste a text or choose a file" in nothing.content.decode()
    assert not Condition.objects.exists()


def test_a_word_file_with_no_document_inside_gets_a_400(client, author):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    response = client.post(URL, {"file": upload("a.docx", buffer.getvalue())})
    assert response.status_code == 400
    assert "no document text inside" in response.content.decode()


# -- a title that names an existing article ---------------------------------------------------
def test_a_matching_title_asks_before_doing_anything(client, author):
    existing = ConditionFactory(name="Chalk bumps", slug="chalk-bumps")
    response = client.post(URL, {"file": upload("chalk.txt", ARTICLE.encode())})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Chalk bumps” is already an article" in page
    assert f'value="{existing.pk}"' in page
    assert "Chalk bumps (imported draft)" in page
    assert "Order today and get 20% off" in page  # what will be dropped, shown already
    assert Condition.objects.count() == 1


def test_choosing_update_replaces_the_draft_text_and_keeps_the_live_page(client, author):
    existing = ConditionFactory(name="Chalk bumps", slug="chalk-bumps", published=True)
    live = existing.live
    live_summary = live.summary
    live_sections = list(live.sections.values_list("heading", flat=True))
    first = client.post(URL, {"text": ARTICLE})
    assert first.status_code == 200
    response = client.post(URL, {"text": ARTICLE, "choice": str(existing.pk)})
    assert response.status_code == 302
    assert response["Location"] == change_url(existing)
    existing.refresh_from_db()
    assert existing.status == Status.DRAFT
    assert existing.summary.startswith("Chalk bumps are tiny pale lumps")
    assert existing.sections.count() == 4
    assert existing.references.count() == 1  # the rest of the article stays
    assert author.pk in existing.changed_by()
    live.refresh_from_db()
    assert live.summary == live_summary
    assert list(live.sections.values_list("heading", flat=True)) == live_sections
    assert Condition.objects.count() == 1
    assert "Patients still see the live page" in " ".join(messages_of(response))


def test_choosing_a_separate_draft_creates_one(client, author):
    ConditionFactory(name="Chalk bumps", slug="chalk-bumps")
    response = client.post(URL, {"text": ARTICLE, "choice": "new"})
    assert response.status_code == 302
    assert Condition.objects.filter(name="Chalk bumps (imported draft)", author=author).exists()


def test_a_synonym_match_is_offered_too(client, author):
    existing = ConditionFactory(name="Milia", slug="milia", also_known_as="milk spots\nchalk bumps")
    response = client.post(URL, {"text": ARTICLE})
    assert f'value="{existing.pk}"' in response.content.decode()


def test_an_uploaded_file_is_carried_to_the_choice_as_its_text(client, author):
    existing = ConditionFactory(name="Chalk Bumps", slug="chalk-bumps")
    SectionFactory(condition=existing, heading="Old")
    first = client.post(URL, {"file": upload("chalk.docx", sample_article())})
    form = first.context["form"]
    assert "- on the cheeks" in form["text"].value()
    assert form["source"].value() == "chalk.docx"
    data = {
        "text": form["text"].value(),
        "source": "chalk.docx",
        "removed": form["removed"].value(),
        "choice": str(existing.pk),
    }
    response = client.post(URL, data)
    assert response.status_code == 302
    headings = list(existing.sections.values_list("heading", flat=True))
    assert headings == ["Where They Show Up", "What You Can Do"]
    assert "tracking link" in " ".join(messages_of(response))


def test_a_forged_choice_is_refused(client, author):
    ConditionFactory(name="Chalk bumps", slug="chalk-bumps")
    other = ConditionFactory(name="Something else")
    response = client.post(URL, {"text": ARTICLE, "choice": str(other.pk)})
    assert response.status_code == 400
    assert other.sections.count() == 1


# -- the command, the other front door --------------------------------------------------------
def test_command_reports_a_match_and_updates_it_with_update(tmp_path, capsys):
    from io import StringIO

    existing = ConditionFactory(name="Chalk Bumps", slug="chalk-bumps")
    before = list(existing.sections.values_list("heading", flat=True))
    path = tmp_path / "chalk.docx"
    path.write_bytes(sample_article())
    out = StringIO()
    call_command("import_article", str(path), stdout=out)
    assert "“Chalk Bumps” (slug chalk-bumps) already exists" in out.getvalue()
    assert "empty heading" in out.getvalue() or "headings with no text" in out.getvalue()
    UserFactory(username="stranger")
    with pytest.raises(CommandError, match="stranger may not change condition articles"):
        call_command("import_article", str(path), "--update", "--author", "stranger")
    assert list(existing.sections.values_list("heading", flat=True)) == before
    nurse = user_in("Author", username="nurse")
    out = StringIO()
    call_command("import_article", str(path), "--update", "--author", "nurse", stdout=out)
    assert "Replaced the draft text of “Chalk Bumps”" in out.getvalue()
    assert existing.sections.count() == 2
    assert nurse.pk in existing.changed_by()


def test_command_reads_word_files(tmp_path):
    from io import StringIO

    path = tmp_path / "pale.docx"
    path.write_bytes(
        docx(
            paragraph("Pale bumps are small and firm."),
            paragraph("Causes", style="Heading1"),
            paragraph("Old skin gets trapped.", style="ListParagraph", num=1),
        )
    )
    call_command("import_article", str(path), stdout=StringIO())
    assert Condition.objects.get().sections.get().body == "- Old skin gets trapped."
