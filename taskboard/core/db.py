"""Engine, sessions and schema upgrades.

One engine and one ``sessionmaker`` per process. SQLite gets WAL, foreign keys and a busy
timeout on every connection; any SQLAlchemy URL (PostgreSQL for shared databases) works too.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from taskboard.core.migrate import upgrade_to_head

APP_NAME = "taskboard"
ENV_DB = "TASKBOARD_DB"
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """A database that cannot be opened or used, with a message fit for the user."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    return f"sqlite:///{default_data_dir() / 'taskboard.sqlite'}"


def resolve_url(cli_url: Optional[str] = None) -> str:
    """--db wins over TASKBOARD_DB, which wins over the per-user default file.

    A bare file path is taken as a SQLite file.
    """
    url = cli_url or os.environ.get(ENV_DB) or default_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets readers go on while one writer commits; NORMAL sync is still crash-safe in WAL.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An opened, upgraded database: the engine and its session factory."""

    def __init__(self, url: str, *, upgrade: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        try:
            if upgrade:
                upgrade_to_head(self.engine)
        except Exception:
            self.engine.dispose()
            raise
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Optional[Path]:
        if not self.is_sqlite:
            return None
        name = make_url(self.url).database
        return Path(name) if name and name != ":memory:" else None

    def session(self) -> Session:
        return self.Session()

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: Optional[str] = None) -> Database:
    return Database(resolve_url(url))
