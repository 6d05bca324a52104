"""Commands sign in and act on the database named: global options before or after the
subcommand, passwords from a prompt, stdin, the environment or a private file, the window's
lockout, the audit trail naming the user, and the demo accounts' password."""
import argparse
import io
import os
import re
import sys

import pytest
from sqlalchemy import func, select, update

from taskboard.cli import common
from taskboard.cli import main as cli
from taskboard.cli.main import main
from taskboard.core import auth
from taskboard.core.db import Database
from taskboard.core.models import AuditEvent, Setting, Task, User
from taskboard.core.settings import load_settings
from tests.conftest import TEST_PASSWORD
from tests.excel import workbooks as W

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _no_sign_in_from_the_environment(monkeypatch, tmp_path):
    for name in ("TASKBOARD_USER", "TASKBOARD_PASSWORD", "TASKBOARD_PASSWORD_FILE",
                 "TASKBOARD_DB"):
        monkeypatch.delenv(name, raising=False)
    # The per-user default database lives here, so a command that ignored --db shows up.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def _stdin(monkeypatch, text):
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def _user(db, name):
    with db.session() as s:
        return s.scalars(select(User).where(User.username == name)).one()


def _report_day(db) -> int:
    with db.session() as s:
        return load_settings(s).report_day


# --- 1. global options ------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["import-tasks", "plan.xlsx"], ["settings", "set", "report_day", "20"],
    ["users", "passwd", "admin"], ["urge", "--dry-run"], ["stats"],
    ["calendar", "list"], ["export-ledger", "--period", "2026-11", "-o", "x.xlsx"],
])
def test_db_and_user_before_the_subcommand_are_kept(argv):
    parser = cli.build_parser()
    before = parser.parse_args(["--db", "office.sqlite", "--user", "clerk", *argv])
    after = parser.parse_args([*argv, "--db", "office.sqlite", "--user", "clerk"])
    for args in (before, after):
        assert (args.db, args.user, args.demo) == ("office.sqlite", "clerk", False)
    assert parser.parse_args(["--demo", *argv]).demo is True
    assert parser.parse_args(argv).db is None


def test_settings_set_with_db_before_the_subcommand_writes_the_named_file(demo_db, sign_in_as,
                                                                           tmp_path, capsys):
    sign_in_as(demo_db)
    assert main(["--db", demo_db.url, "settings", "set", "report_day", "20"]) == 0
    assert _report_day(demo_db) == 20
    assert not (tmp_path / "xdg").exists()  # the per-user default database was not touched


def test_import_with_db_before_the_subcommand_imports_into_the_named_file(demo_db, sign_in_as,
                                                                          tmp_path, capsys):
    sign_in_as(demo_db)
    path = W.standard_plan(tmp_path / "plan.xlsx")
    with demo_db.session() as s:
        before = s.scalar(select(func.count()).select_from(Task))
    assert main(["--db", demo_db.url, "import-tasks", str(path), "--campaign", "新专项",
                 "--create-units"]) == 0
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) > before
    assert not (tmp_path / "xdg").exists()


def test_demo_before_the_subcommand(capsys):
    assert main(["--demo", "stats", "--period", "2026-11"]) == 0
    assert "任务 67 项" in capsys.readouterr().out


OTHERS_BEFORE = {"settings", "calendar"}


def test_settings_and_calendar_help_is_chinese():
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name in OTHERS_BEFORE:
        assert CJK.search(helps[name]), helps[name]
        top = sub.choices[name]
        [inner] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
        inner_helps = {a.dest: a.help for a in inner._choices_actions}
        for action_name, p in [(name, top), *inner.choices.items()]:
            if action_name in inner_helps:
                assert CJK.search(inner_helps[action_name]), (name, action_name)
            for action in p._actions:
                if action.help in (None, argparse.SUPPRESS) or \
                        isinstance(action, argparse._SubParsersAction):
                    continue
                assert CJK.search(action.help), (name, action_name, action.help)
            text = p.format_help()
            assert "usage:" not in text and "options:" not in text


# --- 2. signing in ----------------------------------------------------------------------------

def test_a_command_without_a_user_is_refused(demo_db, sign_in_as, capsys, monkeypatch):
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_USER")
    assert main(["settings", "set", "report_day", "20", "--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    assert "请先登录" in err and "--user" in err and "Traceback" not in err
    assert _report_day(demo_db) != 20


def test_resetting_the_admin_password_needs_more_than_the_database_address(
        demo_db, sign_in_as, capsys, monkeypatch):
    """``echo pw | taskboard users passwd admin --db … --password-stdin`` used to work."""
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_USER")
    monkeypatch.delenv("TASKBOARD_PASSWORD")
    before = _user(demo_db, "admin").password_hash
    _stdin(monkeypatch, "Hijack-2026\n")
    assert main(["users", "passwd", "admin", "--db", demo_db.url, "--password-stdin"]) == 2
    assert "请先登录" in capsys.readouterr().err
    _stdin(monkeypatch, "Hijack-2026\nHijack-2026\n")
    assert main(["users", "passwd", "admin", "--db", demo_db.url, "--user", "dispatcher",
                 "--password-stdin", "--new-password-stdin"]) == 2
    assert "登录失败" in capsys.readouterr().err
    assert _user(demo_db, "admin").password_hash == before


def test_wrong_passwords_count_and_lock_as_in_the_window(demo_db, sign_in_as, capsys,
                                                         monkeypatch):
    sign_in_as(demo_db, "dispatcher")
    monkeypatch.setenv("TASKBOARD_PASSWORD", "wrong-2026")
    for n in range(1, auth.MAX_FAILED_LOGINS + 1):
        assert main(["stats", "--db", demo_db.url]) == 2
        err = capsys.readouterr().err
        assert "登录失败" in err
        assert _user(demo_db, "dispatcher").failed_logins == n
    assert "已锁定" in err
    monkeypatch.setenv("TASKBOARD_PASSWORD", TEST_PASSWORD)
    assert main(["stats", "--db", demo_db.url]) == 2
    assert "已锁定" in capsys.readouterr().err
    with demo_db.session() as s:
        failures = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["login.failed", "user.locked"]),
            AuditEvent.user_id == _user(demo_db, "dispatcher").id))
    assert failures == auth.MAX_FAILED_LOGINS


def test_password_from_stdin_and_the_audit_trail_names_the_user(demo_db, sign_in_as, capsys,
                                                                monkeypatch):
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_PASSWORD")
    _stdin(monkeypatch, TEST_PASSWORD + "\n")
    assert main(["settings", "set", "report_day", "20", "--db", demo_db.url, "--user", "admin",
                 "--password-stdin"]) == 0
    with demo_db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.like("settings%"))
                          .order_by(AuditEvent.id.desc())).first()
        login = s.scalars(select(AuditEvent).where(AuditEvent.action == "login")
                          .order_by(AuditEvent.id.desc())).first()
    admin = _user(demo_db, "admin")
    assert event.user_id == admin.id and login.user_id == admin.id


def test_a_dispatcher_signed_in_cannot_change_settings(demo_db, sign_in_as, capsys):
    sign_in_as(demo_db, "dispatcher")
    assert main(["settings", "set", "report_day", "20", "--db", demo_db.url]) == 2
    assert "没有“修改设置”的权限" in capsys.readouterr().err
    assert _report_day(demo_db) != 20


def test_no_terminal_and_no_password_is_a_clear_error(demo_db, sign_in_as, capsys,
                                                      monkeypatch):
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_PASSWORD")
    assert main(["stats", "--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    assert "没有终端可以输入密码" in err and "TASKBOARD_PASSWORD_FILE" in err


def test_the_password_is_asked_on_the_terminal(demo_db, sign_in_as, capsys, monkeypatch):
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_PASSWORD")

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    asked = []
    monkeypatch.setattr(common.getpass, "getpass",
                        lambda prompt: asked.append(prompt) or TEST_PASSWORD)
    assert main(["stats", "--db", demo_db.url]) == 0
    assert asked == ["admin 的密码："]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_password_file_must_be_private(demo_db, sign_in_as, capsys, monkeypatch, tmp_path):
    sign_in_as(demo_db)
    monkeypatch.delenv("TASKBOARD_PASSWORD")
    secret = tmp_path / "taskboard.pw"
    secret.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o644)
    monkeypatch.setenv("TASKBOARD_PASSWORD_FILE", str(secret))
    assert main(["stats", "--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    assert "权限为 644" in err and f"chmod 600 {secret}" in err
    secret.chmod(0o600)
    assert main(["stats", "--db", demo_db.url]) == 0
    monkeypatch.setenv("TASKBOARD_PASSWORD_FILE", str(tmp_path / "missing.pw"))
    assert main(["stats", "--db", demo_db.url]) == 2
    assert "密码文件不存在" in capsys.readouterr().err


def test_on_windows_a_password_file_must_be_in_the_profile_folder(tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "Users" / "clerk", tmp_path / "Public"
    home.mkdir(parents=True)
    elsewhere.mkdir()
    monkeypatch.setenv("USERPROFILE", str(home))
    for folder in (home, elsewhere):
        (folder / "taskboard.pw").write_text("Secret-2026\r\n", encoding="utf-8")
    assert common.read_password_file(home / "taskboard.pw", windows=True) == "Secret-2026"
    with pytest.raises(common.CliError) as info:
        common.read_password_file(elsewhere / "taskboard.pw", windows=True)
    assert "必须放在本人的用户文件夹" in str(info.value) and str(home) in str(info.value)


def test_the_demo_command_sets_and_prints_the_password(tmp_path, capsys, monkeypatch,
                                                       test_password_hash):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--password", "Train-2026"]) == 0
    out = capsys.readouterr().out
    assert "所有演示账号的密码：Train-2026" in out
    assert "admin（管理员）" in out and "dispatcher（调度人员）" in out and "unit001–unit012" in out
    monkeypatch.setenv("TASKBOARD_USER", "dispatcher")
    monkeypatch.setenv("TASKBOARD_PASSWORD", "Train-2026")
    assert main(["stats", "--db", str(path)]) == 0
    assert main(["demo", "--db", str(tmp_path / "weak.sqlite"), "--password", "short"]) == 2
    assert "--password" in capsys.readouterr().err
    assert not (tmp_path / "weak.sqlite").exists()


def test_the_demo_command_makes_up_a_password_when_none_is_given(tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    [password] = re.findall(r"所有演示账号的密码：(\S+)", capsys.readouterr().out)
    db = Database(f"sqlite:///{path}")
    try:
        assert auth.sign_in(db.Session, "leader", password).role == "leader"
    finally:
        db.dispose()


def test_only_a_database_without_accounts_reads_without_signing_in(db, capsys):
    assert main(["stats", "--db", db.url]) == 0
    assert "还没有专项工作" in capsys.readouterr().out
    assert main(["settings", "set", "report_day", "20", "--db", db.url]) == 2
    assert "还没有管理员" in capsys.readouterr().err
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
        assert s.scalar(select(func.count()).select_from(Setting)) == 0
