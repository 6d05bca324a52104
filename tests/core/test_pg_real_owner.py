"""The set-up the README gives an office: the schema owner has CREATEROLE and is no superuser.

Every other PostgreSQL test runs the migrations as the test server's superuser, which may do
what the owner may not (PostgreSQL 15 lets only a superuser even mention SUPERUSER,
REPLICATION or BYPASSRLS in ALTER ROLE). Here the whole path runs as a real owner: upgrade,
first administrator, its login role, accounts made by the administrator on its own login.
"""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select

from taskboard.core import auth, pg_roles
from taskboard.core.db import open_database
from taskboard.core.models import User
from taskboard.core.services import users
from tests.pg_logins import PASSWORD, drop_logins, require_scram, unique_name, url

pytestmark = pytest.mark.postgresql


def _logs_in(server, database: str, username: str, password: str) -> bool:
    try:
        psycopg.connect(host="127.0.0.1", port=server.port, user=username, password=password,
                        dbname=database, connect_timeout=10).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def real_owner(pg_server):
    require_scram(pg_server)
    owner, database = unique_name("tb_owner"), unique_name("tb_office")
    conn = pg_server._admin_conn()
    conn.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE")
    conn.execute(f"CREATE DATABASE {database} OWNER {owner} TEMPLATE template0")
    made: list[str] = []
    yield pg_server, owner, database, made
    drop_logins(pg_server, database, made)
    pg_server.drop_database(database)
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres",
                         dbname="postgres", autocommit=True) as c:
        c.execute(f"DROP OWNED BY {owner}")
    conn.execute(f"DROP ROLE {owner}")


def test_an_owner_with_createrole_sets_up_accounts_that_the_server_checks(real_owner):
    server, owner, database, made = real_owner
    owner_url = f"postgresql+psycopg://{owner}@127.0.0.1:{server.port}/{database}"
    db = open_database(owner_url)
    try:
        is_super = db.engine.connect().exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
        assert is_super is False
        admin_name = unique_name("tb_first")
        made.append(admin_name)
        with db.Session.begin() as s:
            assert pg_roles.enforced(s) and pg_roles.connection_kind(s) == "owner"
            actor = auth.create_first_admin(s, admin_name, "管理员", PASSWORD)
            # What the window's offer and `admin create-roles` do for the first administrator.
            issued = pg_roles.issue_one_time_passwords(s, actor)
        assert set(issued) == {admin_name}
    finally:
        db.dispose()
    assert _logs_in(server, database, admin_name, issued[admin_name])
    assert not _logs_in(server, database, admin_name, "wrong-Pass-1")

    # The administrator on its own login makes a dispatcher, renames and deactivates it.
    admin_db = open_database(url(server, database, admin_name, issued[admin_name]))
    try:
        with admin_db.Session.begin() as s:
            assert pg_roles.managed(s)
            me = pg_roles.account_actor(s)
            disp = unique_name("tb_disp")
            made.append(disp)
            uid = users.create_user(s, me, users.UserInput(disp, "调度一", "dispatcher"),
                                    "Disp-2026:pw")
        assert _logs_in(server, database, disp, "Disp-2026:pw")
        with admin_db.session() as s:
            # A password the administrator typed is one the administrator knows.
            assert s.scalar(select(User.must_change_password).where(User.id == uid)) is True
            listed = {r.username: r.has_password for r in users.list_users(s, me)}
        assert listed[disp] is True
        renamed = unique_name("tb_disp_new")
        made.append(renamed)
        with admin_db.Session.begin() as s:
            users.update_user(s, me, uid, users.UserInput(renamed, "调度一", "dispatcher"))
        assert _logs_in(server, database, renamed, "Disp-2026:pw")
        assert not _logs_in(server, database, disp, "Disp-2026:pw")
        with admin_db.Session.begin() as s:
            users.set_active(s, me, uid, False)
        assert not _logs_in(server, database, renamed, "Disp-2026:pw")
    finally:
        admin_db.dispose()
