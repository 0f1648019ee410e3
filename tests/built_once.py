"""Browser-test data built once per test process (SQLite), restored for every later test."""

import functools
import sqlite3

import pytest

# -- test data built once per test process ------------------------------------------------------
# A live-server test's database is emptied after every test, so a fixture that loads the demo
# questionnaire rebuilt it (seconds of work) for each test. `built_once` builds it in the first
# test, keeps an in-memory copy of the whole SQLite database, and copies it back for later tests
# (milliseconds). On other databases it simply builds every time.
_SNAPSHOTS: dict[str, tuple[sqlite3.Connection, object]] = {}


def _freeze(value):
    from django.db.models import Model

    if isinstance(value, Model):
        return ("model", value._meta.label, value.pk)
    if isinstance(value, (list, tuple)):
        return ("seq", type(value), [_freeze(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _freeze(v) for k, v in value.items()})
    return ("plain", value)


def _thaw(frozen):
    from django.apps import apps

    kind = frozen[0]
    if kind == "model":
        model = apps.get_model(frozen[1])
        manager = getattr(model, "all_copies", model._default_manager)
        return manager.get(pk=frozen[2])
    if kind == "seq":
        return frozen[1](_thaw(v) for v in frozen[2])
    if kind == "dict":
        return {k: _thaw(v) for k, v in frozen[1].items()}
    return frozen[1]


def built_once(build):
    """Turn a data-building function into a fixture that builds once per process (SQLite)."""
    key = f"{build.__module__}.{build.__qualname__}"

    @pytest.fixture
    @functools.wraps(build)
    def fixture(*args, **kwargs):
        from django.db import connection

        if connection.vendor != "sqlite" or args or kwargs:
            return build(*args, **kwargs)
        connection.ensure_connection()
        raw = connection.connection
        if key in _SNAPSHOTS:
            copy, frozen = _SNAPSHOTS[key]
            copy.backup(raw)
            return _thaw(frozen)
        value = build()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(copy)
        _SNAPSHOTS[key] = (copy, _freeze(value))
        return value

    return fixture


# -- test data built once per test module (any database) -----------------------------------------
def built_per_module(build):
    """Turn a data-building function into a module-scoped fixture, like Django's setUpTestData.

    `build()` runs once, before the first test of the module that asks for it, inside a
    transaction that is rolled back after the module's last test. Each test's own changes are
    rolled back after it (pytest-django's `db` opens a savepoint inside that transaction). The
    data stays in place until the module ends, so a module that uses it must not also hold a test
    that expects it absent, nor a transactional or live-server test. Tests should read the rows
    again rather than keep the objects `build` returned."""

    @pytest.fixture(scope="module", name=build.__name__)
    def fixture(django_db_setup, django_db_blocker):
        from django.db import transaction

        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                yield build()
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return fixture
