"""Signing in on PostgreSQL as the account's own login role, from the command line: the server
checks the password, one-time passwords must be changed first, the administrator's upgrade
gives the old accounts their roles, and the demo makes its accounts roles at once."""
import argparse
import io
import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text, update

from taskboard.cli import common
from taskboard.cli.main import main
from taskboard.core.db import Database
from taskboard.core.models import User
from tests.conftest import TEST_PASSWORD
from tests.pg import TEMPLATE
from tests.pg_accounts import (
    PASSWORD as PW, account_url, close_office, logins_with, make_office, require_passwords,
)

pytestmark = pytest.mark.postgresql
NEW_PW = "Neues-Kennwort-77"
BAD = "用户名或密码错误。"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    for name in ("TASKBOARD_USER", "TASKBOARD_PASSWORD", "TASKBOARD_PASSWORD_FILE",
                 "TASKBOARD_DB", "TASKBOARD_DB_PASSWORD", "PGPASSWORD", "PGUSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    yield
    common.use_args(None)


@pytest.fixture
def office(pg_server):
    """The demo office; admin, dispatcher, leader and two reporters have login roles."""
    o = make_office(pg_server)
    yield o
    close_office(pg_server, o)


def run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("who, role", [("admin", "admin"), ("dispatcher", "dispatcher"),
                                       ("leader", "leader"), ("unit003", "reporter")])
def test_each_role_signs_in_as_its_own_login(office, monkeypatch, capsys, who, role):
    name = office.pre + who
    code, out, err = run(monkeypatch, capsys,
                         ["stats", "--db", office.url, "--user", name, "--password-stdin"], PW)
    assert (code, err) == (0, "") and out
    # The same sign-in seen from inside: the connection is the role, the actor the account.
    args = argparse.Namespace(user=name, password_stdin=True)
    common.use_args(args)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PW + "\n"))
    db = common.open_db(office.url)
    try:
        actor = common.sign_in(args, db)
        with db.session() as s:
            assert s.scalar(text("SELECT session_user")) == name
    finally:
        db.dispose()
    assert (actor.username, actor.role) == (name, role)
    if role == "reporter":
        assert actor.unit_id == 3


def test_wrong_password_and_unknown_user_say_the_same(office, monkeypatch, capsys):
    wrong = run(monkeypatch, capsys, ["stats", "--db", office.url, "--user",
                                      office.pre + "unit003", "--password-stdin"], "falsch-123")
    unknown = run(monkeypatch, capsys, ["stats", "--db", office.url, "--user",
                                        office.pre + "nobody", "--password-stdin"], PW)
    assert wrong == unknown == (2, "", f"taskboard: 错误：登录失败：{BAD}\n")


def test_an_account_without_its_name_is_asked_for_it(office, monkeypatch, capsys):
    code, _out, err = run(monkeypatch, capsys, ["stats", "--db", office.url])
    assert code == 2 and "本人的用户名和密码" in err and "--user" in err


def test_a_deactivated_account_is_told_so(office, pg_server, monkeypatch, capsys):
    name = office.pre + "unit004"
    pg_server._admin_conn().execute(f'ALTER ROLE "{name}" NOLOGIN')
    code, _out, err = run(monkeypatch, capsys,
                          ["stats", "--db", office.url, "--user", name, "--password-stdin"], PW)
    assert code == 2 and f"账号“{name}”已停用" in err and "Traceback" not in err
    # Its password is not tested by saying so: a wrong one gets the common message.
    code, _out, err = run(monkeypatch, capsys, ["stats", "--db", office.url, "--user", name,
                                                "--password-stdin"], "falsch-123")
    assert code == 2 and BAD in err


def test_the_owner_is_sent_to_the_address_with_its_name(office, pg_server, monkeypatch,
                                                        capsys):
    code, _out, err = run(monkeypatch, capsys, ["stats", "--db", office.url, "--user",
                                                "postgres", "--password-stdin"], "x")
    assert code == 2 and "数据表所有者" in err and "postgresql://postgres@" in err


def _must_change(url, username):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == username)
                     .values(must_change_password=True))
    engine.dispose()


def test_a_one_time_password_must_be_changed_first(office, monkeypatch, capsys):
    name = office.pre + "unit003"
    _must_change(office.owner, name)
    stats = ["stats", "--db", office.url, "--user", name, "--password-stdin"]
    code, out, err = run(monkeypatch, capsys, stats, PW)
    assert code == 2 and out == "" and "一次性密码" in err
    assert f"taskboard password --db postgresql://127.0.0.1:" in err and f"--user {name}" in err
    code, out, err = run(monkeypatch, capsys, ["password", "--db", office.url, "--user", name,
                                               "--password-stdin", "--new-password-stdin"],
                         f"{PW}\n{NEW_PW}\n")
    assert (code, err) == (0, "") and "已修改" in out
    assert run(monkeypatch, capsys, stats, NEW_PW)[0] == 0
    assert run(monkeypatch, capsys, stats, PW)[2].endswith(f"{BAD}\n")
    with Database(office.owner).session() as s:
        assert s.scalar(select(User.must_change_password).where(User.username == name)) is False
        assert s.execute(text("SELECT action, db_user FROM audit_event WHERE action = "
                              "'user.password_changed'")).all() == [("user.password_changed",
                                                                     name)]


def test_a_weak_new_password_is_refused_and_the_old_one_stays(office, monkeypatch, capsys):
    name = office.pre + "leader"
    code, _out, err = run(monkeypatch, capsys, ["password", "--db", office.url, "--user", name,
                                                "--password-stdin", "--new-password-stdin"],
                          f"{PW}\nkurz\n")
    assert code == 2 and "至少" in err
    stats = ["stats", "--db", office.url, "--user", name, "--password-stdin"]
    assert run(monkeypatch, capsys, stats, PW)[0] == 0


@pytest.fixture
def upgraded(pg_server, test_password_hash):
    """A shared database made before the roles were enforced, then upgraded by the program."""
    o = make_office(pg_server, before="0007_i12", logins=())
    db = Database(o.owner)  # the administrator's first start after the upgrade
    with db.engine.begin() as conn:
        conn.execute(update(User).values(password_hash=test_password_hash))
    db.dispose()
    yield o
    close_office(pg_server, o)


def _issued(out: str) -> dict[str, str]:
    rows = [line.split() for line in out.splitlines()]
    return {r[0]: r[-1] for r in rows if r and r[0].startswith("t") and len(r) >= 3}


def test_create_roles_gives_old_accounts_one_time_passwords(upgraded, pg_server, monkeypatch,
                                                           capsys):
    o = upgraded
    admin = ["--db", o.owner, "--user", o.pre + "admin", "--password-stdin"]
    code, out, err = run(monkeypatch, capsys, ["admin", "create-roles", "--dry-run", *admin],
                         TEST_PASSWORD)
    assert code == 0 and o.pre + "unit003" in out and logins_with(pg_server, o.pre) == []
    code, out, err = run(monkeypatch, capsys, ["admin", "create-roles", *admin], TEST_PASSWORD)
    assert (code, err) == (0, "") and "只显示这一次" in out
    issued = _issued(out)
    with Database(o.owner).session() as s:
        everyone = set(s.scalars(select(User.username).where(User.active.is_(True))))
        stored = " ".join(s.scalars(text("SELECT coalesce(summary,'') || coalesce(before,'') "
                                         "|| coalesce(after,'') FROM audit_event")))
    assert set(issued) == everyone and len(set(issued.values())) == len(issued)
    assert sorted(logins_with(pg_server, o.pre)) == sorted(everyone)
    assert not any(pw in stored for pw in issued.values())  # never kept in clear

    name = o.pre + "unit003"
    stats = ["stats", "--db", o.url, "--user", name, "--password-stdin"]
    code, _out, err = run(monkeypatch, capsys, stats, issued[name])
    assert code == 2 and "一次性密码" in err  # it works, but only to change it
    code, _out, err = run(monkeypatch, capsys, ["password", "--db", o.url, "--user", name,
                                                "--password-stdin", "--new-password-stdin"],
                          f"{issued[name]}\n{NEW_PW}\n")
    assert (code, err) == (0, "")
    assert run(monkeypatch, capsys, stats, issued[name])[2].endswith(f"{BAD}\n")
    assert run(monkeypatch, capsys, stats, NEW_PW)[0] == 0
    code, out, _err = run(monkeypatch, capsys, ["admin", "create-roles", *admin], TEST_PASSWORD)
    assert code == 0 and "所有账号都已有数据库登录角色" in out


def test_create_roles_needs_postgresql_and_an_administrator(upgraded, monkeypatch, capsys,
                                                           tmp_path):
    local = tmp_path / "x.sqlite"
    Database(f"sqlite:///{local}").dispose()
    code, _out, err = run(monkeypatch, capsys, ["admin", "create-roles", "--db", str(local)])
    assert code == 2 and "只用于 PostgreSQL" in err
    code, _out, err = run(monkeypatch, capsys, [
        "admin", "create-roles", "--db", upgraded.owner, "--user", upgraded.pre + "dispatcher",
        "--password-stdin"], TEST_PASSWORD)
    assert code == 2 and "只有管理员" in err


@pytest.fixture
def empty_server_db(pg_server):
    require_passwords(pg_server)
    name = pg_server.create_database(TEMPLATE)
    url = pg_server.url(name)
    made: list[str] = []
    yield SimpleNamespace(owner=url, url=account_url(url), made=made)
    with Database(url).session() as s:
        made.extend(s.scalars(select(User.username)))
    pg_server.drop_database(name)
    conn = pg_server._admin_conn()
    for role in made:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_demo_with_a_password_makes_login_roles(empty_server_db, monkeypatch, capsys):
    d = empty_server_db
    code, out, err = run(monkeypatch, capsys, ["demo", "--db", d.owner, "--password", PW])
    assert (code, err) == (0, "")
    assert f"taskboard --db {d.url.replace('+psycopg', '')}" in out
    for who in ("admin", "unit003"):
        code, out, err = run(monkeypatch, capsys, ["stats", "--db", d.url, "--user", who,
                                                   "--password-stdin"], PW)
        assert (code, err) == (0, "") and out
    assert run(monkeypatch, capsys, ["stats", "--db", d.url, "--user", "admin",
                                     "--password-stdin"], "falsch-123")[0] == 2


def test_demo_on_postgresql_says_what_is_missing(empty_server_db, monkeypatch, capsys):
    code, _out, err = run(monkeypatch, capsys, ["demo", "--db", empty_server_db.owner])
    assert code == 2 and "--password" in err and "登录角色" in err
    code, _out, err = run(monkeypatch, capsys, ["demo", "--db", empty_server_db.url,
                                                "--password", PW])
    assert code == 2 and "数据表所有者" in err
    with Database(empty_server_db.owner).session() as s:
        assert s.scalar(select(User.id)) is None  # nothing was written


def test_the_administrator_on_their_own_login_creates_an_account_that_signs_in(
        office, monkeypatch, capsys):
    name = office.pre + "neu"
    code, out, err = run(monkeypatch, capsys, [
        "users", "add", name, "--role", "dispatcher", "--db", office.url, "--user",
        office.pre + "admin", "--password-stdin", "--new-password-stdin"], f"{PW}\n{NEW_PW}\n")
    assert (code, err) == (0, "") and name in out
    # The administrator knows that password: the new account must set its own first.
    stats = ["stats", "--db", office.url, "--user", name, "--password-stdin"]
    code, _out, err = run(monkeypatch, capsys, stats, NEW_PW)
    assert code == 2 and "一次性密码" in err
    own_pw = "Eigenes-Kennwort-88"
    code, _out, err = run(monkeypatch, capsys, ["password", "--db", office.url, "--user", name,
                                                "--password-stdin", "--new-password-stdin"],
                          f"{NEW_PW}\n{own_pw}\n")
    assert (code, err) == (0, "")
    code, _out, err = run(monkeypatch, capsys, stats, own_pw)
    assert (code, err) == (0, "")
    # A dispatcher's own login may not do the same.
    code, _out, err = run(monkeypatch, capsys, [
        "users", "add", office.pre + "zwei", "--role", "admin", "--db", office.url, "--user",
        name, "--password-stdin", "--new-password-stdin"], f"{own_pw}\n{own_pw}\n")
    assert (code, err) == (2, f"taskboard: 错误：当前账号（{name}）没有“管理用户”的权限。\n")


def test_accounts_wait_for_the_owner_to_upgrade_the_database(office, monkeypatch, capsys):
    engine = create_engine(office.owner)
    with engine.begin() as conn:  # as a database is when the program is newer than its schema
        conn.execute(text("UPDATE alembic_version SET version_num = '0007_i12'"))
    engine.dispose()
    code, out, err = run(monkeypatch, capsys, ["stats", "--db", office.url, "--user",
                                               office.pre + "unit003", "--password-stdin"], PW)
    assert (code, out) == (2, "") and "还没有升级" in err and "数据表所有者" in err
    engine = create_engine(office.owner)
    with engine.connect() as conn:  # nothing was migrated by an account
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            "0007_i12"
    engine.dispose()


def test_a_name_turned_away_by_pg_hba_is_answered_like_a_wrong_password():
    # With the README's pg_hba.conf lines ("+taskboard_reporter" and the like) an unknown
    # name matches no line, and the server says so before asking for a password; the
    # suite's own server trusts every local name, so its words are given here.
    import psycopg

    from taskboard.core.server_login import _refusal

    words = ('connection failed: connection to server at "10.10.1.5", port 5432 failed: '
             'FATAL:  no pg_hba.conf entry for host "10.10.3.7", user "ghost", '
             'database "taskboard", no encryption')
    refusal = _refusal(psycopg.OperationalError(words), "postgresql+psycopg://10.10.1.5/taskboard",
                       "ghost")
    assert refusal == BAD
