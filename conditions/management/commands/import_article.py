"""`python manage.py import_article FILE...`: plain-text articles in, draft Conditions out.

All files are read and checked first; if any is bad, the command stops with a one-line error
and creates nothing. The drafts are never published: a clinician edits, a reviewer publishes.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from conditions import importer
from conditions.models import Condition, Section, Status

MAX_BYTES = 2_000_000


def read_article(path: str) -> importer.ImportedArticle:
    file = Path(path)
    try:
        if file.is_dir():
            raise CommandError(f"{path}: is a folder, not a text file")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path}: is too large for an article (over 2 MB)")
        data = file.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except PermissionError:
        raise CommandError(f"{path}: permission denied, cannot read the file") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        return importer.parse_article(importer.decode_text(data))
    except importer.ImportProblem as exc:
        raise CommandError(f"{path}: {exc}") from None


def unique_name_and_slug(title: str) -> tuple[str, str]:
    """The title itself if free, else "Title (imported draft)", "... 2", and so on."""
    candidates = [title] + [
        f"{title} (imported draft)" if n == 1 else f"{title} (imported draft {n})"
        for n in range(1, 100)
    ]
    for name in candidates:
        name = name[:120]
        slug = slugify(name)[:120] or "imported-article"
        if not Condition.objects.filter(name__iexact=name).exists() and not (
            Condition.objects.filter(slug=slug).exists()
        ):
            return name, slug
    raise CommandError(f"too many drafts called “{title}” already; rename some first")


def create_draft(article: importer.ImportedArticle, source: str, author=None) -> Condition:
    name, slug = unique_name_and_slug(article.title)
    condition = Condition(
        name=name, slug=slug, summary=article.summary, status=Status.DRAFT, author=author
    )
    condition._change_reason = f"Imported from {os.path.basename(source)}"
    condition.save()
    for order, section in enumerate(article.sections, start=1):
        Section.objects.create(
            condition=condition, order=order * 10, heading=section.heading[:200], body=section.body
        )
    condition.refresh_derived()
    return condition


class Command(BaseCommand):
    help = (
        "Turn plain-text articles into draft condition articles: one section per heading line, "
        "repeated paragraphs merged, promotional lines dropped and listed. Never publishes."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="plain-text UTF-8 files")
        parser.add_argument("--author", help="username to record as the drafts' author")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000"),
            help="site address used to print the admin links (default: %(default)s)",
        )

    def handle(self, *args, files, author=None, base_url="", **options):
        articles = [(path, read_article(path)) for path in files]
        user = None
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"--author: no user called “{author}”")
        with transaction.atomic():
            created = [(path, art, create_draft(art, path, user)) for path, art in articles]
        for path, article, condition in created:
            self.report(path, article, condition, base_url.rstrip("/"))

    def report(self, path, article, condition, base_url) -> None:
        admin_url = base_url + reverse("admin:conditions_condition_change", args=[condition.pk])
        write = self.stdout.write
        write(self.style.SUCCESS(f"Created draft “{condition.name}” from {path}"))
        write(f"  slug: {condition.slug}")
        write(f"  admin: {admin_url}")
        write(f"  sections: {len(article.sections)}; status: draft (not published)")
        if condition.reading_grade is not None:
            write(f"  reading grade (Flesch-Kincaid): {condition.reading_grade}")
        if article.merged_paragraphs:
            write(f"  repeated paragraphs merged: {len(article.merged_paragraphs)}")
            for paragraph in article.merged_paragraphs:
                write(f"    = {_short(paragraph)}")
        if article.merged_headings:
            write(
                "  repeated headings merged into one section: " + "; ".join(article.merged_headings)
            )
        if article.skipped_headings:
            write("  headings with no text, skipped: " + "; ".join(article.skipped_headings))
        if article.dropped_promotions:
            write(
                self.style.WARNING(
                    f"  promotional lines dropped: {len(article.dropped_promotions)}"
                )
            )
            for line in article.dropped_promotions:
                write(f"    - {line}")
        else:
            write("  promotional lines dropped: none")


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
