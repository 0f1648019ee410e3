"""`make audit` (portal/audit.py): a known vulnerability in a pinned dependency fails the build.

pip-audit runs for real against a stand-in advisory service on loopback that speaks the OSV API
(`AUDIT_ARGS=-s osv --osv-url ...`), so the test needs no network and knows what the answer is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from portal.audit import summarise

ROOT = Path(__file__).resolve().parents[2]
# Shaped like the real OSV record for CVE-2023-36053 (Django validators ReDoS, fixed in 4.2.3).
ADVISORY = {
    "id": "GHSA-jh3w-4vvf-mjgr",
    "aliases": ["CVE-2023-36053"],
    "summary": "Potential regular expression denial of service in EmailValidator/URLValidator",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "4.2"}, {"fixed": "4.2.3"}]}
            ],
        }
    ],
}


class AdvisoryService(BaseHTTPRequestHandler):
    """POST /v1/query {"package": {"name"}, "version"} -> {"vulns": [...]} or {}."""

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        vulnerable = name == "django" and version.startswith("4.2.") and version < "4.2.3"
        body = json.dumps({"vulns": [ADVISORY]} if vulnerable else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def advisory_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), AdvisoryService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()
    server.server_close()


def audit(requirements: str, tmp_path: Path, url: str, **env) -> subprocess.CompletedProcess:
    path = tmp_path / "requirements.txt"
    path.write_text(requirements)
    environment = {
        **os.environ,
        "AUDIT_ARGS": f"-s osv --osv-url {url}",
        "AUDIT_REQUIRED": "",
        "AUDIT_TIMEOUT": "5",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "portal.audit", str(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_known_vulnerable_pin_fails_the_audit(tmp_path, advisory_url):
    result = audit("django==4.2.0\nsqlparse==0.5.3\n", tmp_path, advisory_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "django 4.2.0: CVE-2023-36053 (GHSA-jh3w-4vvf-mjgr); fixed in 4.2.3" in result.stderr
    assert "1 of 2 dependencies have known vulnerabilities" in result.stderr


@pytest.mark.slow
def test_the_fixed_version_passes(tmp_path, advisory_url):
    result = audit("django==4.2.3\nsqlparse==0.5.3\n", tmp_path, advisory_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no known vulnerabilities in 2 dependencies" in result.stdout


def test_the_installed_environment_is_audited_without_the_project_itself(tmp_path, advisory_url):
    """No file given: every installed distribution, pinned, and not patient-portal (not on PyPI)."""
    from portal.audit import installed_requirements

    pins = installed_requirements().splitlines()
    assert any(p.lower().startswith("django==") for p in pins)
    assert all("==" in p for p in pins), pins
    assert not any(p.lower().startswith(("patient-portal", "patient_portal")) for p in pins)


@pytest.mark.slow
def test_an_unreachable_service_is_reported_and_only_fails_when_required(tmp_path):
    dead = "http://127.0.0.1:9/v1/query"
    result = audit("django==4.2.0\n", tmp_path, dead)
    assert result.returncode == 0
    assert "NOT CHECKED for known vulnerabilities" in result.stdout
    required = audit("django==4.2.0\n", tmp_path, dead, AUDIT_REQUIRED="1")
    assert required.returncode == 1
    assert "AUDIT_REQUIRED=1" in required.stderr


def test_dependencies_the_service_does_not_know_are_not_a_pass():
    report = {"dependencies": [{"name": "django", "version": "4.2.0", "skip_reason": "not found"}]}
    status, lines = summarise(report, "", required=False)
    assert status == 0 and "NOT CHECKED" in lines[-1]
    status, lines = summarise(report, "", required=True)
    assert status == 1


def test_make_test_runs_the_audit():
    makefile = (ROOT / "Makefile").read_text()
    test_rule = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "audit" in test_rule.split(":", 1)[1].split()
    assert "$(BIN)/python -m portal.audit" in makefile
