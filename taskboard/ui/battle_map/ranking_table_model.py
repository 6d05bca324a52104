"""The overall district ranking as a table: rank, change, and the figures the rule compares."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from taskboard.core.dashboard import RankRow
from taskboard.ui.common.plain_table_model import PlainTableModel

COL_RANK, COL_CHANGE, COL_UNIT, COL_LEVEL, COL_ON_TIME, COL_OVERDUE, COL_URGES = range(7)
HEADERS = ("名次", "变化", "旗区", "完成水平", "按时报送率", "超期数", "本期被催办")
UnitIdRole = Qt.UserRole + 1
SortRole = Qt.UserRole + 2

_UP, _DOWN = QColor("#1f7a44"), QColor("#c62828")


class RankingTableModel(PlainTableModel):
    HEADERS = HEADERS

    def data(self, index, role=Qt.DisplayRole):
        r = self.row_of(index)
        if r is None:
            return None
        m, col = r.metrics, index.column()
        if role == Qt.DisplayRole:
            return _display(r, col)
        if role == SortRole:
            return _sort_value(r, col)
        if role == UnitIdRole:
            return m.unit_id
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignLeft | Qt.AlignVCenter) if col == COL_UNIT else \
                int(Qt.AlignCenter)
        if role == Qt.ForegroundRole and col == COL_CHANGE and r.change:
            return _UP if r.change > 0 else _DOWN
        if role == Qt.ToolTipRole and col == COL_CHANGE:
            if r.change is None:
                return "上一期无名次"
            return f"上一期第 {r.rank + r.change} 名"
        return None


def _display(r: RankRow, col: int) -> Optional[str]:
    m = r.metrics
    return {
        COL_RANK: str(r.rank),
        COL_CHANGE: r.change_text,
        COL_UNIT: m.unit_name,
        COL_LEVEL: f"{m.level:.1f}%",
        COL_ON_TIME: "—" if m.on_time_rate is None else f"{m.on_time_rate:.1f}%",
        COL_OVERDUE: str(m.overdue),
        COL_URGES: str(m.urges),
    }.get(col)


def _sort_value(r: RankRow, col: int):
    m = r.metrics
    return {
        COL_RANK: r.rank, COL_CHANGE: -999 if r.change is None else r.change,
        COL_UNIT: m.unit_name, COL_LEVEL: m.level,
        COL_ON_TIME: -1.0 if m.on_time_rate is None else m.on_time_rate,
        COL_OVERDUE: m.overdue, COL_URGES: m.urges,
    }.get(col)
