"""A task's per-unit assignments with their own lights (the lower pane of the main window)."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.core.board import AWAITING_CLOSE_HINT, AssignmentRow
from taskboard.core.cards import Card
from taskboard.ui.common.lights import DUE_COLORS, card_icon, light_icon
from taskboard.ui.common.plain_table_model import PlainTableModel

AssignmentIdRole = Qt.UserRole + 2

COL_LIGHT, COL_UNIT, COL_PROGRESS, COL_TIME, COL_LAGGING, COL_DUE, COL_REPORT, COL_TEXT, \
    COL_LAST, COL_URGES, COL_CARD = range(11)
HEADERS = ["亮灯", "责任单位", "完成进度", "时序进度", "滞后", "时限状态", "本期报送", "本月进展",
           "最近报送", "催办次数", "亮牌"]
REPORT_WORDS = {None: "未报送", "pending": "待审核", "approved": "已通过", "returned": "已退回"}
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY, _ASSIGNMENT_ID = int(Qt.DisplayRole), int(AssignmentIdRole)
_DECORATION, _FOREGROUND = int(Qt.DecorationRole), int(Qt.ForegroundRole)
_TOOLTIP = int(Qt.ToolTipRole)
_SERVED = frozenset({_DISPLAY, _ASSIGNMENT_ID, _DECORATION, _FOREGROUND, _TOOLTIP})
_DUE_QCOLORS = {state: QColor(colour) for state, colour in DUE_COLORS.items()}
_LAGGING_COLOR = QColor("#c62828")


class AssignmentTableModel(PlainTableModel):
    HEADERS = HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cards: dict[int, Card] = {}

    def card(self, a: AssignmentRow) -> Card:
        return self.cards.get(a.assignment_id, Card.NONE)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        # Painting asks about nine roles per visible cell, again after every board: answer
        # the ones we don't serve first, with plain ints rather than enum look-ups.
        if role not in _SERVED:
            return None
        a = self.row_of(index)
        if a is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            return self._display(a, col)
        if role == _ASSIGNMENT_ID:
            return a.assignment_id
        if role == _DECORATION:
            if col == COL_LIGHT:
                return light_icon(a.light)
            card = self.card(a) if col == COL_CARD else None
            return card_icon(card) if card else None
        if role == _FOREGROUND:
            if col == COL_DUE:
                return _DUE_QCOLORS[a.due_state]
            return _LAGGING_COLOR if col == COL_LAGGING and a.lagging else None
        # The tool tips.
        if col == COL_CARD:
            card = self.card(a)
            return f"{card.word}：{card.meaning}" if card else None
        if col == COL_TEXT and a.report_text:
            return a.report_text
        if col == COL_DUE and a.awaiting_close:
            return AWAITING_CLOSE_HINT
        return None

    def _display(self, a: AssignmentRow, col: int) -> Optional[str]:
        if col == COL_LIGHT:
            return a.light.word
        if col == COL_UNIT:
            return a.unit_name
        if col == COL_PROGRESS:
            return f"{a.progress}%"
        if col == COL_TIME:
            return "—" if a.time_progress is None else f"{a.time_progress:.0f}%"
        if col == COL_LAGGING:
            return "滞后" if a.lagging else ""
        if col == COL_DUE:
            return a.due_text
        if col == COL_REPORT:
            return "已办结" if a.closed else REPORT_WORDS.get(a.report_status, a.report_status)
        if col == COL_TEXT:
            return a.report_text
        if col == COL_LAST:
            return a.last_report_at.strftime("%Y-%m-%d") if a.last_report_at else "—"
        if col == COL_URGES:
            return str(a.urge_count)
        if col == COL_CARD:
            return self.card(a).word
        return None
