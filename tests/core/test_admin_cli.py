import io
import sqlite3
import sys

import pytest

from taskboard.cli.main import main
from taskboard.core import auth
from taskboard.core.backup import list_backups

pytestmark = pytest.mark.usefixtures("fast_hash")  # tests/conftest.py


def _stdin(monkeypatch, text):
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


@pytest.mark.sqlite_only
def test_backup_and_restore_commands(demo_db, tmp_path, capsys):
    path = demo_db.sqlite_path
    assert main(["backup", "--db", str(path)]) == 0
    assert "已备份到" in capsys.readouterr().out
    (when, copy), = list_backups(path.parent / "backups")
    conn = sqlite3.connect(str(path))
    conn.execute("UPDATE task SET title='改过' WHERE id=1")
    conn.commit()
    conn.close()
    demo_db.dispose()
    assert main(["restore", str(copy), "--db", str(path), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "已从" in out and "before-restore" in out
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT title FROM task WHERE id=1").fetchone()[0] != "改过"
    conn.close()
    assert main(["check", "--db", str(path)]) == 0


@pytest.mark.sqlite_only
def test_restore_refuses_a_damaged_file_with_exit_2(demo_db, tmp_path, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    before = demo_db.sqlite_path.read_bytes()
    assert main(["restore", str(bad), "--db", str(demo_db.sqlite_path), "--yes"]) == 2
    assert "拒绝恢复" in capsys.readouterr().err
    assert demo_db.sqlite_path.read_bytes() == before


@pytest.mark.sqlite_only
def test_restore_without_yes_and_without_a_terminal_is_refused(demo_db, tmp_path, capsys,
                                                               monkeypatch):
    _stdin(monkeypatch, "")
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(demo_db.sqlite_path.read_bytes())
    assert main(["restore", str(copy), "--db", str(demo_db.sqlite_path)]) == 2
    assert "--yes" in capsys.readouterr().err


def test_backup_of_postgresql_points_to_pg_dump(capsys):
    assert main(["backup", "--db", "postgresql+psycopg://u@localhost/x"]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_users_commands(db, capsys, monkeypatch):
    _stdin(monkeypatch, "Admin-2026\n")
    assert main(["users", "list", "--db", db.url]) == 0
    assert "还没有管理员" in capsys.readouterr().out
    _stdin(monkeypatch, "Admin-2026\n")
    # The first administrator needs no sign-in; everything after signs in as boss.
    assert main(["users", "add", "boss", "--role", "admin", "--new-password-stdin",
                 "--db", db.url]) == 0
    monkeypatch.setenv("TASKBOARD_USER", "boss")
    monkeypatch.setenv("TASKBOARD_PASSWORD", "Admin-2026")
    _stdin(monkeypatch, "Clerk-2026\n")
    assert main(["users", "add", "clerk", "--role", "dispatcher", "--display-name", "综合科",
                 "--new-password-stdin", "--db", db.url]) == 0
    _stdin(monkeypatch, "short\n")
    assert main(["users", "add", "weak", "--role", "leader", "--new-password-stdin",
                 "--db", db.url]) == 2
    assert "至少需要 8 个字符" in capsys.readouterr().err
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(db.Session, "clerk", "wrong")
    assert main(["users", "unlock", "clerk", "--db", db.url]) == 0
    assert auth.sign_in(db.Session, "clerk", "Clerk-2026").role == "dispatcher"
    _stdin(monkeypatch, "Fresh-2026\n")
    assert main(["users", "passwd", "clerk", "--new-password-stdin", "--db", db.url]) == 0
    assert auth.sign_in(db.Session, "clerk", "Fresh-2026").role == "dispatcher"
    capsys.readouterr()
    assert main(["users", "list", "--db", db.url]) == 0
    out = capsys.readouterr().out
    assert "boss" in out and "clerk" in out and "weak" not in out
    assert "Admin-2026" not in out and "scrypt" not in out
    assert main(["users", "unlock", "ghost", "--db", db.url]) == 2
