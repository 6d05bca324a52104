"""The task import preview: one row per task as it will be imported, with its problems."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.core.recurrence import RECURRENCE_WORDS
from taskboard.excel.task_import import PreviewRow
from taskboard.ui.common.plain_table_model import PlainTableModel

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
# 错误与提示 is last and stretches over what the others leave; the detail pane shows it whole.
WIDTHS = [40, 44, 60, 180, 80, 130, 130, 90, 90, 200]
_BACKGROUND = {"错误": QColor("#fde2e2"), "提示": QColor("#fff4d6")}
_Index = QModelIndex | QPersistentModelIndex


def _deadline(r: PreviewRow) -> str:
    if r.deadline_unreadable:
        return "无法识别"
    if r.recurrence:
        word = RECURRENCE_WORDS[r.recurrence]
        return f"{word}（至 {r.deadline.isoformat()}）" if r.deadline else f"{word}（每期到期）"
    if r.deadline is None:
        return r.deadline_note or "无（长期）"
    return r.deadline.isoformat()


def _units(r: PreviewRow) -> str:
    text = "、".join(r.units)
    if r.support_units:
        text += ("；" if text else "") + "配合：" + "、".join(r.support_units)
    return text


def message_lines(r: PreviewRow) -> list[str]:
    return [*(f"错误：{e}" for e in r.errors), *(f"提示：{w}" for w in r.warnings)]


def _messages(r: PreviewRow) -> str:
    return "；".join(message_lines(r))


_TEXT = {
    COL_ROW: lambda r: str(r.row), COL_STATUS: lambda r: r.status, COL_CODE: lambda r: r.code,
    COL_TITLE: lambda r: r.title, COL_CATEGORY: lambda r: r.category,
    COL_LEAD: lambda r: r.lead_unit, COL_UNITS: _units,
    COL_LEADER: lambda r: r.leader, COL_DEADLINE: _deadline, COL_MESSAGES: _messages,
}


class ImportPreviewTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        r = self.row_of(index)
        if r is None:
            return None
        col = index.column()
        if role == Qt.DisplayRole:
            return _TEXT[col](r)
        if role == Qt.ToolTipRole:
            # One message a line: a tooltip of one long line runs off the screen.
            return "\n".join(message_lines(r)) or _TEXT[col](r) or None
        if role == Qt.BackgroundRole:
            return _BACKGROUND.get(r.status)
        if role == Qt.ForegroundRole and col == COL_STATUS and r.errors:
            return QColor("#b71c1c")
        return None
