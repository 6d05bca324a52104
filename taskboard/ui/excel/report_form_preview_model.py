"""The report form import preview: one row per filled task that passed every check."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.excel.report_form_import import STATE_WORDS
from taskboard.ui.common.plain_table_model import PlainTableModel

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


class FormPreviewTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        e = self.row_of(index)
        if e is None:
            return None
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
