"""Remembered servers, URL escaping, the password hand-over and the connection test."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from taskboard.core import connections as c
from taskboard.core.connections import ConnectionSetupError, ServerEntry, ServerStore
from taskboard.core.db import Database
from tests import pg_roles

OFFICE = ServerEntry(name="市政务服务局", host="db.office.lan", port=5433,
                     database="taskboard", user="dispatch", sslmode="require")


# --- URLs -------------------------------------------------------------------------------------

def test_url_escapes_special_characters_in_user_password_and_database():
    entry = ServerEntry(name="x", host="10.0.0.5", port=6543, database="任务/库 ?#",
                        user="clerk@unit:1", sslmode="verify-full")
    url = c.server_url(entry, "p@ss:w/rd%#?&中 ", timeout=7)
    back = make_url(c.url_text(url))
    assert (back.username, back.password, back.database) == \
        ("clerk@unit:1", "p@ss:w/rd%#?&中 ", "任务/库 ?#")
    assert (back.host, back.port, back.drivername) == ("10.0.0.5", 6543, "postgresql+psycopg")
    assert dict(back.query) == {"sslmode": "verify-full", "connect_timeout": "7"}


def test_public_url_drops_the_password_and_nothing_else():
    url = c.url_text(c.server_url(OFFICE, "s3cret@x"))
    public = c.public_url(url)
    assert "s3cret" not in public
    back = make_url(public)
    assert back.password is None
    assert (back.username, back.host, back.port, back.database) == \
        ("dispatch", "db.office.lan", 5433, "taskboard")
    assert back.query["sslmode"] == "require"


def test_sqlite_url_is_an_absolute_file(tmp_path):
    url = c.sqlite_url(tmp_path / "sub dir" / "a#b.sqlite")
    assert make_url(c.url_text(url)).database == str(tmp_path / "sub dir" / "a#b.sqlite")


def test_password_from_the_environment_is_taken_once():
    env = {c.ENV_PASSWORD: "p@ss:w/rd", "OTHER": "1"}
    url = c.with_env_password(c.public_url(c.server_url(OFFICE)), env)
    assert make_url(url).password == "p@ss:w/rd"
    assert c.ENV_PASSWORD not in env and env["OTHER"] == "1"
    # A SQLite file has no password; a URL that brings its own keeps it.
    env = {c.ENV_PASSWORD: "x"}
    assert c.with_env_password("sqlite:////tmp/a.sqlite", env) == "sqlite:////tmp/a.sqlite"
    own = c.url_text(c.server_url(OFFICE, "mine"))
    assert make_url(c.with_env_password(own, {c.ENV_PASSWORD: "x"})).password == "mine"
    assert c.with_env_password(own, {}) == own


def test_child_gets_the_password_in_its_environment_never_on_its_command_line():
    url = c.public_url(c.server_url(OFFICE, "secret"))
    argv = c.child_command(url)
    assert argv[-2:] == ["--db", url]
    assert not any("secret" in a for a in argv)
    env = c.child_environment("secret", {"PATH": "/bin", "TASKBOARD_DB": "other"})
    assert env == {"PATH": "/bin", c.ENV_PASSWORD: "secret"}
    assert c.ENV_PASSWORD not in c.child_environment(None, {c.ENV_PASSWORD: "old"})
    with pytest.raises(ValueError):
        c.child_command(c.url_text(c.server_url(OFFICE, "secret")))


# --- validation and the JSON file -------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (dict(name=" "), "请填写名称"),
    (dict(host=""), "请填写服务器地址"),
    (dict(host="db office"), "不能含空格"),
    (dict(port=0), "端口“0”无效"),
    (dict(port=70000), "端口“70000”无效"),
    (dict(database=""), "请填写数据库名"),
    (dict(sslmode="maybe"), "SSL 模式“maybe”无效"),
])
def test_bad_server_settings_are_refused_in_chinese(change, message):
    fields = {**OFFICE.__dict__, **change}
    with pytest.raises(ConnectionSetupError, match=message):
        c.validate_server(ServerEntry(**fields))


def test_a_server_without_user_means_each_account_signs_in_itself():
    entry = c.validate_server(ServerEntry(name="区", host="h", user="  "))
    assert entry.user == ""
    assert entry.label == "区 — h:5432/taskboard（本人账号登录）"
    assert c.server_url(entry).username is None


def test_validation_trims_and_refuses_a_duplicate_name():
    entry = c.validate_server(ServerEntry(name=" 区 ", host=" h ", user=" u "))
    assert (entry.name, entry.host, entry.user) == ("区", "h", "u")
    with pytest.raises(ConnectionSetupError, match="已有名为“市政务服务局”"):
        c.validate_server(OFFICE, (OFFICE,))


def test_store_round_trip_holds_no_password(tmp_path):
    path = tmp_path / "cfg" / "servers.json"
    assert c.load_store(path).servers == []  # no file yet: an empty list
    second = ServerEntry(name="备用", host="10.1.1.2", user="u")
    c.save_store(ServerStore([OFFICE, second], {"kind": "server", "name": "备用"}), path)
    raw = path.read_text(encoding="utf-8")
    assert "password" not in raw and "市政务服务局" in raw  # readable Chinese, not \u escapes
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    store = c.load_store(path)
    assert store.servers == [OFFICE, second]
    assert store.last == {"kind": "server", "name": "备用"}
    assert store.find("备用") == second and store.find("无") is None
    assert [p.name for p in path.parent.iterdir()] == ["servers.json"]  # no temp files left


def test_a_password_written_by_hand_is_dropped(tmp_path):
    path = tmp_path / "servers.json"
    path.write_text(json.dumps({"servers": [{**OFFICE.__dict__, "password": "oops"}]}))
    store = c.load_store(path)
    assert store.servers == [OFFICE]
    c.save_store(store, path)
    assert "oops" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("content, message", [
    ("{not json", "无法读取服务器列表"),
    ("[1, 2]", "格式不对"),
    ('{"servers": {"a": 1}}', "格式不对"),
    ('{"servers": ["x"]}', "第 1 个服务器不是有效的记录"),
    ('{"servers": [{"name": "a"}]}', "第 1 个服务器缺少“host”"),
    ('{"servers": [{"name": "a", "host": "h", "user": "u", "port": "5432"}]}', "端口"),
    ('{"servers": [{"name": "a", "host": "h", "user": "u"},'
     ' {"name": "a", "host": "k", "user": "u"}]}', "已有名为“a”"),
    ('{"version": 99, "servers": []}', "更新版本"),
])
def test_a_damaged_list_is_reported_and_left_alone(tmp_path, content, message):
    path = tmp_path / "servers.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConnectionSetupError, match=message):
        c.load_store(path)
    assert path.read_text(encoding="utf-8") == content


def test_a_damaged_list_is_set_aside_before_a_new_one_is_saved(tmp_path):
    path = tmp_path / "servers.json"
    path.write_bytes(b"\xff\xfe garbage")
    bad = c.set_aside(path)
    assert bad == tmp_path / "servers.json.bad" and bad.read_bytes() == b"\xff\xfe garbage"
    assert c.set_aside(path) is None
    c.save_store(ServerStore([OFFICE]), path)
    assert c.load_store(path).servers == [OFFICE]


def test_an_unwritable_place_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConnectionSetupError, match="无法保存服务器列表"):
        c.save_store(ServerStore([OFFICE]), blocker / "servers.json")


# --- error wording ----------------------------------------------------------------------------

@pytest.mark.parametrize("detail, expected", [
    ('FATAL:  password authentication failed for user "dispatch"', "用户名或密码错误"),
    ('致命错误:  用户 "dispatch" Password 认证失败', "用户名或密码错误"),
    ("fe_sendauth: no password supplied", "请输入密码"),
    ('FATAL:  database "taskboard" does not exist', "没有名为“taskboard”的数据库"),
    ('致命错误:  数据库 "taskboard" 不存在', "没有名为“taskboard”的数据库"),
    ('FATAL:  role "dispatch" does not exist', "没有用户“dispatch”"),
    ('FATAL:  no pg_hba.conf entry for host "10.0.0.9"', "pg_hba.conf"),
    ("timeout expired", "超时（10 秒）"),
    ("Connection refused\n\tIs the server running", "无法连接到服务器 db.office.lan:5433"),
    ("failed to resolve host 'x': Name or service not known", "无法连接到服务器"),
    ("server does not support SSL, but SSL was required", "SSL 模式"),
    ("permission denied for schema public", "没有建表或读写的权限"),
    ("something unexpected", "连接服务器 db.office.lan:5433 失败"),
])
def test_errors_are_explained_in_chinese(detail, expected):
    text = c.explain_error(Exception(detail), OFFICE)
    assert expected in text
    assert text.endswith(f"（{detail.splitlines()[0]}）")


# --- the connection test against real databases ----------------------------------------------

@pytest.fixture
def role(pg_server):
    return pg_roles.password_role(pg_server)


@pytest.fixture
def empty_pg(pg_server, role):
    name = pg_roles.fresh_database(pg_server, role, f"tb empty {os.getpid()}")
    yield name
    pg_roles.drop(pg_server, name)


def _entry(role, database=None, port=None):
    return ServerEntry(name="测试", host=role.host, port=port or role.port,
                       database=database or role.database, user=role.user, sslmode="disable")


def test_right_password_reports_the_version_and_then_the_schema(role, empty_pg):
    check = c.check_server(_entry(role, empty_pg), role.password)
    assert check.ok and check.schema == "empty"
    assert check.server_version.split(".")[0].isdigit()
    assert f"连接成功：PostgreSQL {check.server_version}" in check.message
    assert "将自动建立" in check.message
    # Connecting creates the schema: the URL built from the entry carries the odd password.
    Database(c.url_text(c.server_url(_entry(role, empty_pg), role.password))).dispose()
    check = c.check_server(_entry(role, empty_pg), role.password)
    assert (check.ok, check.schema) == (True, "current")


def test_wrong_or_missing_password(role):
    check = c.check_server(_entry(role), "wrong")
    assert not check.ok and check.message.startswith("用户名或密码错误")
    check = c.check_server(_entry(role), None)
    assert not check.ok and "请输入密码" in check.message


def test_missing_database_and_closed_port(role):
    check = c.check_server(_entry(role, "no_such_db"), role.password)
    assert not check.ok and "没有名为“no_such_db”的数据库" in check.message
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: the connection is refused
        check = c.check_server(_entry(role, port=port), role.password)
    assert not check.ok and f"无法连接到服务器 127.0.0.1:{port}" in check.message


def test_foreign_and_newer_schemas_are_refused(pg_server, role, empty_pg):
    import psycopg

    with psycopg.connect(host=role.host, port=role.port, user=role.user,
                         password=role.password, dbname=empty_pg, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
        check = c.check_server(_entry(role, empty_pg), role.password)
        assert (check.ok, check.schema) == (False, "foreign")
        assert "不是 taskboard 数据库" in check.message
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    check = c.check_server(_entry(role, empty_pg), role.password)
    assert (check.ok, check.schema) == (False, "newer")


def test_invalid_settings_are_not_even_tried():
    check = c.check_server(ServerEntry(name="x", host="", user="u"), "pw")
    assert not check.ok and "请填写服务器地址" in check.message


def test_sqlite_files(tmp_path, sqlite_templates):
    new = c.check_sqlite(tmp_path / "new.sqlite")
    assert new.ok and "将新建" in new.message
    assert not c.check_sqlite(tmp_path / "nowhere" / "x.sqlite").ok
    assert not c.check_sqlite(tmp_path).ok
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    check = c.check_sqlite(damaged)
    assert not check.ok and "不能使用" in check.message
    good = c.check_sqlite(sqlite_templates["demo"])
    assert (good.ok, good.schema) == (True, "current")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert (c.check_sqlite(foreign).ok, c.check_sqlite(foreign).schema) == (False, "foreign")


def test_the_servers_own_words_are_kept_without_the_address_prefix():
    detail = ('connection failed: connection to server at "127.0.0.1", port 5432 failed: '
              'FATAL:  password authentication failed for user "dispatch"')
    text = c.explain_error(Exception(detail), OFFICE)
    assert text.endswith('（FATAL:  password authentication failed for user "dispatch"）')


def test_same_database_ignores_passwords_and_options(tmp_path):
    with_pw = c.url_text(c.server_url(OFFICE, "pw"))
    assert c.same_database(with_pw, "postgresql+psycopg://dispatch@db.office.lan:5433/taskboard")
    assert not c.same_database(with_pw, "postgresql+psycopg://other@db.office.lan:5433/taskboard")
    assert not c.same_database(with_pw, f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert c.same_database(f"sqlite:///{tmp_path / 'x' / '..' / 'a.sqlite'}",
                           f"sqlite:///{tmp_path / 'a.sqlite'}")
