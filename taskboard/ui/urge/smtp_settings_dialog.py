"""邮件服务器设置: server, port, SSL/STARTTLS, account in the database; password kept locally."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox,
    QSpinBox, QVBoxLayout, QWidget,
)

from taskboard.core.services import urge_settings
from taskboard.core.settings import load_settings
from taskboard.notify import email
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class SmtpSettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("邮件服务器设置")
        st = read(ctx, load_settings)
        self.host = QLineEdit(st.smtp_host)
        self.host.setObjectName("host")
        self.host.setPlaceholderText("如：smtp.example.gov.cn")
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(st.smtp_port)
        self.security = QComboBox()
        self.security.setObjectName("security")
        for key, word in email.SECURITY.items():
            self.security.addItem(word, key)
        self.security.setCurrentIndex(max(0, self.security.findData(st.smtp_security)))
        self.security.currentIndexChanged.connect(self._security_changed)
        self.account = QLineEdit(st.smtp_account)
        self.account.setObjectName("account")
        self.sender = QLineEdit(st.smtp_sender)
        self.sender.setObjectName("sender")
        self.sender.setPlaceholderText("留空则与账号相同")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("已保存，不修改请留空" if email.load_password()
                                         else "邮箱密码或授权码")
        note = QLabel(f"密码不写入数据库：只保存在本机当前用户的配置文件（{email.password_file()}，"
                      f"仅本人可读），也可用环境变量 {email.ENV_PASSWORD} 提供。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#555")

        form = QFormLayout()
        form.addRow("服务器地址：", self.host)
        form.addRow("加密方式：", self.security)
        form.addRow("端口：", self.port)
        form.addRow("发件账号：", self.account)
        form.addRow("发件人邮箱：", self.sender)
        form.addRow("密码：", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, 0)

    def _security_changed(self) -> None:
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[self.security.currentData()])

    def save(self) -> bool:
        values = dict(host=self.host.text(), port=self.port.value(),
                      security=self.security.currentData(), account=self.account.text(),
                      sender=self.sender.text())
        try:
            run_op(self, self.ctx, lambda s: urge_settings.save_smtp(s, self.ctx.actor, **values),
                   ("settings",), title="无法保存邮件设置")
        except OpFailed:
            return False
        if self.password.text():
            try:
                email.save_password(self.password.text())
            except OSError as exc:
                QMessageBox.warning(self, "密码未保存", f"无法写入本机配置文件：{exc}")
                return False
        self.accept()
        return True
