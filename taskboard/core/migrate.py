"""Alembic migrations run at start-up, so users' data is upgraded in place.

Importing Alembic costs about a third of a second, most of a start-up's budget, and a database
is almost always at head already. So the revisions are first read from the migration files'
own ``revision = ...`` lines and compared with ``alembic_version`` by a plain query; Alembic is
imported only when there is something to upgrade (or something unexpected to explain).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Engine, inspect

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)",
                            re.MULTILINE)


class DatabaseTooNewError(Exception):
    """The database was upgraded by a newer version of the program."""


class UpgradeNeedsOwnerError(Exception):
    """A PostgreSQL database needs upgrading, and only the schema owner may do it."""


def _check_may_upgrade(engine: Engine, current: str) -> None:
    """An account's login role cannot alter the schema: say so before a migration fails."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT r.rolsuper OR pg_get_userbyid(c.relowner) = session_user, "
            "pg_get_userbyid(c.relowner) FROM pg_roles r, pg_class c "
            "WHERE r.rolname = session_user AND c.oid = to_regclass('task')").one_or_none()
    if row is not None and not row[0]:
        raise UpgradeNeedsOwnerError(
            f"数据库需要升级（版本 {current}），只有数据库所有者角色“{row[1]}”可以升级。"
            "请管理员先用数据库所有者的连接启动一次本程序，再用本账号登录。")


def alembic_config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this program can migrate from: what a restored backup may carry."""
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


@lru_cache(maxsize=1)
def file_head() -> Optional[str]:
    """The head as the migration files name it, read without Alembic; None when the files do
    not make one clear head (then Alembic decides)."""
    revisions, downs = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(path.read_text(
            encoding="utf-8")))
        if "revision" not in found:
            continue
        if found["revision"] is None:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            downs.add(found["down_revision"])
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


def stamped_revisions(engine: Engine) -> Optional[list[str]]:
    """What ``alembic_version`` holds, by a plain query; None when the table is missing."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return [v for (v,) in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]


def at_head(engine: Engine) -> bool:
    head = file_head()
    return head is not None and stamped_revisions(engine) == [head]


def upgrade_to_head(engine: Engine) -> None:
    if at_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise DatabaseTooNewError(
                f"数据库版本（{current}）比本程序新，请升级 taskboard 后再打开。"
                f" The database schema {current} is newer than this program; upgrade taskboard."
            )
        if current == script.get_current_head():
            return
        _check_may_upgrade(engine, current)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table (copy, drop, rename), and dropping one that
            # others refer to fails while foreign keys are enforced. SQLite's own procedure:
            # enforcement off outside the transaction, the keys checked before committing.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    # Several workstations starting at once must not run the same migration.
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7351001)")
                elif sqlite:
                    # The same for two programs opening one new file: the second waits for the
                    # write lock, then finds the schema at head instead of creating it again.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:  # raising rolls the whole upgrade back
                        raise RuntimeError(f"升级数据库后外键不一致（{len(broken)} 处），已撤销升级。")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
