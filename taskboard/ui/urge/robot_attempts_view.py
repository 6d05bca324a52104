"""Every post of an issued notice to a group robot, as recorded on the notice."""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from taskboard.core.services.robot_channels import Attempt
from taskboard.ui.common.row_table_model import Column, RowTableModel, setup_table

COLUMNS = [
    Column("时间", lambda a: a.at.strftime("%Y-%m-%d %H:%M:%S"), width=140),
    Column("群机器人", lambda a: a.robot_label, width=200),
    Column("段", lambda a: f"{a.part}/{a.parts}", right=True, width=40),
    Column("第几次", lambda a: str(a.attempt), right=True, width=50),
    Column("结果", lambda a: "已送达" if a.ok else "失败", width=55,
           color=lambda a: None if a.ok else "#c62828"),
    Column("说明", lambda a: a.message, tooltip=lambda a: a.message, width=320),
]


class RobotAttemptsView(QWidget):
    def __init__(self, attempts: Sequence[Attempt], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.model = RowTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("robotAttempts")
        setup_table(self.table, self.model)
        self.model.set_rows(list(attempts))
        ok = sum(a.ok for a in attempts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"群机器人发送记录：共 {len(attempts)} 次，送达 {ok} 次"))
        layout.addWidget(self.table)
        self.setMaximumHeight(190)
