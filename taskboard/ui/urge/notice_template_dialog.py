"""通知单模板: the office edits the wording of 催办 and 督办 notices (kept in the settings)."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from taskboard.core import permissions
from taskboard.core.services import urge_settings
from taskboard.core.settings import load_settings
from taskboard.notify import templates
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class NoticeTemplateDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("通知单模板")
        self.settings = read(ctx, load_settings)
        self.kind = QComboBox()
        self.kind.addItem("催办通知单", "urge")
        self.kind.addItem("督办通知单", "supervise")
        self.text = QPlainTextEdit()
        self.text.setObjectName("templateText")
        self.reset = QPushButton("恢复默认文字")
        top = QHBoxLayout()
        top.addWidget(QLabel("模板："))
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(self.reset)
        note = QLabel("修改只影响今后发出的通知单；已发出的通知单保留当时的文字。")
        note.setStyleSheet("color:#555")
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.can_edit = permissions.allowed(ctx.actor, "settings.edit")
        if not self.can_edit:
            self.setWindowTitle("通知单模板（只读）")
            self.text.setReadOnly(True)
            self.reset.setVisible(False)
            buttons.button(QDialogButtonBox.Save).setVisible(False)
            note.setText("修改通知单模板需要管理员权限：请管理员在 催办 → 通知单模板… 中修改。"
                         "修改只影响今后发出的通知单。")
        self.note = note
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._load)
        self.reset.clicked.connect(
            lambda: self.text.setPlainText(templates.shipped_template(self.kind.currentData())))
        self._load()
        self.resize(760, 560)

    def _load(self) -> None:
        self.text.setPlainText(templates.template_for(self.kind.currentData(), self.settings))

    def save(self) -> bool:
        kind, text = self.kind.currentData(), self.text.toPlainText()
        if text.strip() == templates.shipped_template(kind).strip():
            text = ""  # keep following the shipped wording and its updates
        try:
            run_op(self, self.ctx, lambda s: urge_settings.save_notice_template(
                s, self.ctx.actor, kind, text, templates.check), ("settings",),
                title="模板有误，未保存")
        except OpFailed:
            return False
        self.settings = read(self.ctx, load_settings)
        return True
