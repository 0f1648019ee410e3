"""`make bench`: the portal under load with production settings, on SQLite and on PostgreSQL.

For each database: a fresh database with the demo content plus N synthetic conditions, static
files collected (whitenoise manifest storage); the anchor, a bare Django hello-world
(bench/hello/) under the same gunicorn command (2 sync workers by default), and beside it
gunicorn with production settings on a free port, driven by wrk (`wrk -t2 -c8 --latency`) on
/healthz, an article, its treatment comparison, the A–Z page, a search (full page and the live
HTMX fragment; its own section, see search_targets) and a questionnaire step. The hello-world,
/healthz and the three cached pages are measured in rounds, each page seconds after the
hello-world it is compared with (--ratio-rounds 3 of --ratio-duration 4s; see ratio_rounds),
and their ratios are the medians of the rounds'. Then the cached pages through Varnish in front of that server (deploy/varnish.py; --no-varnish skips it) and the
workers' RSS. Prints requests/s, p50/p99 latency, errors and each page's ratio to the
hello-world, then the targets (cache hits and /healthz >= 0.8x the hello-world,
worker RSS < 150 MB) with PASS/MISS; then a search of each kind (a common word, a lay
phrase, typos, no match, an exact name) at 8 connections, with its p99 target per database.

Then the article again with page-view counting off and on (PORTAL_COUNT_VIEWS, a
browser's User-Agent so that every request is counted), on two servers running side by side,
in 18 pairs of rounds (--views-duration a round, default 1s), off then on, then on then
off; the cost is the median of the pairs' ratios (COUNTING_PAIRS), and the target is
that counting costs at most 5% of the article's throughput.
On PostgreSQL + Redis the counted views are then flushed to the database and checked against
the requests wrk made. `--views-duration 0s` skips this part.

Exit status: 0 when every run finished without errors (a missed target is printed, not fatal);
1 when a request failed (non-2xx/3xx, socket errors), a step failed or the server crashed.

    .venv/bin/python bench/run.py [--conditions 5000] [--duration 8s] [--databases sqlite,postgres]
    .venv/bin/python bench/run.py --through-proxy [--conditions 5000] [--proxy-duration 60s]

--through-proxy (`make bench-proxy`, which `make bench` runs last) measures the production stack
instead (deploy/stack.py: nginx with TLS in front of gunicorn, its own PostgreSQL and Redis, on
spare ports under var/bench/stack/; its database a copy of the bench's PostgreSQL one when that
holds the same N synthetic conditions, else made afresh): 200 concurrent https connections for
60 s on a mix of the milia article, a search and a questionnaire step, through nginx. It prints requests/s, p50/p99
latency and errors for the mix (wrk), then each page's status counts and p50/p99 as nginx
logged them. It fails on any error.

Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/portal_bench; the
database is DROPPED and recreated, so its name must contain "bench"), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/13; only keys under the bench prefix, BENCH_CACHE_PREFIX (default
portal-bench), are touched).
Everything it writes lives under var/bench/ (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"
PYTHON = sys.executable
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
CACHE_PREFIX = os.environ.get("BENCH_CACHE_PREFIX") or "portal-bench"
ARTICLE = "milia"
QUESTIONNAIRE = "white-spots"
SEARCH = "/search/?q=milk+spots"
# In the slug of every synthetic condition (make_synthetic_content's SYNTHETIC_MARK).
SYNTHETIC_MARK = "synthetic"

# Targets: cache hits and /healthz at
# >= 0.8x a bare Django hello-world under the same gunicorn; workers under 150 MB.
CACHED_RATIO_TARGET = 0.80
HEALTHZ_RATIO_TARGET = 0.80
WORKER_RSS_TARGET_MB = 150.0
# Search (the page and its HTMX fragment, and each kind of query), at 8 connections, p99
# under these (ms) per database.
SEARCH_KINDS = [
    ("common word", "spots"),
    ("lay phrase", "white spots on face"),
    ("typo", "mila"),
    ("typo", "miliia"),
    ("no match", "zzqx"),
    ("exact name", "milia"),
]
SEARCH_KIND_CONNECTIONS = 8
SEARCH_KIND_P99_MS = {"sqlite": 100.0, "postgres": 50.0}
# Making the synthetic conditions (50,000 of them) takes under 5 minutes.
SYNTHETIC_SECONDS_TARGET = 300.0
# Counting page views may cost the article at most 5% of its throughput.
COUNTING_COST_TARGET = 0.05
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


class BenchError(Exception):
    """A step failed: the bench cannot go on for this database."""


@dataclass
class Target:
    name: str
    path: str
    headers: dict = field(default_factory=dict)


@dataclass
class Result:
    name: str
    path: str
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx_3xx: int = 0
    socket_errors: int = 0
    ratio: float | None = None
    # Measured in ratio rounds (see ratio_rounds): each round's req/s and ratio to the
    # hello-world measured just before it; rps, p50, p99 and ratio above are their medians.
    round_rps: list[float] = field(default_factory=list)
    round_ratios: list[float] = field(default_factory=list)

    @property
    def errors(self) -> int:
        # No finished request at all in the whole run (every one slower than the run) is a
        # failure too, counted as one error.
        return self.non_2xx_3xx + self.socket_errors + (self.requests == 0)


# -- small helpers ------------------------------------------------------------------------------
def say(message: str = "") -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict:
    """The caller's environment without any portal setting that could leak into the run."""
    drop = ("DJANGO_", "DATABASE_URL", "CACHE_URL", "REDIS_URL", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(WORK / "static"),
            "DJANGO_MEDIA_ROOT": str(WORK / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict, *args: str, log: Path, timeout: float = 900) -> float:
    """Run one manage.py command; return its wall time. Its output goes to `log`."""
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(  # noqa: S603 - our own fixed commands
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        tail = log.read_text()[-2000:]
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    return elapsed


def request(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


# -- databases ----------------------------------------------------------------------------------
def prepare_sqlite(env: dict) -> dict:
    db = WORK / "portal.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return {**env, "DATABASE_URL": f"sqlite:///{db}"}


def prepare_postgres(env: dict, pg_url: str, redis_url: str) -> dict:
    import psycopg
    from psycopg import sql

    parts = urlsplit(pg_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise BenchError(
            f"BENCH_PG_URL names database {name!r}; the bench drops and recreates it, so its "
            "name must contain 'bench' (e.g. portal_bench)."
        )
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL is not answering at {admin_url} ({str(exc).strip()}). Start it, set "
            "BENCH_PG_URL, or run only SQLite: make bench BENCH_DATABASES=sqlite"
        ) from exc
    clear_redis(redis_url)
    return {
        **env,
        "DATABASE_URL": pg_url,
        "CACHE_URL": redis_url,
        "DJANGO_CACHE_PREFIX": CACHE_PREFIX,
    }


def clear_redis(redis_url: str) -> None:
    """Delete this bench's keys (and only those) from the Redis database it uses."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    except redis.exceptions.ConnectionError as exc:
        raise BenchError(
            f"Redis is not answering at {redis_url} ({exc}). Start it, set BENCH_REDIS_URL, or "
            "run only SQLite: make bench BENCH_DATABASES=sqlite"
        ) from exc
    finally:
        client.close()


def load_content(env: dict, conditions: int, log: Path) -> dict[str, float]:
    times = {}
    times["migrate"] = manage(env, "migrate", "--noinput", log=log)
    times["load_demo_content"] = manage(env, "load_demo_content", log=log)
    times["make_synthetic_content"] = manage(
        env, "make_synthetic_content", "--conditions", str(conditions), "--force", log=log
    )
    return times


# -- the server ---------------------------------------------------------------------------------
class Gunicorn:
    def __init__(
        self,
        env: dict,
        workers: int,
        log: Path,
        app: str = "portal.wsgi",
        worker_class: str = "sync",
    ):
        self.port = free_port()
        self.log_path = log
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                "portal/gunicorn.conf.py",
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                worker_class,
                # gunicorn runs "sync" as gthread when threads > 1, and portal/gunicorn.conf.py
                # asks for 8 (production, behind nginx): one thread makes sync what it says,
                # one request at a time per worker, no keep-alive. With 8 threads, wrk's 8
                # keep-alive connections were shared out between the two workers once, when
                # they connected: one worker could hold most of them for the whole run and use
                # one core while the other idled (seen: 45 s of CPU against 15 s).
                *(["--threads", "1"] if worker_class == "sync" else []),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the workers too
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process now (MB, from /proc)."""
        sys.path.insert(0, str(ROOT))
        from deploy.stack import children

        sizes = []
        for pid in children(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def log_tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-2000:]

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise BenchError(
                    f"gunicorn exited (code {self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                if request(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        try:
            if self.alive():
                self.process.terminate()  # the master stops its workers gracefully
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=5)
            # Anything left in the group (a stuck worker) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        finally:
            self.log.close()


# -- wrk ----------------------------------------------------------------------------------------
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str, name: str, path: str) -> Result:
    result = Result(name=name, path=path)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if not rps or not total:
        raise BenchError(f"could not read wrk's output for {path}:\n{output}")
    result.rps = float(rps.group(1))
    result.requests = int(total.group(1))
    for percentile, attr in (("50", "p50_ms"), ("99", "p99_ms")):
        match = re.search(rf"^\s*{percentile}(?:\.0+)?%\s+(\S+)", output, re.M)
        if not match:
            raise BenchError(f"no {percentile}% latency in wrk's output for {path}:\n{output}")
        setattr(result, attr, parse_duration_ms(match.group(1)))
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result.non_2xx_3xx = int(non.group(1)) if non else 0
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sock:
        # A "read" error is a connection the server closed: gunicorn's sync workers close after
        # every response (no keep-alive), which wrk may count on its last requests. Count all.
        result.socket_errors = sum(int(n) for n in sock.groups())
    return result


def run_wrk(port: int, target: Target, args) -> Result:
    url = f"http://127.0.0.1:{port}{target.path}"
    header_args = [a for k, v in target.headers.items() for a in ("-H", f"{k}: {v}")]
    common = ["wrk", "-t", str(args.threads), "-c", str(args.connections), *header_args]
    if args.warmup != "0s":
        subprocess.run(  # noqa: S603 - wrk with our own arguments
            [*common, "-d", args.warmup, url], capture_output=True, text=True, timeout=120
        )
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*common, "-d", args.duration, "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=parse_duration_ms(args.duration) / 1000 + 60,
    )
    if done.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout, target.name, target.path)


# -- the pages ----------------------------------------------------------------------------------
HELLO = Target("hello-world", "/")
# Cache hits: each at >= CACHED_RATIO_TARGET of the hello-world's throughput.
CACHED_PAGES = [
    Target("article", f"/conditions/{ARTICLE}/"),
    Target("comparison", f"/conditions/{ARTICLE}/treatments/"),
    Target("a-z", "/conditions/"),
]


def search_targets() -> list[Target]:
    """The search pages measured (their own section of the report; see verdicts)."""
    return [
        Target("search", SEARCH),
        Target("search (htmx)", SEARCH, {"HX-Request": "true"}),
    ]


def targets(port: int) -> list[Target]:
    """The pages to measure; each is fetched once first and must answer 200."""
    status, _, body = request(port, f"/check/{QUESTIONNAIRE}/")
    if status != 200:
        raise BenchError(f"/check/{QUESTIONNAIRE}/ answered {status}, not 200")
    step = re.search(rf'href="(/check/{QUESTIONNAIRE}/q/[\w-]+/)"', body)
    if not step:
        raise BenchError(f"no first-step link on /check/{QUESTIONNAIRE}/")
    pages = [
        Target("healthz", "/healthz"),
        *CACHED_PAGES,
        # -- search ---------------------------------------------------------------------------
        *search_targets(),
        # -- end of search ----------------------------------------------------------------------
        Target("questionnaire step", step.group(1)),
    ]
    for page in pages:
        status, headers, body = request(port, page.path, page.headers)
        if status != 200:
            raise BenchError(f"{page.path} {page.headers or ''} answered {status}, not 200")
        if page.name.startswith("search") and "milia" not in body.lower():
            raise BenchError(f"{page.path} answered 200 but did not find milia")
        if page.name == "questionnaire step" and 'name="answer"' not in body:
            raise BenchError(f"{page.path} answered 200 but shows no question")
    return pages


# -- one database -------------------------------------------------------------------------------
@dataclass
class Run:
    database: str
    setup_seconds: dict = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    failure: str = ""
    # The article with page-view counting off and on (several rounds each).
    counting: dict = field(default_factory=dict)
    # The anchor, the same pages through Varnish, and the workers' memory.
    hello: Result | None = None
    varnish: list[Result] = field(default_factory=list)
    varnish_failure: str = ""
    worker_rss_mb: list[float] = field(default_factory=list)
    # Search by kind of query (SEARCH_KINDS), at SEARCH_KIND_CONNECTIONS.
    search_kinds: list[Result] = field(default_factory=list)


# Page-view counting off and on: two servers up side by side, one with counting off, one on,
# measured in turn, in pairs (off then on, then on then off, and so on). The cost is the median
# of the pairs' ratios: each compares rounds a second apart, so a change in the machine's speed
# (seen here: the same hit 26 or 54 microseconds minutes apart, and single rounds at half
# speed) weighs on both sides of a pair alike. Many short rounds, not a few long ones: with
# both servers' counting off (the same setting on both), five estimates from 18 pairs of
# 1-second rounds fell between -4.8% and -0.2%, three from 6 pairs of 3-second rounds between
# -8.0% and +5.2%, in the same 36 seconds of rounds. Counting a read costs about 10,000
# instructions of a cached hit's 254,000 in the process (callgrind, 4%; through gunicorn a
# request costs several times that).
COUNTING_PAIRS = 18


def bench_counting(run: Run, env: dict, args) -> None:
    """The article with PORTAL_COUNT_VIEWS off and on (COUNTING_PAIRS), on two servers
    running at once (the idle one costs nothing); the cost is the median of the pairs'."""
    article = Target("article", f"/conditions/{ARTICLE}/", {"User-Agent": BROWSER_UA})
    timing = argparse.Namespace(**{**vars(args), "duration": args.views_duration})
    later = argparse.Namespace(**{**vars(timing), "warmup": "0s"})
    rounds: dict[str, list[Result]] = {"off": [], "on": []}
    order, ratios = [], []
    servers: dict[str, Gunicorn] = {}
    try:
        for setting in ("off", "on"):
            server_env = {**env, "PORTAL_COUNT_VIEWS": "1" if setting == "on" else "0"}
            log = WORK / f"{run.database}-gunicorn-views-{setting}.log"
            servers[setting] = Gunicorn(
                server_env, args.workers, log, worker_class=args.worker_class
            )
        for server in servers.values():
            server.wait_until_up()
        for pair in range(COUNTING_PAIRS):
            measured = {}
            for setting in ("off", "on") if pair % 2 == 0 else ("on", "off"):
                server = servers[setting]
                result = run_wrk(server.port, article, timing if pair == 0 else later)
                if not server.alive():
                    raise BenchError(f"gunicorn died while measuring counting {setting}")
                rounds[setting].append(result)
                measured[setting] = result.rps
                order.append((setting, result.rps))
                say(
                    f"   article, counting {setting:<3} {result.rps:8.1f} req/s  p50 "
                    f"{result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors}"
                )
            if measured["off"]:
                ratios.append(measured["on"] / measured["off"])
    finally:
        for server in servers.values():
            server.stop()
    run.counting = {
        "rounds": order,
        "off_rps": [r.rps for r in rounds["off"]],
        "on_rps": [r.rps for r in rounds["on"]],
        "off_median": statistics.median(r.rps for r in rounds["off"]),
        "on_median": statistics.median(r.rps for r in rounds["on"]),
        "pair_ratios": ratios,
        "cost": 1 - statistics.median(ratios) if ratios else None,
        "counted_requests": sum(r.requests for r in rounds["on"]),
        "errors": sum(r.errors for r in rounds["off"] + rounds["on"]),
    }
    if run.database == "postgres":
        # Redis is shared by every worker: move the counters into the database and compare.
        manage(env, "flush_page_views", log=WORK / f"{run.database}-setup.log")
        run.counting["flushed_views"] = count_flushed_views(env)


def search_kind_targets(port: int) -> list[Target]:
    """One search page per SEARCH_KINDS entry; each must answer 200, and find milia when the
    query is about it (a name, its typos, a lay phrase)."""
    from urllib.parse import quote_plus

    pages = []
    for kind, query in SEARCH_KINDS:
        page = Target(f"{kind}: {query}", f"/search/?q={quote_plus(query)}")
        status, _, body = request(port, page.path)
        if status != 200:
            raise BenchError(f"{page.path} answered {status}, not 200")
        if kind in ("typo", "exact name", "lay phrase") and "/conditions/milia/" not in body:
            raise BenchError(f"{page.path} answered 200 but did not find milia")
        pages.append(page)
    return pages


def bench_search_kinds(run: Run, server: Gunicorn, args) -> None:
    """Issue 21: each kind of search query under SEARCH_KIND_CONNECTIONS connections."""
    timing = argparse.Namespace(**{**vars(args), "connections": SEARCH_KIND_CONNECTIONS})
    say(f"== {run.database}: search by kind of query, wrk {SEARCH_KIND_CONNECTIONS} connections")
    for page in search_kind_targets(server.port):
        result = run_wrk(server.port, page, timing)
        if not server.alive():
            raise BenchError(f"gunicorn died while measuring {page.path}:\n{server.log_tail()}")
        run.search_kinds.append(result)
        say(
            f"   {page.name:<30} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}"
        )


def search_kind_lines(run: Run, conditions: int) -> list[str]:
    """The search-by-kind table and its targets (met / not met)."""
    if not run.search_kinds:
        return []
    target = SEARCH_KIND_P99_MS[run.database]
    lines = [
        f"search by kind of query — {conditions} synthetic conditions, "
        f"{SEARCH_KIND_CONNECTIONS} connections, target p99 < {target:.0f} ms",
        f"{'kind: query':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  target",
        "-" * 80,
    ]
    for r in run.search_kinds:
        verdict = "met" if r.p99_ms < target and not r.errors else "NOT MET"
        lines.append(
            f"{r.name[:32]:<32} {r.rps:8.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.errors:7d}  "
            f"{verdict}"
        )
    return lines


def count_flushed_views(env: dict) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], connect_timeout=5) as conn:
        row = conn.execute("SELECT COALESCE(SUM(views), 0) FROM feedback_pageviewday").fetchone()
    return int(row[0])


def bench_database(database: str, env: dict, args) -> Run:
    run = Run(database)
    log = WORK / f"{database}-setup.log"
    log.write_text("")
    say(f"\n== {database}: preparing the database (log: {log.relative_to(ROOT)})")
    if database == "sqlite":
        env = prepare_sqlite(env)
    else:
        env = prepare_postgres(env, args.pg_url, args.redis_url)
    run.setup_seconds = load_content(env, args.conditions, log)
    for step, seconds in run.setup_seconds.items():
        say(f"   {step:<24} {seconds:6.1f} s")

    say(
        f"== {database}: gunicorn ({args.workers} {args.worker_class} workers); wrk "
        f"{args.threads} threads, {args.connections} connections, {args.duration} per page"
    )
    hello = hello_server(env, args, WORK / f"{database}-gunicorn-hello.log")
    try:
        server = Gunicorn(
            env, args.workers, WORK / f"{database}-gunicorn.log", worker_class=args.worker_class
        )
    except BaseException:
        hello.stop()
        raise
    try:
        server.wait_until_up()
        pages = targets(server.port)
        anchored = [p for p in pages if p.name in RATIO_PAGES]
        try:
            run.hello, measured = ratio_rounds(hello, server, anchored, args)
        finally:
            hello.stop()  # not needed after the rounds (stop() twice is harmless)
        for page in pages:
            if page.name in measured:
                run.results.append(measured[page.name])
                continue
            result = run_wrk(server.port, page, args)
            if not server.alive():
                raise BenchError(f"gunicorn died while measuring {page.path}:\n{server.log_tail()}")
            run.results.append(result)
            show(result)
        if args.varnish:
            bench_varnish(run, server, args)
        run.worker_rss_mb = server.worker_rss_mb()
        say("   worker RSS after the bench: " + ", ".join(f"{m:.0f} MB" for m in run.worker_rss_mb))
        bench_search_kinds(run, server, args)
    finally:
        server.stop()
        hello.stop()
    try:
        if args.views_duration != "0s":
            say(f"== {database}: the article with page-view counting off and on")
            bench_counting(run, env, args)
    finally:
        if database == "postgres":
            try:
                clear_redis(args.redis_url)
            except BenchError as exc:
                say(f"   (could not clear the bench's Redis keys: {exc})")
    anchor = run.hello.rps if run.hello else 0
    for result in [*run.results, *run.varnish]:
        if not result.round_ratios:  # the ratio-round pages have theirs
            result.ratio = result.rps / anchor if anchor else None
    if run.hello:
        run.hello.ratio = 1.0
    return run


def show(result: Result, indent: str = "   ") -> None:
    say(
        f"{indent}{result.name:<20} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}"
    )


def hello_server(env: dict, args, log: Path) -> Gunicorn:
    """The anchor: a bare Django hello-world (bench/hello/) under the same gunicorn command."""
    hello_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.hello.settings"}
    server = Gunicorn(
        hello_env, args.workers, log, app="bench.hello.wsgi", worker_class=args.worker_class
    )
    try:
        server.wait_until_up()
    except BaseException:
        server.stop()
        raise
    return server


# The pages measured against the hello-world in rounds.
RATIO_PAGES = ("healthz", *(p.name for p in CACHED_PAGES))


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def combine(results: list[Result]) -> Result:
    """One result of several runs of a page: the medians of req/s, p50 and p99, every request
    and error counted."""
    first = results[0]
    return Result(
        first.name,
        first.path,
        requests=sum(r.requests for r in results),
        rps=median([r.rps for r in results]),
        p50_ms=median([r.p50_ms for r in results]),
        p99_ms=median([r.p99_ms for r in results]),
        non_2xx_3xx=sum(r.non_2xx_3xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        round_rps=[r.rps for r in results],
    )


def ratio_rounds(
    hello: Gunicorn, server: Gunicorn, pages: list[Target], args
) -> tuple[Result, dict[str, Result]]:
    """The hello-world, then each page, `--ratio-rounds` times over, both servers up all along
    (the idle one costs nothing). This machine's speed changes in spells of tens of seconds,
    which one window per page cannot tell from a slow page: in a round, each page is measured
    seconds after the hello-world it is compared with. A page's ratio is the median of its
    rounds' ratios; its req/s, p50 and p99 are medians too. The warm-up runs in the first round
    only."""
    timing = argparse.Namespace(**{**vars(args), "duration": args.ratio_duration})
    later = argparse.Namespace(**{**vars(timing), "warmup": "0s"})
    hellos: list[Result] = []
    by_page: dict[str, list[Result]] = {p.name: [] for p in pages}
    for number in range(args.ratio_rounds):
        how = timing if number == 0 else later
        anchor = run_wrk(hello.port, HELLO, how)
        if not hello.alive():
            raise BenchError(f"the hello-world's gunicorn died:\n{hello.log_tail()}")
        hellos.append(anchor)
        line = [f"hello-world {anchor.rps:.0f}"]
        for page in pages:
            result = run_wrk(server.port, page, how)
            if not server.alive():
                raise BenchError(f"gunicorn died while measuring {page.path}:\n{server.log_tail()}")
            result.ratio = result.rps / anchor.rps if anchor.rps else None
            by_page[page.name].append(result)
            line.append(f"{page.name} {result.rps:.0f}")
        say(f"   ratio round {number + 1}/{args.ratio_rounds} (req/s): " + ", ".join(line))
    anchor = combine(hellos)
    anchor.ratio = 1.0
    show(anchor)
    measured = {}
    for name, results in by_page.items():
        result = combine(results)
        ratios = [r.ratio for r in results if r.ratio is not None]
        result.round_ratios = ratios
        result.ratio = median(ratios) if ratios else None
        measured[name] = result
        show(result)
    return anchor, measured


def bench_varnish(run: Run, server: Gunicorn, args) -> None:
    """The cached pages again, through Varnish (deploy/varnish.py) in front of this server."""
    sys.path.insert(0, str(ROOT))
    from deploy.varnish import Varnish, VarnishError, varnishd

    if varnishd() is None:
        run.varnish_failure = "varnishd is not installed (apt-get install varnish)"
        say(f"   through Varnish: skipped, {run.varnish_failure}")
        return
    varnish = Varnish(WORK / f"{run.database}-varnish", free_port(), [server.port])
    try:
        varnish.start()
        for page in CACHED_PAGES:
            status, headers, _ = request(varnish.port, page.path)
            status, headers, _ = request(varnish.port, page.path)
            if status != 200 or headers.get("X-Varnish-Cache") != "hit":
                raise BenchError(
                    f"{page.path} through Varnish: {status}, {headers.get('X-Varnish-Cache')}"
                )
            result = run_wrk(varnish.port, page, args)
            result.name = f"{page.name} (varnish)"
            run.varnish.append(result)
            show(result)
    except (VarnishError, BenchError) as exc:
        run.varnish_failure = str(exc).splitlines()[0]
        say(f"   through Varnish: FAILED, {exc}")
    finally:
        varnish.stop()


# -- the report ---------------------------------------------------------------------------------
def table(run: Run, conditions: int) -> list[str]:
    lines = [
        "",
        f"{run.database} — demo content + {conditions} synthetic conditions",
        f"{'page':<22} {'path':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'vs hello':>9}",
        "-" * 106,
    ]
    rows = [*([run.hello] if run.hello else []), *run.results]
    if run.varnish:
        rows += run.varnish
    for r in rows:
        shown = r.path + (" [HX-Request]" if "htmx" in r.name else "")
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        lines.append(
            f"{r.name:<22} {shown[:38]:<38} {r.rps:8.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} "
            f"{r.errors:7d} {ratio:>9}"
        )
    if run.varnish_failure:
        lines.append(f"through Varnish: not measured ({run.varnish_failure})")
    return lines


def verdicts(run: Run, conditions: int) -> list[tuple[str, bool]]:
    by = {r.name: r for r in run.results}
    out = []
    for page in [Target("healthz", "/healthz"), *CACHED_PAGES]:
        r = by.get(page.name)
        target = HEALTHZ_RATIO_TARGET if page.name == "healthz" else CACHED_RATIO_TARGET
        if r is not None and r.ratio is not None:
            what = "/healthz" if page.name == "healthz" else f"cached {page.name}"
            out.append(
                (
                    f"{what} >= {target:.1f}x the hello-world's throughput "
                    f"(got {r.ratio:.3f}x{rounds_said(r)}: {r.rps:.0f} against "
                    f"{run.hello.rps:.0f} req/s)",
                    r.ratio >= target,
                )
            )
    # -- search -----------------------------------------------------------------------------
    search_target = SEARCH_KIND_P99_MS[run.database]
    for name in ("search", "search (htmx)"):
        r = by.get(name)
        if r is not None:
            out.append(
                (
                    f"{name} p99 < {search_target:.0f} ms at {conditions} conditions "
                    f"(got {r.p99_ms:.1f} ms)",
                    r.p99_ms < search_target,
                )
            )
    # -- end of search ----------------------------------------------------------------------
    if run.worker_rss_mb:
        biggest = max(run.worker_rss_mb)
        out.append(
            (
                f"worker RSS after the bench < {WORKER_RSS_TARGET_MB:.0f} MB "
                f"(largest {biggest:.0f} MB of {len(run.worker_rss_mb)} workers)",
                biggest < WORKER_RSS_TARGET_MB,
            )
        )
    errors = (
        sum(r.errors for r in run.results)
        + sum(r.errors for r in run.varnish)
        + (run.hello.errors if run.hello else 0)
        + run.counting.get("errors", 0)
    )
    out.append((f"zero errors (got {errors})", errors == 0))
    if run.counting.get("cost") is not None:
        c = run.counting
        out.append(
            (
                f"article with view counting on >= {1 - COUNTING_COST_TARGET:.0%} of off "
                f"(the median of {len(c['pair_ratios'])} pairs of rounds: {c['cost']:+.1%} "
                f"cost; medians off {c['off_median']:.1f} req/s, on {c['on_median']:.1f})",
                c["cost"] <= COUNTING_COST_TARGET,
            )
        )
    return out


def rounds_said(result: Result) -> str:
    n = len(result.round_ratios)
    return f", the median of {n} rounds" if n > 1 else ""


def ratio_round_lines(run: Run) -> list[str]:
    """Each ratio round's figures: req/s, and the ratio to that round's hello-world."""
    if not run.hello or not run.hello.round_rps:
        return []
    hello = " / ".join(f"{rps:.0f}" for rps in run.hello.round_rps)
    lines = [f"  ratio rounds, req/s (ratio to the hello-world just before): hello-world {hello}"]
    for r in run.results:
        if r.round_ratios:
            figures = " / ".join(
                f"{rps:.0f} ({ratio:.2f}x)"
                for rps, ratio in zip(r.round_rps, r.round_ratios, strict=True)
            )
            lines.append(f"    {r.name:<12} {figures}")
    return lines


# -- through the proxy ----------------------------------------------------------------
PROXY_MIX_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def proxy_pages(stack) -> list[Target]:
    """The mix: the milia article, a search, the questionnaire's first step (each must be 200)."""
    import urllib.request

    context = stack.ssl_context()
    base = f"https://127.0.0.1:{stack.config.https_port}"

    def get(path: str) -> tuple[int, str]:
        with urllib.request.urlopen(f"{base}{path}", timeout=30, context=context) as response:  # noqa: S310
            return response.status, response.read().decode()

    status, body = get(f"/check/{QUESTIONNAIRE}/")
    step = re.search(rf'href="(/check/{QUESTIONNAIRE}/q/[\w-]+/)"', body)
    if status != 200 or not step:
        raise BenchError(f"/check/{QUESTIONNAIRE}/ through the proxy: {status}, no first step")
    pages = [
        Target("article", f"/conditions/{ARTICLE}/"),
        Target("search", SEARCH),
        Target("questionnaire step", step.group(1)),
    ]
    for page in pages:
        if get(page.path)[0] != 200:
            raise BenchError(f"{page.path} through the proxy did not answer 200")
    return pages


def nginx_log_figures(log: Path, since: float, pages: list[Target]) -> list[str]:
    """Per page, from nginx's access log: status counts and p50/p99 of its request time."""
    import datetime

    times: dict[str, list[float]] = {p.path.split("?")[0]: [] for p in pages}
    statuses: dict[str, dict[str, int]] = {k: {} for k in times}
    for line in log.read_text(errors="replace").splitlines():
        match = re.match(r'(\S+) "GET (\S+) [^"]+" (\d+) \d+ ([\d.]+)', line)
        if not match or match.group(2) not in times:
            continue
        if datetime.datetime.fromisoformat(match.group(1)).timestamp() < since:
            continue
        counts = statuses[match.group(2)]
        if match.group(3) != "499":  # 499: wrk hung up on it when its time was up
            times[match.group(2)].append(float(match.group(4)) * 1000)
        counts[match.group(3)] = counts.get(match.group(3), 0) + 1
    lines = []
    for page in pages:
        key = page.path.split("?")[0]
        values = sorted(times[key])
        if not values:
            lines.append(f"   {page.name:<20} no requests logged")
            continue
        p50 = values[len(values) // 2]
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        shown = ", ".join(f"{code}: {n}" for code, n in sorted(statuses[key].items()))
        shown = shown.replace("499:", "499 (cut off by wrk's end):")
        lines.append(
            f"   {page.name:<20} {len(values):7d} requests  p50 {p50:7.1f} ms  "
            f"p99 {p99:7.1f} ms  ({shown})"
        )
    return lines


def synthetic_count(pg_url: str) -> int | None:
    """How many synthetic conditions the bench's PostgreSQL database holds (each has a draft
    and a live copy: the drafts are counted), or None when it cannot be read."""
    import psycopg

    try:
        with psycopg.connect(pg_url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM conditions_condition WHERE NOT is_live AND slug LIKE %s",
                [f"%-{SYNTHETIC_MARK}-%"],
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0])


def copy_bench_database(stack, pg_url: str) -> None:
    """The stack's database as a copy of the one the bench just measured (demo content and
    the same N synthetic conditions), by pg_dump and pg_restore: about 1.5 minutes at 50,000
    conditions, where making them again took 3.5. Restored as the app's role, then vacuumed and
    analysed (the stack's PostgreSQL runs autovacuum; a benchmark should not meet it)."""
    from deploy.backup import BackupError, connection_args, pg_program, run

    say("== the stack's database: a copy of the bench's (pg_dump, pg_restore)")
    stack.init_postgres()
    stack.start_postgres()
    stack.ensure_database()
    dump = WORK / "stack-copy.dump"
    target = stack.database_url(superuser=True)
    try:
        args, env, name = connection_args(pg_url)
        run([pg_program("pg_dump"), *args, "-d", name, "-Fc", "-Z0", "-f", str(dump)], env,
            "pg_dump")  # fmt: skip
        args, env, name = connection_args(target)
        run([pg_program("pg_restore"), *args, "-d", name, "--no-owner", "--no-privileges",
             "--role=portal", "--exit-on-error", "-j", str(os.cpu_count() or 1), str(dump)],
            env, "pg_restore")  # fmt: skip
        run([pg_program("psql"), *args, "-d", name, "-v", "ON_ERROR_STOP=1", "-c",
             "VACUUM ANALYZE"], env, "VACUUM ANALYZE")  # fmt: skip
    except BackupError as exc:
        raise BenchError(str(exc)) from exc
    finally:
        dump.unlink(missing_ok=True)
    copied, expected = synthetic_count(target), synthetic_count(pg_url)
    if copied != expected:
        raise BenchError(f"the copy holds {copied} synthetic conditions, not {expected}")


def bench_proxy(args) -> int:
    sys.path.insert(0, str(ROOT))
    from deploy.stack import Config, Stack, StackError
    from deploy.stack import free_port as spare_port

    run_dir = WORK / "stack"
    if (run_dir / "stack.json").exists():
        Stack(Config.from_env({"STACK_DIR": str(run_dir)})).stop(quiet=True)
    shutil.rmtree(run_dir, ignore_errors=True)
    config = Config(
        run_dir=run_dir,
        https_port=spare_port(),
        http_port=spare_port(),
        app_port=spare_port(),
        pg_port=spare_port(),
        redis_port=spare_port(),
        workers=args.workers,
        # wrk's 200 connections all come from 127.0.0.1: not rate-limited (patients are).
        unlimited=["127.0.0.1"],
    )
    stack = Stack(config)
    started = time.monotonic()
    say(f"== the production stack under {run_dir.relative_to(ROOT)} (deploy/stack.py)")
    try:
        reuse = args.conditions and synthetic_count(args.pg_url) == args.conditions
        if reuse:
            copy_bench_database(stack, args.pg_url)
        stack.start()
        if args.conditions and not reuse:
            say(f"== make_synthetic_content --conditions {args.conditions}")
            stack.manage(
                "make_synthetic_content", "--conditions", str(args.conditions), "--force",
                log=stack.logs / "setup.log",
            )  # fmt: skip
        pages = proxy_pages(stack)
        url = f"https://127.0.0.1:{config.https_port}/"
        script = WORK / "proxy-mix.lua"
        script.write_text(PROXY_MIX_SCRIPT % ", ".join(f'"{p.path}"' for p in pages))
        command = ["wrk", "-t", str(args.threads), "-c", str(args.proxy_connections), "-s",
                   str(script)]  # fmt: skip
        if args.warmup != "0s":
            subprocess.run(  # noqa: S603 - wrk with our own arguments
                [*command, "-d", args.warmup, url], capture_output=True, text=True, timeout=120
            )
        say(
            f"== wrk: {args.proxy_connections} connections, {args.proxy_duration}, https through "
            f"nginx to gunicorn ({config.workers} workers x {config.threads} threads): "
            + ", ".join(p.path for p in pages)
        )
        since = time.time()
        done = subprocess.run(  # noqa: S603 - wrk with our own arguments
            [*command, "-d", args.proxy_duration, "--timeout", "10s", "--latency", url],
            capture_output=True,
            text=True,
            timeout=parse_duration_ms(args.proxy_duration) / 1000 + 60,
        )
        if done.returncode != 0:
            raise BenchError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
        result = parse_wrk(done.stdout, "mix", "/")
        say("\n" + "=" * 108)
        say(
            f"make bench-proxy — {args.conditions} synthetic conditions, wrk -t{args.threads} "
            f"-c{args.proxy_connections} -d{args.proxy_duration} over https, {os.cpu_count()} CPUs"
        )
        say(
            f"   {'mix of 3 pages':<20} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms  errors {result.errors} "
            f"({result.requests} requests; non-2xx/3xx {result.non_2xx_3xx}, "
            f"socket errors {result.socket_errors})"
        )
        say("per page, as nginx logged them (time from request read to answer sent):")
        for line in nginx_log_figures(stack.logs / "nginx-access.log", since, pages):
            say(line)
        (WORK / "proxy-results.json").write_text(
            json.dumps({**asdict(result), "errors": result.errors}, indent=2)
        )
        say(
            f"\nTook {time.monotonic() - started:.0f} s; figures also in var/bench/proxy-results.json."
        )
        if result.errors:
            say("make bench-proxy: FAILED (errors above).")
            return 1
        say(f"  PASS  zero errors through the proxy at {args.proxy_connections} connections")
        return 0
    except (BenchError, StackError) as exc:
        say(f"!! bench-proxy: {exc}")
        return 1
    finally:
        stack.stop(quiet=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", type=int, default=5000, help="synthetic conditions (N)")
    parser.add_argument("--duration", default="8s", help="wrk duration per page, e.g. 8s")
    parser.add_argument("--warmup", default="1s", help="unmeasured wrk run before each page")
    parser.add_argument(
        "--views-duration",
        default="1s",
        help="wrk duration per round of the counting off/on comparison, in whole seconds "
        f"({COUNTING_PAIRS} pairs of rounds; 0s skips it)",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--ratio-rounds",
        type=int,
        default=3,
        help="rounds of the hello-world, /healthz and the cached pages, one after the other "
        "(their ratios are the medians of the rounds')",
    )
    parser.add_argument(
        "--ratio-duration", default="4s", help="wrk duration per page in each ratio round"
    )
    parser.add_argument(
        "--worker-class",
        default=os.environ.get("BENCH_WORKER_CLASS", "sync"),
        help="gunicorn worker class for the hello-world and the portal alike",
    )
    parser.add_argument(
        "--no-varnish",
        dest="varnish",
        action="store_false",
        help="skip the cached pages through Varnish",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", "2")),
        help="gunicorn workers",
    )
    parser.add_argument(
        "--databases",
        default=os.environ.get("BENCH_DATABASES") or "sqlite,postgres",
        help="comma-separated: sqlite, postgres",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    )
    parser.add_argument(
        "--through-proxy",
        action="store_true",
        help="measure the production stack through nginx (https) instead",
    )
    parser.add_argument("--proxy-connections", type=int, default=200)
    parser.add_argument("--proxy-duration", default="60s", help="wrk duration of the mix")
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    if args.ratio_rounds < 1:
        parser.error("--ratio-rounds must be at least 1")
    if args.ratio_duration == "0s":
        parser.error("--ratio-duration must be longer than 0s: the ratios are always measured")
    for value in (
        args.duration,
        args.warmup,
        args.proxy_duration,
        args.views_duration,
        args.ratio_duration,
    ):
        if value != "0s":
            try:
                parse_duration_ms(value)
            except ValueError as exc:
                parser.error(f"{exc} (e.g. 500ms, 8s, 1m)")
    return args


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        say("make bench needs wrk: install it with `sudo apt-get install wrk` (Debian/Ubuntu).")
        return 1
    # A SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, _interrupted)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.through_proxy:
        return bench_proxy(args)
    started = time.monotonic()
    env = base_env()

    say("== collectstatic (production manifest storage, shared by both runs)")
    static_log = WORK / "collectstatic.log"
    static_log.write_text("")
    shutil.rmtree(WORK / "static", ignore_errors=True)
    manage(
        {**env, "DATABASE_URL": f"sqlite:///{WORK / 'static.sqlite3'}"},
        "collectstatic",
        "--noinput",
        log=static_log,
    )

    runs: list[Run] = []
    for database in args.databases:
        try:
            runs.append(bench_database(database, env, args))
        except BenchError as exc:
            say(f"!! {database}: {exc}")
            runs.append(Run(database, failure=str(exc).splitlines()[0]))

    say("\n" + "=" * 108)
    say(
        f"make bench — {args.conditions} synthetic conditions, gunicorn {args.workers} "
        f"{args.worker_class} workers, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}, {os.cpu_count()} CPUs"
    )
    failed = False
    for run in runs:
        if run.failure:
            say(f"\n{run.database}: FAILED — {run.failure}")
            failed = True
            continue
        for line in table(run, args.conditions):
            say(line)
        say("targets:")
        for text, ok in verdicts(run, args.conditions):
            say(f"  {'PASS' if ok else 'MISS'}  {text}")
        for line in ratio_round_lines(run):
            say(line)
        if any(r.errors for r in [*run.results, *run.varnish, *run.search_kinds]):
            failed = True
        for line in search_kind_lines(run, args.conditions):
            say(line)
        if run.counting:
            c = run.counting
            rounds = ", ".join(f"{name} {rps:.1f}" for name, rps in c["rounds"])
            say(f"  view counting rounds in the order run (req/s): {rounds}")
            pairs = ", ".join(f"{ratio:.3f}" for ratio in c["pair_ratios"])
            say(f"  view counting, on / off in each pair: {pairs}")
            if "flushed_views" in c:
                say(
                    f"  views flushed to the database: {c['flushed_views']} "
                    f"(wrk finished {c['counted_requests']} counted requests, plus warm-up)"
                )
        synth = run.setup_seconds.get("make_synthetic_content")
        if synth is not None:
            met = "met" if synth < SYNTHETIC_SECONDS_TARGET else "NOT MET"
            say(
                f"  make_synthetic_content --conditions {args.conditions}: {synth:.1f} s "
                f"(target < {SYNTHETIC_SECONDS_TARGET:.0f} s: {met})"
            )
    (WORK / "results.json").write_text(
        json.dumps(
            [
                {
                    **asdict(run),
                    "results": [{**asdict(r), "errors": r.errors} for r in run.results],
                    "search_kinds": [{**asdict(r), "errors": r.errors} for r in run.search_kinds],
                }
                for run in runs
            ],
            indent=2,
        )
    )
    say(f"\nTook {time.monotonic() - started:.0f} s; figures also in var/bench/results.json.")
    if failed:
        say("make bench: FAILED (errors above). A MISS alone does not fail the bench.")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("make bench: interrupted")
        sys.exit(130)
