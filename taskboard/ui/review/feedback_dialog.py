"""任务反馈: the remarks to one unit on a task; the office writes, the unit replies."""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from taskboard.core import permissions
from taskboard.core.detail import FeedbackEntry
from taskboard.core.models import Feedback, User
from taskboard.core.services import feedback as service
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, announce_busy, read, run_op, tell_done
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, fmt_dt, setup_table

COLUMNS = [
    Column("时间", lambda f: fmt_dt(f.created_at), width=120),
    Column("反馈内容", lambda f: f.body, width=260),
    Column("状态", lambda f: "已办结" if f.resolved else ("已回复" if f.reply else "待回复"),
           color=lambda f: "#c62828" if f.is_open else None, width=60),
    Column("回复", lambda f: f.reply, width=220),
]


def _thread(session, assignment_id: int, unit_name: str) -> list[FeedbackEntry]:
    from sqlalchemy import select

    users = dict(session.execute(select(User.id, User.display_name)).all())
    return [FeedbackEntry(f.id, f.assignment_id, unit_name, f.body, users.get(f.author_id, ""),
                          f.created_at, f.reply, users.get(f.replied_by_id, ""), f.replied_at,
                          f.resolved)
            for f in session.scalars(select(Feedback).where(Feedback.assignment_id == assignment_id)
                                     .order_by(Feedback.created_at.desc(), Feedback.id.desc()))]


class FeedbackDialog(QDialog):
    def __init__(self, ctx: AppContext, choices: Sequence[tuple[int, str, int]],
                 assignment_id: Optional[int] = None, parent: Optional[QWidget] = None, *,
                 task_label: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"任务反馈 · {task_label}" if task_label else "任务反馈")
        self.task_label = QLabel(f"任务：{task_label}" if task_label else "")
        self.task_label.setObjectName("taskLabel")
        self.task_label.setStyleSheet("font-weight:bold")
        self.task_label.setVisible(bool(task_label))
        self.unit = QComboBox()
        self.unit.setObjectName("unit")
        for aid, name, _ in choices:
            self.unit.addItem(name, aid)
        i = self.unit.findData(assignment_id)
        self.unit.setCurrentIndex(max(0, i))
        self.model = RowTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("thread")
        setup_table(self.table, self.model)

        actor = ctx.actor
        self.body = QPlainTextEdit()
        self.body.setObjectName("body")
        self.body.setPlaceholderText("写给责任单位的意见：存在的不足和问题、整改要求")
        self.body.setFixedHeight(70)
        self.send_button = QPushButton("发送反馈")
        self.send_button.setObjectName("send")
        self.reply = QPlainTextEdit()
        self.reply.setObjectName("reply")
        self.reply.setPlaceholderText("对所选反馈的回复")
        self.reply.setFixedHeight(60)
        self.reply_button = QPushButton("回复所选")
        self.reply_button.setObjectName("replyButton")
        self.resolve_button = QPushButton("标记已办结")
        self.resolve_button.setObjectName("resolve")
        self.send_button.clicked.connect(self.send)
        self.send_button.setEnabled(False)  # nothing to send yet
        self.body.textChanged.connect(self._can_send)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.send_button.setToolTip("Ctrl+Enter：发送并关闭")
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(key), self.body)
            sc.setContext(Qt.WidgetShortcut)
            sc.activated.connect(self.send_and_close)
        self.reply_button.clicked.connect(self.answer)
        self.resolve_button.clicked.connect(self.resolve)
        can_write = permissions.allowed(actor, "feedback.write")
        self.body.setVisible(can_write)
        self.send_button.setVisible(can_write)

        top = QHBoxLayout()
        top.addWidget(QLabel("责任单位"))
        top.addWidget(self.unit, 1)
        send_row = QHBoxLayout()
        send_row.addWidget(self.body, 1)
        send_row.addWidget(self.send_button)
        reply_row = QHBoxLayout()
        reply_row.addWidget(self.reply, 1)
        reply_row.addWidget(self.reply_button)
        reply_row.addWidget(self.resolve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.task_label)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(reply_row)
        layout.addLayout(send_row)
        layout.addWidget(self.status)
        self.unit.currentIndexChanged.connect(self.reload)
        self.resize(760, 480)
        self.reload()

    def reload(self) -> None:
        aid, name = self.unit.currentData(), self.unit.currentText()
        if aid is None:
            return
        self.model.set_rows(read(self.ctx, lambda s: _thread(s, aid, name)))
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _can_send(self) -> None:
        self.send_button.setEnabled(bool(self.body.toPlainText().strip()))

    def _run(self, work, title: str, done: str = "") -> bool:
        try:
            run_op(self, self.ctx, work, (), title=title)
        except OpFailed:
            return False
        self.reload()
        if done:
            self.status.setText(done)
            self.status.repaint()  # before the board reloads
            tell_done(self.parentWidget(), done)
        # The thread is up to date already; the board's counts follow under the busy cursor.
        announce_busy(self.ctx, "tasks", "feedback")
        return True

    def send(self) -> bool:
        aid, actor, body = self.unit.currentData(), self.ctx.actor, self.body.toPlainText()
        if not body.strip():
            return False
        unit = self.unit.currentText()
        self.send_button.setEnabled(False)  # one click, one feedback
        sent = self._run(lambda s: service.write_feedback(s, actor, aid, body), "反馈失败",
                         f"已向 {unit} 发送反馈")
        if sent:
            self.body.clear()
        self._can_send()
        return sent

    def send_and_close(self) -> None:
        if self.body.toPlainText().strip() and self.send():
            self.accept()

    def answer(self) -> None:
        f = current_row(self.table)
        if f is None:
            return
        actor, text = self.ctx.actor, self.reply.toPlainText()
        if self._run(lambda s: service.reply_feedback(s, actor, f.feedback_id, text), "回复失败"):
            self.reply.clear()

    def resolve(self) -> None:
        f = current_row(self.table)
        if f is not None:
            actor = self.ctx.actor
            self._run(lambda s: service.resolve_feedback(s, actor, f.feedback_id), "办结失败")
