"""Backup and restore (deploy/backup.py through deploy/stack.py): a backup of the running
stack, restored into a NEW database and media directory, serves every published page exactly
as the original does."""

import difflib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy.stack import free_port
from tests.faults.conftest import ROOT, normalise, unique, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.xdist_group("faults"),
    pytest.mark.usefixtures("healthy"),
]


def fetch(port: int, path: str) -> tuple[int, str]:
    """A GET straight to one gunicorn, as nginx would send it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def stack_command(stack, *args: str) -> subprocess.CompletedProcess:
    """The documented command line, finding the stack by its directory (stack.json)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACK_")}
    env["STACK_DIR"] = str(stack.run_dir)
    return subprocess.run(
        [sys.executable, "deploy/stack.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restored_into_a_new_database_serves_every_published_page_identically(
    stack, editor, tmp_path
):
    # Something approved just now, and an uploaded picture, must both be in the backup.
    marker = unique()
    editor.approve(marker)
    picture = stack.media_root / "conditions" / "backup-check.png"
    picture.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    Image.new("RGB", (5, 5), "blue").save(picture)

    backups = tmp_path / "backups"
    made = stack_command(stack, "backup", "--to", str(backups))
    assert made.returncode == 0, made.stdout + made.stderr
    (backup,) = backups.iterdir()
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}

    database = f"portal_restored_{unique('')}"
    media = tmp_path / "media-restored"
    restored = stack_command(
        stack, "restore", str(backup), "--database", database, "--media-root", str(media)
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert (media / "conditions" / "backup-check.png").read_bytes() == picture.read_bytes()
    # A restore never overwrites: the same database again is refused.
    again = stack_command(
        stack, "restore", str(backup), "--database", database, "--media-root", str(tmp_path / "m2")
    )
    assert again.returncode != 0 and "not empty" in again.stdout, again.stdout

    # A second app server on the restored database and pictures, with its own (empty) cache.
    port = free_port()
    env = stack.app_env(
        DATABASE_URL=stack.database_url(database),
        CACHE_URL="",
        DJANGO_MEDIA_ROOT=str(media),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    log = (tmp_path / "restored-gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        up = wait_until(lambda: _healthy(port), 60, interval=0.2)
        assert up is not None, Path(log.name).read_text()[-2000:]
        urls = editor.call("patient_urls")
        # Home, A-Z, the five demo articles, the milia comparison, the questionnaire.
        assert len(urls) >= 9, urls
        assert any(u.endswith("/treatments/") for u in urls)
        assert any(u.startswith("/check/") for u in urls)
        for url in urls:
            status_a, original = fetch(stack.config.app_port, url)
            status_b, copy = fetch(port, url)
            assert status_a == status_b == 200, (url, status_a, status_b)
            original, copy = normalise(original), normalise(copy)
            if original != copy:
                diff = "\n".join(
                    difflib.unified_diff(original.splitlines(), copy.splitlines(), lineterm="")
                )
                pytest.fail(f"{url} differs after the restore:\n{diff[:3000]}")
        assert marker in fetch(port, "/conditions/milia/")[1]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _healthy(port: int) -> bool:
    try:
        return fetch(port, "/healthz")[0] == 200
    except OSError:
        time.sleep(0.1)
        return False
