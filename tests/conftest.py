"""Shared fixtures, and the rule that under CI=true a skipped browser, PostgreSQL or fault-injection
test fails."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REQUIRED_IN_CI = ("browser", "postgres", "faults")

# Test modules whose results can differ between SQLite and PostgreSQL: search (full-text and
# trigram on PostgreSQL, FTS5 on SQLite), row locks (select_for_update in the review workflow and
# drafts), counters updated with F() and Greatest(), bulk_create, and the PostgreSQL backend's
# timeouts. `make test` runs only these (and tests marked `postgres`) a second time, on
# PostgreSQL; every other test runs once, on SQLite. A new module that touches any of the above
# belongs here.
DB_SPECIFIC_MODULES = frozenset(
    {
        "tests/conditions/test_admin_articles.py",
        "tests/conditions/test_editorial_workflow.py",
        "tests/conditions/test_questionnaire_tallies.py",
        "tests/conditions/test_search.py",
        "tests/conditions/test_search_safety_net.py",
        "tests/conditions/test_search_snippets.py",
        "tests/conditions/test_synthetic_content.py",
        "tests/conditions/test_workflow.py",
        "tests/exchange/test_api.py",
        "tests/feedback/test_admin.py",
        "tests/feedback/test_counting.py",
        "tests/portal/test_database_outages.py",
        "tests/portal/test_healthz.py",
    }
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and any(item.get_closest_marker(m) for m in REQUIRED_IN_CI):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: skipped under CI=true, where it is required"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if item.nodeid.split("::", 1)[0] in DB_SPECIFIC_MODULES:
            item.add_marker(pytest.mark.db_specific)
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
                )
            )


@pytest.fixture(scope="session", autouse=True)
def _test_databases_migrated_once():
    """Django makes each test database with `migrate`; run it once and copy the result
    (tests/migrated.py). Before any test database exists: autouse session fixtures come first."""
    from unittest import mock

    from django.core import management
    from django.db import connections

    from tests.migrated import migrate_once

    call_command = management.call_command

    def migrate_or_copy(name, *args, **options):
        # Only the call in BaseDatabaseCreation.create_test_db passes run_syncdb.
        if name != "migrate" or not options.get("run_syncdb"):
            return call_command(name, *args, **options)
        connection = connections[options.get("database", "default")]
        return migrate_once(lambda: call_command(name, *args, **options), connection)

    with mock.patch.object(management, "call_command", migrate_or_copy):
        yield


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Each test starts in the default language. A request to /pl/... leaves Polish active in
    the thread after the response (Django activates a language per request and never resets
    it), so without this a later test's reverse() or form message would come out in Polish."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
