"""Engine, sessions and schema upgrades.

One engine and one ``sessionmaker`` per process. SQLite gets WAL, foreign keys and a busy
timeout on every connection; any SQLAlchemy URL (PostgreSQL for shared databases) works too.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from taskboard.core.migrate import upgrade_to_head
from taskboard.core.paths import ENV_DB, resolve_url  # noqa: F401 (the address rules live there)

SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """A database that cannot be opened or used, with a message fit for the user."""


def describe_database(url: str) -> str:
    """Where a database is, in the words the sign-in dialogs use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"本机数据库：{parsed.database}"
    where = parsed.host or "localhost"
    if parsed.port:
        where += f":{parsed.port}"
    return f"服务器：{where} · 数据库：{parsed.database}"


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
        # Set when the connection is an account's own PostgreSQL role (core/server_login.py):
        # the server checked the password, and the program's own sign-in does not apply.
        self.account = None

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

    def use_password(self, password: str) -> None:
        """Connect with a changed password from now on: the old one no longer opens new
        connections, and a pooled connection may be replaced at any time."""
        self.url = make_url(self.url).set(password=password).render_as_string(
            hide_password=False)
        old, self.engine = self.engine, make_engine(self.url)
        self.Session.configure(bind=self.engine)
        old.dispose()


def open_database(url: Optional[str] = None, *, must_exist: bool = False) -> Database:
    """Open and upgrade a database; every failure is a DatabaseError in plain Chinese.

    ``must_exist`` refuses a SQLite file that is not there instead of creating it (and its
    folders): a mistyped path must not turn into a fresh, empty database.
    """
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"数据库地址无效：{url}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database \
            and parsed.database != ":memory:":
        _check_sqlite_file(Path(parsed.database), must_exist)
    try:
        return Database(url)
    except Exception as exc:
        raise DatabaseError(explain_open_error(exc, url)) from None


NOT_TASKBOARD = "不是 taskboard 数据库文件或文件已损坏：{}"


def _check_sqlite_file(path: Path, must_exist: bool) -> None:
    """Refuse before SQLite or a migration touches (or creates) something it should not."""
    import sqlite3

    from taskboard.core.backup import _connect_readonly

    if path.is_dir():
        raise DatabaseError(f"这是一个文件夹，不是数据库文件：{path}")
    if not path.exists():
        if must_exist:
            raise DatabaseError(f"数据库文件不存在：{path}")
        return
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"没有权限读取数据库文件：{path}")
    try:
        conn = _connect_readonly(path)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        raise DatabaseError(NOT_TASKBOARD.format(path)) from None
    # Migrating a foreign database would add our tables to someone else's file.
    if tables and "alembic_version" not in tables:
        raise DatabaseError(NOT_TASKBOARD.format(path))


def explain_open_error(exc: BaseException, url: str) -> str:
    """What went wrong opening ``url``, in Chinese, without SQLAlchemy's English or links."""
    from taskboard.core.connections import (DEFAULT_PORT, ServerEntry, _kind, explain_error,
                                            public_url)
    from taskboard.core.migrate import DatabaseTooNewError, UpgradeNeedsOwnerError
    from taskboard.core.pg_security import OwnerCannotCreateRoles

    if isinstance(exc, (DatabaseTooNewError, UpgradeNeedsOwnerError, OwnerCannotCreateRoles)):
        return str(exc)
    parsed = make_url(url)
    detail = str(getattr(exc, "orig", None) or exc).strip()
    low = detail.lower()
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return f"数据库地址无效或不受支持：{public_url(url)}"
    if isinstance(exc, ModuleNotFoundError) or "no module named" in low:
        return f"本程序未安装打开该数据库所需的驱动（{parsed.drivername}）。"
    if parsed.get_backend_name() == "sqlite":
        where = parsed.database or public_url(url)
        if "file is not a database" in low or "malformed" in low:
            return NOT_TASKBOARD.format(where)
        if "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
            return f"没有权限写入数据库文件或其所在文件夹：{where}"
        if "locked" in low or "busy" in low:
            return f"数据库文件正被其他程序占用，请稍后再试：{where}"
        if "unable to open" in low:
            return f"无法打开数据库文件（文件夹不存在或没有权限）：{where}"
        if isinstance(exc, OSError):
            return f"无法打开数据库文件 {where}：{exc.strerror or detail}"
        return f"无法打开数据库文件 {where}：{detail.splitlines()[0] if detail else exc}"
    if parsed.get_backend_name() == "postgresql":
        entry = ServerEntry(name="", host=parsed.host or "localhost",
                            port=parsed.port or DEFAULT_PORT, database=parsed.database or "",
                            user=parsed.username or "")
        message = explain_error(exc, entry)
        # The server's own (usually English) words only help when we could not say it better.
        return message if _kind(detail) == "other" else message.split("\n")[0]
    return f"无法打开数据库 {public_url(url)}：{detail.splitlines()[0] if detail else exc}"
