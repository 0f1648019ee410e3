"""The fault-injection suite's own production stack, started once per session (deploy/stack.py).

PostgreSQL, Redis, gunicorn and nginx run on spare ports under a fresh run directory; the
tests stop, hang (SIGSTOP) and kill them, and put them back. Nothing here touches the machine's
shared PostgreSQL or Redis. `make test` runs this suite on its own (make test-faults), after
the parallel runs, so its timings do not compete with them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.stack import Config, Stack, StackError, free_port, need, pg_bin_dir
from tests.production_static import collected_static

ROOT = Path(__file__).resolve().parents[2]
# The "within 2 s", with a little slack for a small machine shared with other work.
FAST = 2.5
# How long the site may take to be whole again once a fault ends.
RECOVERY = 10.0
PATIENT_PAGES = [
    "/",
    "/conditions/",
    "/conditions/milia/",
    "/conditions/milia/treatments/",
    "/search/?q=milk+spots",
    "/check/white-spots/",
]
BRAND = "Patient information"
ARTICLE = "/conditions/milia/"


@dataclass
class Answer:
    status: int  # 0: no answer (timeout, connection refused or reset)
    body: str = ""
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def __repr__(self) -> str:
        detail = self.error or self.body[:200].replace("\n", " ")
        return f"<{self.status} in {self.seconds:.2f} s: {detail}>"


class Site:
    """A patient's browser, minus the browser: https through nginx, certificate checked."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.port = stack.config.https_port
        self.context = stack.ssl_context()

    def request(self, method, path, timeout=10.0, headers=None, body=None) -> Answer:
        started = time.monotonic()
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, timeout=timeout
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            return Answer(
                response.status,
                text,
                {k.lower(): v for k, v in response.getheaders()},
                time.monotonic() - started,
            )
        except (OSError, http.client.HTTPException) as exc:
            return Answer(0, seconds=time.monotonic() - started, error=repr(exc))
        finally:
            conn.close()

    def get(self, path, timeout=10.0, headers=None) -> Answer:
        return self.request("GET", path, timeout, headers)


def unique(prefix: str = "faultcheck") -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def wait_until(check, seconds: float, interval: float = 0.1) -> float | None:
    """Seconds until check() was true, or None if it never was within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def normalise(html: str) -> str:
    """A page without what differs on every request (CSRF tokens)."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1-", html)
    return re.sub(r'("X-CSRFToken":\s*")[^"]+', r"\1-", html)


def assert_edits_kept(site, editor, *markers):
    """Each approved edit is in the database and on the page patients get."""
    summary = editor.call("live_summary", "milia")
    page = site.get(ARTICLE).body
    for marker in markers:
        assert marker in summary, (marker, summary)
        assert marker in page, marker


def recovery_time(site, paths=PATIENT_PAGES) -> float | None:
    """Seconds until every page (and a search nobody made before: the database) answers 200."""

    def whole():
        fresh = f"/search/?q={unique('recover')}"
        return all(site.get(p, timeout=3).status == 200 for p in [*paths, fresh])

    return wait_until(whole, RECOVERY, interval=0.2)


class Load:
    """Concurrent patients fetching `paths` in a loop until stopped; every answer recorded."""

    def __init__(self, site: Site, paths, concurrency: int = 4, timeout: float = 10.0):
        self.site, self.paths, self.timeout = site, list(paths), timeout
        self.results: list[tuple[float, float, str, Answer]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(concurrency)
        ]

    def _run(self, n: int) -> None:
        i = n
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            path = path.replace("{unique}", unique("load"))
            started = time.monotonic()
            answer = self.site.get(path, timeout=self.timeout)
            with self._lock:
                self.results.append((started, time.monotonic(), path, answer))
            i += 1

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)


class Editor:
    """tests/faults/editor.py, kept warm: content edits through the model methods."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.process: subprocess.Popen | None = None

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "faults" / "editor.py")],
            cwd=ROOT,
            env=self.stack.app_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._read(60)

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise TimeoutError(f"the editor did not answer within {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("the editor exited")
        return json.loads(line)

    def call(self, op: str, *args, timeout: float = 30.0):
        """The operation's result; raises if it failed (the message says why)."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        self.process.stdin.write(json.dumps({"op": op, "args": list(args)}) + "\n")
        self.process.stdin.flush()
        answer = self._read(timeout)
        if not answer["ok"]:
            raise AssertionError(f"editor {op}{args}: {answer['error']}")
        return answer["result"]

    def approve(self, marker: str, slug: str = "milia") -> None:
        assert marker in self.call("approve", slug, marker)

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def missing_programs() -> str:
    try:
        for program, package in (("nginx", "nginx-light"), ("redis-server", "redis-server")):
            need(program, package)
        pg_bin_dir()
    except StackError as exc:
        return str(exc)
    return ""


@pytest.fixture(scope="session")
def stack():
    missing = missing_programs()
    if missing:
        pytest.skip(f"the fault-injection suite needs the production stack's programs: {missing}")
    # The postgres system user must reach the run directory (mkdtemp makes it 0700).
    run_dir = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    run_dir.chmod(0o755)
    config = Config(
        run_dir=run_dir,
        https_port=free_port(),
        http_port=free_port(),
        app_port=free_port(),
        pg_port=free_port(),
        redis_port=free_port(),
        # The load in these tests comes from 127.0.0.1; the admin sign-in limit still applies.
        unlimited=["127.0.0.1"],
        # The production static files the rest of the suite collected (tests/production_static.py).
        static_root=str(collected_static()),
    )
    the_stack = Stack(config)
    try:
        the_stack.start(quiet=True)
    except StackError as exc:
        the_stack.stop(quiet=True)
        pytest.fail(f"the stack did not start: {exc}")
    yield the_stack
    the_stack.stop(quiet=True)
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def site(stack) -> Site:
    return Site(stack)


@pytest.fixture(scope="session")
def editor(stack):
    the_editor = Editor(stack)
    yield the_editor
    the_editor.close()


def heal(stack: Stack) -> None:
    """Undo any fault: wake every stopped process, start every stopped server."""
    for pid in [*stack.postgres_pids(), stack.redis_pid, stack.gunicorn_pid,
                *stack.gunicorn_workers(), stack.nginx_pid]:  # fmt: skip
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    stack.start_postgres()
    stack.start_redis()
    stack.start_gunicorn()
    stack.start_nginx()


@pytest.fixture
def healthy(stack, site):
    """Each test starts from, and leaves, a whole stack answering /healthz."""
    heal(stack)
    assert wait_until(lambda: site.get("/healthz", timeout=3).status == 200, 30) is not None
    yield
    heal(stack)
    wait_until(lambda: site.get("/healthz", timeout=3).status == 200, 30)
