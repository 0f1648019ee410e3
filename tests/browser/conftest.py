"""Browser-test harness: Debian Chromium through Playwright against pytest-django's live server.

Outside CI a missing Chromium skips these tests with a message; under CI=true it fails them.
"""

import os
import shutil

import pytest

from tests.built_once import built_once

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = (
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(or set CHROMIUM_PATH) to run the browser tests"
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script, which the strict CSP would refuse.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


@built_once
def demo_content():
    """The whole demo content (load_demo_content), loaded once per test process and copied
    back for each later test that asks for it. Ask for it after `site` or `live_server`."""
    from django.core.management import call_command

    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def site(live_server, page):
    """The running portal and a page: `site.go("/conditions/")`."""

    class Site:
        url = live_server.url

        def go(self, path: str):
            page.goto(live_server.url + path)
            return page

    return Site()
