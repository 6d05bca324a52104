"""The dispatcher's month in one script, on the demo, with real input events only:
period → screen unreported → urge all → print → review queue → feedback → close-out → ledger.

Every mouse click and every keystroke group (a shortcut, or one run of typing) is counted;
the shortest path must stay within 20.
"""
import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import func, select

from taskboard.core.models import Feedback, Report, UrgeNotice
from taskboard.core.periods import Period
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.excel.ledger_export_dialog import LedgerExportDialog
from tests.ui.typing_helpers import type_text
from tests.ui.loading import settle

pytestmark = pytest.mark.sqlite_only
# After the report day (the 25th): urging the unreported needs no "still within time" check.
MONTH_DAY = dt.date(2026, 11, 26)
LIMIT = 20


class Counter:
    """Counts what the user does; after each action waits, as the user would, until the views'
    background loads have landed."""

    def __init__(self, qtbot):
        self.qtbot, self.steps = qtbot, []

    def click(self, widget, what, pos=None):
        self.steps.append(("点击", what))
        if pos is None:
            self.qtbot.mouseClick(widget, Qt.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
        settle(self.qtbot)

    def key(self, widget, key, modifiers=Qt.NoModifier, what=""):
        self.steps.append(("按键", what))
        self.qtbot.keyClick(widget, key, modifiers)
        settle(self.qtbot)

    def type(self, widget, text, what):
        self.steps.append(("输入", what))
        type_text(widget, text)

    def external(self, what):  # a system dialog's own button (the print dialog's 打印)
        self.steps.append(("点击", what))


def _activate(qtbot, w):
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)


def _count(db, model, *where):
    with db.session() as s:
        return s.scalar(select(func.count(model.id)).where(*where))


def test_dispatcher_month_within_twenty_actions(qtbot, demo_db, dispatcher, ui_state,
                                                monkeypatch, tmp_path, capsys):
    ensure_app()
    monkeypatch.setenv("HOME", str(tmp_path))  # the ledger's default folder
    messages = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: messages.append(a[2]))
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: MONTH_DAY)
    qtbot.addWidget(w)
    w.show()
    _activate(qtbot, w)
    settle(qtbot)  # the board loads in a worker
    c = Counter(qtbot)
    table = w.tasks_view.table
    table.setFocus()

    # 1. The period: the window opens on this month.
    assert w.period() == Period.of(MONTH_DAY)

    # 2. Screen the unreported (未报送 and 已退回 are ticked by default).
    c.key(table, Qt.Key_U, Qt.ControlModifier | Qt.ShiftModifier, "筛查催办 Ctrl+Shift+U")
    view = w.urge_actions.view
    assert w.tabs.currentWidget() is view
    units = [g.unit_id for g in view.model.groups()]
    listed = sum(len(g.rows) for g in view.model.groups())
    naive_unreported = sum(
        1 for rows in w.board.assignments.values() for a in rows
        if not a.closed and a.report_status in (None, "returned"))
    assert listed == naive_unreported > 0
    assert view.urge_all_button.text() == f"全部催办（{listed} 项）…"

    # 3. Urge all, and 4. print every notice on the way out.
    pdf = tmp_path / "通知单.pdf"

    def print_dialog_exec(dialog):
        c.external("打印对话框：打印")
        dialog.printer().setOutputFileName(str(pdf))
        return QDialog.Accepted
    monkeypatch.setattr(QPrintDialog, "exec", print_dialog_exec)
    c.click(view.urge_all_button, "全部催办…")
    preview = w.urge_actions.dialog
    if preview.reason.isVisible():  # some were urged a few days ago
        c.type(preview.reason, "月度调度统一催办", "再次催办理由")
    c.click(preview.send_print_button, "发出并打印…")
    assert _count(demo_db, UrgeNotice, UrgeNotice.period == "2026-11") >= len(units)
    assert len(preview.printed) == len(preview.issued) == len(units)
    first, last = preview.issued[0].number_text, preview.issued[-1].number_text
    assert w.statusBar().currentMessage() == f"已发出 {len(units)} 份通知单（{first}—{last}）"
    assert pdf.stat().st_size > 0
    c.key(view.tree, Qt.Key_1, Qt.ControlModifier, "回到任务清单 Ctrl+1")
    _activate(qtbot, w)

    # 5. Review queue: return one with a comment, approve the rest at once.
    pending_before = _count(demo_db, Report, Report.status == "pending")
    seen = {}

    def drive(dialog):
        if type(dialog).__name__ == "ReviewQueueDialog":
            dialog.show()
            _activate(qtbot, dialog)
            seen["returned"] = dialog.current().report_id
            c.type(dialog.comment, "佐证材料不足，请补充会议纪要", "审核意见")
            c.key(dialog.comment, Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier,
                  "退回 Ctrl+Shift+Enter")
            c.key(dialog.table, Qt.Key_A, Qt.ControlModifier, "全选 Ctrl+A")
            c.key(dialog.table, Qt.Key_A, what="通过所选 A")
            assert dialog.model.rowCount() == 0
            c.key(dialog.table, Qt.Key_Escape, what="关闭 Esc")
        elif type(dialog).__name__ == "FeedbackDialog":
            dialog.show()
            _activate(qtbot, dialog)
            seen["feedback_unit"] = dialog.unit.currentText()
            c.type(dialog.body, "本月进度滞后于时序进度，请说明原因并提出措施", "反馈内容")
            c.key(dialog.body, Qt.Key_Return, Qt.ControlModifier, "发送并关闭 Ctrl+Enter")
        elif type(dialog).__name__ == "CloseOutDialog":
            dialog.show()
            _activate(qtbot, dialog)
            c.click(dialog.close_button, "办结销号")
        _activate(qtbot, w)
        return dialog.result()

    w.task_actions.run_dialog = drive
    c.key(table, Qt.Key_R, Qt.ControlModifier | Qt.ShiftModifier, "审核队列 Ctrl+Shift+R")
    assert _count(demo_db, Report, Report.status == "pending") == 0
    with demo_db.session() as s:
        assert s.get(Report, seen["returned"]).status == "returned"
    assert pending_before > 1

    # 6. Feedback and 7. close-out, on a task whose units have all reported 100 %.
    c.click(w.tasks_view.search.awaiting_close, "勾选 待销号")
    target = w.tasks_view.visible_rows()[0]
    assert w.tasks_view.current_task_id() == target.task_id
    assert "待销号" in target.due_text
    feedback_before = _count(demo_db, Feedback)
    table.setFocus()
    c.key(table, Qt.Key_K, Qt.ControlModifier, "任务反馈 Ctrl+K")
    assert _count(demo_db, Feedback) == feedback_before + 1
    assert w.statusBar().currentMessage() == f"已向 {seen['feedback_unit']} 发送反馈"
    table.setFocus()
    c.key(table, Qt.Key_K, Qt.ControlModifier | Qt.ShiftModifier, "办结/销号 Ctrl+Shift+K")
    assert w.statusBar().currentMessage().startswith(f"已办结 {target.code} {target.title}")
    board_row = next(r for r in w.board.rows if r.task_id == target.task_id)
    assert board_row.due_text == "已完成"

    # 8. The monthly ledger, to the default file.
    def ledger_exec(dialog):
        dialog.show()
        _activate(qtbot, dialog)
        c.key(dialog.path, Qt.Key_Return, what="导出 Enter")
        return dialog.result()
    monkeypatch.setattr(LedgerExportDialog, "exec", ledger_exec)
    c.key(table, Qt.Key_L, Qt.ControlModifier | Qt.ShiftModifier, "导出月度台账 Ctrl+Shift+L")
    ledger = next(tmp_path.glob("*月度台账2026-11.xlsx"))
    ws = load_workbook(ledger)["台账"]
    codes = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)]
    assert codes == [r.code for r in w.tasks_view.visible_rows()]  # the tasks on screen

    assert [m for m in messages if "失败" in m] == []
    n = len(c.steps)
    clicks = sum(1 for kind, _ in c.steps if kind == "点击")
    with capsys.disabled():
        print(f"\n本月调度共 {n} 步（点击 {clicks} 次，按键/输入 {n - clicks} 组）：")
        for i, (kind, what) in enumerate(c.steps, 1):
            print(f"  {i:2d}. {kind} {what}")
    assert n <= LIMIT
