"""`python manage.py import_article FILE...`: text articles in, draft Conditions out.

Plain text (.txt), Markdown (.md) or Word (.docx). All files are read and checked first; if any
is bad, the command stops with a one-line error and creates nothing. The drafts are never
published: a clinician edits, a reviewer publishes. A title that names an existing article
(its name, slug or a synonym) is reported; the text becomes a separate draft unless
`--update` says to replace that article's draft text instead. The admin's "Import a text" page
does the same through the same code (conditions/drafts.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from conditions import drafts, importer

MAX_BYTES = importer.MAX_BYTES


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
    name = path if Path(path).suffix else f"{path}.txt"  # no extension: read as plain text
    try:
        return importer.read_file(name, data)
    except importer.ImportProblem as exc:
        raise CommandError(f"{path}: {exc}") from None


class Command(BaseCommand):
    help = (
        "Turn text articles (.txt, .md or .docx) into draft condition articles: one section per "
        "heading, repeated paragraphs merged, promotional lines dropped and listed. Never "
        "publishes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="UTF-8 text, Markdown or Word .docx files"
        )
        parser.add_argument(
            "--author", metavar="USERNAME", help="username to record as the drafts' author"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="when a title names an existing article, replace that article's draft summary "
            "and sections (its live page stays until a reviewer approves) instead of creating "
            "a separate draft",
        )
        parser.add_argument(
            "--base-url",
            default=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000"),
            help="site address used to print the admin links (default: %(default)s)",
        )

    def handle(self, *args, files, author=None, update=False, base_url="", **options):
        articles = [(path, read_article(path)) for path in files]
        user = None
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"--author: no user called “{author}”")
        done = []
        try:
            with transaction.atomic():
                for path, article in articles:
                    matches = drafts.matching_conditions(article.title)
                    if update and matches:
                        condition = drafts.update_draft(matches[0], article, path, by=user)
                        done.append((path, article, condition, "updated", matches))
                    else:
                        condition = drafts.create_draft(article, path, user)
                        done.append((path, article, condition, "created", matches))
        except drafts.DraftProblem as exc:
            raise CommandError(str(exc)) from None
        for path, article, condition, what, matches in done:
            self.report(path, article, condition, base_url.rstrip("/"), what, matches)

    def report(self, path, article, condition, base_url, what="created", matches=()) -> None:
        admin_url = base_url + reverse("admin:conditions_condition_change", args=[condition.pk])
        write = self.stdout.write
        if what == "updated":
            write(
                self.style.SUCCESS(
                    f"Replaced the draft text of “{condition.name}” from {path} "
                    "(its live page is unchanged until a reviewer approves)"
                )
            )
        else:
            write(self.style.SUCCESS(f"Created draft “{condition.name}” from {path}"))
            for match in matches:
                write(
                    self.style.WARNING(
                        f"  note: “{match.name}” (slug {match.slug}) already exists; this is a "
                        "separate draft. To update that article's draft instead, delete this "
                        "one and run again with --update."
                    )
                )
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
        if article.removed_markup:
            write("  removed from the file: " + "; ".join(article.removed_markup))
        if article.converted:
            write("  converted: " + "; ".join(article.converted))
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
