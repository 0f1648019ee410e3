"""Production static files (whitenoise's compressed manifest storage), collected once and shared.

`collectstatic` with production settings compresses every file, the API docs' megabytes of
JavaScript included: about a minute of CPU. The deploy checks, the gunicorn logging test and the
two-app-server test each need such a STATIC_ROOT and only read it, so they share one, kept under
var/test-static/ and named by a hash of everything the result depends on: the project's static
files, its settings module and the installed packages (whose static files are collected too).
A change to any of these collects afresh; a failed collect is never kept. Parallel test
processes wait on a lock instead of collecting twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "test-static"
SECRET = "collectstatic-test-key-" + "s" * 50


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "portal" / "settings.py").read_bytes())
    packages = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    )
    digest.update("\n".join(packages).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def collected_static() -> Path:
    """A STATIC_ROOT collected with production settings (DEBUG off). Read it, never write to it."""
    target = CACHE / _fingerprint()
    if (target / "staticfiles.json").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "staticfiles.json").exists():  # another process collected it meanwhile
            return target
        building = CACHE / f".{target.name}.{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": SECRET,
                "DJANGO_STATIC_ROOT": str(building),
            }
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            raise AssertionError(f"collectstatic failed:\n{result.stderr}")
        for old in CACHE.iterdir():  # what earlier versions of the files collected
            if old.is_dir() and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        building.rename(target)
    return target
