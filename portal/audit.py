"""`make audit`: known vulnerabilities in the installed dependencies (pip-audit).

    python -m portal.audit [REQUIREMENTS_FILE]

Audits exactly the versions installed in this environment (`pip freeze`, less this project
itself, which is not on PyPI) without resolving anything again, against pip-audit's advisory
service (PyPI's JSON API by default; AUDIT_ARGS passes more options, e.g. `-s osv`).

Exit status:
- 1 when any dependency has a known vulnerability: always, in CI or not;
- 1 when the advisory service could not be asked (offline, or it did not know a package) and
  AUDIT_REQUIRED=1; otherwise it says so plainly and exits 0, so that `make test` still works
  on a laptop without network access;
- 0 when every dependency was checked and none has a known vulnerability.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = "patient-portal"


def installed_requirements() -> str:
    """The installed distributions, pinned (pip freeze leaves out pip and setuptools)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "pip", "freeze", "--exclude", PROJECT],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("-e ")]
    return "\n".join(lines) + "\n"


def run_pip_audit(requirements: Path, extra_args: list[str]) -> tuple[dict | None, str]:
    """pip-audit's JSON report, or None and its error output when it did not produce one."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
            "--timeout",
            os.environ.get("AUDIT_TIMEOUT", "20"),
            *extra_args,
        ]
        # Our own interpreter; AUDIT_ARGS comes from whoever runs make, like any make variable.
        result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
        try:
            return json.loads(report.read_text()), result.stderr
        except (OSError, ValueError):
            return None, result.stderr or result.stdout


def summarise(report: dict | None, error: str, required: bool) -> tuple[int, list[str]]:
    """(exit status, lines to print) for a pip-audit JSON report."""
    if report is None:
        last = [line for line in error.strip().splitlines() if line.strip()][-1:] or ["no report"]
        lines = [f"audit: pip-audit could not ask its advisory service: {last[0]}"]
        return _unchecked(lines, required)

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            named = f"{vuln['id']} ({aliases})" if aliases else vuln["id"]
            lines.append(f"audit: {dep['name']} {dep['version']}: {named}; fixed in {fixes}")
    if vulnerable:
        lines.append(
            f"audit: {len(vulnerable)} of {len(dependencies)} dependencies have known "
            "vulnerabilities: raise their lower bounds in pyproject.toml and reinstall."
        )
        return 1, lines
    if skipped:
        lines.append(
            f"audit: {len(skipped)} of {len(dependencies)} dependencies could not be checked, "
            f"e.g. {skipped[0]['skip_reason']}"
        )
        return _unchecked(lines, required)
    return 0, [f"audit: no known vulnerabilities in {len(dependencies)} dependencies."]


def _unchecked(lines: list[str], required: bool) -> tuple[int, list[str]]:
    if required:
        lines.append("audit: AUDIT_REQUIRED=1, so this fails: the audit must be able to run.")
        return 1, lines
    lines.append(
        "audit: NOT CHECKED for known vulnerabilities (no advisory data reachable from here); "
        "going on. Set AUDIT_REQUIRED=1 to make this an error."
    )
    return 0, lines


def main(argv: list[str]) -> int:
    required = os.environ.get("AUDIT_REQUIRED", "").lower() in {"1", "true", "yes"}
    extra = shlex.split(os.environ.get("AUDIT_ARGS", ""))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        if argv:
            requirements = Path(argv[0])
        else:
            requirements = Path(tmp) / "installed.txt"
            requirements.write_text(installed_requirements())
        report, error = run_pip_audit(requirements, extra)
    status, lines = summarise(report, error, required)
    for line in lines:
        print(line, file=sys.stderr if status else sys.stdout)
    print(f"audit: took {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
