"""操作日志: administrators browse, filter and export the audit trail."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QFileDialog, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget,
)
from sqlalchemy import select

from taskboard.core.models import User
from taskboard.core.services import audit_trail
from taskboard.core.services.audit_trail import AuditFilter
from taskboard.excel.audit_export import export_audit
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.common.plain_table_model import PlainTableModel

COL_AT, COL_USER, COL_ACTION, COL_TASK, COL_SUMMARY = range(5)
HEADERS = ("时间", "用户", "操作", "任务编号", "摘要")


class AuditTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index, role=Qt.DisplayRole) -> Any:
        r = self.row_of(index)
        if r is None:
            return None
        col = index.column()
        if role == Qt.DisplayRole:
            return (r.at.strftime("%Y-%m-%d %H:%M:%S"), r.user_name, r.action_word,
                    r.task_code, r.summary)[col]
        if role == Qt.ToolTipRole and col == COL_SUMMARY:
            parts = [r.summary]
            if r.before:
                parts.append(f"修改前：{r.before}")
            if r.after:
                parts.append(f"修改后：{r.after}")
            return "\n".join(parts)
        return None


class AuditViewerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("操作日志")
        self.resize(1100, 640)
        self.user = QComboBox()
        self.user.addItem("全部用户", None)
        for uid, name, login in read(ctx, lambda s: s.execute(
                select(User.id, User.display_name, User.username).order_by(User.id)).all()):
            self.user.addItem(f"{name}（{login}）", uid)
        today = ctx.today()
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.task_code = QLineEdit()
        self.task_code.setPlaceholderText("任务编号，如 1.2")
        self.task_code.setMaximumWidth(120)
        self.action = QComboBox()
        self.action.addItem("全部操作", "")
        for action in read(ctx, lambda s: audit_trail.known_actions(s, ctx.actor)):
            self.action.addItem(audit_trail.action_word(action), action)
        self.text = QLineEdit()
        self.text.setPlaceholderText("摘要中的文字")
        search = QPushButton("查询")
        search.setDefault(True)
        search.clicked.connect(self.reload)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.clicked.connect(self.export)
        self.count = QLabel()

        bar = QHBoxLayout()
        for label, w in (("用户", self.user), ("从", self.date_from), ("到", self.date_to),
                         ("任务", self.task_code), ("操作", self.action), ("", self.text)):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addWidget(search)
        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col, width in ((COL_AT, 150), (COL_USER, 130), (COL_ACTION, 110), (COL_TASK, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(COL_SUMMARY, QHeaderView.Stretch)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.reload()

    def current_filter(self) -> AuditFilter:
        qd_from, qd_to = self.date_from.date(), self.date_to.date()
        return AuditFilter(
            user_id=self.user.currentData(),
            date_from=dt.date(qd_from.year(), qd_from.month(), qd_from.day()),
            date_to=dt.date(qd_to.year(), qd_to.month(), qd_to.day()),
            task_code=self.task_code.text(), action=self.action.currentData() or "",
            text=self.text.text())

    def reload(self) -> None:
        f = self.current_filter()
        if f.date_from > f.date_to:
            self.count.setText("起始日期晚于结束日期，请重新选择。")
            self.model.set_rows([])
            return
        try:
            rows = run_op(self, self.ctx, lambda s: audit_trail.query(s, self.ctx.actor, f),
                          title="无法读取操作日志")
        except OpFailed:
            return
        self.model.set_rows(rows)
        more = "（仅显示最新的部分，请缩小范围）" if len(rows) >= f.limit else ""
        self.count.setText(f"共 {len(rows)} 条{more}")

    def export(self, path: Optional[str] = None) -> Optional[Path]:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出操作日志", "操作日志.xlsx",
                                                  "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        try:
            out = export_audit(self.model.rows(), Path(path))
        except OSError as exc:
            QMessageBox.warning(self, "导出失败", f"无法写入文件：{exc}")
            return None
        return out
