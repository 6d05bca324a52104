"""登录: the sign-in dialog shown before the main window, and again to unlock an idle one."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget,
)

if TYPE_CHECKING:
    from taskboard.core.actor import Actor
    from taskboard.core.db import Database
    from taskboard.ui.session.opening import Opening

# What exec() returns when the database, opened behind the dialog, asks for something else.
OPEN_FAILED, NEEDS_FIRST_ADMIN = 2, 3
OPENING_TEXT = "正在打开并检查数据库（较大的数据库需要几秒钟），可以先输入用户名和密码……"


class LoginDialog(QDialog):
    """Asks for user name and password; ``actor`` holds the signed-in user after accept.

    With ``locked_user`` the user name is fixed: the window was locked after being idle.
    With ``server_url`` (a PostgreSQL address without user name, ``db`` None) signing in is
    connecting as the account's own role; ``db`` holds the opened database after accept.
    With ``opening`` (``db`` None) the dialog is shown while the database opens behind it;
    a sign-in asked for meanwhile goes ahead once it is open.
    """

    def __init__(self, db: Optional["Database"], parent: Optional[QWidget] = None, *,
                 username: str = "", locked_user: Optional["Actor"] = None,
                 reason: str = "", server_url: Optional[str] = None,
                 opening: Optional["Opening"] = None) -> None:
        super().__init__(parent)
        self.db = db
        self.server_url = server_url
        self.opening = opening
        self._asked = False  # 登录 pressed before the database was open
        self.actor: Optional[Actor] = None
        self.locked_user = locked_user
        self.setWindowTitle("已锁定 · 挂图作战" if locked_user else "登录 · 挂图作战任务调度平台")
        self.setMinimumWidth(420)

        title = QLabel("挂图作战 · 任务调度平台")
        title.setObjectName("loginTitle")
        title.setStyleSheet("font-size: 16pt; font-weight: bold; padding: 6px 0;")
        where = QLabel(OPENING_TEXT if opening is not None else _where(server_url or db.url))
        where.setObjectName("where")
        where.setStyleSheet("color: #555;")
        where.setWordWrap(True)
        self.where = where
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
        if server_url is not None:
            how = QLabel("请用本人的用户名和密码登录；密码由数据库服务器核对。")
            how.setObjectName("serverSignInNote")
            how.setStyleSheet("color: #555;")
            how.setWordWrap(True)
            layout.addWidget(how)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if (locked_user or username) else self.username).setFocus(
            Qt.OtherFocusReason)
        if opening is not None:
            opening.finished.connect(self._opened)
            if opening.done:  # finished before the connection was made: once shown
                QTimer.singleShot(0, self._opened)

    def _opened(self) -> None:
        if self.db is not None or not self.isVisible() or not self.opening.done:
            return  # handled already, or the dialog was closed meanwhile
        if self.opening.error is not None:
            self.done(OPEN_FAILED)
            return
        if self.opening.first_admin:
            self.done(NEEDS_FIRST_ADMIN)
            return
        self.db = self.opening.db
        self.where.setText(_where(self.db.url))
        if self._asked:
            self._asked = False
            self.ok_button.setEnabled(True)
            self._try()

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
        if self.db is None and self.server_url is None:  # still opening behind the dialog
            self._asked = True
            self.ok_button.setEnabled(False)
            self.show_error("正在打开数据库，打开后立即登录……")
            return
        # The data layer is imported by now (the database is open): no cost on the UI thread.
        from sqlalchemy.exc import OperationalError

        from taskboard.core import auth
        from taskboard.core.server_login import SignInRefused

        try:
            actor = self._sign_in(name, password)
        except (auth.AuthError, SignInRefused) as exc:
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

    def _sign_in(self, name: str, password: str) -> "Actor":
        from taskboard.core import auth
        from taskboard.core.server_login import (
            NOT_AN_ACCOUNT, SignInRefused, account_of, check_password, open_as_account,
        )

        if self.server_url is not None:
            QGuiApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                self.db = open_as_account(self.server_url, name, password)
            finally:
                QGuiApplication.restoreOverrideCursor()
            return self.db.account.actor
        if self.db.account is not None:  # unlocking: the server checks the password again
            check_password(self.db, password)
            account = account_of(self.db)
            if account is None:
                raise SignInRefused(NOT_AN_ACCOUNT.format(user=name))
            return account.actor
        return auth.sign_in(self.db.Session, name, password)


def _where(url: str) -> str:
    from taskboard.core.db import describe_database

    return describe_database(url)


def ask_sign_in_while_opening(opening: "Opening", parent: Optional[QWidget] = None,
                              username: str = "") -> Optional["Actor"]:
    """The sign-in dialog at once, the database opening behind it (``opening.db`` afterwards).

    None if cancelled; the opening's own exception, once the dialog has closed, if the database
    could not be opened; the first-start dialog instead when the database has no administrator.
    """
    login = LoginDialog(None, parent, username=username, opening=opening)
    code = login.exec()
    if code == OPEN_FAILED:
        raise opening.error
    if code == NEEDS_FIRST_ADMIN:
        return ask_sign_in(opening.db, parent)
    return login.actor if code == QDialog.Accepted else None


def ask_sign_in(db: "Database", parent: Optional[QWidget] = None) -> Optional["Actor"]:
    """First start creates the administrator; then the login dialog. None if cancelled.

    Connected as an account's own role, the server has signed the user in already; a one-time
    password is changed before anything else.
    """
    from taskboard.core import auth
    from taskboard.core.server_login import SignInRefused, account_of
    from taskboard.ui.session.first_admin_dialog import FirstAdminDialog

    try:
        account = db.account if db.account is not None else account_of(db)
    except SignInRefused as exc:
        QMessageBox.warning(parent, "登录", str(exc))
        return None
    if account is not None:
        db.account = account
        if account.must_change_password and not change_one_time_password(db, parent):
            return None
        return account.actor
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


def ask_server_sign_in(url: str, username: str = "",
                       parent: Optional[QWidget] = None) -> Optional["Database"]:
    """Sign in on a server where each account connects as its own role; the opened database
    (``db.account`` set), or None if cancelled."""
    login = LoginDialog(None, parent, username=username, server_url=url)
    if login.exec() != QDialog.Accepted:
        if login.db is not None:
            login.db.dispose()
        return None
    return login.db


def change_one_time_password(db: "Database", parent: Optional[QWidget] = None) -> bool:
    """The first sign-in with a one-time password: a new one, or no window at all."""
    from taskboard.ui.session.change_password_dialog import ChangePasswordDialog

    dialog = ChangePasswordDialog(None, parent, db=db, actor=db.account.actor, one_time=True)
    return dialog.exec() == QDialog.Accepted
