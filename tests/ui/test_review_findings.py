"""The new-user review's findings in the main window, detail view, reporting and review:
帮助 menu, menus by role, tab and Delete keys, a reporter's own unit, closed units, 待销号."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.models import Assignment
from taskboard.core.periods import Period
from taskboard.core.services import tasks as task_service
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import pending_reports
from taskboard.core.settings import save_setting
from taskboard.ui.tasks import task_actions
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.review.review_queue import ReviewQueueDialog
from taskboard.ui.review.task_detail import ASSIGNMENT_COLUMNS
from taskboard.ui.tasks.task_table_model import COL_CODE, COL_DUE
from tests.ui.loading import settle
from tests.conftest import TODAY

pytestmark = pytest.mark.sqlite_only
NOV = Period(2026, 11)


@pytest.fixture
def messages(monkeypatch):
    shown = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda parent, title, text, *a, **k: shown.append(text))
    return shown


@pytest.fixture
def open_window(qtbot, demo_db, ui_state, messages):
    ensure_app()

    def make(username):
        with demo_db.session() as s:
            actor = load_actor(s, username)
        w = make_window(demo_db, actor, ui_state, today=lambda: TODAY)
        settle(qtbot)  # the board loads in the background
        qtbot.addWidget(w)
        w.show()
        return w
    return make


def _visible(menu):
    return [a.text() for a in menu.actions() if a.isVisible() and a.text()]


@pytest.mark.parametrize("username", ["dispatcher", "unit001", "leader"])
def test_help_menu_about_and_rules_for_every_role(open_window, demo_db, username):
    w = open_window(username)
    help_menu = w.menus["help"]
    assert help_menu.menuAction().isVisible()
    assert _visible(help_menu) == ["亮灯与时限规则", "关于 taskboard"]
    rules, about = w.help_actions
    about.trigger()
    text = w.help_dialog.info.text()
    assert "0.1.0" in text and str(demo_db.sqlite_path) in text
    assert w.ctx.actor.display_name in text
    assert {"dispatcher": "调度人员", "unit001": "报送员", "leader": "领导"}[username] in text
    w.help_dialog.close()
    with demo_db.Session.begin() as s:
        save_setting(s, "near_due_workdays", 7)
    rules.trigger()
    shown = w.help_dialog.text.toPlainText()
    assert "不超过 7 个工作日" in shown and "2026年11月25日" in shown
    assert "待销号" in shown and "滞后" in shown


def test_empty_menus_are_hidden_by_role(open_window):
    w = open_window("dispatcher")
    assert all(m.menuAction().isVisible() for m in w.menus.values())
    for username in ("unit001", "leader"):
        w = open_window(username)
        assert not w.menus["admin"].menuAction().isVisible(), username
        for key, menu in w.menus.items():
            assert menu.menuAction().isVisible() == bool(_visible(menu)), (username, key)


def test_ctrl_number_switches_tabs_without_clashing_shortcuts(open_window, qtbot):
    w = open_window("dispatcher")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    assert w.tabs.count() >= 3
    for i in reversed(range(w.tabs.count())):
        qtbot.keyClick(w, Qt.Key_1 + i, Qt.ControlModifier)
        assert w.tabs.currentIndex() == i
    assert [a.shortcut().toString() for a in w.tab_actions] == [
        f"Ctrl+{i + 1}" for i in range(w.tabs.count())]
    window_wide = [a.shortcut().toString() for a in w.findChildren(QAction)
                   if not a.shortcut().isEmpty() and a.shortcutContext() == Qt.WindowShortcut]
    assert len(window_wide) == len(set(window_wide))


def test_delete_key_deletes_only_from_the_task_table(open_window, qtbot, monkeypatch):
    w = open_window("dispatcher")
    asked = []
    monkeypatch.setattr(task_actions, "ask", lambda parent, title, q: asked.append(q) or False)
    assert w.task_actions.delete_action.shortcut() == QKeySequence(QKeySequence.Delete)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    view = w.tasks_view
    view.select_task(w.board.rows[3].task_id)
    keyword = view.search.keyword
    keyword.setFocus()
    keyword.setText("abc")
    keyword.setCursorPosition(0)
    qtbot.keyClick(keyword, Qt.Key_Delete)
    assert keyword.text() == "bc" and asked == []
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key_Delete)
    assert len(asked) == 1 and w.board.rows[3].code in asked[0]


def test_reporter_starts_filtered_to_own_unit(open_window):
    w = open_window("unit001")
    search = w.tasks_view.search
    assert search.unit.currentData() == w.ctx.actor.unit_id == 1
    rows = w.tasks_view.model.rows()
    assert 0 < len(rows) < 67
    assert all(1 in r.unit_ids or r.lead_unit_id == 1 for r in rows)
    search.set_unit(None)
    assert w.tasks_view.model.rowCount() == 67
    assert open_window("dispatcher").tasks_view.search.unit.currentData() is None


def _closed_unit(w):
    """A task still open with one closed-out unit and one open unit."""
    for row in w.board.rows:
        arows = w.board.assignments[row.task_id]
        closed = [a for a in arows if a.closed]
        if not row.closed and closed and any(not a.closed for a in arows):
            return row, closed[0]
    raise AssertionError("demo has no partly closed task")


def test_detail_says_closed_units_are_closed(open_window, qtbot):
    w = open_window("dispatcher")
    row, closed = _closed_unit(w)
    d = w.task_actions.show_detail(row.task_id)
    settle(qtbot)  # the detail loads in the background
    col = [c.header for c in ASSIGNMENT_COLUMNS].index("本期报送")
    texts = {a.assignment_id: d.assignments.index(i, col).data()
             for i, a in enumerate(d.assignments.rows())}
    assert texts[closed.assignment_id] == "已办结"
    assert all(t != "未报送" for aid, t in texts.items()
               if next(a for a in d.assignments.rows() if a.assignment_id == aid).closed)


def test_report_on_closed_work_is_refused_before_the_dialog(open_window, messages):
    w = open_window("dispatcher")
    acts = w.task_actions
    opened = []
    acts.run_dialog = lambda d: opened.append(d) or 0
    closed_task = next(r for r in w.board.rows if r.closed and r.due_state.word == "已完成"
                       and all(a.closed for a in w.board.assignments[r.task_id]))
    w.tasks_view.select_task(closed_task.task_id)
    assert not acts.report_action.isEnabled()
    acts.report(closed_task.task_id)
    assert opened == [] and "办结" in messages[-1] and "无需报送" in messages[-1]

    row, closed = _closed_unit(w)
    w.tasks_view.select_task(row.task_id)
    assert acts.report_action.isEnabled()
    acts.report(row.task_id, closed.assignment_id)
    assert opened == [] and messages[-1].startswith(f"{closed.unit_name}承担的任务")
    d = acts.show_detail(row.task_id)
    assert d.report_button.isEnabled()
    acts.report(row.task_id)
    assert len(opened) == 1
    offered = [opened[0].unit.itemText(i) for i in range(opened[0].unit.count())]
    assert closed.unit_name not in offered and offered


def test_report_dialog_starts_from_the_boards_progress(open_window, demo_db):
    w = open_window("dispatcher")
    row = next(r for r in w.board.rows if not r.closed)
    target = next(a for a in w.board.assignments[row.task_id] if not a.closed)
    with demo_db.Session.begin() as s:
        s.get(Assignment, target.assignment_id).progress = (target.progress + 37) % 100
    opened = []
    w.task_actions.run_dialog = lambda d: opened.append(d) or 0
    w.task_actions.report(row.task_id, target.assignment_id)
    d = opened[0]
    assert d.unit.currentData()[0] == target.assignment_id
    assert d.progress.value() == target.progress


def test_review_queue_includes_earlier_periods_first(qtbot, open_window, demo_db):
    w = open_window("dispatcher")
    d = ReviewQueueDialog(w.ctx, 1, NOV, parent=w)
    qtbot.addWidget(d)
    d.show()
    with demo_db.session() as s:
        earlier = [r for r in pending_reports(s, 1, up_to=NOV) if r.period < "2026-11"]
        nov = pending_reports(s, 1, NOV)
    blue = sum(1 for rows in w.board.assignments.values() for a in rows
               if a.light.word == "蓝灯")
    assert earlier and len(nov) == blue
    assert d.model.rowCount() == len(earlier) + len(nov)
    assert d.model.index(0, 0).data() == "2026年10月（往期）"
    assert f"本期 {blue} 条，往期 {len(earlier)} 条" in d.position.text()
    assert "本条为2026年10月报送" in d.position.text()


def test_finished_task_shows_awaiting_close(open_window, demo_db, dispatcher, qtbot):
    with demo_db.Session.begin() as s:
        tid = task_service.create_task(s, dispatcher, task_service.TaskInput(
            campaign_id=1, code="99.1", title="已完成未销号", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 9, 30), unit_ids=(1, 2)))
        for aid in s.scalars(select(Assignment.id).where(Assignment.task_id == tid)):
            submit_report(s, dispatcher, aid, NOV, text="已全部完成", progress=100, today=TODAY)
    w = open_window("dispatcher")
    view = w.tasks_view
    idx = view.proxy.mapFromSource(view.model.index(view.model.row_of_task(tid), COL_DUE))
    assert idx.data() == "超期·待销号"
    assert "办结/销号" in idx.data(Qt.ToolTipRole)
    view.search.awaiting_close.click()
    codes = [view.proxy.index(r, COL_CODE).data() for r in range(view.proxy.rowCount())]
    assert "99.1" in codes and all(r.awaiting_close for r in view.model.rows())
    view.select_task(tid)
    assert {view.assignment_model.index(r, 5).data()
            for r in range(view.assignment_model.rowCount())} == {"超期·待销号"}
