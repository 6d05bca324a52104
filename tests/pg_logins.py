"""Accounts' login roles on the session's test PostgreSQL server, each needing its password.

The test server trusts local connections, so pg_hba.conf gets one SCRAM line per taskboard
group role (``+group`` matches its members): every account's login must give its password,
while the superuser and every other role stay trusted. Roles are cluster-wide and the
template databases are shared, so each test's account names are unique and the roles are
dropped afterwards.
"""
from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.engine import URL

from taskboard.core.pg_security import ALL_GROUPS
from tests.pg_roles import wrong_password_refused

PASSWORD = "Acc-2026:pw中"
_PROBE = "tb_scram_probe"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    user_id: int
    unit_id: Optional[int]


def require_scram(server) -> None:
    """Once per server: members of the taskboard groups must give their SCRAM password."""
    if getattr(server, "_scram_for_accounts", False):
        return
    hba = server.data / "pg_hba.conf"
    rules = "".join(f"host all +{g} 127.0.0.1/32 scram-sha-256\n" for g in ALL_GROUPS)
    current = hba.read_text()
    if rules not in current:
        hba.write_text(rules + current)
    conn = server._admin_conn()
    conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                 f"'{_PROBE}') THEN CREATE ROLE {_PROBE} LOGIN PASSWORD 'probe-pw'; END IF; "
                 f"END $$")
    conn.execute(f"GRANT taskboard_leader TO {_PROBE}")
    conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while not wrong_password_refused(server.port, _PROBE):
        if time.monotonic() > deadline:
            raise RuntimeError("pg_hba.conf reload did not take effect")
    server._scram_for_accounts = True


def unique_name(stem: str) -> str:
    return f"{stem}_{os.getpid()}_{next(_counter)}"


def url(server, database: str, username: str, password: str) -> str:
    return URL.create("postgresql+psycopg", username=username, password=password,
                      host="127.0.0.1", port=server.port,
                      database=database).render_as_string(hide_password=False)


def connect(server, database: str, username: str, password: str):
    """A plain psycopg connection as that login (autocommit off: each test statement runs in
    a transaction the test rolls back or commits)."""
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=server.port, user=username,
                           password=password, dbname=database, connect_timeout=10)


def drop_logins(server, database: str, names: list[str]) -> None:
    """Drop the test's login roles (their privileges in ``database`` first)."""
    import psycopg

    if not names:
        return
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres",
                         dbname=database, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE usename = ANY(%s)", (names,))
        for name in names:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                  (name,)).fetchone()
            if exists:
                quoted = '"' + name.replace('"', '""') + '"'
                conn.execute(f"DROP OWNED BY {quoted}")
                conn.execute(f"DROP ROLE {quoted}")


# --- fixtures (imported by the test modules that use them) ----------------------------------

import pytest  # noqa: E402


@pytest.fixture
def pg_demo(pg_server):
    """(server, database name, Database as the superuser) on a copy of the demo data, closed
    to PUBLIC as migration 0008 leaves a real database (a copy's ACL starts afresh)."""
    from sqlalchemy import create_engine

    from taskboard.core.db import Database
    from taskboard.core.pg_security import close_database
    from tests.pg import DEMO_TEMPLATE

    require_scram(pg_server)
    name = pg_server.create_database(DEMO_TEMPLATE)
    engine = create_engine(pg_server.url(name))
    with engine.begin() as conn:
        close_database(conn)
    engine.dispose()
    database = Database(pg_server.url(name))
    made: list[str] = []
    database.made_logins = made
    yield pg_server, name, database
    database.dispose()
    drop_logins(pg_server, name, made)
    pg_server.drop_database(name)


def add_login(database, role: str, unit_id: Optional[int] = None,
              password: str = PASSWORD) -> Login:
    """A new account of ``role`` with its login role (made by the owner, as after the
    upgrade); its name is unique on the server."""
    from taskboard.core import pg_roles
    from taskboard.core.models import User

    name = unique_name(f"tb_{role}")
    with database.Session.begin() as s:
        user = User(username=name, display_name=f"测试{role}", role=role,
                    unit_id=unit_id if role == "reporter" else None)
        s.add(user)
        s.flush()
        database.made_logins.append(name)
        pg_roles.sync_login(s, name, password)
        user_id = user.id
    return Login(name, password, role, user_id, unit_id)


@pytest.fixture
def logins(pg_demo):
    """One login per role; the reporter belongs to unit 1 (东胜区)."""
    _server, _name, database = pg_demo
    return {role: add_login(database, role, 1 if role == "reporter" else None)
            for role in ("admin", "dispatcher", "reporter", "leader")}


def account_db(pg_demo, login: Login):
    """The program's Database opened with that login's own credentials."""
    from taskboard.core.db import Database

    server, name, _ = pg_demo
    return Database(url(server, name, login.username, login.password))
