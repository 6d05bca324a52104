"""修改密码: a signed-in user changes their own password."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)
from sqlalchemy.exc import OperationalError

from taskboard.core import auth
from taskboard.core.errors import ServiceError
from taskboard.ui.common.context import AppContext


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("修改密码")
        self.setMinimumWidth(400)
        self.old, self.new, self.confirm = QLineEdit(), QLineEdit(), QLineEdit()
        for name, edit in (("old", self.old), ("new", self.new), ("confirm", self.confirm)):
            edit.setObjectName(name)
            edit.setEchoMode(QLineEdit.Password)
        hint = QLabel(f"至少 {auth.MIN_PASSWORD_LENGTH} 位，包含字母、数字、符号中的至少两类")
        hint.setStyleSheet("color: #666;")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("用户", QLabel(f"{ctx.actor.display_name}（{ctx.actor.username}）"))
        form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("确认新密码", self.confirm)
        form.addRow("", hint)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("修改", QDialogButtonBox.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self._change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _change(self) -> None:
        if self.new.text() != self.confirm.text():
            self._fail("两次输入的新密码不一致。")
            return
        try:
            with self.ctx.db.Session.begin() as s:
                auth.change_password(s, self.ctx.actor, self.old.text(), self.new.text())
        except ServiceError as exc:
            self._fail(str(exc))
            return
        except OperationalError as exc:
            self._fail(f"数据库连接失败，密码未修改。（{exc.orig}）")
            return
        self.ctx.changes.announce("users")
        self.accept()
