"""A password-protected role on the session's test PostgreSQL server.

The test server trusts every local connection, so a wrong password would go unnoticed. One
role gets a pg_hba.conf line of its own demanding SCRAM; every other role stays trusted.
The names are full of characters that URLs must escape.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

ROLE = "tb clerk@x:y"
PASSWORD = "p@ss:w/rd%#?&中"
DATABASE = "tb/pw db"


@dataclass(frozen=True)
class PasswordRole:
    host: str
    port: int
    user: str
    password: str
    database: str


def wrong_password_refused(port: int, user: str = ROLE) -> bool:
    """Whether pg_hba.conf asks ``user`` for a password yet (after a reload it takes a moment)."""
    import psycopg

    try:
        psycopg.connect(host="127.0.0.1", port=port, user=user, password="wrong",
                        dbname="postgres", connect_timeout=2).close()
    except psycopg.OperationalError as exc:
        return "password authentication failed" in str(exc)
    return False


def password_role(server) -> PasswordRole:
    """Create the role and its empty database once per server (idempotent)."""
    done = getattr(server, "_password_role", None)
    if done is not None:
        return done
    hba = server.data / "pg_hba.conf"
    rule = f'host all "{ROLE}" 127.0.0.1/32 scram-sha-256\n'
    text = hba.read_text()
    if rule not in text:
        hba.write_text(rule + text)  # the first matching line wins
    conn = server._admin_conn()
    # The schema owner makes the accounts' login roles (migration 0008): CREATEROLE.
    conn.execute(f"CREATE ROLE \"{ROLE}\" LOGIN CREATEROLE PASSWORD '{PASSWORD}'")
    conn.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{ROLE}"')
    conn.execute("SELECT pg_reload_conf()")
    # The postmaster rereads pg_hba.conf when it handles the signal, a moment later.
    deadline = time.monotonic() + 10
    while not wrong_password_refused(server.port):
        if time.monotonic() > deadline:
            raise RuntimeError("pg_hba.conf reload did not take effect")
    server._password_role = PasswordRole("127.0.0.1", server.port, ROLE, PASSWORD, DATABASE)
    return server._password_role


def fresh_database(server, role: PasswordRole, name: str) -> str:
    """Another empty database owned by the role (dropped by the caller)."""
    server._admin_conn().execute(f'CREATE DATABASE "{name}" OWNER "{role.user}"')
    return name


def drop(server, name: str) -> None:
    server._admin_conn().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
