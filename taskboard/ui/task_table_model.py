"""The main task list: plain ``TaskRow`` values behind a ``QAbstractTableModel``."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.core.board import AWAITING_CLOSE_HINT, TaskRow
from taskboard.core.rules import DUE_SEVERITY
from taskboard.ui.lights import DUE_COLORS, light_icon
from taskboard.ui.plain_table_model import PlainTableModel

SortRole = Qt.UserRole + 1
TaskIdRole = Qt.UserRole + 2

COL_LIGHT = 0
COL_CODE = 1
COL_TITLE = 2
COL_LEAD = 3
COL_UNITS = 4
COL_LEADER = 5
COL_DEADLINE = 6
COL_DUE = 7
COL_PROGRESS = 8
COL_LAGGING = 9
COL_LAST_REPORT = 10
COL_URGES = 11
COL_FEEDBACK = 12

HEADERS = ["亮灯", "任务编号", "任务名称", "牵头单位", "责任单位", "分管领导", "完成时限",
           "时限状态", "完成进度", "滞后", "最近报送", "催办次数", "待回复反馈"]
_LAGGING_COLOR = QColor("#c62828")
_Index = QModelIndex | QPersistentModelIndex


def _fmt_progress(row: TaskRow) -> str:
    text = f"{row.progress:.0f}%"
    if row.time_progress is not None:
        text += f" / 时序 {row.time_progress:.0f}%"
    return text


class TaskTableModel(PlainTableModel):
    HEADERS = HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text: list[list[Optional[str]]] = []
        self._sort: list[list[Any]] = []

    def _rows_changed(self) -> None:
        # Texts and sort keys are computed once per reset: painting and sorting ask for
        # them thousands of times, and each search keystroke resets the model.
        ncols = len(HEADERS)
        self._text = [[self._display(r, c) for c in range(ncols)] for r in self._rows]
        self._sort = [[self._sort_value(r, c) for c in range(ncols)] for r in self._rows]

    def row_of_task(self, task_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.task_id == task_id:
                return i
        return -1

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = index.row()
        col = index.column()
        if role == Qt.DisplayRole:
            return self._text[r][col]
        if role == SortRole:
            return self._sort[r][col]
        row = self._rows[r]
        if role == TaskIdRole:
            return row.task_id
        if role == Qt.DecorationRole and col == COL_LIGHT:
            return light_icon(row.light)
        if role == Qt.ForegroundRole:
            if col == COL_DUE:
                return QColor(DUE_COLORS[row.due_state])
            if col in (COL_LAGGING, COL_PROGRESS) and row.lagging:
                return _LAGGING_COLOR
        if role == Qt.ToolTipRole:
            return self._tooltip(row, col)
        if role == Qt.TextAlignmentRole and col in (COL_PROGRESS, COL_URGES, COL_FEEDBACK):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def _display(self, row: TaskRow, col: int) -> Optional[str]:
        if col == COL_LIGHT:
            return row.light.word
        if col == COL_CODE:
            return row.code
        if col == COL_TITLE:
            return row.title
        if col == COL_LEAD:
            return row.lead_unit
        if col == COL_UNITS:
            return row.units_text
        if col == COL_LEADER:
            return row.leader
        if col == COL_DEADLINE:
            return row.deadline_text
        if col == COL_DUE:
            return row.due_text
        if col == COL_PROGRESS:
            return _fmt_progress(row)
        if col == COL_LAGGING:
            return "滞后" if row.lagging else ""
        if col == COL_LAST_REPORT:
            return row.last_report_at.strftime("%Y-%m-%d") if row.last_report_at else "—"
        if col == COL_URGES:
            return str(row.urge_count)
        if col == COL_FEEDBACK:
            return str(row.open_feedback) if row.open_feedback else ""
        return None

    def _sort_value(self, row: TaskRow, col: int) -> Any:
        if col == COL_LIGHT:
            return int(row.light)
        if col == COL_CODE:
            return row.sort_key
        if col == COL_DEADLINE:
            return row.deadline.isoformat() if row.deadline else "9999"
        if col == COL_DUE:
            return DUE_SEVERITY[row.due_state]
        if col == COL_PROGRESS:
            return row.progress
        if col == COL_LAGGING:
            return int(row.lagging)
        if col == COL_LAST_REPORT:
            return row.last_report_at.isoformat() if row.last_report_at else ""
        if col == COL_URGES:
            return row.urge_count
        if col == COL_FEEDBACK:
            return row.open_feedback
        return self._display(row, col) or ""

    def _tooltip(self, row: TaskRow, col: int) -> Optional[str]:
        if col == COL_LIGHT:
            g, b, r = row.light_counts
            return f"{row.light.word}（{row.light.meaning}）：绿 {g}、蓝 {b}、红 {r} 个责任单位"
        if col in (COL_TITLE, COL_UNITS):
            return f"{row.code} {row.title}\n责任单位：{row.units_text}"
        if col == COL_DUE and row.awaiting_close:
            return f"各责任单位{AWAITING_CLOSE_HINT}"
        if col == COL_URGES and row.last_urge_at:
            return f"最近催办：{row.last_urge_at:%Y-%m-%d}"
        return None
