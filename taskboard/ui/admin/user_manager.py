"""用户管理: the administrator's list of accounts with create, edit, reset and unlock."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QInputDialog, QLineEdit,
    QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from taskboard.core.models import local_now
from taskboard.core.services import users
from taskboard.core.services.users import UserRow
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, run_op
from taskboard.ui.common.plain_table_model import PlainTableModel

COL_USERNAME, COL_NAME, COL_ROLE, COL_UNIT, COL_STATE = range(5)
HEADERS = ("用户名", "显示名称", "角色", "所属单位", "状态")


def state_word(r: UserRow) -> str:
    if not r.active:
        return "已停用"
    if r.locked(local_now()):
        return "已锁定"
    if not r.has_password:
        return "未设密码"
    return "正常"


class UserTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index, role=Qt.DisplayRole) -> Any:
        r = self.row_of(index)
        if r is None:
            return None
        if role == Qt.DisplayRole:
            return (r.username, r.display_name, r.role_word, r.unit_name,
                    state_word(r))[index.column()]
        return None


class UserManagerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("用户管理")
        self.resize(820, 520)
        self.model = UserTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(COL_UNIT, QHeaderView.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        buttons = QHBoxLayout()
        self.buttons = {}
        for key, text, slot in (("new", "新建…", self.create), ("edit", "编辑…", self.edit),
                                ("reset", "重置密码…", self.reset_password),
                                ("unlock", "解锁", self.unlock),
                                ("toggle", "停用/启用", self.toggle_active)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.buttons[key] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        ctx.changes.changed.connect(self._on_changed)
        self.reload()

    def _on_changed(self, what) -> None:
        if "users" in what or "remote" in what:
            self.reload()

    def reload(self) -> None:
        keep = self.current()
        try:
            rows = run_op(self, self.ctx, lambda s: users.list_users(s, self.ctx.actor),
                          title="无法读取用户")
        except OpFailed:
            return
        self.model.set_rows(rows)
        if keep is not None:
            self.select(keep.id)

    def current(self) -> Optional[UserRow]:
        idx = self.table.currentIndex()
        return self.model.rows()[idx.row()] if idx.isValid() else None

    def select(self, user_id: int) -> None:
        for i, r in enumerate(self.model.rows()):
            if r.id == user_id:
                self.table.selectRow(i)
                return

    def _need(self) -> Optional[UserRow]:
        row = self.current()
        if row is None:
            QMessageBox.information(self, "用户管理", "请先选择一个用户。")
        return row

    def create(self) -> None:
        from taskboard.ui.admin.user_edit_dialog import UserEditDialog

        d = UserEditDialog(self.ctx, None, self)
        if d.exec() and d.user_id is not None:
            self.select(d.user_id)

    def edit(self) -> None:
        from taskboard.ui.admin.user_edit_dialog import UserEditDialog

        row = self._need()
        if row is not None:
            UserEditDialog(self.ctx, row, self).exec()

    def _op(self, work, title: str) -> bool:
        try:
            run_op(self, self.ctx, work, ("users",), title=title)
        except OpFailed:
            return False
        return True

    def reset_password(self, password: Optional[str] = None) -> bool:
        row = self._need()
        if row is None:
            return False
        if password is None:
            password, ok = QInputDialog.getText(
                self, "重置密码", f"为 {row.display_name}（{row.username}）设置新密码：",
                QLineEdit.Password)
            if not ok:
                return False
        return self._op(lambda s: users.reset_password(s, self.ctx.actor, row.id, password),
                        "重置密码失败")

    def unlock(self) -> bool:
        row = self._need()
        return row is not None and self._op(
            lambda s: users.unlock(s, self.ctx.actor, row.id), "解锁失败")

    def toggle_active(self) -> bool:
        row = self._need()
        return row is not None and self._op(
            lambda s: users.set_active(s, self.ctx.actor, row.id, not row.active), "操作失败")
