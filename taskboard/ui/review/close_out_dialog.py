"""办结/销号: close a whole task or one unit's share with an outcome, date and note; reopen."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDateEdit, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)
from sqlalchemy import select

from taskboard.core.models import CLOSE_OUTCOMES, Assignment, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.services import closeout, undo
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, announce_busy, read, run_op, tell_done


class CloseOutDialog(QDialog):
    def __init__(self, ctx: AppContext, task_id: int, assignment_id: Optional[int] = None,
                 parent: Optional[QWidget] = None, *, period: Optional[Period] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_id = task_id
        self.undo_ticket: Optional[undo.UndoTicket] = None
        self.done_text = ""
        self.setWindowTitle("办结/销号")
        self.state = QLabel()
        self.state.setObjectName("state")
        self.state.setWordWrap(True)
        self.whole = QRadioButton("整项任务")
        self.whole.setObjectName("whole")
        self.one = QRadioButton("单个责任单位")
        self.one.setObjectName("one")
        group = QButtonGroup(self)
        group.addButton(self.whole)
        group.addButton(self.one)
        self.unit = QComboBox()
        self.unit.setObjectName("unit")
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcome")
        self.outcome.addItems(CLOSE_OUTCOMES)
        self.on = QDateEdit(calendarPopup=True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        # Closing while a past month is on screen dates the close-out in that month, so the
        # list being looked at shows it closed at once (a later date would not show there).
        on = min(today, period.last_day) if period is not None else today
        self.on.setDate(QDate(on.year, on.month, on.day))
        self.on.setToolTip(f"所看期次为{period.label}，默认取该期最后一天" if on != today else "")
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("办结说明：完成情况、形成的政策文件或解决结果")
        self.note.setFixedHeight(70)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("重新打开的原因（必填）")
        self.close_button = QPushButton("办结销号")
        self.close_button.setObjectName("closeButton")
        self.reopen_button = QPushButton("重新打开")
        self.reopen_button.setObjectName("reopenButton")
        cancel = QPushButton("关闭")
        self.close_button.clicked.connect(self.close_out)
        self.reopen_button.clicked.connect(self.reopen)
        cancel.clicked.connect(self.reject)

        scope = QHBoxLayout()
        scope.addWidget(self.whole)
        scope.addWidget(self.one)
        scope.addWidget(self.unit, 1)
        form = QFormLayout()
        form.addRow("范围", scope)
        form.addRow("当前状态", self.state)
        form.addRow("办结方式", self.outcome)
        form.addRow("办结日期", self.on)
        form.addRow("办结说明", self.note)
        form.addRow("重新打开", self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.close_button, self.reopen_button, cancel):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)

        self._fill(assignment_id)
        self.whole.toggled.connect(self._show_state)
        self.unit.currentIndexChanged.connect(self._show_state)
        self._show_state()
        self.resize(560, 380)

    def _fill(self, assignment_id: Optional[int]) -> None:
        def q(s):
            t = s.get(Task, self.task_id)
            rows = s.execute(select(Assignment.id, Unit.name, Assignment.closed_on,
                                    Assignment.close_outcome)
                             .join(Unit, Unit.id == Assignment.unit_id)
                             .where(Assignment.task_id == self.task_id,
                                    Assignment.archived.is_(False))
                             .order_by(Unit.sort_order, Unit.id)).all()
            return (t.code, t.title, t.closed_on, t.close_outcome), rows
        self.task_info, rows = read(self.ctx, q)
        self.assignment_info = {r[0]: r for r in rows}
        for aid, name, *_ in rows:
            self.unit.addItem(name, aid)
        if assignment_id in self.assignment_info:
            self.unit.setCurrentIndex(self.unit.findData(assignment_id))
            self.one.setChecked(True)
        else:
            self.whole.setChecked(True)
        self.setWindowTitle(f"办结/销号 · {self.task_info[0]} {self.task_info[1]}")

    def _show_state(self, *_) -> None:
        self.unit.setEnabled(self.one.isChecked())
        if self.whole.isChecked():
            _, _, closed_on, outcome = self.task_info
            what = "整项任务"
        else:
            _, what, closed_on, outcome = self.assignment_info.get(
                self.unit.currentData(), (None, "", None, ""))
        closed = closed_on is not None
        self.state.setText(f"{what}已于 {closed_on:%Y-%m-%d} 办结（{outcome}）" if closed
                           else f"{what}尚未办结")
        self.close_button.setEnabled(not closed)
        self.reopen_button.setEnabled(closed)
        self.reason.setEnabled(closed)

    def _run(self, work, title: str, done: str) -> None:
        for b in (self.close_button, self.reopen_button):
            b.setEnabled(False)  # no second click while the first is stored
        try:
            result = run_op(self, self.ctx, work, (), title=title)
        except OpFailed:
            self._show_state()
            return
        if isinstance(result, undo.UndoTicket):
            self.undo_ticket = result
            done += "（Ctrl+Z 撤销）"
        self.done_text = done
        # Closed and confirmed first; the views then reload under the busy cursor.
        self.accept()
        tell_done(self.parentWidget(), done)
        announce_busy(self.ctx, "tasks", "reports")

    def _done_words(self, verb: str) -> str:
        code, title = self.task_info[0], self.task_info[1]
        unit = "" if self.whole.isChecked() else f" {self.unit.currentText()}"
        return f"已{verb} {code} {title}{unit}"

    def close_out(self) -> None:
        actor, today = self.ctx.actor, self.ctx.today()
        qd = self.on.date()
        on = dt.date(qd.year(), qd.month(), qd.day())
        outcome, note = self.outcome.currentText(), self.note.toPlainText()
        if self.whole.isChecked():
            tid = self.task_id
            self._run(lambda s: undo.close_task(s, actor, tid, outcome, on, note, today=today),
                      "办结失败", self._done_words("办结") + f"（{outcome}）")
        else:
            aid = self.unit.currentData()
            self._run(lambda s: undo.close_assignment(s, actor, aid, outcome, on, note,
                                                      today=today), "办结失败",
                      self._done_words("办结") + f"（{outcome}）")

    def reopen(self) -> None:
        actor, reason = self.ctx.actor, self.reason.text()
        if self.whole.isChecked():
            tid = self.task_id
            self._run(lambda s: closeout.reopen_task(s, actor, tid, reason), "重新打开失败",
                      self._done_words("重新打开"))
        else:
            aid = self.unit.currentData()
            self._run(lambda s: closeout.reopen_assignment(s, actor, aid, reason), "重新打开失败",
                      self._done_words("重新打开"))
