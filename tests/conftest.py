"""Shared fixtures: a fresh real database per test, demo data pinned to a fixed date.

``db_url`` is parametrized over SQLite and PostgreSQL, so every test that touches the database
runs against both: a fresh SQLite file, or a fresh database on a PostgreSQL server that the
session starts itself (tests/pg.py). Tests that genuinely need SQLite are marked
``@pytest.mark.sqlite_only`` and are not collected for PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

# Before any Qt import: tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from taskboard.core.actor import load_actor
from taskboard.core.db import Database

TODAY = dt.date(2026, 11, 23)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test cannot run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql: runs against the test PostgreSQL server")


def pytest_collection_modifyitems(config, items) -> None:
    keep, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("db_url") if callspec else None
        if backend == "postgresql" and item.get_closest_marker("sqlite_only"):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server; in CI a server that cannot start fails the run."""
    from tests.pg import PostgresServer, PostgresUnavailable

    server = None
    try:
        server = PostgresServer()
        server.start()
        server.make_demo_template(TODAY)
    except PostgresUnavailable as exc:
        if server is not None:
            server.stop()
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL test server did not start (CI must run these): {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> dict[str, Path]:
    """Migrated SQLite files, empty and with the demo data, copied for each test."""
    from taskboard.core import demo

    folder = tmp_path_factory.mktemp("templates")
    empty, with_demo = folder / "empty.sqlite", folder / "demo.sqlite"
    Database(f"sqlite:///{empty}").dispose()
    shutil.copyfile(empty, with_demo)
    database = Database(f"sqlite:///{with_demo}")
    with database.Session.begin() as s:
        demo.generate(s, "demo", today=TODAY)
    database.dispose()  # the last connection folds the WAL back into the file
    return {"empty": empty, "demo": with_demo}


def _wants_demo(request) -> bool:
    # A test that asks for demo_db gets a copy of a database already holding the demo data:
    # generating it for every test would cost far more than copying.
    return "demo_db" in request.fixturenames


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    kind = "demo" if _wants_demo(request) else "empty"
    if request.param == "sqlite":
        path = tmp_path / "taskboard.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_templates")[kind], path)
        return f"sqlite:///{path}"
    from tests.pg import DEMO_TEMPLATE, TEMPLATE

    server = request.getfixturevalue("pg_server")
    name = server.create_database(DEMO_TEMPLATE if kind == "demo" else TEMPLATE)
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db):
    """The demo data generated for TODAY (see db_url: the database arrives filled)."""
    return db


@pytest.fixture
def dispatcher(demo_db):
    with demo_db.session() as s:
        return load_actor(s, "dispatcher")


@pytest.fixture
def fast_hash(monkeypatch):
    """Cheap scrypt for tests that sign in many times; the parameters travel with each hash."""
    from taskboard.core import auth

    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)


@pytest.fixture
def ui_state(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "ui.ini"), QSettings.IniFormat)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    """Convert a file with headless LibreOffice: ``soffice(path, outdir, "pdf")`` → new path.

    One profile for the session keeps LibreOffice's first-start setup to once. CI installs
    LibreOffice (.ci/run), so there a missing ``soffice`` fails instead of skipping.
    """
    import subprocess

    exe = shutil.which("soffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: .ci/run installs it")
        pytest.skip("LibreOffice (soffice) not installed")
    home = tmp_path_factory.mktemp("soffice")

    def convert(path: Path, outdir: Path, target: str = "pdf") -> Path:
        subprocess.run([exe, "--headless", f"-env:UserInstallation={(home / 'profile').as_uri()}",
                        "--convert-to", target, "--outdir", str(outdir), str(path)],
                       check=True, capture_output=True, timeout=240,
                       env={**os.environ, "HOME": str(home)})
        out = Path(outdir) / (Path(path).stem + "." + target.split(":")[0])
        assert out.exists(), f"LibreOffice wrote no {out.name}"
        return out

    return convert


# --- signing in on the command line --------------------------------------------------------

TEST_PASSWORD = "Test-2026"


@pytest.fixture(scope="session")
def test_password_hash() -> str:
    """TEST_PASSWORD hashed with tiny scrypt parameters (kept with the hash): fast to check."""
    from taskboard.core import auth

    return auth.hash_password(TEST_PASSWORD, n=2 ** 4, r=8, p=1)


@pytest.fixture
def sign_in_as(monkeypatch, test_password_hash):
    """``sign_in_as(db, "admin")``: every account gets TEST_PASSWORD, and the commands sign in
    as that user through TASKBOARD_USER / TASKBOARD_PASSWORD."""
    from sqlalchemy import update

    from taskboard.core.models import User

    def setup(database: Database, username: str = "admin") -> None:
        with database.engine.begin() as conn:
            conn.execute(update(User).values(password_hash=test_password_hash))
        monkeypatch.setenv("TASKBOARD_USER", username)
        monkeypatch.setenv("TASKBOARD_PASSWORD", TEST_PASSWORD)
        monkeypatch.delenv("TASKBOARD_PASSWORD_FILE", raising=False)
    return setup


@pytest.fixture
def cli_signed_in(request, sign_in_as):
    """For command-line test modules (autouse there): a test on the demo data runs its
    commands signed in as the demo administrator."""
    if "demo_db" in request.fixturenames:
        sign_in_as(request.getfixturevalue("demo_db"))
