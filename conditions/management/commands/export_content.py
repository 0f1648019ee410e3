"""Write this clinic's content as a content pack (conditions/packs): articles, treatment
comparisons, questionnaires, the search help card and the kiosk profile, in the files of
conditions/demo/content/, with their review metadata, and one bibliography.

    python manage.py export_content [--status published|draft] DIR
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conditions.models import Status
from conditions.packs import exporting


class Command(BaseCommand):
    help = "Write content (published by default: the live pages) as a content pack in DIR."

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR")
        parser.add_argument(
            "--status",
            choices=[Status.PUBLISHED, Status.DRAFT],
            default=Status.PUBLISHED,
            help=(
                "published: the live pages and the kiosk profiles in use (default); draft: "
                "working copies in draft and the kiosk profiles not in use."
            ),
        )

    def handle(self, folder, status, **options):
        path = Path(folder)
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path} is a file, not a folder: nothing was written.")
        if path.is_dir() and any(path.iterdir()):
            raise CommandError(f"{path} is not empty: export to a new or empty folder.")
        written = exporting.export(path, status)
        self.stdout.write(f"Wrote {len(written)} item(s) to {path}: {', '.join(written)}")
