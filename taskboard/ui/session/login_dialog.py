"""登录: the sign-in dialog shown before the main window, and again to unlock an idle one."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)
from sqlalchemy.exc import OperationalError

from taskboard.core import auth
from taskboard.core.actor import Actor
from taskboard.core.db import Database, describe_database


class LoginDialog(QDialog):
    """Asks for user name and password; ``actor`` holds the signed-in user after accept.

    With ``locked_user`` the user name is fixed: the window was locked after being idle.
    """

    def __init__(self, db: Database, parent: Optional[QWidget] = None, *,
                 username: str = "", locked_user: Optional[Actor] = None,
                 reason: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Optional[Actor] = None
        self.locked_user = locked_user
        self.setWindowTitle("已锁定 · 挂图作战" if locked_user else "登录 · 挂图作战任务调度平台")
        self.setMinimumWidth(420)

        title = QLabel("挂图作战 · 任务调度平台")
        title.setObjectName("loginTitle")
        title.setStyleSheet("font-size: 16pt; font-weight: bold; padding: 6px 0;")
        where = QLabel(describe_database(db.url))
        where.setStyleSheet("color: #555;")
        where.setWordWrap(True)
        self.username = QLineEdit(locked_user.username if locked_user else username)
        self.username.setObjectName("username")
        self.username.setPlaceholderText("用户名")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("密码")
        if locked_user:
            self.username.setReadOnly(True)
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("解锁" if locked_user else "登录",
                                           QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        cancel = buttons.addButton("退出程序" if locked_user else "取消",
                                   QDialogButtonBox.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if locked_user:
            note = QLabel(reason or
                          f"{locked_user.display_name}，窗口因长时间未操作已锁定，请输入密码解锁。")
            note.setObjectName("lockReason")
            note.setWordWrap(True)
            if reason:
                note.setStyleSheet("color: #b00020; font-weight: bold;")
            layout.addWidget(note)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if (locked_user or username) else self.username).setFocus(
            Qt.OtherFocusReason)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _try(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not name:
            self.show_error("请输入用户名。")
            self.username.setFocus()
            return
        if not password:
            self.show_error("请输入密码。")
            self.password.setFocus()
            return
        try:
            actor = auth.sign_in(self.db.Session, name, password)
        except auth.AuthError as exc:
            self.show_error(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        except OperationalError as exc:
            self.show_error(f"无法连接数据库，请检查网络或服务器后重试。（{exc.orig}）")
            return
        if self.locked_user is not None and actor.user_id != self.locked_user.user_id:
            self.show_error("只能由当前用户解锁。")
            return
        self.actor = actor
        self.accept()


def ask_sign_in(db: Database, parent: Optional[QWidget] = None) -> Optional[Actor]:
    """First start creates the administrator; then the login dialog. None if cancelled."""
    from taskboard.ui.session.first_admin_dialog import FirstAdminDialog

    with db.session() as s:
        first = auth.needs_first_admin(s)
    username = ""
    if first:
        dialog = FirstAdminDialog(db, parent)
        if dialog.exec() != QDialog.Accepted or dialog.actor is None:
            return None
        # The administrator just chose the password: no need to type it again.
        return dialog.actor
    login = LoginDialog(db, parent, username=username)
    if login.exec() != QDialog.Accepted:
        return None
    return login.actor
