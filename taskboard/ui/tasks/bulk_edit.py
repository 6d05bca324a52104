"""批量编辑: set the leader, deadline or lead unit of several tasks, or add a unit to all."""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QGridLayout, QLabel,
    QVBoxLayout, QWidget,
)
from sqlalchemy import select

from taskboard.core.models import Task, Unit
from taskboard.core.services.tasks import BulkChange, bulk_edit
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class BulkEditDialog(QDialog):
    def __init__(self, ctx: AppContext, task_ids: Sequence[int],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_ids = list(task_ids)
        self.setWindowTitle("批量编辑任务")

        def q(s):
            units = s.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                              .order_by(Unit.sort_order, Unit.id)).all()
            leaders = sorted(set(s.scalars(select(Task.leader).where(Task.leader != ""))))
            codes = s.scalars(select(Task.code).where(Task.id.in_(self.task_ids))
                              .order_by(Task.sort_key)).all()
            return units, leaders, codes

        units, leaders, codes = read(ctx, q)
        shown = "、".join(codes[:12]) + ("…" if len(codes) > 12 else "")
        intro = QLabel(f"已选 {len(codes)} 项任务：{shown}\n勾选要修改的内容，未勾选的保持不变。")
        intro.setWordWrap(True)

        self.set_leader = QCheckBox("分管领导")
        self.leader = QComboBox(editable=True)
        self.leader.setObjectName("leader")
        self.leader.addItems(leaders)
        self.leader.setCurrentText("")
        self.set_deadline = QCheckBox("完成时限")
        self.deadline = QDateEdit(calendarPopup=True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.deadline.setDate(QDate(today.year, 12, 31))
        self.ongoing = QCheckBox("长期")
        self.ongoing.toggled.connect(lambda on: self.deadline.setEnabled(not on))
        self.set_lead = QCheckBox("牵头单位")
        self.lead = QComboBox()
        self.lead.setObjectName("lead")
        self.set_add = QCheckBox("增加责任单位")
        self.add_unit = QComboBox()
        self.add_unit.setObjectName("addUnit")
        for uid, name in units:
            self.lead.addItem(name, uid)
            self.add_unit.addItem(name, uid)

        grid = QGridLayout()
        grid.addWidget(self.set_leader, 0, 0)
        grid.addWidget(self.leader, 0, 1, 1, 2)
        grid.addWidget(self.set_deadline, 1, 0)
        grid.addWidget(self.deadline, 1, 1)
        grid.addWidget(self.ongoing, 1, 2)
        grid.addWidget(self.set_lead, 2, 0)
        grid.addWidget(self.lead, 2, 1, 1, 2)
        grid.addWidget(self.set_add, 3, 0)
        grid.addWidget(self.add_unit, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        # Editing a value ticks its box: the user means to change it.
        self.leader.editTextChanged.connect(lambda *_: self.set_leader.setChecked(True))
        self.deadline.dateChanged.connect(lambda *_: self.set_deadline.setChecked(True))
        self.ongoing.toggled.connect(lambda *_: self.set_deadline.setChecked(True))
        self.lead.activated.connect(lambda *_: self.set_lead.setChecked(True))
        self.add_unit.activated.connect(lambda *_: self.set_add.setChecked(True))

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.apply_button = buttons.button(QDialogButtonBox.Ok)
        self.apply_button.setText("应用到所选任务")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(buttons)
        self.resize(520, 260)

    def change(self) -> BulkChange:
        qd = self.deadline.date()
        deadline = None if self.ongoing.isChecked() else dt.date(qd.year(), qd.month(), qd.day())
        return BulkChange(
            leader=self.leader.currentText() if self.set_leader.isChecked() else None,
            set_deadline=self.set_deadline.isChecked(), deadline=deadline,
            deadline_note="长期坚持" if deadline is None else "",
            lead_unit_id=self.lead.currentData() if self.set_lead.isChecked() else None,
            add_unit_ids=(self.add_unit.currentData(),) if self.set_add.isChecked() else ())

    def apply(self) -> None:
        change, actor, ids = self.change(), self.ctx.actor, self.task_ids
        try:
            run_op(self, self.ctx, lambda s: bulk_edit(s, actor, ids, change), ("tasks",),
                   title="批量编辑失败")
        except OpFailed:
            return
        self.accept()
