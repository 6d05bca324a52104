"""单位管理: add and edit units (name, kind, contacts), merge a unit into another or retire it."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QHBoxLayout, QInputDialog, QLineEdit, QMessageBox,
    QPushButton, QTableView, QVBoxLayout, QWidget,
)

from taskboard.core.services import units as service
from taskboard.core.services.units import KIND_WORDS, UnitInput
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
        self.model = RowTableModel(COLUMNS, self)
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
        self.add_button = QPushButton("新增单位")
        self.add_button.setObjectName("add")
        self.save_button = QPushButton("保存修改")
        self.save_button.setObjectName("save")
        self.retire_button = QPushButton("合并/撤销…")
        self.retire_button.setObjectName("retire")
        done = QPushButton("关闭")
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.retire_button.clicked.connect(self.retire)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.retire_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())
        self.resize(900, 600)
        self.reload()

    def reload(self, select_id: Optional[int] = None) -> None:
        rows = read(self.ctx, lambda s: service.list_units(s))
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
        self.retire_button.setEnabled(u.active)

    def _input(self) -> UnitInput:
        return UnitInput(self.name.text(), self.kind.currentData(), self.contact.text(),
                         self.phone.text(), self.email.text())

    def _run(self, work, title: str):
        try:
            return run_op(self, self.ctx, work, ("units", "tasks"), title=title)
        except OpFailed:
            return FAILED

    def add(self) -> None:
        actor, data = self.ctx.actor, self._input()
        uid = self._run(lambda s: service.add_unit(s, actor, data), "新增单位失败")
        if uid is not FAILED:
            self.reload(uid)

    def save(self) -> None:
        u = current_row(self.table)
        if u is None:
            return
        actor, data = self.ctx.actor, self._input()
        if self._run(lambda s: service.update_unit(s, actor, u.unit_id, data), "保存失败") is not FAILED:
            self.reload(u.unit_id)

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
