"""连接数据库: this computer's SQLite file or a shared PostgreSQL server from a remembered list.

The password is typed for every connection and kept only in memory; the list of servers lives
in the user's config directory without it (core/connections.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QRadioButton,
    QVBoxLayout, QWidget,
)
from sqlalchemy.engine import make_url

from taskboard.core import connections as conn
from taskboard.core.connections import ConnectionCheck, ConnectionSetupError, ServerEntry
from taskboard.core.db import Database
from taskboard.ui.session.server_edit_dialog import ServerEditDialog

SQLITE_FILTER = "taskboard 数据库 (*.sqlite *.db);;所有文件 (*)"
OK_STYLE = "color: #1b5e20;"
ERROR_STYLE = "color: #b00020;"


OWN_ROLE_NOTE = "这个服务器由各账号以本人的用户名和密码登录：点“连接”后，在登录窗口中输入。"


class ConnectionDialog(QDialog):
    """After accept, ``database`` is the opened (and upgraded) database, ``url`` its address
    without the password and ``password`` what the user typed (None for a SQLite file).
    A server without database user is not opened here (``database`` None): the sign-in that
    follows connects as the account's own role."""

    def __init__(self, parent: Optional[QWidget] = None, *,
                 store_path: Optional[Path] = None, current_url: Optional[str] = None) -> None:
        super().__init__(parent)
        self.store_path = Path(store_path or conn.default_store_path())
        self.database: Optional[Database] = None
        self.url: Optional[str] = None
        self.password: Optional[str] = None
        self._broken_store = False
        self.setWindowTitle("连接数据库 · 挂图作战任务调度平台")
        self.setMinimumWidth(600)

        self.local = QRadioButton("本机数据库（只在这台电脑上使用）")
        self.local.setObjectName("localChoice")
        self.server = QRadioButton("PostgreSQL 服务器（多台电脑共用）")
        self.server.setObjectName("serverChoice")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)

        self.path = QLineEdit(str(conn.default_sqlite_path()))
        self.path.setObjectName("sqlitePath")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        default = QPushButton("默认文件")
        default.setToolTip("本程序在这台电脑上的默认数据库文件")
        default.clicked.connect(self._default_file)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        path_row.addWidget(default)
        self.local_box = QGroupBox()
        self.local_box.setFlat(True)
        QVBoxLayout(self.local_box).addLayout(path_row)

        self.servers = QListWidget()
        self.servers.setObjectName("serverList")
        self.servers.setMinimumHeight(110)
        self.add_button = QPushButton("添加…")
        self.edit_button = QPushButton("编辑…")
        self.remove_button = QPushButton("删除")
        self.add_button.clicked.connect(self.add_server)
        self.edit_button.clicked.connect(self.edit_server)
        self.remove_button.clicked.connect(self.remove_server)
        self.servers.itemDoubleClicked.connect(lambda _item: self.edit_server())
        side = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            side.addWidget(b)
        side.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.servers, 1)
        list_row.addLayout(side)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.Password)
        self.password_edit.setPlaceholderText("每次连接时输入，不会保存")
        pw_form = QFormLayout()
        pw_form.addRow("密码", self.password_edit)
        self.server_box = QGroupBox()
        self.server_box.setFlat(True)
        server_layout = QVBoxLayout(self.server_box)
        server_layout.addLayout(list_row)
        server_layout.addLayout(pw_form)

        self.test_button = QPushButton("测试连接")
        self.test_button.setObjectName("testButton")
        self.test_button.clicked.connect(self.test_connection)
        self.status = QLabel()
        self.status.setObjectName("connectionStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 4)
        self.status.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignTop)
        test_row.addWidget(self.status, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.connect_button = buttons.button(QDialogButtonBox.Ok)
        self.connect_button.setText("连接")
        self.connect_button.setObjectName("connectButton")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.connect_database)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(self.local_box)
        layout.addWidget(self.server)
        layout.addWidget(self.server_box)
        layout.addLayout(test_row)
        layout.addWidget(buttons)

        self.local.toggled.connect(self._mode_changed)
        self.servers.currentRowChanged.connect(lambda _row: self._clear_status())
        # Both halves stay usable; touching one of them chooses it.
        self.servers.itemPressed.connect(lambda _item: self.server.setChecked(True))
        self.password_edit.textEdited.connect(lambda _text: self.server.setChecked(True))
        self.path.textEdited.connect(lambda _text: self.local.setChecked(True))
        self.path.textEdited.connect(lambda _text: self._clear_status())
        self._load(current_url)

    # --- the remembered list ------------------------------------------------------------------
    def _load(self, current_url: Optional[str]) -> None:
        try:
            self.store = conn.load_store(self.store_path)
        except ConnectionSetupError as exc:
            self.store = conn.ServerStore()
            self._broken_store = True
            self._show(ConnectionCheck(False, f"{exc}\n保存时旧文件将改名为 {self.store_path.name}.bad。"))
        self._fill_servers()
        chosen = self._choice_of(current_url) if current_url else self.store.last
        if chosen and chosen.get("kind") == "server" and self.store.find(chosen.get("name", "")):
            self.server.setChecked(True)
            self._select(chosen["name"])
        else:
            if chosen and chosen.get("kind") == "sqlite" and chosen.get("path"):
                self.path.setText(str(chosen["path"]))
            self.local.setChecked(True)
        self._mode_changed()

    def _choice_of(self, url: str) -> Optional[dict]:
        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            return {"kind": "sqlite", "path": u.database or ""}
        for s in self.store.servers:
            if (s.host, s.port, s.database, s.user) == \
                    (u.host, u.port or conn.DEFAULT_PORT, u.database, u.username or ""):
                return {"kind": "server", "name": s.name}
        return None

    def _fill_servers(self, select: Optional[str] = None) -> None:
        self.servers.clear()
        for s in self.store.servers:
            item = QListWidgetItem(s.label)
            item.setData(Qt.UserRole, s.name)
            self.servers.addItem(item)
        if select:
            self._select(select)
        elif self.servers.count():
            self.servers.setCurrentRow(0)
        self._enable()

    def _select(self, name: str) -> None:
        for i in range(self.servers.count()):
            if self.servers.item(i).data(Qt.UserRole) == name:
                self.servers.setCurrentRow(i)

    def selected_server(self) -> Optional[ServerEntry]:
        item = self.servers.currentItem()
        return self.store.find(item.data(Qt.UserRole)) if item is not None else None

    def _save_store(self) -> bool:
        try:
            if self._broken_store:
                conn.set_aside(self.store_path)
                self._broken_store = False
            conn.save_store(self.store, self.store_path)
        except (ConnectionSetupError, OSError) as exc:
            QMessageBox.warning(self, "无法保存服务器列表", str(exc))
            return False
        return True

    def add_server(self) -> None:
        dialog = ServerEditDialog(None, tuple(self.store.servers), self)
        if dialog.exec() == QDialog.Accepted and dialog.entry is not None:
            self.store.servers.append(dialog.entry)
            self._save_store()
            self._fill_servers(dialog.entry.name)
            self.server.setChecked(True)

    def edit_server(self) -> None:
        entry = self.selected_server()
        if entry is None:
            return
        others = tuple(s for s in self.store.servers if s.name != entry.name)
        dialog = ServerEditDialog(entry, others, self)
        if dialog.exec() == QDialog.Accepted and dialog.entry is not None:
            i = self.store.servers.index(entry)
            self.store.servers[i] = dialog.entry
            if self.store.last == {"kind": "server", "name": entry.name}:
                self.store.last = {"kind": "server", "name": dialog.entry.name}
            self._save_store()
            self._fill_servers(dialog.entry.name)

    def remove_server(self) -> None:
        entry = self.selected_server()
        if entry is None or QMessageBox.question(
                self, "删除服务器", f"从列表中删除“{entry.name}”？\n服务器上的数据不受影响。") \
                != QMessageBox.Yes:
            return
        self.store.servers.remove(entry)
        if self.store.last == {"kind": "server", "name": entry.name}:
            self.store.last = None
        self._save_store()
        self._fill_servers()

    # --- modes and messages -------------------------------------------------------------------
    def _mode_changed(self, *_args) -> None:
        self._enable()
        self._clear_status()

    def _enable(self) -> None:
        has = self.servers.currentItem() is not None
        entry = self.selected_server()
        own = entry is not None and not entry.user
        # Without a database user each account types its own name and password at sign-in.
        self.password_edit.setEnabled(not own)
        self.password_edit.setPlaceholderText(
            "登录时输入本人的用户名和密码" if own else "每次连接时输入，不会保存")
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.test_button.setEnabled(self.local.isChecked() or has)
        self.connect_button.setEnabled(self.local.isChecked() or has)

    def _clear_status(self) -> None:
        if not self._broken_store:
            self.status.clear()
        self._enable()

    def _show(self, check: ConnectionCheck) -> None:
        self.status.setStyleSheet(OK_STYLE if check.ok else ERROR_STYLE)
        self.status.setText(check.message)
        # A long server message wraps onto more lines: grow rather than clip it.
        self.layout().activate()
        wanted = self.sizeHint().height()
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _default_file(self) -> None:
        self.path.setText(str(conn.default_sqlite_path()))
        self.local.setChecked(True)
        self._clear_status()

    def _browse(self) -> None:
        start = str(Path(self.path.text()).expanduser().parent)
        path, _ = QFileDialog.getSaveFileName(
            self, "选择或新建数据库文件", start, SQLITE_FILTER,
            options=QFileDialog.DontConfirmOverwrite)
        if path:
            self.path.setText(path)
            self.local.setChecked(True)
            self._clear_status()

    # --- testing and connecting ----------------------------------------------------------------
    def _check(self) -> ConnectionCheck:
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            if self.local.isChecked():
                if not self.path.text().strip():
                    return ConnectionCheck(False, "请填写或选择数据库文件。")
                return conn.check_sqlite(Path(self.path.text().strip()))
            entry = self.selected_server()
            if entry is None:
                return ConnectionCheck(False, "请先在列表中选择服务器，或点“添加…”。")
            if not entry.user:
                return ConnectionCheck(True, OWN_ROLE_NOTE)
            return conn.check_server(entry, self.password_edit.text())
        finally:
            QGuiApplication.restoreOverrideCursor()

    def test_connection(self) -> ConnectionCheck:
        check = self._check()
        self._show(check)
        return check

    def connect_database(self) -> None:
        """Open (creating or upgrading the schema) and accept; on failure stay and say why."""
        check = self.test_connection()
        if not check.ok:
            return
        if self.local.isChecked():
            path = Path(self.path.text().strip()).expanduser().resolve()
            full = conn.sqlite_url(path)
            password, last = None, {"kind": "sqlite", "path": str(path)}
        else:
            entry = self.selected_server()
            password = self.password_edit.text() or None
            full = conn.server_url(entry, password)
            last = {"kind": "server", "name": entry.name}
            if not entry.user:  # opened by the sign-in that follows, as the account's own role
                self.url, self.password = conn.public_url(full), None
                self.store.last = last
                self._save_store()
                self.accept()
                return
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            self.database = Database(conn.url_text(full))
        except Exception as exc:  # shown, never swallowed: the dialog stays open
            message = conn.explain_error(exc, entry) if self.server.isChecked() else \
                f"无法打开数据库：{exc}"
            self._show(ConnectionCheck(False, message))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.url = conn.public_url(full)
        self.password = password
        self.store.last = last
        self._save_store()
        self.accept()
