"""The actions in the main window: menus, double-click to detail, new/delete/undo, and the
board refreshing after every action while keeping the selection."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.models import Report, Task
from taskboard.ui.tasks import task_actions
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.tasks.task_table_model import COL_CODE, COL_LIGHT
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    return w


def _texts(menu):
    return [a.text() for a in menu.actions() if a.isVisible() and a.text()]


def test_menus_by_role(qtbot, window, demo_db, ui_state):
    texts = _texts(window.menus["task"])
    for t in ("新建任务", "编辑任务", "复制任务", "删除任务", "批量编辑…", "查看详情", "报送进展…",
              "审核队列…", "任务反馈…", "办结/销号…", "撤销"):
        assert t in texts
    assert "单位管理…" in _texts(window.menus["admin"])
    with demo_db.session() as s:
        reporter = load_actor(s, "unit001")
    w2 = make_window(demo_db, reporter, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w2)
    texts = _texts(w2.menus["task"])
    assert "报送进展…" in texts and "任务反馈…" in texts
    assert "新建任务" not in texts and "审核队列…" not in texts


def test_double_click_opens_detail(qtbot, window):
    view = window.tasks_view
    idx = view.proxy.index(2, COL_CODE)
    rect = view.table.visualRect(idx)
    # QTest's double-click carries no press; item views need the press first, as a mouse does.
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    tid = idx.data(Qt.UserRole + 2)
    d = window.task_actions.details[tid]
    settle(qtbot)  # the detail loads in the background
    assert d.isVisible() and d.heading.text().startswith(idx.data())


def test_new_task_from_menu_appears_selected_and_undo_removes_it(qtbot, window):
    actions = window.task_actions
    n = window.tasks_view.model.rowCount()

    def drive(dialog):
        dialog.show()
        dialog.code.clear()
        type_text(dialog.code, "0.1")
        type_text(dialog.title_edit, "新增的重点任务")
        dialog.set_units([1])
        dialog.save()
        return dialog.result()

    actions.run_dialog = drive
    actions.new_action.trigger()
    settle(qtbot)
    assert window.tasks_view.model.rowCount() == n + 1
    tid = window.tasks_view.current_task_id()
    row = window.tasks_view.model.row_at(window.tasks_view.model.row_of_task(tid))
    assert (row.code, row.title, row.light.word) == ("0.1", "新增的重点任务", "红灯")
    assert actions.undo_action.isEnabled() and "新建任务 0.1" in actions.undo_action.text()
    actions.undo_action.trigger()
    settle(qtbot)
    assert window.tasks_view.model.rowCount() == n
    with window.ctx.db.session() as s:
        assert s.get(Task, tid).deleted


def test_delete_and_undo_restore(qtbot, window, monkeypatch):
    monkeypatch.setattr(task_actions, "ask", lambda *a: True)
    view = window.tasks_view
    assert view.select_task(5)
    code = view.model.row_at(view.model.row_of_task(5)).code
    window.task_actions.delete_action.trigger()
    settle(qtbot)
    assert view.model.row_of_task(5) < 0
    window.task_actions.undo_action.trigger()
    settle(qtbot)
    assert view.model.row_of_task(5) >= 0
    with window.ctx.db.session() as s:
        assert (s.get(Task, 5).deleted, s.get(Task, 5).code) == (False, code)


def test_approving_in_detail_updates_board_and_keeps_selection(qtbot, window):
    view = window.tasks_view
    blue = next(r for r in view.model.rows() if r.light.word == "蓝灯"
                and r.light_counts == (r.light_counts[0], 1, 0))
    view.select_task(blue.task_id)
    other = next(r for r in view.model.rows() if r.task_id != blue.task_id)
    scroll = view.table.verticalScrollBar().value()
    d = window.task_actions.show_detail()
    settle(qtbot)
    assert d.task_id == blue.task_id
    i = next(k for k, a in enumerate(d.assignments.rows()) if a.report_status == "pending")
    d.assignment_view.setCurrentIndex(d.assignments.index(i, 0))
    qtbot.mouseClick(d.approve_button, Qt.LeftButton)
    settle(qtbot)
    row = view.model.row_at(view.model.row_of_task(blue.task_id))
    assert row.light.word == "绿灯"
    assert view.current_task_id() == blue.task_id
    assert view.table.verticalScrollBar().value() == scroll
    assert view.model.row_of_task(other.task_id) >= 0
    idx = view.proxy.mapFromSource(view.model.index(view.model.row_of_task(blue.task_id),
                                                    COL_LIGHT))
    assert idx.data() == "绿灯"
    with window.ctx.db.session() as s:
        assert s.scalar(select(Report.status).where(Report.id == d.reports.rows()[0].report_id)
                        ) == "approved"


def test_report_from_menu_turns_row_blue(qtbot, window):
    view = window.tasks_view
    red = next(r for r in view.model.rows() if r.light.word == "红灯" and not r.closed
               and r.light_counts[2] == 1 and r.light_counts[1] == 0)
    view.select_task(red.task_id)
    arows = window.board.assignments[red.task_id]
    target = next(a for a in arows if a.light.word == "红灯")

    def drive(dialog):
        dialog.show()
        dialog.unit.setCurrentIndex(dialog.unit.findText(target.unit_name))
        type_text(dialog.text, "本月已完成")
        dialog.submit()
        return dialog.result()

    window.task_actions.run_dialog = drive
    window.task_actions.report_action.trigger()
    settle(qtbot)
    row = view.model.row_at(view.model.row_of_task(red.task_id))
    assert row.light.word == "蓝灯" and view.current_task_id() == red.task_id
    assert QDialog.Accepted == 1
