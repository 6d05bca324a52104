"""Issue 16, items 2 and 6: the 完成时限 filter takes typed dates and its calendar opens at
today; hidden filters keep saying they apply; after 清除条件 the lower pane follows."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from taskboard.ui.app import ensure_app, make_window
from tests.conftest import TODAY
from tests.ui.loading import settle

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot)  # the board loads in a worker
    return w


def _naive_between(window, lo, hi):
    return sorted(r.code for r in window.board.rows
                  if r.deadline is not None and lo <= r.deadline.isoformat() <= hi)


def test_typed_deadline_range_filters(qtbot, window):
    panel = window.tasks_view.search
    qtbot.mouseClick(panel.deadline_from.line, Qt.LeftButton)
    qtbot.keyClicks(panel.deadline_from.line, "2026-12-01")
    qtbot.keyClick(panel.deadline_from.line, Qt.Key_Return)
    qtbot.mouseClick(panel.deadline_to.line, Qt.LeftButton)
    qtbot.keyClicks(panel.deadline_to.line, "2027/3/31")
    qtbot.keyClick(panel.deadline_to.line, Qt.Key_Return)
    assert panel.deadline_from.line.text() == "2026-12-01"
    assert panel.deadline_to.line.text() == "2027-03-31"
    shown = sorted(r.code for r in window.tasks_view.visible_rows())
    expected = _naive_between(window, "2026-12-01", "2027-03-31")
    assert shown == expected and 0 < len(shown) < len(window.board.rows)
    assert panel.result_label.text() == f"显示 {len(expected)} / {len(window.board.rows)} 项"


def test_a_bad_typed_date_is_named_and_does_not_filter(qtbot, window):
    panel = window.tasks_view.search
    qtbot.mouseClick(panel.deadline_from.line, Qt.LeftButton)
    qtbot.keyClicks(panel.deadline_from.line, "2026-02-30")
    qtbot.keyClick(panel.deadline_from.line, Qt.Key_Return)
    total = len(window.board.rows)
    assert panel.result_label.text() == (
        f"显示 {total} / {total} 项（完成时限起“2026-02-30”不是有效日期"
        "（2026 年 2 月没有 30 日）。未按此筛选）")


def test_calendar_opens_at_today(qtbot, window):
    field = window.tasks_view.search.deadline_to
    qtbot.mouseClick(field.button, Qt.LeftButton)
    cal = field.calendar
    assert field.popup.isVisible()
    assert (cal.yearShown(), cal.monthShown()) == (TODAY.year, TODAY.month)
    picked = cal.selectedDate()
    assert (picked.year(), picked.month(), picked.day()) == (TODAY.year, TODAY.month, TODAY.day)
    qtbot.keyClick(cal.findChild(QTableView), Qt.Key_Right)
    qtbot.keyClick(cal.findChild(QTableView), Qt.Key_Return)  # the day under the cursor
    assert field.line.text() == TODAY.replace(day=TODAY.day + 1).isoformat() and not field.popup.isVisible()


def test_hidden_search_keeps_the_count_and_the_filter_visible(qtbot, window):
    panel, view = window.tasks_view.search, window.tasks_view
    i = panel.unit.findText("乌审旗")
    panel.unit.setCurrentIndex(i)
    expected = sum(1 for r in window.board.rows
                   if any(a.unit_name == "乌审旗" for a in window.board.assignments[r.task_id]))
    window.search_action.trigger()  # the toolbar button / Ctrl+Shift+F
    assert panel.isHidden()
    assert view.filter_note.isVisible()
    assert "乌审旗" in view.filter_note.text()
    assert f"显示 {expected} / {len(window.board.rows)} 项" in view.filter_note.text()
    assert len(view.visible_rows()) == expected
    view.filter_note.linkActivated.emit("clear")  # the 清除条件 link in the note
    assert len(view.visible_rows()) == len(window.board.rows)
    assert "未设筛选条件" in view.filter_note.text()
    window.search_action.trigger()
    assert not panel.isHidden() and not view.filter_note.isVisible()


def test_after_clear_the_lower_pane_follows_the_current_row(qtbot, window):
    panel, view = window.tasks_view.search, window.tasks_view
    qtbot.mouseClick(panel.keyword, Qt.LeftButton)
    first = view.visible_rows()[0]
    qtbot.keyClicks(panel.keyword, first.code)
    qtbot.waitUntil(lambda: len(view.visible_rows()) < len(window.board.rows))
    qtbot.mouseClick(panel.clear_button, Qt.LeftButton)
    assert len(view.visible_rows()) == len(window.board.rows)
    current = view.current_task_id()
    row = next(r for r in window.board.rows if r.task_id == current)
    assert view.assignment_title.text().startswith(f"{row.code} {row.title}")
    # The current row is selected and scrolled into view: what the pane shows is on screen.
    assert current in view.selected_task_ids()
    rect = view.table.visualRect(view.table.currentIndex())
    assert view.table.viewport().rect().intersects(rect)


def test_clear_after_an_empty_result_shows_the_current_task_again(qtbot, window):
    panel, view = window.tasks_view.search, window.tasks_view
    qtbot.mouseClick(panel.keyword, Qt.LeftButton)
    qtbot.keyClicks(panel.keyword, "zzz-no-such-task")
    qtbot.waitUntil(lambda: not view.visible_rows())
    assert view.assignment_title.text() == "选择一项任务查看各责任单位进展"
    qtbot.keyClick(panel.keyword, Qt.Key_Escape)  # Esc in the panel clears like 清除条件
    assert len(view.visible_rows()) == len(window.board.rows)
    current = view.current_task_id()
    row = next(r for r in window.board.rows if r.task_id == current)
    assert view.assignment_title.text().startswith(f"{row.code} {row.title}")
