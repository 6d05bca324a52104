"""Sign-in related actions in the main window: password, idle lock, users, audit trail,
backups, and the connection banner with polling for other workstations' edits."""
from __future__ import annotations

import time
from typing import Optional

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QMessageBox, QVBoxLayout, QWidget,
)
from sqlalchemy.exc import DBAPIError

from taskboard.core import backup
from taskboard.core.actor import account_change
from taskboard.core.models import User
from taskboard.core.permissions import allowed
from taskboard.core.settings import load_settings
from taskboard.ui.session.connection_banner import EVERYTHING, ChangePoller, ConnectionBanner
from taskboard.ui.common.ops import read

_ACTIVITY = {QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.Wheel}


class IdleLock(QObject):
    """Locks the window after ``minutes`` without keyboard or mouse input."""

    def __init__(self, window, minutes: int, check_ms: int = 30_000) -> None:
        super().__init__(window)
        self.window = window
        self.minutes = minutes
        self.last_input = time.monotonic()
        self.dialog = None
        QApplication.instance().installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in _ACTIVITY:
            self.last_input = time.monotonic()
        return False

    def check(self) -> None:
        if self.minutes > 0 and self.dialog is None and \
                time.monotonic() - self.last_input >= self.minutes * 60:
            self.lock()

    def lock(self, reason: str = "") -> None:
        from taskboard.ui.session.login_dialog import LoginDialog

        if self.dialog is not None:
            return
        central = self.window.centralWidget()
        central.setVisible(False)  # nothing readable behind the lock
        self.dialog = LoginDialog(self.window.ctx.db, self.window,
                                  locked_user=self.window.ctx.actor, reason=reason)
        self.dialog.setModal(True)
        self.dialog.accepted.connect(self._unlocked)
        self.dialog.rejected.connect(self.window.close)
        self.dialog.show()

    def _unlocked(self) -> None:
        if self.dialog.actor is not None and self.dialog.actor != self.window.ctx.actor:
            # Signed in again after an administrator changed the account: from now on the
            # services judge every action by the account as it is now.
            self.window.ctx.actor = self.dialog.actor
        self.window.centralWidget().setVisible(True)
        self.dialog.deleteLater()
        self.dialog = None
        self.last_input = time.monotonic()


class AccountWatch(QObject):
    """Re-reads the signed-in account on every change news; a deactivated or demoted account
    locks the window at once and says why (its next write would be refused anyway)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.reason = ""
        window.ctx.changes.changed.connect(self.check)
        window.ctx.changes.accountChanged.connect(self.lock)

    def check(self, _what=None) -> None:
        ctx = self.window.ctx
        try:
            why = read(ctx, lambda s: account_change(s, ctx.actor))
        except DBAPIError:  # the banner says the connection is gone; check again later
            return
        if why:
            self.lock(f"{why}。")

    def lock(self, why: str) -> None:
        lock = getattr(self.window, "idle_lock", None)
        if lock is None:  # no idle lock on a window without password: make one, never idle
            lock = self.window.idle_lock = IdleLock(self.window, 0)
        if lock.dialog is not None:
            return
        self.reason = why.rstrip("。")
        lock.lock(reason=f"{self.reason}。窗口已锁定：请重新登录，按新的权限继续工作；"
                         "账号已停用时请联系管理员。")


def _has_password(window) -> bool:
    if window.ctx.actor.user_id is None:  # a database without accounts, rendered headless
        return False
    if window.ctx.db.account is not None:  # the server holds the password, not the program
        return True

    def work(s):
        user = s.get(User, window.ctx.actor.user_id)
        return bool(user is not None and user.password_hash)
    return read(window.ctx, work)


def _wrap_central(window, banner: QWidget) -> None:
    # The banner sits above the tabs; takeCentralWidget keeps the tabs alive.
    tabs = window.takeCentralWidget()
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(banner)
    layout.addWidget(tabs)
    window.setCentralWidget(box)
    tabs.show()


def install(window) -> None:
    ctx = window.ctx
    actor = ctx.actor

    banner = ConnectionBanner()
    _wrap_central(window, banner)
    window.connection_banner = banner
    poller = ChangePoller(ctx, banner, window)
    window.change_poller = poller

    def restamp(_what) -> None:
        # Our own writes need no second reload when the poller sees them.
        if not poller.announcing:
            try:
                poller.watcher.poll()
            except Exception:  # the poller itself reports a lost connection
                pass
    ctx.changes.changed.connect(restamp)
    poller.start()

    window.account_watch = AccountWatch(window)
    if _has_password(window):
        change = QAction("修改密码…", window)
        change.triggered.connect(lambda: _change_password(window))
        lock = QAction("锁定窗口", window, shortcut=QKeySequence("Ctrl+L"))
        with_settings = read(ctx, load_settings)
        window.idle_lock = IdleLock(window, with_settings.idle_lock_minutes)
        lock.triggered.connect(window.idle_lock.lock)
        first = window.menus["file"].actions()[0] if window.menus["file"].actions() else None
        window.menus["file"].insertAction(first, change)
        window.menus["file"].insertAction(first, lock)
        if first is not None:
            window.menus["file"].insertSeparator(first)

    admin_menu = window.menus["admin"]
    if allowed(actor, "user.manage"):
        users = QAction("用户管理…", window)
        users.triggered.connect(lambda: _open_users(window))
        admin_menu.addAction(users)
    if allowed(actor, "audit.view"):
        log = QAction("操作日志…", window)
        log.triggered.connect(lambda: _open_audit(window))
        admin_menu.addAction(log)
    if allowed(actor, "backup") and ctx.db.sqlite_path is not None:
        admin_menu.addSeparator()
        now = QAction("立即备份数据库", window)
        now.triggered.connect(lambda: backup_now(window))
        admin_menu.addAction(now)
        back = QAction("从备份恢复…", window)
        back.triggered.connect(lambda: restore_from(window))
        admin_menu.addAction(back)
    if ctx.db.sqlite_path is not None:
        # A window left open for days still gets its daily copy.
        daily = QTimer(window)
        daily.setInterval(3600_000)
        daily.timeout.connect(lambda: _daily(window))
        daily.start()
        window.daily_backup_timer = daily


def _change_password(window) -> None:
    from taskboard.ui.session.change_password_dialog import ChangePasswordDialog

    d = ChangePasswordDialog(window.ctx, window)
    if d.exec():
        QMessageBox.information(window, "修改密码", "密码已修改，下次登录请使用新密码。")


def _open_users(window) -> None:
    from taskboard.ui.admin.user_manager import UserManagerDialog

    UserManagerDialog(window.ctx, window).exec()


def _open_audit(window) -> None:
    from taskboard.ui.admin.audit_viewer import AuditViewerDialog

    AuditViewerDialog(window.ctx, window).exec()


def _keep_days(window) -> int:
    return read(window.ctx, load_settings).backup_keep_days


def _daily(window) -> None:
    try:
        backup.daily_backup(window.ctx.db.sqlite_path, _keep_days(window))
    except (backup.BackupError, OSError) as exc:
        window.statusBar().showMessage(f"自动备份失败：{exc}", 15_000)


def backup_now(window) -> Optional[str]:
    try:
        made = backup.backup(window.ctx.db.sqlite_path)
        backup.prune(made.parent, _keep_days(window))
    except backup.BackupError as exc:
        QMessageBox.warning(window, "备份失败", str(exc))
        return None
    QMessageBox.information(window, "备份完成", f"已备份到：\n{made}")
    return str(made)


def restore_from(window, path: Optional[str] = None) -> bool:
    from taskboard.core.migrate import known_revisions

    ctx = window.ctx
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            window, "选择备份文件", str(backup.backup_dir_for(ctx.db.sqlite_path)),
            "taskboard 数据库 (*.sqlite)")
        if not path:
            return False
        if QMessageBox.question(window, "从备份恢复",
                                "恢复会用备份覆盖当前全部数据（当前数据会先另存一份）。继续？"
                                ) != QMessageBox.Yes:
            return False
    ctx.db.dispose()  # no pooled connection may hold the old pages
    try:
        safety = backup.restore(path, ctx.db.sqlite_path, known_revisions=known_revisions())
    except backup.BackupError as exc:
        QMessageBox.warning(window, "恢复失败", str(exc))
        return False
    ctx.changes.announce(*EVERYTHING)
    QMessageBox.information(window, "恢复完成",
                            f"已从备份恢复。恢复前的数据已另存为：\n{safety}")
    return True
