"""Test databases migrated once, then copied: each test process used to run every migration.

Running the migrations renders the models' state after each operation (about 15 s of CPU on
SQLite and 25 s on PostgreSQL on the CI machine), and `make test` did it in each of its five
parallel test processes. Now the first process to need a test database migrates it and keeps a
copy; the others (and later runs) restore the copy:

- SQLite (in memory): a file under var/test-db/, restored with SQLite's backup API.
- PostgreSQL: a template database, cloned with CREATE DATABASE ... TEMPLATE. Under CI=true the
  template is this run's own (named after the run), so CI always migrates from scratch once.

The copy is named by a hash of everything the migrated database depends on: every migration
file Django would run, the installed apps, Django's version and the database's vendor and
version. A changed migration migrates afresh. Processes wait on a lock rather than migrate
twice, and a migration that fails is never kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "test-db"
TEMPLATE_PREFIX = "portal_test_template_"


def fingerprint(connection) -> str:
    """A hash of what `migrate` would build on this connection's database."""
    import django
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    digest.update(repr(list(settings.INSTALLED_APPS)).encode())
    digest.update(django.get_version().encode())
    digest.update(connection.vendor.encode())
    if connection.vendor == "sqlite":
        digest.update(sqlite3.sqlite_version.encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _lock(name: str):
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def migrate_once(migrate, connection) -> None:
    """Run `migrate()` on `connection`'s fresh test database, or put a kept copy in its place."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        _sqlite(migrate, connection)
    elif connection.vendor == "postgresql":
        _postgresql(migrate, connection)
    else:
        migrate()


def _kept_sqlite(connection) -> Path:
    return CACHE / f"{fingerprint(connection)}.sqlite3"


def copy_migrated_sqlite(target: Path) -> bool:
    """Put a migrated SQLite database at `target` (for a server started by a test), from the
    copy this test run made; False when there is none (then run `migrate` there instead)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    kept = _kept_sqlite(connection)
    with _lock("sqlite"):
        if not kept.exists():
            return False
        copy = sqlite3.connect(target)
        try:
            _restore(kept, copy)
        finally:
            copy.close()
    return True


def _restore(kept: Path, destination: sqlite3.Connection) -> None:
    """Replace everything in `destination` with the kept copy (SQLite's backup API)."""
    source = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
    try:
        source.backup(destination)
    finally:
        source.close()


def _sqlite(migrate, connection) -> None:
    kept = _kept_sqlite(connection)
    connection.ensure_connection()
    with _lock("sqlite"):
        if not kept.exists():
            migrate()
            building = kept.with_suffix(f".{os.getpid()}.building")
            copy = sqlite3.connect(building)
            connection.connection.backup(copy)
            copy.close()
            for old in CACHE.glob("*.sqlite3"):  # what earlier migrations built
                old.unlink()
            building.rename(kept)
            return
    _restore(kept, connection.connection)


def _postgresql(migrate, connection) -> None:
    from django.db import DatabaseError

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:12] if _in_ci() else ""
    template = f"{TEMPLATE_PREFIX}{fingerprint(connection)}{'_' + run if run else ''}"
    database = connection.settings_dict["NAME"]
    quote = connection.ops.quote_name
    with _lock(f"postgresql-{template}"):
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
        if not exists:
            migrate()
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [TEMPLATE_PREFIX + "%"],
                )
                for (old,) in cursor.fetchall():  # earlier runs' and migrations' templates
                    with contextlib.suppress(DatabaseError):  # one another run is cloning
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(database)}")
            return
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(database)}")
            cursor.execute(f"CREATE DATABASE {quote(database)} TEMPLATE {quote(template)}")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
