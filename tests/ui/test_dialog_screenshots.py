"""Screenshots of the dialogs changed for the dispatcher's month (docs/screenshots/)."""
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.review.close_out_dialog import CloseOutDialog
from taskboard.ui.review.feedback_dialog import FeedbackDialog
from taskboard.ui.review.review_queue import ReviewQueueDialog
from taskboard.ui.tasks.task_editor import TaskEditorDialog
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text
from tests.ui.loading import settle

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Ok)
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot)  # the board loads in a worker
    SHOTS.mkdir(parents=True, exist_ok=True)
    return w


def _shot(qtbot, widget, name):
    widget.show()
    qtbot.waitExposed(widget)
    for _ in range(3):  # let pending re-layouts (texts set after show) settle first
        QApplication.processEvents()
    path = SHOTS / name
    assert widget.grab().save(str(path))
    assert path.stat().st_size > 5000


def test_editor_with_a_bad_date(qtbot, window):
    d = TaskEditorDialog(window.ctx, task_id=3, parent=window)
    qtbot.addWidget(d)
    d.show()
    d.deadline.line.selectAll()
    qtbot.keyClicks(d.deadline.line, "2027-02-30")
    assert "不是有效日期" in d.deadline.line.toolTip()
    _shot(qtbot, d, "task_editor.png")


def test_hidden_search_and_calendar(qtbot, window):
    panel = window.tasks_view.search
    panel.unit.setCurrentIndex(panel.unit.findText("乌审旗"))
    _shot(qtbot, window, "main_window.png")
    cal = panel.deadline_to.open_calendar()
    _shot(qtbot, cal, "search_deadline_calendar.png")
    panel.deadline_to.popup.hide()
    window.search_action.trigger()
    assert window.tasks_view.filter_note.isVisible()
    _shot(qtbot, window, "main_window_search_hidden.png")


def test_review_queue_close_out_feedback(qtbot, window):
    q = ReviewQueueDialog(window.ctx, 1, window.period(), parent=window)
    qtbot.addWidget(q)
    q.show()
    q.activateWindow()
    qtbot.waitUntil(q.isActiveWindow)
    q.table.setFocus()
    qtbot.keyClick(q.table, Qt.Key_A)
    assert "Ctrl+Z" in q.done_label.text()
    _shot(qtbot, q, "review_queue.png")
    row = next(r for r in window.board.rows if r.due_text == "超期·待销号")
    c = CloseOutDialog(window.ctx, row.task_id, parent=window, period=window.period())
    qtbot.addWidget(c)
    _shot(qtbot, c, "close_out_dialog.png")
    a = window.board.assignments[row.task_id][0]
    f = FeedbackDialog(window.ctx, [(a.assignment_id, a.unit_name, 0)], a.assignment_id,
                       parent=window, task_label=f"{row.code} {row.title}")
    qtbot.addWidget(f)
    f.show()
    type_text(f.body, "佐证材料不足，请补充会议纪要")
    qtbot.mouseClick(f.send_button, Qt.LeftButton)
    assert f.status.text().startswith("已向")
    _shot(qtbot, f, "feedback_dialog.png")


def test_urge_tab_preview_and_template(qtbot, window):
    window.tabs.setCurrentWidget(window.urge_actions.view)
    settle(qtbot)  # the screening loads in a worker when the tab is shown
    view = window.urge_actions.view
    assert view.urge_all_button.text().startswith("全部催办（")
    _shot(qtbot, window, "urge_view.png")
    qtbot.mouseClick(view.urge_all_button, Qt.LeftButton)
    _shot(qtbot, window.urge_actions.dialog, "urge_notice_preview.png")
    window.urge_actions.dialog.reject()
    qtbot.mouseClick(view.template_button, Qt.LeftButton)
    _shot(qtbot, window.urge_actions.dialog, "notice_template_readonly.png")
