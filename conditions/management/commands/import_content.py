"""Bring a content pack (conditions/packs) into this clinic as drafts, never published.

    python manage.py import_content [--dry-run] [--as USERNAME] DIR

Lists each item as new, changed (with what changed) or unchanged. The pack's review is kept as
provenance, not as this clinic's review: a clinician here approves each draft as usual.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from conditions.packs import files, importing

TAGS = re.compile(r"<(/?)(ins|del)>")


def plain(diff_html: str) -> str:
    """The word diff as text: [-removed-] {+added+}."""
    marks = {("", "del"): "[-", ("/", "del"): "-]", ("", "ins"): "{+", ("/", "ins"): "+}"}
    import html

    return html.unescape(TAGS.sub(lambda m: marks[m.group(1), m.group(2)], str(diff_html)))


class Command(BaseCommand):
    help = "Import a content pack from DIR as drafts of this clinic (never published)."

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR")
        parser.add_argument("--dry-run", action="store_true", help="Show, change nothing.")
        parser.add_argument("--as", dest="username", help="The author of the drafts.")

    def handle(self, folder, dry_run=False, username=None, **options):
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}: nothing was imported.")
        try:
            results = importing.import_pack(folder, by=user, dry_run=dry_run)
        except files.ContentFileError as exc:
            raise CommandError("The pack has problems; nothing was imported:\n" + str(exc)) from exc
        for item in results:
            note = f" ({item.note})" if item.note else ""
            self.stdout.write(f"{item.state:12} {item.kind} {item.slug}{note}")
            for name, diff in item.diffs:
                self.stdout.write(f"    {name}: {plain(diff)}")
        verb = "Would import" if dry_run else "Imported"
        changed = sum(
            item.state in (importing.NEW, importing.CHANGED) and not item.note for item in results
        )
        self.stdout.write(f"{verb} {changed} item(s) as drafts; none published.")
