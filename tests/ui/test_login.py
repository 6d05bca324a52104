import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from taskboard.core import auth
from taskboard.core.models import User
from taskboard.ui.app import ensure_app
from taskboard.ui.first_admin_dialog import FirstAdminDialog
from taskboard.ui.login_dialog import LoginDialog

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)


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
