"""添加/编辑服务器: one remembered PostgreSQL server. There is no password field on purpose."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox,
    QVBoxLayout, QWidget,
)

from taskboard.core.connections import (
    DEFAULT_PORT, SSLMODES, ConnectionSetupError, ServerEntry, validate_server,
)


class ServerEditDialog(QDialog):
    """``entry`` holds the checked server after accept; ``others`` are the names in use."""

    def __init__(self, entry: Optional[ServerEntry] = None,
                 others: tuple[ServerEntry, ...] = (), parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.others = others
        self.entry: Optional[ServerEntry] = None
        self.setWindowTitle("编辑服务器" if entry else "添加服务器")
        self.setMinimumWidth(440)
        self.name = QLineEdit()
        self.name.setObjectName("serverName")
        self.name.setPlaceholderText("如 市政务服务局服务器")
        self.host = QLineEdit()
        self.host.setObjectName("serverHost")
        self.host.setPlaceholderText("主机名或 IP 地址，如 10.10.1.20")
        self.port = QSpinBox()
        self.port.setObjectName("serverPort")
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit("taskboard")
        self.database.setObjectName("serverDatabase")
        self.user = QLineEdit()
        self.user.setObjectName("serverUser")
        self.user.setPlaceholderText("留空：各账号以本人的用户名和密码登录")
        self.sslmode = QComboBox()
        self.sslmode.setObjectName("serverSslmode")
        for mode, label in SSLMODES.items():
            self.sslmode.addItem(label, mode)
        note = QLabel("用户名留空（推荐）：每个账号登录时输入本人的用户名和密码，由服务器核对，"
                      "各人只能做本角色允许的事。只有管理员升级或设置数据库时，才填写数据表所有者的"
                      "用户名。密码不在此保存：每次连接时输入。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        self.error = QLabel()
        self.error.setObjectName("serverError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("名称 *", self.name)
        form.addRow("服务器地址 *", self.host)
        form.addRow("端口", self.port)
        form.addRow("数据库 *", self.database)
        form.addRow("数据库用户名", self.user)
        form.addRow("SSL 模式", self.sslmode)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("确定")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if entry is not None:
            self.set_entry(entry)

    def set_entry(self, e: ServerEntry) -> None:
        self.name.setText(e.name)
        self.host.setText(e.host)
        self.port.setValue(e.port)
        self.database.setText(e.database)
        self.user.setText(e.user)
        self.sslmode.setCurrentIndex(max(0, self.sslmode.findData(e.sslmode)))

    def current(self) -> ServerEntry:
        return ServerEntry(name=self.name.text(), host=self.host.text(), port=self.port.value(),
                           database=self.database.text(), user=self.user.text(),
                           sslmode=self.sslmode.currentData())

    def _accept(self) -> None:
        try:
            self.entry = validate_server(self.current(), self.others)
        except ConnectionSetupError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
