"""首次启动: create the administrator of a database nobody can sign in to yet."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)
from sqlalchemy.exc import OperationalError

from taskboard.core import auth
from taskboard.core.actor import Actor
from taskboard.core.db import Database, describe_database
from taskboard.core.errors import ServiceError


class FirstAdminDialog(QDialog):
    def __init__(self, db: Database, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Optional[Actor] = None
        self.setWindowTitle("首次启动 · 创建管理员")
        self.setMinimumWidth(460)
        intro = QLabel("这是该数据库第一次启动，请创建系统管理员账号。管理员负责用户、单位和"
                       "系统设置，请牢记密码。")
        intro.setWordWrap(True)
        where = QLabel(describe_database(db.url))
        where.setStyleSheet("color: #555;")
        where.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.username.setObjectName("username")
        self.display_name = QLineEdit("系统管理员")
        self.display_name.setObjectName("displayName")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("confirm")
        self.confirm.setEchoMode(QLineEdit.Password)
        hint = QLabel(f"至少 {auth.MIN_PASSWORD_LENGTH} 位，包含字母、数字、符号中的至少两类")
        hint.setStyleSheet("color: #666;")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("显示名称", self.display_name)
        form.addRow("密码", self.password)
        form.addRow("确认密码", self.confirm)
        form.addRow("", hint)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("创建并登录", QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.password.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _create(self) -> None:
        if self.password.text() != self.confirm.text():
            self.show_error("两次输入的密码不一致。")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            with self.db.Session.begin() as s:
                actor = auth.create_first_admin(s, self.username.text(),
                                                self.display_name.text(), self.password.text())
        except ServiceError as exc:
            self.show_error(str(exc))
            return
        except OperationalError as exc:
            self.show_error(f"无法写入数据库：{exc.orig}")
            return
        self.actor = actor
        self.accept()
