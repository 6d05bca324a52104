"""The overall district ranking as a table: rank, change, and the figures the rule compares."""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.core.dashboard import RankRow

COL_RANK, COL_CHANGE, COL_UNIT, COL_LEVEL, COL_ON_TIME, COL_OVERDUE, COL_URGES = range(7)
HEADERS = ("名次", "变化", "旗区", "完成水平", "按时报送率", "超期数", "本期被催办")
UnitIdRole = Qt.UserRole + 1
SortRole = Qt.UserRole + 2

_UP, _DOWN = QColor("#1f7a44"), QColor("#c62828")


class RankingTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RankRow] = []

    def set_rows(self, rows: Sequence[RankRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[RankRow]:
        return list(self._rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
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
