"""Shared fixtures, and the rule that under CI=true a skipped browser or PostgreSQL test fails."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REQUIRED_IN_CI = ("browser", "postgres")


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
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
                )
            )


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _demo_questionnaire_signed_off():
    """The demo loader (being rewritten on another branch) does not yet sign off its outcome
    marked "needs clinical sign-off", which publishing now requires. Until it does, tests that
    load the demo sign it off as the demo's reviewer would, just before publishing.
    Remove once conditions/demo/questionnaires.py calls Outcome.sign_off itself.
    """
    from conditions.demo import questionnaires as demo
    from conditions.models import Questionnaire

    real_load, real_publish = demo.load, Questionnaire.publish

    def publish_signed_off(self, by=None):
        for outcome in self.outcomes.filter(needs_signoff=True, signed_off_at__isnull=True):
            outcome.sign_off(by or self.reviewer)
        return real_publish(self, by=by)

    def load(*args, **kwargs):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Questionnaire, "publish", publish_signed_off)
            return real_load(*args, **kwargs)

    with pytest.MonkeyPatch.context() as session_patch:
        session_patch.setattr(demo, "load", load)
        yield
