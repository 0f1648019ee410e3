"""The team's shared source texts (content notes, seed texts) that some tests check against.

They live beside the repository (../shared) on the team's machines, at /work/shared on CI, or
wherever PORTAL_SHARED_DIR says. Outside CI a missing folder skips those tests with a message;
under CI=true it fails them, as a skipped check counts as a missing one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings


def shared_path(*parts: str) -> Path:
    candidates = [
        os.environ.get("PORTAL_SHARED_DIR"),
        Path(settings.BASE_DIR).parent / "shared",
        "/work/shared",
    ]
    for base in candidates:
        if base and (Path(base) / Path(*parts)).exists():
            return Path(base) / Path(*parts)
    message = f"the shared texts ({'/'.join(parts)}) are not here: set PORTAL_SHARED_DIR"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
