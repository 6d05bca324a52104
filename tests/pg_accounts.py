"""Whole offices whose accounts sign in as their own login roles, for the sign-in tests.

The test server trusts local connections, so a wrong password would go unnoticed: members of
the taskboard group roles get pg_hba.conf lines demanding SCRAM, as an office's server has.
Roles are cluster-wide, so each test's accounts carry a prefix of their own and are dropped
afterwards.
"""
from __future__ import annotations

import itertools
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from taskboard.core.migrate import alembic_config
from tests.pg_logins import require_scram

_counter = itertools.count(1)
# Every member of a taskboard group signs in with SCRAM, as on an office's server.
require_passwords = require_scram


def prefix() -> str:
    return f"t{os.getpid()}n{next(_counter)}_"


def rename_accounts(url: str, pre: str) -> None:
    """Give every account of the database a unique name (as the owner)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE user_account SET username = :p || username"), {"p": pre})
    finally:
        engine.dispose()


def logins_with(server, pre: str) -> list[str]:
    rows = server._admin_conn().execute(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (pre.replace("_", r"\_") + "%",))
    return [r[0] for r in rows]


def drop_logins(server, pre: str) -> None:
    conn = server._admin_conn()
    for name in logins_with(server, pre):
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def to_revision(url: str, revision: str) -> None:
    from alembic import command

    engine = create_engine(url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def account_url(url: str) -> str:
    """The address every account signs in with: no user name in it."""
    u = make_url(url)
    return f"postgresql+psycopg://{u.host}:{u.port}/{u.database}"


PASSWORD = "Amt-Kennwort-2026"
LOGINS = ("admin", "dispatcher", "leader", "unit003", "unit004")


def make_office(server, template=None, before=None, logins=LOGINS):
    """A clone of the demo office (or ``template``) whose accounts carry a fresh prefix; the
    accounts in ``logins`` get login roles with PASSWORD. Undo with ``close_office``."""
    from types import SimpleNamespace

    from taskboard.core import pg_roles
    from taskboard.core.db import Database
    from tests.pg import DEMO_TEMPLATE

    require_passwords(server)
    from taskboard.core.pg_security import close_database

    name = server.create_database(template or DEMO_TEMPLATE)
    owner = server.url(name)
    engine = create_engine(owner)
    with engine.begin() as conn:  # a copy's ACL starts afresh; the migration closes a real one
        close_database(conn)
    engine.dispose()
    if before:
        to_revision(owner, before)
    pre = prefix()
    rename_accounts(owner, pre)
    if logins:
        db = Database(owner)
        with db.Session.begin() as s:
            for n in logins:
                pg_roles.sync_login(s, pre + n, PASSWORD)
        db.dispose()
    return SimpleNamespace(name=name, owner=owner, url=account_url(owner), pre=pre)


def close_office(server, office) -> None:
    server.drop_database(office.name)
    drop_logins(server, office.pre)
