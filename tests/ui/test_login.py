import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from taskboard.core import auth
from taskboard.core.models import User
from taskboard.ui.app import ensure_app
from taskboard.ui.session.first_admin_dialog import FirstAdminDialog
from taskboard.ui.session.login_dialog import LoginDialog

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.usefixtures("fast_hash")  # tests/conftest.py


@pytest.fixture
def clerk_db(demo_db):
    with demo_db.Session.begin() as s:
        s.get(User, 2).password_hash = auth.hash_password("Dispatch-2026")
    return demo_db


def _shot(widget, name):
    if os.environ.get("TASKBOARD_SHOTS"):
        widget.grab().save(str(SHOTS / name))


def _login(qtbot, dialog, name, password):
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, name)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key_Return)


def test_login_with_the_right_password(qtbot, clerk_db):
    ensure_app()
    d = LoginDialog(clerk_db)
    qtbot.addWidget(d)
    d.show()
    _shot(d, "login_dialog.png")
    with qtbot.waitSignal(d.accepted, timeout=5000):
        _login(qtbot, d, "dispatcher", "Dispatch-2026")
    assert d.result() == QDialog.Accepted
    assert (d.actor.username, d.actor.role) == ("dispatcher", "dispatcher")


def test_wrong_password_shows_why_and_locks_after_five(qtbot, clerk_db):
    ensure_app()
    d = LoginDialog(clerk_db, username="dispatcher")
    qtbot.addWidget(d)
    d.show()
    _login(qtbot, d, "", "x")
    assert d.error.text() == "请输入用户名。"
    for i in range(1, 5):
        _login(qtbot, d, "dispatcher", f"wrong{i}")
        assert d.error.isVisible() and f"再错 {5 - i} 次" in d.error.text()
        assert d.password.text() == ""
    _login(qtbot, d, "dispatcher", "wrong5")
    assert "已锁定 15 分钟" in d.error.text()
    _shot(d, "login_locked.png")
    _login(qtbot, d, "dispatcher", "Dispatch-2026")
    assert "分钟后再试" in d.error.text()
    assert d.actor is None and d.isVisible()


def test_idle_unlock_accepts_only_the_locked_user(qtbot, clerk_db, dispatcher):
    ensure_app()
    d = LoginDialog(clerk_db, locked_user=dispatcher)
    qtbot.addWidget(d)
    d.show()
    assert d.username.isReadOnly() and d.username.text() == "dispatcher"
    _shot(d, "idle_lock.png")
    qtbot.keyClicks(d.password, "Dispatch-2026")
    with qtbot.waitSignal(d.accepted, timeout=5000):
        qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.actor.user_id == dispatcher.user_id


def test_first_start_creates_the_admin(qtbot, db):
    ensure_app()
    d = FirstAdminDialog(db)
    qtbot.addWidget(d)
    d.show()
    _shot(d, "first_admin_dialog.png")
    qtbot.keyClicks(d.password, "Admin-2026")
    qtbot.keyClicks(d.confirm, "Admin-2027")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.error.text() == "两次输入的密码不一致。"
    d.password.clear()
    qtbot.keyClicks(d.password, "weak")
    qtbot.keyClicks(d.confirm, "weak")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert "至少需要 8 个字符" in d.error.text()
    with db.session() as s:
        assert auth.needs_first_admin(s)
    d.password.clear()
    d.confirm.clear()
    qtbot.keyClicks(d.password, "Admin-2026")
    qtbot.keyClicks(d.confirm, "Admin-2026")
    with qtbot.waitSignal(d.accepted, timeout=5000):
        qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert (d.actor.username, d.actor.role) == ("admin", "admin")
    assert auth.sign_in(db.Session, "admin", "Admin-2026").user_id == d.actor.user_id


@pytest.mark.sqlite_only
def test_gui_start_asks_for_sign_in_and_backs_up(clerk_db, monkeypatch):
    from taskboard.cli import main as cli
    from taskboard.core.backup import list_backups
    import taskboard.ui.app as app
    import taskboard.ui.session.login_dialog as login

    seen = {}

    def cancelled(opening, username=""):  # the file opens behind the dialog
        opening.wait()
        return seen.setdefault("db", opening.db.url) and None

    monkeypatch.setattr(login, "ask_sign_in_while_opening", cancelled)
    assert cli.main(["--db", str(clerk_db.sqlite_path)]) == 0  # cancelled: no window
    assert seen["db"].endswith("taskboard.sqlite")
    monkeypatch.setattr(login, "ask_sign_in_while_opening",
                        lambda opening, username="": opening.wait() or "actor")
    monkeypatch.setattr(app, "run", lambda db, actor, shot: seen.setdefault("run", actor) and 0)
    assert cli.main(["--db", str(clerk_db.sqlite_path)]) == 0
    assert seen["run"] == "actor"
    assert len(list_backups(clerk_db.sqlite_path.parent / "backups")) == 1


@pytest.mark.sqlite_only
def test_gui_start_refuses_a_damaged_database(tmp_path, monkeypatch, capsys):
    from PySide6.QtWidgets import QMessageBox
    from taskboard.cli import main as cli

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 500)
    assert cli.main(["--db", str(bad)]) == 2
    assert "完整性检查未通过" in shown[0] and "taskboard restore" in shown[0]
    assert "完整性检查未通过" in capsys.readouterr().err
