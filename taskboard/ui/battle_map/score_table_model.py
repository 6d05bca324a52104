"""The 考评 ranking of one track (districts or departments): score, card and escalations,
with every score's breakdown on hover."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from taskboard.core.cards import CARD_COLORS
from taskboard.core.scoring import ScoreRank, fmt
from taskboard.ui.battle_map.ranking_table_model import SortRole, UnitIdRole
from taskboard.ui.common.lights import card_icon
from taskboard.ui.common.plain_table_model import PlainTableModel

COL_RANK, COL_CHANGE, COL_UNIT, COL_SCORE, COL_CARD, COL_SUPERVISE, COL_INTERVIEW = range(7)
HEADERS = ("名次", "变化", "单位", "考评得分", "亮牌", "督办", "约谈")
WIDTHS = (44, 50, 150, 76, 64, 50, 50)
_UP, _DOWN = QColor("#1f7a44"), QColor("#c62828")


class ScoreTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index, role=Qt.DisplayRole):
        r: Optional[ScoreRank] = self.row_of(index)
        if r is None:
            return None
        s, col = r.score, index.column()
        if role == Qt.DisplayRole:
            return _display(r, col)
        if role == SortRole:
            return {COL_RANK: r.rank, COL_CHANGE: -999 if r.change is None else r.change,
                    COL_UNIT: s.unit_name, COL_SCORE: s.total, COL_CARD: int(s.card),
                    COL_SUPERVISE: s.item("supervise").count,
                    COL_INTERVIEW: s.item("interview").count}.get(col)
        if role == UnitIdRole:
            return s.unit_id
        if role == Qt.ToolTipRole:
            blue, yellow, red = s.cards
            return (f"{s.unit_name} 考评得分\n{s.breakdown()}\n"
                    f"亮牌：蓝牌 {blue}、黄牌 {yellow}、红牌 {red}")
        if role == Qt.DecorationRole and col == COL_CARD and s.card:
            return card_icon(s.card)
        if role == Qt.ForegroundRole:
            if col == COL_CHANGE and r.change:
                return _UP if r.change > 0 else _DOWN
            if col == COL_CARD and s.card:
                return QColor(CARD_COLORS[s.card])
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignLeft | Qt.AlignVCenter) if col == COL_UNIT else \
                int(Qt.AlignCenter)
        return None


def _display(r: ScoreRank, col: int) -> Optional[str]:
    s = r.score
    return {
        COL_RANK: str(r.rank), COL_CHANGE: r.change_text, COL_UNIT: s.unit_name,
        COL_SCORE: fmt(s.total), COL_CARD: s.card.word or "—",
        COL_SUPERVISE: fmt(s.item("supervise").count),
        COL_INTERVIEW: fmt(s.item("interview").count),
    }.get(col)
