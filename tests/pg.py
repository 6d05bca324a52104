"""A throwaway PostgreSQL server for the test session, started with initdb/pg_ctl.

The server lives in a temporary directory, listens on a free loopback port and is stopped at
the end of the session. Every test gets its own database, cloned from a migrated template,
so tests stay independent and cheap.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Optional

TEMPLATE = "taskboard_template"
DEMO_TEMPLATE = "taskboard_demo"
SUPERUSER = "postgres"


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries, or the server would not start."""


def find_bindir() -> Optional[Path]:
    """Where initdb and pg_ctl live: PATH first, then Debian's versioned directories."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
    for cand in reversed(candidates):
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as(user: Optional[str], argv: list[str]) -> subprocess.CompletedProcess:
    # initdb refuses to run as root, so under root the server runs as an unprivileged user.
    if user is not None:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = find_bindir()
        if self.bindir is None:
            raise PostgresUnavailable("找不到 PostgreSQL（initdb/pg_ctl）")
        self.user: Optional[str] = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
                self.user = "postgres"
            except KeyError:
                self.user = "nobody"
        self.root = Path(tempfile.mkdtemp(prefix="taskboard-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._counter = itertools.count(1)
        self._local = threading.local()
        # CREATE DATABASE costs a few checkpoints; the next copy is made while a test runs.
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._ready: dict[str, Future] = {}
        self.started = False

    def _chown(self) -> None:
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            os.chmod(self.root, 0o755)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)

    def start(self) -> "PostgresServer":
        self._chown()
        init = _run_as(self.user, [str(self.bindir / "initdb"), "-D", str(self.data),
                                   "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                                   "--locale=C.UTF-8", "--no-sync"])
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr or init.stdout}")
        # Durability is irrelevant for throwaway test data; speed is not.
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        start = _run_as(self.user, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w",
                                    "-t", "60", "-l", str(self.root / "server.log"),
                                    "-o", opts, "start"])
        if start.returncode != 0:
            log = (self.root / "server.log")
            detail = log.read_text(errors="replace") if log.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {start.stderr}{detail}")
        self.started = True
        self._make_template()
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin_conn(self):
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = psycopg.connect(
                f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                autocommit=True)
            self._local.conn = conn
        return conn

    def _make_template(self) -> None:
        from taskboard.core.db import Database

        self._admin_conn().execute(f"CREATE DATABASE {TEMPLATE}")
        Database(self.url(TEMPLATE)).dispose()

    def make_demo_template(self, today) -> None:
        """A template holding the demo data for ``today``, cloned for every demo test."""
        from taskboard.core import demo
        from taskboard.core.db import Database

        self._clone(TEMPLATE, DEMO_TEMPLATE)
        database = Database(self.url(DEMO_TEMPLATE))
        with database.Session.begin() as s:
            demo.generate(s, "demo", today=today)
        database.dispose()

    def _clone(self, template: str, name: str) -> str:
        self._admin_conn().execute(
            f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def create_database(self, template: str = TEMPLATE) -> str:
        """A fresh database cloned from ``template`` (template0 for an empty, unmigrated one)."""
        future = self._ready.pop(template, None)
        try:
            name = future.result() if future is not None else None
        except Exception:  # e.g. made before a server restart; make one now instead
            name = None
        if name is None:
            name = self._clone(template, self._name())
        self._ready[template] = self._pool.submit(self._clone, template, self._name())
        return name

    def _name(self) -> str:
        return f"t{os.getpid()}_{next(self._counter)}"

    def drop_database(self, name: str) -> None:
        self._admin_conn().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._pool.shutdown(wait=True)
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        if self.started:
            _run_as(self.user, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                                "immediate", "-w", "stop"])
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start again on the same port and data (a server restart as users see it)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        _run_as(self.user, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                            "-w", "restart"])
