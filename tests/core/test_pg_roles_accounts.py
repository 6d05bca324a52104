"""Accounts and their login roles: the administrator's changes reach the server, the server
authenticates with SCRAM verifiers computed by the program, and the migration's edges."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from taskboard.core import auth, pg_roles
from taskboard.core.db import DatabaseError, open_database
from taskboard.core.errors import ValidationError
from taskboard.core.models import User
from taskboard.core.services import users
from tests.pg_logins import (PASSWORD, account_db, connect, logins, pg_demo,  # noqa: F401
                             unique_name)

pytestmark = pytest.mark.postgresql


def _can_log_in(server, database: str, username: str, password: str) -> bool:
    try:
        connect(server, database, username, password).close()
    except psycopg.OperationalError:
        return False
    return True


def _role(server, username: str):
    return server._admin_conn().execute(
        "SELECT r.rolcanlogin, array(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g "
        "ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) FROM pg_roles r "
        "WHERE r.rolname = %s", (username,)).fetchone()


def test_admin_manages_accounts_and_the_server_follows(pg_demo, logins):
    server, name, owner = pg_demo
    admin_db = account_db(pg_demo, logins["admin"])
    new, renamed = unique_name("tb_new"), unique_name("tb_renamed")
    owner.made_logins += [new, renamed]
    try:
        with admin_db.Session.begin() as s:
            admin = pg_roles.account_actor(s)
            uid = users.create_user(s, admin, users.UserInput(new, "新报送员", "reporter", 1),
                                    password="First-2026")
        assert _can_log_in(server, name, new, "First-2026")
        assert not _can_log_in(server, name, new, "Wrong-2026")
        assert _role(server, new) == (True, ["taskboard_reporter"])
        with owner.session() as s:
            assert s.get(User, uid).password_hash is None  # the server holds the password

        with admin_db.Session.begin() as s:
            users.update_user(s, admin, uid, users.UserInput(renamed, "新调度", "dispatcher"))
        assert _role(server, new) is None
        assert _role(server, renamed) == (True, ["taskboard_dispatcher"])
        assert _can_log_in(server, name, renamed, "First-2026")

        with admin_db.Session.begin() as s:
            users.set_active(s, admin, uid, False)
        assert _role(server, renamed)[0] is False
        assert not _can_log_in(server, name, renamed, "First-2026")

        with admin_db.Session.begin() as s:
            users.set_active(s, admin, uid, True)
            users.reset_password(s, admin, uid, "Reset-2026!")
        assert _can_log_in(server, name, renamed, "Reset-2026!")
        assert not _can_log_in(server, name, renamed, "First-2026")
        with owner.session() as s:
            assert s.get(User, uid).must_change_password is True
    finally:
        admin_db.dispose()


def test_an_account_changes_its_own_password_on_the_server(pg_demo, logins):
    server, name, owner = pg_demo
    rep = logins["reporter"]
    with owner.Session.begin() as s:
        s.execute(text("UPDATE user_account SET must_change_password = true WHERE id = :i"),
                  {"i": rep.user_id})
    database = account_db(pg_demo, rep)
    try:
        with database.Session.begin() as s:
            actor = pg_roles.account_actor(s)
            with pytest.raises(auth.AuthError, match="原密码不正确"):
                auth.change_password(s, actor, "Not-the-2026", "Mine-2026!")
        with database.Session.begin() as s:
            auth.change_password(s, actor, rep.password, "Mine-2026!")
    finally:
        database.dispose()
    assert _can_log_in(server, name, rep.username, "Mine-2026!")
    assert not _can_log_in(server, name, rep.username, rep.password)
    with owner.session() as s:
        assert pg_roles.must_change_password(s, rep.username) is False
        assert s.scalar(select(User.password_hash).where(User.id == rep.user_id)) is None


def test_a_rename_onto_a_foreign_role_is_refused_and_nothing_stored(pg_demo, logins):
    server, name, owner = pg_demo
    admin_db = account_db(pg_demo, logins["admin"])
    rep = logins["reporter"]
    try:
        with pytest.raises(pg_roles.LoginRoleError, match="已有名为“postgres”"):
            with admin_db.Session.begin() as s:
                admin = pg_roles.account_actor(s)
                users.update_user(s, admin, rep.user_id,
                                  users.UserInput("postgres", "x", "reporter", 1))
    finally:
        admin_db.dispose()
    assert _role(server, rep.username) == (True, ["taskboard_reporter"])
    with owner.session() as s:
        assert s.get(User, rep.user_id).username == rep.username


@pytest.mark.parametrize("password", ["Plain-2026", "p@ss:w/rd%#中文", "Ⅸ－ｆｕｌｌ２０２６",
                                      "tab\u00a0space-2026"])
def test_the_programs_verifier_is_what_the_server_would_store(pg_server, password):
    """The server hashes the same password with the same salt to the same verifier, and
    accepts a login with the password whose verifier the program stored."""
    from tests.pg_logins import require_scram

    require_scram(pg_server)
    name = unique_name("tb_scram")
    conn = pg_server._admin_conn()
    try:
        conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE taskboard_leader")
        conn.execute("SET password_encryption = 'scram-sha-256'")
        escaped = password.replace("'", "''")
        conn.execute(f"ALTER ROLE {name} PASSWORD '{escaped}'")
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                              (name,)).fetchone()[0]
        iterations, salt = stored.split("$")[1].split(":")
        import base64

        mine = pg_roles.scram_verifier(password, salt=base64.b64decode(salt),
                                       iterations=int(iterations))
        assert mine == stored
        conn.execute(f"ALTER ROLE {name} PASSWORD '{pg_roles.scram_verifier(password)}'")
        assert _can_log_in(pg_server, "postgres", name, password)
        assert not _can_log_in(pg_server, "postgres", name, password + "x")
    finally:
        conn.execute(f"DROP ROLE IF EXISTS {name}")


def test_the_login_functions_refuse_a_password_that_is_not_a_verifier(pg_demo, logins):
    _server, _name, owner = pg_demo
    with owner.Session.begin() as s:
        with pytest.raises(DBAPIError, match="SCRAM-SHA-256"):
            s.execute(text("SELECT taskboard_sync_login(:u, 'plain-text')"),
                      {"u": logins["leader"].username})


def test_weak_passwords_are_refused_before_the_server_is_asked(pg_demo, logins):
    admin_db = account_db(pg_demo, logins["admin"])
    try:
        with admin_db.Session.begin() as s:
            admin = pg_roles.account_actor(s)
            with pytest.raises(ValidationError, match="至少"):
                users.reset_password(s, admin, logins["leader"].user_id, "short")
    finally:
        admin_db.dispose()


def test_an_owner_without_createrole_gets_the_sql_to_run(pg_server):
    owner, database = unique_name("tb_owner"), unique_name("tb_db")
    conn = pg_server._admin_conn()
    conn.execute(f"CREATE ROLE {owner} LOGIN")
    conn.execute(f"CREATE DATABASE {database} OWNER {owner} TEMPLATE template0")
    try:
        url = f"postgresql+psycopg://{owner}@127.0.0.1:{pg_server.port}/{database}"
        with pytest.raises(DatabaseError) as info:
            open_database(url)
        assert f"ALTER ROLE \"{owner}\" CREATEROLE" in str(info.value)
        assert "没有创建角色的权限" in str(info.value)
        with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres",
                             dbname=database) as c:
            assert c.execute("SELECT to_regclass('alembic_version')").fetchone()[0] is None
    finally:
        pg_server.drop_database(database)
        conn.execute(f"DROP ROLE {owner}")


def test_an_account_cannot_start_a_schema_upgrade(pg_demo, logins):
    server, name, owner = pg_demo
    with owner.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0007_i12'"))
    from tests.pg_logins import url

    login = logins["dispatcher"]
    with pytest.raises(DatabaseError, match="只有数据库所有者角色"):
        open_database(url(server, name, login.username, login.password))


def test_enforcement_is_recognised(pg_demo, logins):
    _server, _name, owner = pg_demo
    with owner.session() as s:
        assert (pg_roles.enforced(s), pg_roles.connection_kind(s),
                pg_roles.managed(s)) == (True, "owner", False)
    database = account_db(pg_demo, logins["leader"])
    with database.session() as s:
        assert (pg_roles.connection_kind(s), pg_roles.managed(s)) == ("account", True)
        # No administrator has a program password here, yet nobody is asked to make one.
        assert auth.needs_first_admin(s) is False
    with owner.Session.begin() as s:
        s.execute(text("UPDATE user_account SET password_hash = NULL"))
        assert auth.needs_first_admin(s) is True
    database.dispose()
