import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy.exc import OperationalError

from taskboard.core import audit, auth
from taskboard.core.actor import load_actor
from taskboard.core.db import Database
from taskboard.core.models import User
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.admin.audit_viewer import AuditViewerDialog
from taskboard.ui.session.change_password_dialog import ChangePasswordDialog
from taskboard.ui.admin.user_edit_dialog import UserEditDialog
from taskboard.ui.admin.user_manager import UserManagerDialog
from tests.ui.loading import settle
from tests.conftest import TODAY

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(widget, name):
    if os.environ.get("TASKBOARD_SHOTS"):
        widget.grab().save(str(SHOTS / name))


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)


@pytest.fixture
def admin_window(qtbot, demo_db, ui_state):
    ensure_app()
    with demo_db.Session.begin() as s:
        s.get(User, 1).password_hash = auth.hash_password("Admin-2026")
        admin = load_actor(s, "admin")
    w = make_window(demo_db, admin, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    return w


def _titles(menu):
    return [a.text() for a in menu.actions() if a.text()]


def test_menus_follow_the_role(admin_window, qtbot, demo_db, dispatcher, ui_state):
    assert {"用户管理…", "操作日志…"} <= set(_titles(admin_window.menus["admin"]))
    assert {"修改密码…", "锁定窗口"} <= set(_titles(admin_window.menus["file"]))
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    admin_only = {"用户管理…", "操作日志…", "立即备份数据库", "从备份恢复…"}
    assert not admin_only & set(_titles(w.menus["admin"]))
    # The demo dispatcher has no password: nothing to change, no idle lock to unlock.
    assert "修改密码…" not in _titles(w.menus["file"])


def test_others_edits_appear_and_the_selection_stays(admin_window, demo_db, qtbot):
    w = admin_window
    view = w.tasks_view
    task_id = w.board.rows[5].task_id
    assert view.select_task(task_id)
    w.change_poller.poll()
    other = Database(demo_db.url)  # another workstation renames the task
    with other.Session.begin() as s:
        from taskboard.core.models import Task
        s.get(Task, task_id).title = "另一台电脑改过的标题"
        audit.record(s, None, "task.update", "task", task_id, task_id=task_id)
    other.dispose()
    with qtbot.waitSignal(w.ctx.changes.changed, timeout=10_000):
        w.change_poller.timer.setInterval(50)
    settle(qtbot)  # the news makes one reload, in the background
    assert any(r.title == "另一台电脑改过的标题" for r in w.board.rows)
    assert view.current_task_id() == task_id


def test_banner_when_the_database_is_unreachable(admin_window, monkeypatch, qtbot):
    w = admin_window
    poller = w.change_poller

    def down():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    monkeypatch.setattr(poller.watcher, "stamp", down)
    poller.poll()
    assert w.connection_banner.isVisible()
    assert "连接已断开" in w.connection_banner.label.text()
    _shot(w, "connection_banner.png")
    monkeypatch.undo()
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    with qtbot.waitSignal(w.ctx.changes.changed, timeout=5000):
        poller.poll()
    assert not w.connection_banner.isVisible()


def test_idle_lock_hides_the_data_until_the_password(admin_window, qtbot):
    w = admin_window
    lock = w.idle_lock
    lock.last_input -= lock.minutes * 60 + 1
    lock.check()
    assert lock.dialog is not None and lock.dialog.isVisible()
    assert not w.centralWidget().isVisible()
    dialog = lock.dialog
    qtbot.keyClicks(dialog.password, "wrong-pass1")
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    assert "再错 4 次" in dialog.error.text() and not w.centralWidget().isVisible()
    qtbot.keyClicks(dialog.password, "Admin-2026")
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    assert lock.dialog is None and w.centralWidget().isVisible()


def test_audit_viewer_filters_and_exports(admin_window, qtbot, qtmodeltester, tmp_path):
    d = AuditViewerDialog(admin_window.ctx, admin_window)
    qtbot.addWidget(d)
    d.show()
    d.date_from.setDate(d.date_from.date().addYears(-1))
    d.date_to.setDate(d.date_to.date().addYears(1))
    d.reload()
    assert d.model.rowCount() >= 1
    qtmodeltester.check(d.model)
    d.action.setCurrentIndex(d.action.findData("demo.generate"))
    d.reload()
    assert [r.action for r in d.model.rows()] == ["demo.generate"]
    assert d.model.index(0, 2).data() == "生成演示数据"
    _shot(d, "audit_viewer.png")
    out = d.export(str(tmp_path / "log.xlsx"))
    from openpyxl import load_workbook
    assert load_workbook(out).active.cell(2, 3).value == "生成演示数据"
    d.date_from.setDate(d.date_to.date().addDays(1))
    d.reload()
    assert "起始日期晚于结束日期" in d.count.text() and d.model.rowCount() == 0


def test_user_manager_creates_resets_and_unlocks(admin_window, qtbot, qtmodeltester, demo_db):
    ctx = admin_window.ctx
    m = UserManagerDialog(ctx, admin_window)
    qtbot.addWidget(m)
    m.show()
    qtmodeltester.check(m.model)
    assert m.model.rowCount() == 15
    _shot(m, "user_manager.png")
    e = UserEditDialog(ctx, None, m)
    qtbot.addWidget(e)
    e.show()
    qtbot.keyClicks(e.username, "unit013")
    e.display_name.setText("综合科")  # QTest cannot type non-ASCII keys
    e.role.setCurrentIndex(e.role.findData("reporter"))
    qtbot.mouseClick(e.ok_button, Qt.LeftButton)
    assert "必须绑定一个单位" in e.error.text() and e.isVisible()
    e.unit.setCurrentIndex(3)
    qtbot.keyClicks(e.password, "Report-2026")
    _shot(e, "user_edit_dialog.png")
    qtbot.mouseClick(e.ok_button, Qt.LeftButton)
    assert e.result() == QDialog.Accepted
    qtbot.waitUntil(lambda: m.model.rowCount() == 16)
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(demo_db.Session, "unit013", "nope")
    m.reload()
    m.select(e.user_id)
    assert m.model.index(m.table.currentIndex().row(), 4).data() == "已锁定"
    assert m.unlock()
    assert m.reset_password("Fresh-2026")
    assert auth.sign_in(demo_db.Session, "unit013", "Fresh-2026").unit_id is not None


def test_change_password_dialog(admin_window, qtbot, demo_db):
    d = ChangePasswordDialog(admin_window.ctx, admin_window)
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.old, "Admin-2026")
    qtbot.keyClicks(d.new, "Better-2027")
    qtbot.keyClicks(d.confirm, "Better-2028")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert "不一致" in d.error.text()
    d.confirm.clear()
    qtbot.keyClicks(d.confirm, "Better-2027")
    _shot(d, "change_password_dialog.png")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.result() == QDialog.Accepted
    assert auth.sign_in(demo_db.Session, "admin", "Better-2027").user_id == 1
