"""An open window keeps no rights its account lost: deactivated or demoted elsewhere, the
window says so in Chinese and locks, on the next change news or the next refused write."""
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from taskboard.core import auth
from taskboard.core.actor import load_actor
from taskboard.core.models import Task, User
from taskboard.core.services import users
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.common.ops import OpFailed, run_op
from tests.conftest import TODAY
from tests.core.test_account_changes import _as_input, _new_task

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: told.append(a[2]) or QMessageBox.Ok)
    return told


@pytest.fixture
def window(qtbot, demo_db, ui_state):
    ensure_app()
    with demo_db.Session.begin() as s:
        s.get(User, 2).password_hash = auth.hash_password("Disp-2026")
        me = load_actor(s, "dispatcher")
    w = make_window(demo_db, me, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def _admin_does(db, change):
    with db.Session.begin() as s:
        admin = load_actor(s, "admin")
        change(s, admin, s.get(User, 2))


def _reason(w) -> str:
    return w.idle_lock.dialog.findChild(QLabel, "lockReason").text()


def test_deactivated_elsewhere_the_window_locks_on_the_next_change_news(window, demo_db, qtbot):
    assert window.idle_lock.dialog is None
    _admin_does(demo_db, lambda s, admin, me: users.set_active(s, admin, me.id, False))
    window.change_poller.poll()  # what the 5-second timer does
    qtbot.waitUntil(lambda: window.idle_lock.dialog is not None)
    assert "您的账号已被管理员停用" in _reason(window) and "窗口已锁定" in _reason(window)
    assert not window.centralWidget().isVisible()
    if os.environ.get("TASKBOARD_SHOTS"):
        window.idle_lock.dialog.grab().save(str(SHOTS / "account_changed_lock.png"))
    # the account cannot unlock: it is deactivated
    dialog = window.idle_lock.dialog
    dialog.password.setText("Disp-2026")
    dialog.ok_button.click()
    assert dialog.isVisible() and "停用" in dialog.error.text()


def test_demoted_the_next_write_is_refused_and_the_window_locks(window, demo_db, qtbot, quiet):
    _admin_does(demo_db, lambda s, admin, me: users.update_user(
        s, admin, me.id, _as_input(me, role="leader")))
    with demo_db.session() as s:
        before = s.query(Task).count()
    with pytest.raises(OpFailed):
        run_op(window, window.ctx, _new_task(window.ctx.actor), ("tasks",))
    assert quiet and "领导" in quiet[-1] and "未保存" in quiet[-1]
    qtbot.waitUntil(lambda: window.idle_lock.dialog is not None)
    assert "领导" in _reason(window)
    with demo_db.session() as s:
        assert s.query(Task).count() == before
    # signing in again carries on with the new role
    dialog = window.idle_lock.dialog
    dialog.password.setText("Disp-2026")
    dialog.ok_button.click()
    assert window.idle_lock.dialog is None and window.ctx.actor.role == "leader"
    assert window.centralWidget().isVisible()
