"""Varnish in front of one or more app servers, on a spare port.

Used by the fault suite's shared-cache test (tests/faults/test_shared_cache.py) and by
`make bench` (bench/run.py). The VCL is deploy/varnish.vcl.template: round robin over the
app servers, only responses marked public and setting no cookie are stored, the admin and
questionnaire steps are always passed, and ``PURGE`` with a ``Surrogate-Key`` header (what
conditions/purge.py sends) bans the pages tagged with those keys. Debian package: varnish.

    v = Varnish(run_dir, port, [app_port_a, app_port_b], admin_path="admin/")
    v.start(); ...; v.stop()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("varnish.vcl.template")


class VarnishError(Exception):
    pass


def varnishd() -> str | None:
    return shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if os.access("/usr/sbin/varnishd", os.X_OK) else None
    )


def render_vcl(backend_ports: list[int], admin_path: str = "admin/") -> str:
    backends = "\n".join(
        f'backend app{i} {{\n    .host = "127.0.0.1";\n    .port = "{port}";\n'
        f"    .connect_timeout = 2s;\n    .first_byte_timeout = 30s;\n}}"
        for i, port in enumerate(backend_ports)
    )
    adds = "\n".join(f"    app.add_backend(app{i});" for i in range(len(backend_ports)))
    admin = admin_path.strip("/").replace(".", r"\.") + "/"
    return Template(TEMPLATE.read_text()).safe_substitute(
        backends=backends, backend_adds=adds, admin_path=admin
    )


class Varnish:
    def __init__(self, run_dir: Path, port: int, backend_ports: list[int], admin_path="admin/"):
        self.run_dir = Path(run_dir)
        self.port = port
        self.backend_ports = backend_ports
        self.admin_path = admin_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, memory: str = "64m", timeout: float = 30) -> None:
        program = varnishd()
        if program is None:
            raise VarnishError("varnishd is not installed (Debian: apt-get install varnish)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # varnishd drops privileges to read its VCL and work dir
        vcl = self.run_dir / "portal.vcl"
        vcl.write_text(render_vcl(self.backend_ports, self.admin_path))
        vcl.chmod(0o644)
        log = (self.run_dir / "varnishd.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [
                program,
                "-F",
                "-n",
                str(self.run_dir / "work"),
                "-a",
                f"127.0.0.1:{self.port}",
                "-T",
                "none",
                "-f",
                str(vcl),
                "-s",
                f"malloc,{memory}",
                "-p",
                "default_grace=0s",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise VarnishError(
                    f"varnishd exited ({self.process.returncode}):\n"
                    + (self.run_dir / "varnishd.log").read_text()[-3000:]
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.1)
        self.stop()
        raise VarnishError(f"varnishd did not listen on {self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None
