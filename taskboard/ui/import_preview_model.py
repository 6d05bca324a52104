"""The task import preview: one row per task as it will be imported, with its problems."""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.excel.task_import import PreviewRow

COL_ROW = 0
COL_STATUS = 1
COL_CODE = 2
COL_TITLE = 3
COL_CATEGORY = 4
COL_LEAD = 5
COL_UNITS = 6
COL_LEADER = 7
COL_DEADLINE = 8
COL_MESSAGES = 9
HEADERS = ["行号", "状态", "任务编号", "任务名称", "类别", "牵头单位", "责任单位", "分管领导",
           "完成时限", "错误与提示"]
WIDTHS = [44, 44, 64, 220, 90, 140, 180, 120, 96, 340]
_BACKGROUND = {"错误": QColor("#fde2e2"), "提示": QColor("#fff4d6")}
_Index = QModelIndex | QPersistentModelIndex


def _deadline(r: PreviewRow) -> str:
    if r.deadline is None:
        return r.deadline_note or "无（长期）"
    return r.deadline.isoformat()


def _messages(r: PreviewRow) -> str:
    return "；".join([*(f"错误：{e}" for e in r.errors), *(f"提示：{w}" for w in r.warnings)])


_TEXT = {
    COL_ROW: lambda r: str(r.row), COL_STATUS: lambda r: r.status, COL_CODE: lambda r: r.code,
    COL_TITLE: lambda r: r.title, COL_CATEGORY: lambda r: r.category,
    COL_LEAD: lambda r: r.lead_unit, COL_UNITS: lambda r: "、".join(r.units),
    COL_LEADER: lambda r: r.leader, COL_DEADLINE: _deadline, COL_MESSAGES: _messages,
}


class ImportPreviewTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PreviewRow] = []

    def set_rows(self, rows: Sequence[PreviewRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> PreviewRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            return _TEXT[col](r)
        if role == Qt.ToolTipRole:
            return _messages(r) or _TEXT[col](r) or None
        if role == Qt.BackgroundRole:
            return _BACKGROUND.get(r.status)
        if role == Qt.ForegroundRole and col == COL_STATUS and r.errors:
            return QColor("#b71c1c")
        return None
