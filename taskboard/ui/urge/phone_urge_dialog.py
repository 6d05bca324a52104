"""电话催办: log who was called, who answered and what they said, for one unit's tasks."""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from taskboard.core.models import Unit
from taskboard.core.services import urge_delivery
from taskboard.core.services.urging import ScreenRow
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class PhoneUrgeDialog(QDialog):
    def __init__(self, ctx: AppContext, rows: Sequence[ScreenRow],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows = list(rows)
        self.record_ids: list[int] = []
        unit_id = self.rows[0].unit_id
        unit = read(ctx, lambda s: s.execute(
            select(Unit.name, Unit.contact_person, Unit.phone).where(Unit.id == unit_id)).one())
        self.setWindowTitle(f"电话催办 · {unit.name}")

        tasks = QLabel("\n".join(f"{r.code}  {r.title}（{r.days_text}，本期{r.report_word}）"
                                 for r in self.rows))
        tasks.setWordWrap(True)
        self.called = QLineEdit(" ".join(x for x in (unit.contact_person, unit.phone) if x))
        self.called.setObjectName("called")
        self.answered_by = QLineEdit()
        self.answered_by.setObjectName("answeredBy")
        self.answered_by.setPlaceholderText("如：综合科科长；无人接听可留空")
        self.said = QPlainTextEdit()
        self.said.setObjectName("said")
        self.said.setPlaceholderText("对方的答复，如：本周五前补报进展")
        self.said.setFixedHeight(70)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.reason = QLineEdit()
        self.reason.setObjectName("overrideReason")

        form = QFormLayout()
        form.addRow("催办任务：", tasks)
        form.addRow("拨打电话/对象：", self.called)
        form.addRow("接听人：", self.answered_by)
        form.addRow("通话内容：", self.said)
        form.addRow("备注：", self.note)
        quiet = [r for r in self.rows if r.quiet_until]
        if quiet:
            warn = QLabel(f"{len(quiet)} 项任务近期已催办过（{max(r.quiet_until for r in quiet):%Y-%m-%d}"
                          " 起可再催办）。如确需再次催办，请填写理由：")
            warn.setWordWrap(True)
            warn.setStyleSheet("color:#b26a00")
            form.addRow(warn)
            form.addRow("再次催办理由：", self.reason)
        else:
            self.reason.setVisible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.save_button = buttons.addButton("记录电话催办", QDialogButtonBox.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, 0)

    def save(self) -> bool:
        ids = [r.assignment_id for r in self.rows]
        called, answered = self.called.text(), self.answered_by.text()
        said, note, reason = self.said.toPlainText(), self.note.text(), self.reason.text()
        try:
            self.record_ids = run_op(
                self, self.ctx,
                lambda s: urge_delivery.log_phone_urge(
                    s, self.ctx.actor, ids, self.ctx.today(), called=called, answered_by=answered,
                    said=said, note=note, override_reason=reason),
                ("urges", "tasks"), title="无法记录电话催办")
        except OpFailed:
            return False
        self.accept()
        return True
