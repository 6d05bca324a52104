"""The report form import preview: one row per filled task that passed every check."""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.excel.report_form_import import STATE_WORDS, FormEntry

COL_FILE = 0
COL_ROW = 1
COL_CODE = 2
COL_TITLE = 3
COL_PROGRESS = 4
COL_TEXT = 5
COL_PROBLEMS = 6
COL_NEXT = 7
COL_STATE = 8
HEADERS = ["文件", "行号", "任务编号", "任务名称", "完成进度", "本月进展", "存在问题", "下步计划",
           "导入结果"]
WIDTHS = [130, 40, 60, 180, 64, 205, 130, 130, 125]
_SKIPPED = QColor("#eeeeee")
_Index = QModelIndex | QPersistentModelIndex

_TEXT = {
    COL_FILE: lambda e: e.file, COL_ROW: lambda e: str(e.row), COL_CODE: lambda e: e.code,
    COL_TITLE: lambda e: e.title, COL_PROGRESS: lambda e: f"{e.progress}%",
    COL_TEXT: lambda e: e.text, COL_PROBLEMS: lambda e: e.problems,
    COL_NEXT: lambda e: e.next_steps, COL_STATE: lambda e: STATE_WORDS[e.state],
}


class FormPreviewTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[FormEntry] = []

    def set_rows(self, rows: Sequence[FormEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> FormEntry:
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
        e = self._rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            return _TEXT[col](e)
        if role == Qt.ToolTipRole:
            return _TEXT[col](e) or None
        if role == Qt.TextAlignmentRole and col in (COL_ROW, COL_PROGRESS):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and not e.will_write:
            return _SKIPPED  # already imported: shown, but nothing will be written
        return None
