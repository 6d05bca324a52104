"""专项工作管理: add, edit and archive campaigns."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox, QDateEdit, QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPlainTextEdit,
    QPushButton, QTableView, QVBoxLayout, QWidget,
)

from taskboard.core.services import campaigns as service
from taskboard.core.services.campaigns import CampaignInput
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, setup_table

COLUMNS = [
    Column("专项工作", lambda c: c.name, width=300),
    Column("开始", lambda c: f"{c.start_date:%Y-%m-%d}", width=90),
    Column("结束", lambda c: f"{c.end_date:%Y-%m-%d}" if c.end_date else "—", width=90),
    Column("任务数", lambda c: str(c.task_count), right=True, width=60),
    Column("状态", lambda c: "已归档" if c.archived else "进行中",
           color=lambda c: "#888" if c.archived else None, width=60),
]


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class CampaignManagerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("专项工作管理")
        self.model = RowTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("campaigns")
        setup_table(self.table, self.model)
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.start = QDateEdit(calendarPopup=True)
        self.end = QDateEdit(calendarPopup=True)
        for w in (self.start, self.end):
            w.setDisplayFormat("yyyy-MM-dd")
        self.open_ended = QCheckBox("无结束日期")
        self.open_ended.toggled.connect(lambda on: self.end.setEnabled(not on))
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(60)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end)
        end_row.addWidget(self.open_ended)
        end_row.addStretch(1)
        form = QFormLayout()
        form.addRow("名称", self.name)
        form.addRow("开始日期", self.start)
        form.addRow("结束日期", end_row)
        form.addRow("说明", self.description)
        self.add_button = QPushButton("新建专项工作")
        self.add_button.setObjectName("add")
        self.save_button = QPushButton("保存修改")
        self.save_button.setObjectName("save")
        self.archive_button = QPushButton("归档")
        self.archive_button.setObjectName("archive")
        done = QPushButton("关闭")
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.archive_button.clicked.connect(self.toggle_archive)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.archive_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())
        self.resize(760, 480)
        self.reload()

    def reload(self, select_id: Optional[int] = None) -> None:
        rows = read(self.ctx, service.list_campaigns)
        self.model.set_rows(rows)
        row = next((i for i, c in enumerate(rows) if c.campaign_id == select_id), 0)
        if rows:
            self.table.setCurrentIndex(self.model.index(row, 0))
        else:
            t = self.ctx.today()
            self.start.setDate(QDate(t.year, t.month, 1))
            self.end.setDate(QDate(t.year, 12, 31))

    def _show(self) -> None:
        c = current_row(self.table)
        if c is None:
            return
        self.name.setText(c.name)
        self.start.setDate(QDate(c.start_date.year, c.start_date.month, c.start_date.day))
        self.open_ended.setChecked(c.end_date is None)
        if c.end_date:
            self.end.setDate(QDate(c.end_date.year, c.end_date.month, c.end_date.day))
        self.description.setPlainText(c.description)
        self.archive_button.setText("恢复" if c.archived else "归档")

    def _input(self) -> CampaignInput:
        return CampaignInput(self.name.text(), _date(self.start.date()),
                             None if self.open_ended.isChecked() else _date(self.end.date()),
                             self.description.toPlainText())

    def _run(self, work, title: str):
        try:
            return run_op(self, self.ctx, work, ("campaigns", "tasks"), title=title)
        except OpFailed:
            return False

    def add(self) -> None:
        actor, data = self.ctx.actor, self._input()
        cid = self._run(lambda s: service.add_campaign(s, actor, data), "新建失败")
        if cid is not False:
            self.reload(cid)

    def save(self) -> None:
        c = current_row(self.table)
        if c is not None:
            actor, data = self.ctx.actor, self._input()
            if self._run(lambda s: service.update_campaign(s, actor, c.campaign_id, data),
                         "保存失败") is not False:
                self.reload(c.campaign_id)

    def toggle_archive(self) -> None:
        c = current_row(self.table)
        if c is not None:
            actor = self.ctx.actor
            if self._run(lambda s: service.set_archived(s, actor, c.campaign_id, not c.archived),
                         "归档失败") is not False:
                self.reload(c.campaign_id)
