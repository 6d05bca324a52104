"""Issue 16, items 3–5: close-out, feedback and review confirm themselves, take one click,
reach 退回 from the keyboard and can be taken back with Ctrl+Z (audited as an undo)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from taskboard.core.models import AuditEvent, Feedback, Report
from taskboard.core.periods import Period
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.review.review_queue import ReviewQueueDialog
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text
from tests.ui.loading import settle

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    w.messages = seen
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot)  # the board loads in a worker
    return w


def _row(window, task_id):
    view = window.tasks_view
    return view.model.row_at(view.model.row_of_task(task_id))


def _awaiting(window):
    return next(r for r in window.board.rows if r.due_text == "超期·待销号")


def _close_whole(qtbot):
    def drive(dialog):
        dialog.show()
        qtbot.mouseClick(dialog.whole, Qt.LeftButton)
        qtbot.mouseClick(dialog.close_button, Qt.LeftButton)
        return dialog.result()
    return drive


def test_close_out_confirms_itself_and_ctrl_z_takes_it_back(qtbot, window):
    row = _awaiting(window)
    window.tasks_view.select_task(row.task_id)
    window.task_actions.run_dialog = _close_whole(qtbot)
    window.task_actions.close_action.trigger()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    settle(qtbot)  # the list reloads in a worker
    message = window.statusBar().currentMessage()
    assert message.startswith(f"已办结 {row.code} {row.title}（") and "Ctrl+Z" in message
    assert _row(window, row.task_id).due_text == "已完成"
    assert window.messages == []
    qtbot.keyClick(window.tasks_view.table, Qt.Key_Z, Qt.ControlModifier)
    settle(qtbot)
    assert _row(window, row.task_id).due_text == "超期·待销号"
    assert window.statusBar().currentMessage() == f"已撤销：办结 {row.code} {row.title}"
    with window.ctx.db.session() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.task_id) == ("task.close.undo", row.task_id)


def test_close_out_shows_in_the_past_period_on_screen(qtbot, window):
    window.set_period(Period(2026, 10))
    settle(qtbot)
    row = _awaiting(window)
    window.tasks_view.select_task(row.task_id)
    window.task_actions.run_dialog = _close_whole(qtbot)
    window.task_actions.close_action.trigger()
    settle(qtbot)
    assert str(window.period()) == "2026-10"
    assert _row(window, row.task_id).due_text == "已完成"


def test_feedback_names_the_task_sends_once_and_says_so(qtbot, window):
    row = window.board.rows[0]
    unit = window.board.assignments[row.task_id][0].unit_name
    window.tasks_view.select_task(row.task_id)
    with window.ctx.db.session() as s:
        before = s.scalar(select(func.count(Feedback.id)))

    def drive(dialog):
        dialog.show()
        assert dialog.windowTitle() == f"任务反馈 · {row.code} {row.title}"
        assert dialog.task_label.text() == f"任务：{row.code} {row.title}"
        assert not dialog.send_button.isEnabled()  # nothing typed yet
        type_text(dialog.body, "佐证材料不足，请补充")
        assert dialog.send_button.isEnabled()
        qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
        assert not dialog.send_button.isEnabled()  # a second click cannot send again
        qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
        assert dialog.status.text() == f"已向 {unit} 发送反馈"
        return 0

    window.task_actions.run_dialog = drive
    window.task_actions.feedback_action.trigger()
    assert window.statusBar().currentMessage() == f"已向 {unit} 发送反馈"
    assert window.messages == []  # no 请填写反馈内容 after a second click
    with window.ctx.db.session() as s:
        assert s.scalar(select(func.count(Feedback.id))) == before + 1


def _queue(qtbot, window):
    d = ReviewQueueDialog(window.ctx, window.campaign_id(), window.period(), parent=window)
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)  # shortcuts only reach the active window
    d.table.setFocus()
    return d


def _status(db, rid):
    with db.session() as s:
        return s.get(Report, rid).status


def test_review_from_the_comment_box_by_keyboard_and_undo(qtbot, window):
    d = _queue(qtbot, window)
    first = d.current()
    n = d.model.rowCount()
    type_text(d.comment, "请补充佐证材料")
    qtbot.keyClick(d.comment, Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier)
    assert _status(window.ctx.db, first.report_id) == "returned"
    assert d.model.rowCount() == n - 1
    assert d.done_label.text().startswith(f"已退回：{first.code} {first.unit_name}")
    assert window.statusBar().currentMessage().startswith(f"已退回：{first.code}")
    qtbot.keyClick(d.table, Qt.Key_Z, Qt.ControlModifier)
    assert _status(window.ctx.db, first.report_id) == "pending"
    assert d.model.rowCount() == n and d.current().report_id == first.report_id
    assert d.done_label.text().startswith("已撤销审核退回：")
    with window.ctx.db.session() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.entity_id) == ("report.review.undo", first.report_id)
    # Alt+R from the comment box returns too; an empty comment is asked for, not typed as "r".
    qtbot.mouseClick(d.comment, Qt.LeftButton)
    qtbot.keyClick(d.comment, Qt.Key_R, Qt.AltModifier)
    assert d.comment.toPlainText() == ""
    assert "退回需要填写审核意见" in d.position.text()
    type_text(d.comment, "数据有误")
    qtbot.keyClick(d.comment, Qt.Key_R, Qt.AltModifier)
    assert _status(window.ctx.db, first.report_id) == "returned"
    qtbot.keyClick(d.table, Qt.Key_Z, Qt.ControlModifier)
    # Ctrl+Enter approves from the comment box.
    qtbot.mouseClick(d.comment, Qt.LeftButton)
    qtbot.keyClick(d.comment, Qt.Key_Return, Qt.ControlModifier)
    assert _status(window.ctx.db, first.report_id) == "approved"
    assert d.comment.toPlainText() == ""


def test_the_last_verdict_is_undoable_from_the_main_window(qtbot, window):
    d = _queue(qtbot, window)
    first = d.current()
    qtbot.keyClick(d.table, Qt.Key_A)
    assert _status(window.ctx.db, first.report_id) == "approved"
    d.close()
    window.task_actions._remember_ticket(d.undo_ticket)  # what review_queue() does on close
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert "审核通过" in window.task_actions.undo_action.text()
    qtbot.keyClick(window.tasks_view.table, Qt.Key_Z, Qt.ControlModifier)
    assert _status(window.ctx.db, first.report_id) == "pending"
