"""The demo content: its texts are files in conditions/demo/content/ (see conditions/packs);
the modules here load them into the database through the models' own rules."""

from __future__ import annotations

import functools
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"


def example_account(username: str, groups, **names):
    """A staff account of the demo in `groups` and the "Example accounts" group, made with no
    usable password (a named reviewer, not a login). Returns it, and whether it was made."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from conditions.models.review import EXAMPLE_ACCOUNTS_GROUP

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={**names, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    for name in (*groups, EXAMPLE_ACCOUNTS_GROUP):
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user, created


@functools.cache
def content():
    """The demo's content files, read and validated once."""
    from conditions.packs import files

    return files.read(CONTENT_DIR)


def write(kind: str, current, item, author, note: str):
    """A demo item (`kind` as the content-pack importer names it) written over `current` (None:
    made new) by the importer's own writers, so the same model rules and conventions apply. It
    is this clinic's example content, not an import: no provenance, and `note` in its history.
    Left a draft, for the demo reviewer to approve."""
    from conditions.packs import importing

    how = importing.KIND[kind]
    by = importing.Writer(author, note, provenance=False)
    return how.write(current, how.resolve(item, content()), content(), by)


def differs(kind: str, current, item) -> bool:
    """Whether the working copy `current` differs from the demo file's `item`, compared as the
    importer compares them (each side written out as a file)."""
    from conditions.packs import importing

    how = importing.KIND[kind]
    return bool(importing.compare(how, how.resolve(item, content()), current, content()))
