"""The production stack on one machine: PostgreSQL, Redis, gunicorn and nginx with TLS.

    .venv/bin/python deploy/stack.py start      # `make run-prod`
    .venv/bin/python deploy/stack.py stop       # `make stop-prod`
    .venv/bin/python deploy/stack.py status
    .venv/bin/python deploy/stack.py manage createsuperuser     # any manage.py command
    .venv/bin/python deploy/stack.py env        # the app's environment, as `export` lines
    .venv/bin/python deploy/stack.py backup [--to DIR]
    .venv/bin/python deploy/stack.py restore BACKUP --database NAME [--media-root DIR]

Everything lives under one run directory (STACK_DIR, default var/stack/): its own PostgreSQL
cluster, its own Redis, gunicorn with production settings bound to 127.0.0.1, and nginx in
front terminating TLS with a certificate from a CA generated here (or the clinic's own
certificate: STACK_TLS_CERT and STACK_TLS_KEY). Nothing outside the run directory is touched,
and no server the machine already runs is used. Ports and sizes come from the environment
(see Config.from_env); the values a stack was started with are kept in STACK_DIR/stack.json, so
`stop`, `status` and `manage` find it again.

As root, PostgreSQL's own programs run as the `postgres` system user (PostgreSQL refuses to run
as root), so the run directory must be one that user can reach.

The fault-injection tests (tests/faults/) drive the same code through the Stack class.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's nginx-common
# Settings of the caller's shell that must not leak into the stack's app (the stack sets them).
APP_ENV_PREFIXES = ("DJANGO_", "DATABASE_URL", "CACHE_URL", "REDIS_URL", "GUNICORN_", "PORTAL_")


class StackError(Exception):
    """A step failed; the message says which and how to fix it."""


def say(message: str = "") -> None:
    print(message, flush=True)


# -- configuration ------------------------------------------------------------------------------
@dataclass
class Config:
    run_dir: Path
    https_port: int = 8443
    http_port: int = 8080
    app_port: int = 8001
    pg_port: int = 55432
    redis_port: int = 56379
    # Where nginx listens; 127.0.0.1 keeps a laptop's stack to itself, 0.0.0.0 opens it up.
    listen: str = "127.0.0.1"
    # The host name patients use: the certificate, DJANGO_ALLOWED_HOSTS and links in emails.
    server_name: str = "localhost"
    db_name: str = "portal"
    media_root: str = ""  # default: RUN_DIR/media
    # Default: RUN_DIR/static, collected (and compressed, about 20 s) at every start. A directory
    # given here was collected already, with these settings (a build step's): it is served as it
    # is, and the deploy check still refuses to start without its manifest.
    static_root: str = ""
    redis_maxmemory: str = "64mb"
    workers: int = 2
    threads: int = 8
    # Client addresses not rate-limited on patient pages (monitoring, a load test).
    unlimited: list[str] = field(default_factory=list)
    tls_cert: str = ""  # the clinic's certificate (full chain) and key; default: generated
    tls_key: str = ""
    demo_content: bool = True
    admin_path: str = "admin/"
    # Two-factor sign-in for every staff member, as in production. Start once with
    # STACK_ADMIN_REQUIRE_OTP=0 to add the first TOTP devices in the admin (the deploy check then
    # prints its warning instead of refusing to start).
    admin_require_otp: bool = True
    # Seconds nginx waits for an answer to a patient page before its branded 504.
    proxy_read_timeout: int = 10

    ENV = {
        "https_port": "STACK_HTTPS_PORT",
        "http_port": "STACK_HTTP_PORT",
        "app_port": "STACK_APP_PORT",
        "pg_port": "STACK_PG_PORT",
        "redis_port": "STACK_REDIS_PORT",
        "listen": "STACK_LISTEN",
        "server_name": "STACK_SERVER_NAME",
        "db_name": "STACK_DB_NAME",
        "media_root": "STACK_MEDIA_ROOT",
        "static_root": "STACK_STATIC_ROOT",
        "redis_maxmemory": "STACK_REDIS_MAXMEMORY",
        "workers": "STACK_WORKERS",
        "threads": "STACK_THREADS",
        "unlimited": "STACK_UNLIMITED",
        "tls_cert": "STACK_TLS_CERT",
        "tls_key": "STACK_TLS_KEY",
        "demo_content": "STACK_DEMO_CONTENT",
        "admin_path": "STACK_ADMIN_PATH",
        "admin_require_otp": "STACK_ADMIN_REQUIRE_OTP",
        "proxy_read_timeout": "STACK_PROXY_READ_TIMEOUT",
    }

    @classmethod
    def from_env(cls, environ=None) -> Config:
        """Defaults, then what STACK_DIR/stack.json recorded at the last start, then STACK_*."""
        environ = os.environ if environ is None else environ
        run_dir = Path(environ.get("STACK_DIR") or ROOT / "var" / "stack").resolve()
        values: dict = {}
        saved = run_dir / "stack.json"
        if saved.exists():
            values.update(json.loads(saved.read_text()))
        types = {f.name: f.type for f in fields(cls)}
        for name, variable in cls.ENV.items():
            raw = environ.get(variable, "").strip()
            if not raw:
                continue
            kind = types[name]
            if kind == "int":
                values[name] = int(raw)
            elif kind == "bool":
                values[name] = raw.lower() in {"1", "true", "yes", "on"}
            elif kind == "list[str]":
                values[name] = [a.strip() for a in raw.split(",") if a.strip()]
            else:
                values[name] = raw
        values.pop("run_dir", None)
        known = {f.name for f in fields(cls)}
        config = cls(run_dir=run_dir, **{k: v for k, v in values.items() if k in known})
        config.admin_path = config.admin_path.strip("/") + "/"
        return config

    def save(self) -> None:
        data = asdict(self)
        data.pop("run_dir")
        (self.run_dir / "stack.json").write_text(json.dumps(data, indent=2) + "\n")

    @property
    def https_origin(self) -> str:
        port = "" if self.https_port == 443 else f":{self.https_port}"
        return f"https://{self.server_name}{port}"


# -- processes ----------------------------------------------------------------------------------
def pid_alive(pid: int | None, name: str = "") -> bool:
    """True when `pid` runs (not a zombie) and, if given, its command line mentions `name`."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X") and (not name or name in cmdline)


def children(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc)."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields_ = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields_[1]) == pid and fields_[0] not in ("Z", "X"):
            out.append(int(stat.split("/")[2]))
    return sorted(out)


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def wait_gone(pid: int, name: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid, name):
            return True
        time.sleep(0.05)
    return not pid_alive(pid, name)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin (Debian), or PG_BIN, or the PATH's."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise StackError(
        "PostgreSQL's server programs (initdb, pg_ctl) are missing: apt-get install -y postgresql"
    )


def need(program: str, package: str) -> str:
    path = shutil.which(program) or (
        f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
    )
    if not path:
        raise StackError(f"{program} is missing: apt-get install -y {package}")
    return path


# -- the stack ----------------------------------------------------------------------------------
class Stack:
    def __init__(self, config: Config):
        self.config = config
        run = config.run_dir
        self.run_dir = run
        self.logs = run / "logs"
        self.secrets = run / "secrets"
        self.pg_dir = run / "postgres"
        self.pg_data = self.pg_dir / "data"
        self.redis_dir = run / "redis"
        self.tls_dir = run / "tls"
        self.nginx_dir = run / "nginx"
        self.static_root = Path(config.static_root) if config.static_root else run / "static"
        self.media_root = Path(config.media_root) if config.media_root else run / "media"
        self.gunicorn_pidfile = run / "gunicorn.pid"
        self.as_root = os.geteuid() == 0

    # -- secrets and environment --------------------------------------------------------------
    def secret(self, name: str, length: int = 32) -> str:
        path = self.secrets / name
        if not path.exists():
            self.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_text(secrets.token_urlsafe(length))
            path.chmod(0o600)
        return path.read_text().strip()

    def database_url(self, db_name: str | None = None, superuser: bool = False) -> str:
        if superuser:
            user, password = "postgres", self.secret("postgres-superuser-password")
        else:
            user, password = "portal", self.secret("postgres-portal-password")
        name = db_name or self.config.db_name
        return f"postgres://{user}:{password}@127.0.0.1:{self.config.pg_port}/{name}"

    @property
    def cache_url(self) -> str:
        return f"redis://:{self.secret('redis-password')}@127.0.0.1:{self.config.redis_port}/0"

    def app_env(self, **overrides: str) -> dict:
        """The environment gunicorn and manage.py run with: production settings."""
        c = self.config
        env = {k: v for k, v in os.environ.items() if not k.startswith(APP_ENV_PREFIXES)}
        hosts = dict.fromkeys(["localhost", "127.0.0.1", c.server_name])
        origins = dict.fromkeys(
            f"https://{h}{'' if c.https_port == 443 else f':{c.https_port}'}" for h in hosts
        )
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": self.secret("django-secret-key", 50),
                "DATABASE_URL": self.database_url(),
                "CACHE_URL": self.cache_url,
                "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
                "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(origins),
                # nginx is the one proxy in front and overwrites X-Forwarded-For.
                "DJANGO_PROXY_COUNT": "1",
                "DJANGO_ADMIN_PATH": c.admin_path,
                "DJANGO_ADMIN_REQUIRE_OTP": "1" if c.admin_require_otp else "0",
                "DJANGO_STATIC_ROOT": str(self.static_root),
                "DJANGO_MEDIA_ROOT": str(self.media_root),
                # nginx serves /media/ itself.
                "DJANGO_SERVE_MEDIA": "0",
                "PORTAL_PUBLIC_URL": c.https_origin,
                "GUNICORN_BIND": f"127.0.0.1:{c.app_port}",
                "GUNICORN_WORKERS": str(c.workers),
                "GUNICORN_THREADS": str(c.threads),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(overrides)
        return env

    def manage(self, *args: str, log: Path | None = None, env: dict | None = None) -> str:
        """Run a manage.py command with the stack's settings; return its output."""
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env or self.app_env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        output = done.stdout + done.stderr
        if log is not None:
            with log.open("a") as out:
                out.write(f"\n$ manage.py {' '.join(args)}\n{output}")
        if done.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{output[-3000:]}")
        return output

    # -- running as the postgres user ---------------------------------------------------------
    def as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 120)
        return subprocess.run([*prefix, *command], check=False, **kwargs)  # noqa: S603

    def _chown_postgres(self, path: Path) -> None:
        if self.as_root:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)

    # -- PostgreSQL ---------------------------------------------------------------------------
    @property
    def postgres_pid(self) -> int | None:
        pid = read_pid(self.pg_data / "postmaster.pid")
        return pid if pid_alive(pid, "postgres") else None

    def postgres_pids(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        pid = self.postgres_pid
        return [pid, *children(pid)] if pid else []

    def init_postgres(self) -> None:
        if (self.pg_data / "PG_VERSION").exists():
            return
        if self.as_root:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise StackError(
                    "there is no `postgres` system user: apt-get install postgresql"
                ) from exc
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        self.pg_dir.chmod(0o700)
        self._chown_postgres(self.pg_dir)
        if self.as_postgres("test", "-w", str(self.pg_dir)).returncode != 0:
            raise StackError(
                f"the postgres user cannot write {self.pg_dir}: put STACK_DIR under a directory "
                "every user may enter (not /root or a 0700 temporary directory)"
            )
        pwfile = self.pg_dir / "initdb-password"
        pwfile.write_text(self.secret("postgres-superuser-password") + "\n")
        pwfile.chmod(0o600)
        self._chown_postgres(pwfile)
        try:
            done = self.as_postgres(
                str(pg_bin_dir() / "initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                "postgres",
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode != 0:
            raise StackError(f"initdb failed:\n{done.stdout}{done.stderr}")
        with (self.pg_data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# Written by deploy/stack.py each start.\ninclude_if_exists = 'stack.conf'\n"
            )

    def start_postgres(self) -> None:
        if self.postgres_pid:
            return
        c = self.config
        if not port_free(c.pg_port):
            raise StackError(f"port {c.pg_port} (PostgreSQL) is taken: set STACK_PG_PORT")
        conf = self.pg_data / "stack.conf"
        conf.write_text(
            f"listen_addresses = '127.0.0.1'\n"
            f"port = {c.pg_port}\n"
            # TCP only: no socket file in a shared directory.
            "unix_socket_directories = ''\n"
            "max_connections = 100\n"
            "shared_buffers = 128MB\n"
            "log_line_prefix = '%m [%p] '\n"
            "log_min_messages = warning\n"
        )
        self._chown_postgres(conf)
        done = self.as_postgres(
            str(pg_bin_dir() / "pg_ctl"),
            "-D",
            str(self.pg_data),
            "-l",
            str(self.pg_dir / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        if done.returncode != 0:
            log = self.pg_dir / "postgres.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise StackError(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}{tail}")

    def stop_postgres(self, mode: str = "fast") -> None:
        if not self.postgres_pid:
            return
        for pid in self.postgres_pids():  # a stopped (SIGSTOP) server cannot shut down
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        done = self.as_postgres(
            str(pg_bin_dir() / "pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "stop"
        )
        if done.returncode != 0:
            raise StackError(f"pg_ctl stop failed:\n{done.stdout}{done.stderr}")

    def restart_postgres(self) -> None:
        self.stop_postgres()
        self.start_postgres()

    def ensure_database(self, db_name: str | None = None) -> None:
        """The app's role and database (its role owns it; no superuser at run time)."""
        import psycopg
        from psycopg import sql

        name = db_name or self.config.db_name
        password = self.secret("postgres-portal-password")
        with psycopg.connect(
            self.database_url("postgres", superuser=True), autocommit=True, connect_timeout=10
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'portal'").fetchone():
                conn.execute(
                    sql.SQL("CREATE ROLE portal LOGIN PASSWORD {}").format(sql.Literal(password))
                )
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not exists.fetchone():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER portal").format(sql.Identifier(name))
                )

    # -- Redis --------------------------------------------------------------------------------
    @property
    def redis_pid(self) -> int | None:
        pid = read_pid(self.redis_dir / "redis.pid")
        return pid if pid_alive(pid, "redis-server") else None

    def start_redis(self) -> None:
        if self.redis_pid:
            return
        c = self.config
        if not port_free(c.redis_port):
            raise StackError(f"port {c.redis_port} (Redis) is taken: set STACK_REDIS_PORT")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        conf = self.redis_dir / "redis.conf"
        conf.write_text(
            "# Written by deploy/stack.py. A cache only: nothing is saved to disk, and when\n"
            "# memory is full the least recently used keys go (any key may: every one is a\n"
            "# cached page or the content-generation token, rebuilt on a miss).\n"
            f"bind 127.0.0.1\nport {c.redis_port}\nprotected-mode yes\n"
            f"requirepass {self.secret('redis-password')}\n"
            f"daemonize yes\npidfile {self.redis_dir / 'redis.pid'}\n"
            f"logfile {self.logs / 'redis.log'}\ndir {self.redis_dir}\n"
            'save ""\nappendonly no\n'
            f"maxmemory {c.redis_maxmemory}\nmaxmemory-policy allkeys-lru\n"
        )
        conf.chmod(0o600)
        done = subprocess.run(  # noqa: S603
            [need("redis-server", "redis-server"), str(conf)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise StackError(f"redis-server did not start:\n{done.stdout}{done.stderr}")
        self._wait(lambda: self.redis_ping(), 15, "Redis", self.logs / "redis.log")

    def redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.config.redis_port), timeout=1) as s:
                s.sendall(f"AUTH {self.secret('redis-password')}\r\nPING\r\n".encode())
                data = b""
                while b"PONG" not in data and len(data) < 200:
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    data += chunk
                return b"PONG" in data
        except OSError:
            return False

    def stop_redis(self) -> None:
        pid = self.redis_pid
        if not pid:
            return
        os.kill(pid, signal.SIGCONT)
        os.kill(pid, signal.SIGTERM)
        if not wait_gone(pid, "redis-server", 10):
            os.kill(pid, signal.SIGKILL)
            wait_gone(pid, "redis-server", 5)

    # -- TLS ----------------------------------------------------------------------------------
    def tls_paths(self) -> tuple[Path, Path]:
        if self.config.tls_cert:
            return Path(self.config.tls_cert), Path(self.config.tls_key)
        return self.tls_dir / "server.crt", self.tls_dir / "server.key"

    @property
    def ca_cert(self) -> Path:
        return self.tls_dir / "ca.crt"

    def make_certificates(self) -> None:
        """A local CA and a server certificate it signs (for localhost, 127.0.0.1, ::1 and
        STACK_SERVER_NAME). Trust tls/ca.crt in a browser, or use curl --cacert."""
        if self.config.tls_cert:
            return
        cert, key = self.tls_paths()
        if cert.exists() and key.exists():
            return
        openssl = need("openssl", "openssl")
        self.tls_dir.mkdir(parents=True, exist_ok=True)
        names = dict.fromkeys(["localhost", self.config.server_name])
        san = ",".join([*(f"DNS:{n}" for n in names), "IP:127.0.0.1", "IP:::1"])
        ca_key, ca_crt = self.tls_dir / "ca.key", self.ca_cert
        ext = self.tls_dir / "server.ext"
        ext.write_text(
            f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        )
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        steps = [
            [openssl, "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_crt),
             "-days", "825", "-subj", "/CN=Patient portal local CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            [openssl, "req", *ec, "-keyout", str(key), "-out", str(self.tls_dir / "server.csr"),
             "-subj", f"/CN={self.config.server_name}"],
            [openssl, "x509", "-req", "-in", str(self.tls_dir / "server.csr"), "-CA", str(ca_crt),
             "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(cert), "-days", "397",
             "-extfile", str(ext)],
        ]  # fmt: skip
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
            if done.returncode != 0:
                raise StackError(f"openssl failed:\n{done.stderr}")
        for path in (ca_key, key):
            path.chmod(0o600)

    # -- gunicorn -----------------------------------------------------------------------------
    @property
    def gunicorn_pid(self) -> int | None:
        pid = read_pid(self.gunicorn_pidfile)
        return pid if pid_alive(pid, "gunicorn") else None

    def gunicorn_workers(self) -> list[int]:
        pid = self.gunicorn_pid
        return children(pid) if pid else []

    def start_gunicorn(self) -> None:
        if self.gunicorn_pid:
            return
        port = self.config.app_port
        if not port_free(port):
            raise StackError(f"port {port} (gunicorn) is taken: set STACK_APP_PORT")
        with (self.logs / "gunicorn.log").open("a") as log:
            subprocess.Popen(  # noqa: S603 - our own fixed command
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "-c",
                    "portal/gunicorn.conf.py",
                    "--pid",
                    str(self.gunicorn_pidfile),
                    "portal.wsgi",
                ],
                cwd=ROOT,
                env=self.app_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives this command; stop() ends it
            )
        self._wait(lambda: self.app_healthz() == 200, 60, "gunicorn", self.logs / "gunicorn.log")

    def app_healthz(self) -> int | None:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.config.app_port}/healthz",
                headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
            )
            with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def stop_gunicorn(self) -> None:
        pid = self.gunicorn_pid
        if not pid:
            return
        workers = children(pid)
        for each in (pid, *workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(each, signal.SIGCONT)
        os.kill(pid, signal.SIGTERM)  # graceful: requests in progress finish
        if not wait_gone(pid, "gunicorn", 30):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for each in workers:
            if pid_alive(each, "gunicorn"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(each, signal.SIGKILL)
        self.gunicorn_pidfile.unlink(missing_ok=True)

    # -- nginx --------------------------------------------------------------------------------
    @property
    def nginx_conf(self) -> Path:
        return self.nginx_dir / "nginx.conf"

    @property
    def nginx_pid(self) -> int | None:
        pid = read_pid(self.nginx_dir / "nginx.pid")
        return pid if pid_alive(pid, "nginx") else None

    def render_nginx_conf(self) -> str:
        c = self.config
        cert, key = self.tls_paths()
        user = ""
        if self.as_root:
            try:
                pwd.getpwnam("www-data")
                user = "user www-data;"
            except KeyError:
                user = "user nobody;"
        unlimited = "".join(f"        {address} 1;\n" for address in c.unlimited).rstrip("\n")
        values = {
            "USER": user,
            "RUN_DIR": str(self.run_dir),
            "LOG_DIR": str(self.logs),
            "MIME_TYPES": str(MIME_TYPES),
            "UNLIMITED": unlimited,
            "APP_PORT": str(c.app_port),
            "LISTEN": c.listen,
            "HTTP_PORT": str(c.http_port),
            "HTTPS_PORT": str(c.https_port),
            "HTTPS_PORT_SUFFIX": "" if c.https_port == 443 else f":{c.https_port}",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "ERRORS_DIR": str(DEPLOY / "errors"),
            "STATIC_ROOT": str(self.static_root),
            "MEDIA_ROOT": str(self.media_root),
            "ADMIN_PATH": c.admin_path,
            "PROXY_READ_TIMEOUT": f"{c.proxy_read_timeout}s",
        }
        text = (DEPLOY / "nginx.conf.template").read_text()
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        if "@@" in text:
            raise StackError("deploy/nginx.conf.template has a placeholder stack.py does not fill")
        return text

    def nginx(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [
                need("nginx", "nginx-light"),
                "-p",
                str(self.nginx_dir),
                "-c",
                str(self.nginx_conf),
                "-e",
                str(self.logs / "nginx-error.log"),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def start_nginx(self) -> None:
        if self.nginx_pid:
            return
        c = self.config
        for port in (c.https_port, c.http_port):
            if not port_free(port, c.listen if c.listen != "0.0.0.0" else "127.0.0.1"):  # noqa: S104
                raise StackError(
                    f"port {port} (nginx) is taken: set STACK_HTTPS_PORT/STACK_HTTP_PORT"
                )
        if not MIME_TYPES.exists():
            raise StackError(f"{MIME_TYPES} is missing: apt-get install -y nginx-light")
        self.nginx_dir.mkdir(parents=True, exist_ok=True)
        self.nginx_conf.write_text(self.render_nginx_conf())
        test = self.nginx("-t", "-q")
        if test.returncode != 0:
            raise StackError(f"nginx refused its configuration:\n{test.stderr}")
        done = self.nginx()
        if done.returncode != 0:
            raise StackError(f"nginx did not start:\n{done.stderr}")
        self._wait(
            lambda: self.https_status("/healthz") == 200, 20, "nginx", self.logs / "nginx-error.log"
        )

    def stop_nginx(self) -> None:
        pid = self.nginx_pid
        if not pid:
            return
        os.kill(pid, signal.SIGQUIT)  # graceful: finish the requests in progress
        if not wait_gone(pid, "nginx", 15):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            wait_gone(pid, "nginx", 5)

    def ssl_context(self) -> ssl.SSLContext:
        if self.config.tls_cert:
            return ssl.create_default_context()
        return ssl.create_default_context(cafile=str(self.ca_cert))

    def https_status(self, path: str) -> int | None:
        """Status of a GET through nginx over https, the certificate checked against our CA."""
        try:
            request = urllib.request.Request(f"https://127.0.0.1:{self.config.https_port}{path}")
            with urllib.request.urlopen(request, timeout=5, context=self.ssl_context()) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    # -- the whole stack ----------------------------------------------------------------------
    def _wait(self, ready, seconds: float, what: str, log: Path) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.1)
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise StackError(f"{what} did not answer within {seconds:.0f} s; {log}:\n{tail}")

    def start(self, quiet: bool = False) -> None:
        show = (lambda _m: None) if quiet else say
        c = self.config
        for program, package in (("redis-server", "redis-server"), ("nginx", "nginx-light"),
                                 ("openssl", "openssl")):  # fmt: skip
            need(program, package)
        pg_bin_dir()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        c.save()
        setup_log = self.logs / "setup.log"
        try:
            show(f"== PostgreSQL on 127.0.0.1:{c.pg_port} (data: {self.pg_data})")
            self.init_postgres()
            self.start_postgres()
            self.ensure_database()
            show(
                f"== Redis on 127.0.0.1:{c.redis_port} (maxmemory {c.redis_maxmemory}, allkeys-lru)"
            )
            self.start_redis()
            collect = "" if c.static_root else ", collectstatic"
            show(f"== migrate{collect}, demo content if the database is empty")
            self.media_root.mkdir(parents=True, exist_ok=True)
            self.manage("migrate", "--noinput", log=setup_log)
            if not c.static_root:
                self.static_root.mkdir(parents=True, exist_ok=True)
                self.manage("collectstatic", "--noinput", log=setup_log)
            if c.demo_content:
                self.manage("load_demo_content", "--if-empty", log=setup_log)
            # Every deploy warning stops the start, except two-factor sign-in turned off on
            # purpose (STACK_ADMIN_REQUIRE_OTP=0) to enrol the first devices.
            level = "WARNING" if c.admin_require_otp else "ERROR"
            self.manage("check", "--deploy", "--fail-level", level, log=setup_log)
            show(
                f"== gunicorn on 127.0.0.1:{c.app_port} ({c.workers} workers x {c.threads} threads)"
            )
            self.start_gunicorn()
            show(f"== nginx on {c.listen}:{c.https_port} (https) and :{c.http_port} (redirects)")
            self.make_certificates()
            self.start_nginx()
        except (StackError, subprocess.SubprocessError, OSError) as exc:
            show("!! start failed; stopping what was started")
            self.stop(quiet=True)
            raise StackError(str(exc)) from exc

    def stop(self, quiet: bool = False) -> None:
        show = (lambda _m: None) if quiet else say
        for name, stop in (("nginx", self.stop_nginx), ("gunicorn", self.stop_gunicorn),
                           ("Redis", self.stop_redis), ("PostgreSQL", self.stop_postgres)):  # fmt: skip
            try:
                stop()
                show(f"== {name} stopped")
            except (StackError, OSError, subprocess.SubprocessError) as exc:
                show(f"!! {name}: {exc}")

    def status(self) -> dict:
        c = self.config
        return {
            "PostgreSQL": (self.postgres_pid, f"127.0.0.1:{c.pg_port}"),
            "Redis": (self.redis_pid, f"127.0.0.1:{c.redis_port}"),
            "gunicorn": (self.gunicorn_pid, f"127.0.0.1:{c.app_port}"),
            "nginx": (self.nginx_pid, f"{c.listen}:{c.https_port} https, :{c.http_port} http"),
        }


# -- command line -------------------------------------------------------------------------------
def print_running(stack: Stack) -> None:
    c = stack.config
    say("")
    say(f"  Patient site:    {c.https_origin}/   (http://{c.server_name}:{c.http_port}/ redirects)")
    say(f"  Clinician admin: {c.https_origin}/{c.admin_path}")
    say(
        f"  Certificate:     signed by {stack.ca_cert}"
        if not c.tls_cert
        else f"  Certificate:     {c.tls_cert}"
    )
    say(f"                   curl --cacert {stack.ca_cert} {c.https_origin}/healthz")
    say("  A first login:   .venv/bin/python deploy/stack.py manage createsuperuser")
    say(f"  Logs:            {stack.logs}/")
    say("  Stop:            make stop-prod")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("start", help="start (or complete) the stack")
    sub.add_parser("stop", help="stop every server of the stack; the data stays")
    sub.add_parser("status", help="what runs, where")
    sub.add_parser("env", help="print the app's environment as export lines")
    manage = sub.add_parser("manage", help="run a manage.py command against the stack")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    backup = sub.add_parser("backup", help="dump the database and archive the uploads")
    backup.add_argument("--to", type=Path, default=None, help="default: STACK_DIR/backups/")
    restore = sub.add_parser("restore", help="restore a backup into a NEW database")
    restore.add_argument("backup", type=Path)
    restore.add_argument("--database", required=True, help="name of the new database")
    restore.add_argument("--media-root", type=Path, default=None)
    args = parser.parse_args(argv)

    stack = Stack(Config.from_env())
    try:
        if args.command == "start":
            stack.start()
            print_running(stack)
        elif args.command == "stop":
            stack.stop()
        elif args.command == "status":
            for name, (pid, where) in stack.status().items():
                say(f"{name:<11} {'running, pid ' + str(pid) if pid else 'stopped':<22} {where}")
            say(f"https /healthz: {stack.https_status('/healthz') if stack.nginx_pid else '-'}")
        elif args.command == "env":
            for key, value in sorted(stack.app_env().items()):
                if key.startswith(APP_ENV_PREFIXES):
                    say(f"export {key}={value!r}")
        elif args.command == "manage":
            done = subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", *args.args], cwd=ROOT, env=stack.app_env(), check=False
            )
            return done.returncode
        elif args.command == "backup":
            from deploy.backup import create_backup

            where = create_backup(
                stack.database_url(), stack.media_root, args.to or stack.run_dir / "backups"
            )
            say(f"Backup written to {where}")
        elif args.command == "restore":
            from deploy.backup import restore_backup

            media = args.media_root or stack.run_dir / f"media-{args.database}"
            restore_backup(
                args.backup,
                stack.database_url(args.database),
                media,
                create_with=stack.database_url("postgres", superuser=True),
            )
            say(f"Restored into database {args.database!r} and {media}.")
            say("To serve it: make stop-prod, then")
            say(f"  STACK_DB_NAME={args.database} STACK_MEDIA_ROOT={media} make run-prod")
    except Exception as exc:
        from deploy.backup import BackupError

        if not isinstance(exc, StackError | BackupError):
            raise
        say(f"deploy/stack.py {args.command}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
