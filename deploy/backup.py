"""Backup and restore of the portal: its PostgreSQL database and its uploaded pictures.

    DATABASE_URL=postgres://portal:...@db:5432/portal DJANGO_MEDIA_ROOT=/srv/portal/media \\
        .venv/bin/python deploy/backup.py create /backups
    DATABASE_URL=postgres://portal:...@db:5432/portal_restored \\
    DJANGO_MEDIA_ROOT=/srv/portal/media-restored \\
        .venv/bin/python deploy/backup.py restore /backups/portal-20250101-020000 \\
        [--create-with postgres://postgres:...@db:5432/postgres]

A backup is one directory, portal-YYYYMMDD-HHMMSS/:
  database.dump   pg_dump's custom format (compressed; pg_restore can list or pick from it)
  media.tar.gz    everything under MEDIA_ROOT (the pictures clinicians uploaded)
  manifest.json   when, from which database, with which pg_dump, and each file's SHA-256

Restore never overwrites: it goes into a database that is new (created with --create-with, a
login allowed to create databases) or empty, and a media directory that is new or empty. The
app is then pointed at them (DATABASE_URL, DJANGO_MEDIA_ROOT). Everything else the site shows
(sessions aside) is in the database; the cache (Redis) is rebuilt on demand.

On the local stack: `deploy/stack.py backup` and `deploy/stack.py restore` (see the README).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]


class BackupError(Exception):
    pass


def pg_program(name: str) -> str:
    """pg_dump/pg_restore of the newest installed PostgreSQL (it must not be older than the
    server's)."""
    from deploy.stack import StackError, pg_bin_dir

    try:
        candidate = pg_bin_dir() / name
    except StackError:
        candidate = None
    if candidate is not None and candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is missing: apt-get install -y postgresql-client")
    return found


def connection_args(database_url: str) -> tuple[list[str], dict, str]:
    """libpq arguments and environment for a postgres:// URL (the password goes in PGPASSWORD,
    never on a command line that `ps` shows)."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BackupError(f"not a PostgreSQL URL: {parts.scheme}://...")
    name = unquote(parts.path.lstrip("/"))
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        args += ["-U", unquote(parts.username)]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return args, env, name


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run(command: list[str], env: dict, what: str) -> str:
    done = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with our own arguments
        command, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed:\n{done.stderr.strip()}")
    return done.stdout


def create_backup(database_url: str, media_root: Path, destination: Path) -> Path:
    """Dump the database and archive MEDIA_ROOT into a new directory under `destination`."""
    args, env, name = connection_args(database_url)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / time.strftime("portal-%Y%m%d-%H%M%S")
    suffix = 1
    while target.exists():
        suffix += 1
        target = destination / time.strftime(f"portal-%Y%m%d-%H%M%S-{suffix}")
    target.mkdir(mode=0o700)
    dump = target / "database.dump"
    # One consistent snapshot of the whole database (pg_dump runs in one transaction).
    run([pg_program("pg_dump"), *args, "-d", name, "-Fc", "-f", str(dump)], env, "pg_dump")
    # Read it back: a dump that pg_restore cannot list is no backup.
    run([pg_program("pg_restore"), "--list", str(dump)], env, "pg_restore --list")
    media = target / "media.tar.gz"
    with tarfile.open(media, "w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    version = run([pg_program("pg_dump"), "--version"], env, "pg_dump --version").strip()
    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": name,
        "pg_dump": version,
        "media_root": str(media_root),
        "files": {p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)} for p in (dump, media)},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def _database_is_empty(database_url: str) -> bool | None:
    """True/False, or None when the database does not exist."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public'"
            ).fetchone()
            return row[0] == 0
    except psycopg.OperationalError as exc:
        if "does not exist" in str(exc):
            return None
        raise BackupError(f"cannot reach the target database: {exc}") from exc


def restore_backup(
    backup: Path, database_url: str, media_root: Path, create_with: str | None = None
) -> None:
    """Restore `backup` into the database at `database_url` (new or empty; created with the
    `create_with` login when it does not exist) and into `media_root` (new or empty)."""
    import psycopg
    from psycopg import sql

    manifest = json.loads((backup / "manifest.json").read_text())
    for filename, facts in manifest["files"].items():
        if sha256(backup / filename) != facts["sha256"]:
            raise BackupError(f"{backup / filename} does not match its checksum: damaged backup")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore the pictures into a new directory")
    args, env, name = connection_args(database_url)
    empty = _database_is_empty(database_url)
    if empty is None:
        if not create_with:
            raise BackupError(f"database {name!r} does not exist: create it, or give --create-with")
        owner = urlsplit(database_url).username
        with psycopg.connect(create_with, autocommit=True, connect_timeout=10) as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if owner:
                statement += sql.SQL(" OWNER {}").format(sql.Identifier(unquote(owner)))
            conn.execute(statement)
    elif not empty:
        raise BackupError(f"database {name!r} is not empty: restore into a new database")
    # Objects belong to the login restoring them; all or nothing.
    run(
        [
            pg_program("pg_restore"),
            *args,
            "-d",
            name,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(backup / "database.dump"),
        ],
        env,
        "pg_restore",
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / "media.tar.gz", "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            if member.name == "media" or not member.name.startswith("media/"):
                continue
            member.name = member.name.removeprefix("media/")
            members.append(member)
        tar.extractall(media_root, members=members, filter="data")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="write a new backup directory under DESTINATION")
    create.add_argument("destination", type=Path)
    restore = sub.add_parser("restore", help="restore BACKUP into DATABASE_URL/DJANGO_MEDIA_ROOT")
    restore.add_argument("backup", type=Path)
    restore.add_argument("--create-with", help="a login that may create the database")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    media_root = Path(os.environ.get("DJANGO_MEDIA_ROOT") or ROOT / "media")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to the PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2
    try:
        if args.command == "create":
            print(f"Backup written to {create_backup(database_url, media_root, args.destination)}")
        else:
            restore_backup(args.backup, database_url, media_root, args.create_with)
            print(f"Restored {args.backup} into {urlsplit(database_url).path[1:]} and {media_root}")
    except BackupError as exc:
        print(f"deploy/backup.py {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
