"""Command-line errors from the new-user review: Chinese usage errors, help texts, database
open errors, missing files, --demo misuse, restore wording and confirmation, stats counts."""
import argparse
import json
import re
import sqlite3
import sys

import pytest
from sqlalchemy.exc import OperationalError

from taskboard.cli import common, main as cli
from taskboard.cli.main import main
from taskboard.core import backup
from taskboard.core.db import explain_open_error


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

CJK = re.compile(r"[\u4e00-\u9fff]")


def _exit_code(argv) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


# --- 1. usage errors ----------------------------------------------------------------------

def test_a_bad_period_is_a_chinese_usage_error(tmp_path, capsys):
    assert _exit_code(["stats", "--db", str(tmp_path / "x.sqlite"), "--period", "2026-13"]) == 2
    err = capsys.readouterr().err
    assert "taskboard stats: 错误：--period 月份无效：13（应为 1–12）" in err
    assert "用法：taskboard stats" in err
    assert "error" not in err and "argument" not in err and "usage" not in err
    assert not (tmp_path / "x.sqlite").exists()


def test_a_bad_date_and_a_missing_value_are_chinese(capsys):
    assert _exit_code(["urge-ledger", "--out", "a.xlsx", "--from", "2026-13-01"]) == 2
    err = capsys.readouterr().err
    assert "taskboard urge-ledger: 错误：--from 日期格式应为 YYYY-MM-DD" in err
    assert _exit_code(["urge-ledger"]) == 2
    assert "错误：缺少必需的参数：--out" in capsys.readouterr().err
    assert _exit_code(["stats", "--period"]) == 2
    assert "错误：--period 后面需要一个值" in capsys.readouterr().err


def test_unknown_commands_and_options_are_chinese(capsys):
    assert _exit_code(["statz"]) == 2
    assert "taskboard: 错误：没有这个子命令：'statz'" in capsys.readouterr().err
    assert _exit_code(["users", "frob"]) == 2
    assert "taskboard users: 错误：没有这个子命令：'frob'" in capsys.readouterr().err
    assert _exit_code(["stats", "--frob"]) == 2
    assert "错误：无法识别的参数：--frob" in capsys.readouterr().err
    assert _exit_code(["users", "add", "x", "--role", "boss"]) == 2
    err = capsys.readouterr().err
    assert "taskboard users add: 错误：--role 取值无效：'boss'" in err and "invalid" not in err


# --- 2. help texts ------------------------------------------------------------------------

OTHER_OWNERS = {"export-report-forms", "import-report-forms", "export-ledger", "import-tasks"}


def _parsers(parser, name="taskboard"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for sub, p in action.choices.items():
                if sub in OTHER_OWNERS:
                    continue
                assert CJK.search(helps[sub] or ""), f"{name} {sub}: {helps[sub]!r}"
                yield from _parsers(p, f"{name} {sub}")


def test_help_texts_are_chinese():
    seen = []
    for name, parser in _parsers(cli.build_parser()):
        seen.append(name)
        for action in parser._actions:
            if action.help in (None, argparse.SUPPRESS) or \
                    isinstance(action, argparse._SubParsersAction):
                continue
            assert CJK.search(action.help), f"{name} {action.option_strings}: {action.help!r}"
        text = parser.format_help()
        assert "usage:" not in text and "options:" not in text
    assert {"taskboard stats", "taskboard bench", "taskboard demo", "taskboard backup",
            "taskboard restore", "taskboard check", "taskboard users add", "taskboard urge",
            "taskboard urge-ledger"} <= set(seen)


# --- 3. database open errors --------------------------------------------------------------

def test_files_that_are_not_databases_are_refused_in_plain_chinese(tmp_path, capsys):
    csv = tmp_path / "tasks.csv"
    csv.write_text("序号,任务\n1,优化营商环境\n" * 50, encoding="utf-8")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\x00garbage" * 2000)
    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = {p: p.read_bytes() for p in (csv, junk, foreign)}
    for path in before:
        assert main(["stats", "--db", str(path)]) == 2
        err = capsys.readouterr().err
        assert err == f"taskboard: 错误：不是 taskboard 数据库文件或文件已损坏：{path}\n"
    assert main(["stats", "--db", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"taskboard: 错误：这是一个文件夹，不是数据库文件：{tmp_path}\n"
    assert {p: p.read_bytes() for p in before} == before
    assert _files(tmp_path) == ["junk.sqlite", "other.sqlite", "tasks.csv"]


def test_an_unreadable_file_is_refused(tmp_path, capsys, monkeypatch):
    path = tmp_path / "locked.sqlite"
    path.write_bytes(b"")
    # The tests may run as root, for whom chmod 000 changes nothing.
    monkeypatch.setattr("taskboard.core.db.os.access", lambda p, mode: False)
    assert main(["stats", "--db", str(path)]) == 2
    assert f"没有权限读取数据库文件：{path}" in capsys.readouterr().err


def test_a_postgresql_server_that_is_not_there(capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["stats", "--db", f"postgresql+psycopg://clerk:secret@127.0.0.1:{port}/tb"]) == 2
    err = capsys.readouterr().err
    assert f"无法连接到服务器 127.0.0.1:{port}" in err
    assert "sqlalche.me" not in err and "secret" not in err and "postgresql+" not in err


def _pg_error(text):
    return OperationalError("SELECT 1", {}, Exception(text))


@pytest.mark.parametrize("detail, words", [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
     'password authentication failed for user "u1"', "用户名或密码错误"),
    ('connection failed: FATAL:  database "tb" does not exist', "没有名为“tb”的数据库"),
    ("connection failed: Connection refused", "无法连接到服务器 10.0.0.5:5432"),
])
def test_postgresql_errors_are_explained(detail, words):
    message = explain_open_error(_pg_error(detail), "postgresql+psycopg://u1:pw@10.0.0.5/tb")
    assert words in message
    assert not re.search(r"[A-Za-z]{4,}", message.replace("PostgreSQL", "")
                         .replace("CREATE DATABASE", "").replace("OWNER", "")
                         .replace("taskboard", "")), message


@pytest.mark.postgresql
def test_wrong_password_and_missing_database_on_a_real_server(pg_server, capsys):
    from tests.pg_roles import password_role

    role = password_role(pg_server)
    from taskboard.core.connections import ServerEntry, server_url, url_text

    entry = ServerEntry("t", role.host, role.port, role.database, role.user)
    assert main(["stats", "--db", url_text(server_url(entry, "wrong"))]) == 2
    assert "用户名或密码错误" in capsys.readouterr().err
    missing = ServerEntry("t", role.host, role.port, "no_such_db", role.user)
    assert main(["stats", "--db", url_text(server_url(missing, role.password))]) == 2
    assert "没有名为“no_such_db”的数据库" in capsys.readouterr().err


# --- 4. a mistyped --db path --------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["stats"], ["urge", "--dry-run"], ["urge-ledger", "--out", "{tmp}/l.xlsx"],
    ["users", "list"], ["check"], ["backup"],
    ["export-ledger", "--period", "2026-11", "-o", "{tmp}/l.xlsx"],
    ["import-tasks", "{tmp}/t.xlsx", "--dry-run"],
])
def test_a_missing_database_file_is_not_created(tmp_path, capsys, argv):
    path = tmp_path / "typo" / "dir" / "x.sqlite"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv + ["--db", str(path)]) == 2
    assert f"数据库文件不存在：{path}" in capsys.readouterr().err
    assert _files(tmp_path) == []


def test_the_demo_command_still_creates_its_database(tmp_path, capsys):
    path = tmp_path / "new" / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    assert path.is_file()


# --- 5. --demo ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, what", [
    (["backup"], "备份或恢复"), (["restore", "x.sqlite", "--yes"], "备份或恢复"),
    (["check"], "检查"), (["users", "list"], "管理其中的用户账号"),
])
def test_demo_is_refused_where_it_makes_no_sense(capsys, argv, what):
    assert main(argv + ["--demo"]) == 2
    assert f"taskboard: 错误：演示数据库是临时的，不能{what}" in capsys.readouterr().err


def test_demo_and_db_together_are_refused(tmp_path, capsys):
    assert main(["stats", "--demo", "--db", str(tmp_path / "x.sqlite")]) == 2
    assert "taskboard: 错误：--demo 与 --db 不能同时使用" in capsys.readouterr().err
    assert _files(tmp_path) == []


def test_throwaway_demo_folders_are_removed_at_exit(monkeypatch):
    monkeypatch.setattr(common, "_DEMO_FOLDERS", [])
    db = common.open_demo_db()
    folder = db.sqlite_path.parent
    assert folder.is_dir()
    common.remove_demo_folders()  # what atexit runs
    assert not folder.exists()


# --- 6. restore, check and backup ---------------------------------------------------------

@pytest.mark.sqlite_only
def test_restore_names_missing_files_and_folders(demo_db, tmp_path, capsys):
    before = demo_db.sqlite_path.read_bytes()
    db = str(demo_db.sqlite_path)
    assert main(["restore", str(tmp_path / "nope.sqlite"), "--db", db, "--yes"]) == 2
    assert capsys.readouterr().err == f"taskboard: 错误：文件不存在：{tmp_path / 'nope.sqlite'}\n"
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["restore", str(folder), "--db", db, "--yes"]) == 2
    assert capsys.readouterr().err == f"taskboard: 错误：这是一个文件夹，不是备份文件：{folder}\n"
    assert demo_db.sqlite_path.read_bytes() == before


@pytest.fixture
def a_backup(demo_db, tmp_path):
    copy = backup.backup(demo_db.sqlite_path, tmp_path / "copies")
    conn = sqlite3.connect(demo_db.sqlite_path)
    conn.execute("UPDATE task SET title='改过' WHERE id=1")
    conn.commit()
    conn.close()
    demo_db.dispose()
    return copy


def _title(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT title FROM task WHERE id=1").fetchone()[0]
    finally:
        conn.close()


def _terminal(monkeypatch, answer):
    asked = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    return asked


@pytest.mark.sqlite_only
def test_restore_asks_on_a_terminal_and_stops_on_no(demo_db, a_backup, monkeypatch, capsys):
    asked = _terminal(monkeypatch, "n")
    assert main(["restore", str(a_backup), "--db", str(demo_db.sqlite_path)]) == 1
    assert asked == [f"确认用 {a_backup} 覆盖当前数据库 {demo_db.sqlite_path} 吗？[y/N] "]
    assert "已取消" in capsys.readouterr().out
    assert _title(demo_db.sqlite_path) == "改过"


@pytest.mark.sqlite_only
def test_restore_proceeds_on_yes(demo_db, a_backup, monkeypatch, capsys):
    _terminal(monkeypatch, "y")
    assert main(["restore", str(a_backup), "--db", str(demo_db.sqlite_path)]) == 0
    assert _title(demo_db.sqlite_path) != "改过"


@pytest.mark.sqlite_only
def test_restore_without_a_terminal_asks_for_yes(demo_db, a_backup, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main(["restore", str(a_backup), "--db", str(demo_db.sqlite_path)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert _title(demo_db.sqlite_path) == "改过"


def _damage(path):
    data = bytearray(path.read_bytes())
    for off in range(4096 * 2, min(len(data), 4096 * 12), 97):
        data[off] = (data[off] + 91) % 256
    path.write_bytes(bytes(data))


@pytest.mark.sqlite_only
def test_check_and_restore_leave_no_files_beside_a_damaged_backup(demo_db, a_backup, capsys):
    folder = a_backup.parent
    good = _files(folder)
    assert main(["check", "--db", str(a_backup)]) == 0  # a sound backup, checked
    assert _files(folder) == good
    _damage(a_backup)
    damaged = a_backup.read_bytes()
    assert main(["check", "--db", str(a_backup)]) == 2
    assert main(["restore", str(a_backup), "--db", str(demo_db.sqlite_path), "--yes"]) == 2
    assert "拒绝恢复" in capsys.readouterr().err
    assert _files(folder) == good and a_backup.read_bytes() == damaged
    assert _title(demo_db.sqlite_path) == "改过"


@pytest.mark.sqlite_only
def test_restore_from_a_sound_backup_leaves_the_backup_folder_as_it_was(demo_db, a_backup):
    folder = a_backup.parent
    before = _files(folder)
    assert main(["restore", str(a_backup), "--db", str(demo_db.sqlite_path), "--yes"]) == 0
    assert _files(folder) == before


@pytest.mark.sqlite_only
def test_backup_to_an_existing_file_is_a_clear_error(demo_db, tmp_path, capsys):
    target = tmp_path / "notdir.sqlite"
    target.write_bytes(b"keep me")
    assert main(["backup", "--db", str(demo_db.sqlite_path), "--to", str(target)]) == 2
    assert capsys.readouterr().err == \
        f"taskboard: 错误：备份位置应为文件夹，但这是一个已有的文件：{target}\n"
    assert target.read_bytes() == b"keep me"


# --- 7. stats -----------------------------------------------------------------------------

def test_stats_counts_every_due_state(demo_db, capsys):
    assert main(["stats", "--db", demo_db.url, "--period", "2026-11", "--json"]) == 0
    c = json.loads(capsys.readouterr().out)[0]
    due = c["due"]
    assert set(due) == {"overdue", "near_due", "done", "normal", "ongoing"}
    assert sum(due.values()) == c["tasks"] == 67
    assert due["normal"] > 0 and due["ongoing"] > 0
    assert main(["stats", "--db", demo_db.url, "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert f"正常 {due['normal']}" in out and f"长期 {due['ongoing']}" in out
