"""修改密码: a signed-in user changes their own password, and the first sign-in with a one-time
password sets a new one before anything else."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from taskboard.core import auth, server_login
from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.core.errors import ServiceError
from taskboard.ui.common.context import AppContext

ONE_TIME_NOTE = ("您用的是管理员发的一次性密码，它只能用这一次。请设置一个只有您自己知道的新密码，"
                 "之后用新密码登录。")


class ChangePasswordDialog(QDialog):
    """From the open window (``ctx``), or before it (``db`` and ``actor``). With ``one_time``
    the password just signed in with is the old one, and cancelling means not starting."""

    def __init__(self, ctx: Optional[AppContext], parent: Optional[QWidget] = None, *,
                 db: Optional[Database] = None, actor: Optional[Actor] = None,
                 one_time: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db = db if db is not None else ctx.db
        self.actor = actor if actor is not None else ctx.actor
        self.one_time = one_time
        self.setWindowTitle("首次登录 · 设置新密码" if one_time else "修改密码")
        self.setMinimumWidth(440 if one_time else 400)
        self.old, self.new, self.confirm = QLineEdit(), QLineEdit(), QLineEdit()
        for name, edit in (("old", self.old), ("new", self.new), ("confirm", self.confirm)):
            edit.setObjectName(name)
            edit.setEchoMode(QLineEdit.Password)
        if one_time:  # the server accepted it a moment ago: no need to type it again
            self.old.setText(make_url(self.db.url).password or "")
        hint = QLabel(f"至少 {auth.MIN_PASSWORD_LENGTH} 位，包含字母、数字、符号中的至少两类")
        hint.setStyleSheet("color: #666;")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("用户", QLabel(f"{self.actor.display_name}（{self.actor.username}）"))
        if not one_time:
            form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("确认新密码", self.confirm)
        form.addRow("", hint)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("设置并继续" if one_time else "修改",
                                           QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.addButton("退出程序" if one_time else "取消",
                          QDialogButtonBox.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self._change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if one_time:
            note = QLabel(ONE_TIME_NOTE)
            note.setObjectName("oneTimeNote")
            note.setWordWrap(True)
            note.setStyleSheet("font-weight: bold;")
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.new if one_time else self.old).setFocus()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _change(self) -> None:
        if self.new.text() != self.confirm.text():
            self._fail("两次输入的新密码不一致。")
            return
        try:
            if self.db.account is not None:  # the account's own database role
                server_login.change_own_password(self.db, self.actor, self.old.text(),
                                                 self.new.text())
            else:
                with self.db.Session.begin() as s:
                    auth.change_password(s, self.actor, self.old.text(), self.new.text())
        except server_login.SignInRefused as exc:
            wrong = str(exc) == server_login.BAD_CREDENTIALS
            self._fail("原密码不正确。" if wrong else str(exc))
            return
        except ServiceError as exc:
            self._fail(str(exc))
            return
        except OperationalError as exc:
            self._fail(f"数据库连接失败，密码未修改。（{exc.orig}）")
            return
        if self.ctx is not None:
            self.ctx.changes.announce("users")
        self.accept()
