"""文件 → 连接其他数据库…, the dialog before sign-in (``taskboard --connect``), and a word in
the status bar when a lost connection comes back."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from taskboard.core import connections
from taskboard.core.db import ENV_DB, Database, resolve_url
from taskboard.ui.session.connection_dialog import ConnectionDialog

RESTORED = "数据库连接已恢复。断开期间未能保存的修改仍留在原来的窗口里，请再提交一次。"


def launch_child(url: str, password: Optional[str]) -> subprocess.Popen:
    """Start taskboard on ``url``; the password goes only into the child's environment."""
    kwargs: dict = {}
    if os.name == "nt":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True  # closing this window must not take the child along
    return subprocess.Popen(connections.child_command(url),
                            env=connections.child_environment(password), **kwargs)


def connect_at_start(url_arg: Optional[str] = None,
                     store_path: Optional[Path] = None) -> Optional[Database]:
    """The dialog shown before sign-in; the opened database, or None when cancelled.

    It starts on the database named by --db or TASKBOARD_DB, else on the one used last.
    """
    named = url_arg or os.environ.get(ENV_DB)
    dialog = ConnectionDialog(None, store_path=store_path,
                              current_url=resolve_url(named) if named else None)
    if dialog.exec() != QDialog.Accepted:
        return None
    if dialog.database is None and dialog.url:
        from taskboard.ui.session.login_dialog import ask_server_sign_in

        return ask_server_sign_in(dialog.url)
    return dialog.database


def open_other(window, store_path: Optional[Path] = None) -> Optional[str]:
    """Choose a database and open it in a new taskboard; returns its URL (no password)."""
    current = connections.public_url(window.ctx.db.url)
    dialog = ConnectionDialog(window, store_path=store_path, current_url=current)
    if dialog.exec() != QDialog.Accepted or dialog.url is None:
        return None
    # The dialog opened it to prove the password and upgrade the schema; the new process
    # opens its own connection (and signs in there when each account brings its own role).
    if dialog.database is not None:
        dialog.database.dispose()
    if connections.same_database(dialog.url, current):
        QMessageBox.information(window, "连接其他数据库", "当前窗口已经连接到这个数据库。")
        return None
    try:
        launch_child(dialog.url, dialog.password)
    except OSError as exc:
        QMessageBox.warning(window, "连接其他数据库", f"无法启动新的程序窗口：{exc}")
        return None
    if QMessageBox.question(window, "连接其他数据库",
                            "已在新窗口中打开所选数据库（登录后即可使用）。\n是否关闭当前窗口？") \
            == QMessageBox.Yes:
        window.close()
    return dialog.url


def _quit_action(menu) -> Optional[QAction]:
    return next((a for a in menu.actions() if a.text() == "退出"), None)


def install(window) -> None:
    action = QAction("连接其他数据库…", window)
    action.setObjectName("connectOtherAction")
    action.triggered.connect(lambda: open_other(window))
    menu = window.menus["file"]
    before = _quit_action(menu)
    menu.insertAction(before, action)
    if before is not None:
        menu.insertSeparator(before)
    window.connect_other_action = action

    poller = getattr(window, "change_poller", None)
    if poller is not None:
        def changed(connected: bool) -> None:
            if connected:
                window.statusBar().showMessage(RESTORED, 20_000)
        poller.connectionChanged.connect(changed)
        # A failed save shows the banner at once instead of at the next poll; queued, so the
        # poll runs after the failure message is up rather than delaying it.
        window.ctx.changes.trouble.connect(lambda _msg: QTimer.singleShot(0, poller, poller.poll))
