"""新建/编辑用户: one account's role, unit and leader scope."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
    QVBoxLayout, QWidget,
)
from sqlalchemy import select

from taskboard.core.models import ROLES, Unit
from taskboard.core.services import users
from taskboard.core.services.users import ROLE_WORDS, UserInput, UserRow
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class UserEditDialog(QDialog):
    def __init__(self, ctx: AppContext, row: Optional[UserRow] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx, self.row = ctx, row
        self.user_id: Optional[int] = row.id if row else None
        self.setWindowTitle("编辑用户" if row else "新建用户")
        self.setMinimumWidth(440)
        self.username = QLineEdit(row.username if row else "")
        self.display_name = QLineEdit(row.display_name if row else "")
        self.display_name.setPlaceholderText("如“综合科”“副市长（分管政务服务）”")
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(ROLE_WORDS[role], role)
        self.unit = QComboBox()
        self.unit.addItem("（不绑定单位）", None)
        for uid, name in read(ctx, lambda s: s.execute(
                select(Unit.id, Unit.name).where(Unit.active.is_(True))
                .order_by(Unit.sort_order, Unit.id)).all()):
            self.unit.addItem(name, uid)
        self.leader_name = QLineEdit(row.leader_name if row else "")
        self.leader_name.setPlaceholderText("与任务“分管领导”一栏一致")
        self.limit = QCheckBox("只看本人分管的任务")
        self.active = QCheckBox("启用")
        self.active.setChecked(row.active if row else True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("初始密码（也可稍后重置）")
        if row:
            self.role.setCurrentIndex(max(0, self.role.findData(row.role)))
            self.unit.setCurrentIndex(max(0, self.unit.findData(row.unit_id)))
            self.limit.setChecked(row.limit_to_own_tasks)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("显示名称", self.display_name)
        form.addRow("角色", self.role)
        form.addRow("所属单位", self.unit)
        form.addRow("分管领导称谓", self.leader_name)
        form.addRow("", self.limit)
        form.addRow("", self.active)
        if row is None:
            form.addRow("初始密码", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def _role_changed(self) -> None:
        role = self.role.currentData()
        self.unit.setEnabled(role == "reporter")
        self.leader_name.setEnabled(role == "leader")
        self.limit.setEnabled(role == "leader")

    def data(self) -> UserInput:
        return UserInput(self.username.text(), self.display_name.text(),
                         self.role.currentData(), self.unit.currentData(),
                         self.leader_name.text(), self.limit.isChecked(),
                         self.active.isChecked())

    def save(self) -> None:
        data, actor = self.data(), self.ctx.actor
        password = self.password.text() if self.row is None else ""

        def work(s):
            if self.user_id is None:
                return users.create_user(s, actor, data, password or None)
            users.update_user(s, actor, self.user_id, data)
            return self.user_id
        try:
            self.user_id = run_op(self, self.ctx, work, ("users",), quiet=True)
        except OpFailed as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()



