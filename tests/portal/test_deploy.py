"""The production configuration files, read without starting anything (the running stack is
tested in tests/faults/)."""

import re
from pathlib import Path

from deploy.stack import Config, Stack

ROOT = Path(__file__).resolve().parents[2]


def _gunicorn_settings(monkeypatch) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict = {}
    exec((ROOT / "portal" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    return namespace


def test_gunicorn_listens_on_loopback_only_by_default(monkeypatch):
    assert _gunicorn_settings(monkeypatch)["bind"] == "127.0.0.1:8000"


def test_gunicorn_uses_threads_with_timeouts_so_one_stuck_request_holds_one_thread(monkeypatch):
    settings = _gunicorn_settings(monkeypatch)
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] >= 4 and settings["workers"] >= 2
    assert 0 < settings["graceful_timeout"] <= settings["timeout"] <= 60
    # nginx closes idle upstream connections (keepalive_timeout 4s) before gunicorn does.
    assert settings["keepalive"] > 4


def _rendered(tmp_path, **changes) -> str:
    config = Config(run_dir=tmp_path, **changes)
    return Stack(config).render_nginx_conf()


def test_the_nginx_template_renders_with_every_placeholder_filled(tmp_path):
    conf = _rendered(tmp_path, unlimited=["10.1.2.3"], https_port=443)
    assert "@@" not in conf
    assert "10.1.2.3 1;" in conf
    assert "return 301 https://$host$request_uri;" in conf  # no :443 in the redirect


def test_nginx_overwrites_the_forwarded_headers_and_buffers_slow_clients(tmp_path):
    conf = _rendered(tmp_path)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_add_x_forwarded_for" not in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    for directive in (
        "client_header_timeout 5s;",
        "client_body_timeout 10s;",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "proxy_read_timeout 10s;",
        "client_max_body_size 1m;",
        "client_max_body_size 16m;",
    ):
        assert directive in conf, directive


def test_nginx_logs_no_client_address_and_no_query_string(tmp_path):
    conf = _rendered(tmp_path)
    log_format = re.search(r"log_format portal (.*?);", conf, re.S).group(1)
    for leak in ("$remote_addr", "$request ", "$request_uri", "$args", "$http_"):
        assert leak not in log_format, leak
    assert "$uri" in log_format


def test_make_test_runs_the_fault_injection_suite_alone_after_the_parallel_runs():
    makefile = (ROOT / "Makefile").read_text()
    test_rule = makefile[makefile.index("\ntest:") :].split("\n\n")[0]
    assert "$(MAKE) --no-print-directory test-faults" in test_rule
    for target in ("test-sqlite:", "test-postgres:"):
        rule = makefile[makefile.index(f"\n{target}") :].split("\n\n")[0]
        markers = re.search(r"^PG_MARKERS := (.*)$", makefile, re.M).group(1)
        assert "not faults" in rule.replace("$(PG_MARKERS)", markers), target
    faults_rule = makefile[makefile.index("\ntest-faults:") :].split("\n\n")[0]
    assert "-n 0 -m faults" in faults_rule
    assert "faults" in (ROOT / "tests" / "conftest.py").read_text()
