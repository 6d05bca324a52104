"""单位管理: add and edit units (name, kind, contacts, group robots), merge a unit into another
or retire it."""
from __future__ import annotations

import uuid
from typing import Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QHBoxLayout, QInputDialog, QLineEdit, QMessageBox,
    QPushButton, QTableView, QVBoxLayout, QWidget,
)

from taskboard.core.errors import ServiceError
from taskboard.core.services import robot_channels as channels
from taskboard.core.services import units as service
from taskboard.core.services.units import KIND_WORDS, UnitInput
from taskboard.notify import robot_secrets
from taskboard.ui.admin.robot_fields import RobotFields, robots_word
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, setup_table

COLUMNS = [
    Column("单位名称", lambda u: u.name, width=170),
    Column("类型", lambda u: u.kind_word, width=50),
    Column("联系人", lambda u: u.contact_person, width=80),
    Column("电话", lambda u: u.phone, width=110),
    Column("电子邮箱", lambda u: u.email, width=170),
    Column("未办结任务", lambda u: str(u.open_assignments), right=True, width=80),
    Column("状态", lambda u: "在用" if u.active else (f"已并入{u.merged_into}" if u.merged_into
                                                    else "已撤销"),
           color=lambda u: None if u.active else "#888", width=150),
]
NO_MERGE = "（不合并，直接撤销）"
FAILED = object()


class UnitManagerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("单位管理")
        self.robots: dict[int, list[channels.RobotRow]] = {}
        self._retired: list[Optional[str]] = []
        columns = list(COLUMNS)
        columns.insert(5, Column("群机器人", lambda u: robots_word(self.robots.get(u.unit_id, [])),
                                 width=120))
        self.model = RowTableModel(columns, self)
        self.table = QTableView()
        self.table.setObjectName("units")
        setup_table(self.table, self.model)
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        for k, w in KIND_WORDS.items():
            self.kind.addItem(w, k)
        self.contact = QLineEdit()
        self.contact.setObjectName("contact")
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.email = QLineEdit()
        self.email.setObjectName("email")
        form = QFormLayout()
        form.addRow("单位名称", self.name)
        form.addRow("类型", self.kind)
        form.addRow("联系人", self.contact)
        form.addRow("电话", self.phone)
        form.addRow("电子邮箱", self.email)
        self.robot_fields = RobotFields(self)
        self.robot_fields.clear_wecom.clicked.connect(lambda: self.clear_robot(channels.WECOM))
        self.robot_fields.clear_dingtalk.clicked.connect(
            lambda: self.clear_robot(channels.DINGTALK))
        self.robot_fields.add_to(form)
        self.add_button = QPushButton("新增单位")
        self.add_button.setObjectName("add")
        self.save_button = QPushButton("保存修改")
        self.save_button.setObjectName("save")
        self.retire_button = QPushButton("合并/撤销…")
        self.retire_button.setObjectName("retire")
        self.office_button = QPushButton("办公室群机器人…")
        self.office_button.setObjectName("officeRobot")
        self.office_button.clicked.connect(self.open_office_robot)
        done = QPushButton("关闭")
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.retire_button.clicked.connect(self.retire)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.retire_button, self.office_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())
        self.resize(1000, 720)
        self.reload()

    def reload(self, select_id: Optional[int] = None) -> None:
        rows = read(self.ctx, lambda s: service.list_units(s))
        self.robots = {}
        for r in read(self.ctx, lambda s: channels.list_robots(s)):
            self.robots.setdefault(r.unit_id, []).append(r)
        self.model.set_rows(rows)
        row = next((i for i, u in enumerate(rows) if u.unit_id == select_id), 0)
        if rows:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def _show(self) -> None:
        u = current_row(self.table)
        if u is None:
            return
        self.name.setText(u.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(u.kind)))
        self.contact.setText(u.contact_person)
        self.phone.setText(u.phone)
        self.email.setText(u.email)
        self.robot_fields.show_robots(self.robots.get(u.unit_id, []))
        self.retire_button.setEnabled(u.active)

    def _input(self) -> UnitInput:
        return UnitInput(self.name.text(), self.kind.currentData(), self.contact.text(),
                         self.phone.text(), self.email.text())

    def _run(self, work, title: str):
        self._retired = []
        try:
            return run_op(self, self.ctx, work, ("units", "tasks"), title=title)
        except OpFailed:
            return FAILED

    def _robots_planned(self, title: str):
        """Parse the robot inputs and keep their keys on this workstation before the database
        names them; None (after telling the user) when something is wrong."""
        try:
            planned = self.robot_fields.planned()
            out = []
            for kind, endpoint, token, secret in planned:
                ref = uuid.uuid4().hex
                robot_secrets.put(ref, token, secret)
                out.append((kind, endpoint, channels.token_hint(token), bool(secret), ref))
            return out
        except (ServiceError, robot_secrets.RobotKeyError) as exc:
            QMessageBox.warning(self, title, str(exc))
            return None

    def _set_robots(self, s, unit_id: Optional[int], planned) -> None:
        for kind, endpoint, hint, signed, ref in planned:
            self._retired.append(channels.active_ref(s, unit_id, kind))
            channels.set_robot(s, self.ctx.actor, unit_id, kind, endpoint=endpoint, hint=hint,
                               signed=signed, ref=ref)

    def _forget_retired(self) -> None:
        """Once the database no longer names them, the replaced robots' keys go too."""
        try:
            for ref in filter(None, self._retired):
                robot_secrets.forget(ref)
        except robot_secrets.RobotKeyError:
            pass  # stale keys are harmless; the next change tidies them
        self._retired = []

    def add(self) -> None:
        actor, data = self.ctx.actor, self._input()
        planned = self._robots_planned("新增单位失败")
        if planned is None:
            return

        def work(s):
            uid = service.add_unit(s, actor, data)
            self._set_robots(s, uid, planned)
            return uid

        uid = self._run(work, "新增单位失败")
        if uid is not FAILED:
            self._forget_retired()
            self.reload(uid)

    def save(self) -> None:
        u = current_row(self.table)
        if u is None:
            return
        actor, data = self.ctx.actor, self._input()
        planned = self._robots_planned("保存失败")
        if planned is None:
            return

        def work(s):
            service.update_unit(s, actor, u.unit_id, data)
            self._set_robots(s, u.unit_id, planned)

        if self._run(work, "保存失败") is not FAILED:
            self._forget_retired()
            self.reload(u.unit_id)

    def clear_robot(self, kind: str) -> None:
        u = current_row(self.table)
        if u is None:
            return
        actor = self.ctx.actor

        def work(s):
            self._retired.append(channels.active_ref(s, u.unit_id, kind))
            channels.remove_robot(s, actor, u.unit_id, kind)

        if self._run(work, "取消群机器人失败") is not FAILED:
            self._forget_retired()
            self.reload(u.unit_id)

    def open_office_robot(self):
        from taskboard.ui.admin.office_robot_dialog import OfficeRobotDialog

        self.office_dialog = OfficeRobotDialog(self.ctx, self)
        self.office_dialog.open()
        return self.office_dialog

    def choose_target(self, u) -> Optional[str]:
        """Ask which unit takes over; None = cancelled. Tests replace this."""
        others = [r.name for r in self.model.rows() if r.active and r.unit_id != u.unit_id]
        name, ok = QInputDialog.getItem(
            self, "合并/撤销单位",
            f"“{u.name}”撤销后，由哪个单位接续其 {u.open_assignments} 项未办结任务？",
            [NO_MERGE, *others], 0, False)
        return name if ok else None

    def retire(self) -> None:
        u = current_row(self.table)
        if u is None or not u.active:
            return
        choice = self.choose_target(u)
        if choice is None:
            return
        target = next((r.unit_id for r in self.model.rows() if r.name == choice), None)
        actor = self.ctx.actor
        moved = self._run(lambda s: service.retire_unit(s, actor, u.unit_id, target),
                          "合并/撤销失败")
        if moved is not FAILED:
            if target is not None:
                QMessageBox.information(self, "合并完成", f"已将 {moved} 项任务转由“{choice}”承担。")
            self.reload(u.unit_id)
