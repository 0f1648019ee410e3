"""The demo content: its texts are files in conditions/demo/content/ (see conditions/packs);
the modules here load them into the database through the models' own rules."""

from __future__ import annotations

import functools
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"


@functools.cache
def content():
    """The demo's content files, read and validated once."""
    from conditions.packs import files

    return files.read(CONTENT_DIR)
