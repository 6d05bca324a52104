"""催办通知 tab for reporting units (read and answer) and leaders (the 督办 copied to them)."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSplitter, QTableView, QTextBrowser,
    QVBoxLayout, QWidget,
)

from taskboard.core import permissions
from taskboard.core.services import urge_delivery, urge_inbox
from taskboard.core.services.urge_inbox import NoticeRow
from taskboard.core.settings import load_settings
from taskboard.notify import documents
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, fmt_dt, setup_table


def inbox_columns() -> list[Column]:
    return [
        Column("状态", lambda n: n.state_word, width=60,
               color=lambda n: "#c62828" if n.state_word == "未读" else None),
        Column("文号", lambda n: n.number_text, width=130),
        Column("单位", lambda n: n.unit_name, width=150),
        Column("任务数", lambda n: str(n.task_count), right=True, width=55),
        Column("发出时间", lambda n: fmt_dt(n.issued_at), width=125),
        Column("回复期限", lambda n: n.reply_by.isoformat() if n.reply_by else "", width=90),
        Column("我的回复", lambda n: n.answer, width=240),
    ]


class NoticeInboxView(QWidget):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.can_answer = ctx.actor.role == permissions.REPORTER
        self.model = RowTableModel(inbox_columns(), self)
        self.table = QTableView()
        self.table.setObjectName("inboxTable")
        setup_table(self.table, self.model)
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.preview = QTextBrowser()
        self.preview.setObjectName("inboxPreview")
        self.answer = QPlainTextEdit()
        self.answer.setObjectName("answer")
        self.answer.setPlaceholderText("回复调度办公室：已采取的措施、报送时间、困难和需要的支持")
        self.answer.setFixedHeight(80)
        self.answer_button = QPushButton("提交回复")
        self.answer_button.setObjectName("answerButton")
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer, 1)
        answer_row.addWidget(self.answer_button, 0, Qt.AlignBottom)
        for w in (self.answer, self.answer_button):
            w.setVisible(self.can_answer)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.preview, 1)
        rl.addLayout(answer_row)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([650, 650])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)

        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.answer_button.clicked.connect(self.submit_answer)
        self.reload()

    def reload(self) -> None:
        keep: Optional[NoticeRow] = current_row(self.table)
        rows = read(self.ctx, lambda s: urge_inbox.list_notices(s, self.ctx.actor))
        self.model.set_rows(rows)
        unread = sum(1 for n in rows if n.read_at is None)
        who = "本单位收到的" if self.can_answer else "抄送我的督办"
        self.title.setText(f"{who}催办通知单：{len(rows)} 份，未读 {unread} 份")
        for i, n in enumerate(rows):
            if keep is not None and n.notice_id == keep.notice_id:
                self.table.selectRow(i)
                break
        else:
            self.preview.clear()

    def _current_changed(self, current, _previous) -> None:
        row: Optional[NoticeRow] = current.data(Qt.UserRole + 1) if current.isValid() else None
        if row is None:
            return
        snap = read(self.ctx, lambda s: urge_delivery.load_snapshot(s, self.ctx.actor, row.notice_id))
        settings = read(self.ctx, load_settings)
        self.preview.setHtml(documents.render_html(snap, settings))
        self.answer.setPlainText(row.answer)
        if self.can_answer and row.read_at is None:
            try:  # opening the notice is reading it
                run_op(self, self.ctx,
                       lambda s: urge_inbox.mark_read(s, self.ctx.actor, row.notice_id),
                       ("urges",), quiet=True)
            except OpFailed:
                pass

    def submit_answer(self) -> bool:
        row: Optional[NoticeRow] = current_row(self.table)
        if row is None:
            return False
        text = self.answer.toPlainText()
        try:
            run_op(self, self.ctx,
                   lambda s: urge_inbox.answer_notice(s, self.ctx.actor, row.notice_id, text),
                   ("urges",), title="无法提交回复")
        except OpFailed:
            return False
        return True
