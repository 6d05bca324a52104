"""Screened assignments grouped by unit, with a check box per assignment and per unit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from taskboard.core.rules import DueState
from taskboard.core.services.urging import ScreenRow
from taskboard.ui.common.lights import DUE_COLORS, light_icon

ScreenRowRole = Qt.UserRole + 1
UnitIdRole = Qt.UserRole + 2

COL_NAME, COL_LIGHT, COL_DUE, COL_DEADLINE, COL_REPORT, COL_PROGRESS, COL_URGES, \
    COL_LAST_URGE, COL_QUIET = range(9)
HEADERS = ["单位 / 任务", "亮灯", "时限状态", "完成时限", "本期报送", "完成进度", "已催办",
           "最近催办", "可再催办"]
WIDTHS = [420, 70, 130, 95, 80, 75, 60, 95, 95]
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class UnitGroup:
    unit_id: int
    unit_name: str
    rows: tuple[ScreenRow, ...]


def group_rows(rows: Sequence[ScreenRow]) -> list[UnitGroup]:
    groups: dict[int, list[ScreenRow]] = {}
    names: dict[int, str] = {}
    for r in rows:  # rows come ordered by unit
        groups.setdefault(r.unit_id, []).append(r)
        names[r.unit_id] = r.unit_name
    return [UnitGroup(uid, names[uid], tuple(rs)) for uid, rs in groups.items()]


class UrgeTreeModel(QAbstractItemModel):
    """Two levels: units (internal id 0) and their assignments (internal id = unit row + 1)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._groups: list[UnitGroup] = []
        self._checked: set[int] = set()

    # --- data in and out ------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ScreenRow]) -> None:
        self.beginResetModel()
        self._groups = group_rows(rows)
        present = {r.assignment_id for g in self._groups for r in g.rows}
        self._checked &= present  # keep what is still on screen checked
        self.endResetModel()

    def groups(self) -> list[UnitGroup]:
        return list(self._groups)

    def checked_rows(self) -> list[ScreenRow]:
        return [r for g in self._groups for r in g.rows if r.assignment_id in self._checked]

    def set_all_checked(self, checked: bool) -> None:
        self._checked = ({r.assignment_id for g in self._groups for r in g.rows}
                         if checked else set())
        self._all_changed()

    def set_checked(self, assignment_ids, checked: bool = True) -> None:
        ids = set(assignment_ids)
        self._checked = self._checked | ids if checked else self._checked - ids
        self._all_changed()

    def _all_changed(self) -> None:
        for row in range(len(self._groups)):
            parent = self.index(row, 0)
            self.dataChanged.emit(parent, parent, [Qt.CheckStateRole])
            n = len(self._groups[row].rows)
            if n:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, 0, parent),
                                      [Qt.CheckStateRole])

    # --- structure --------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        group = self._groups[parent.row()]
        if row >= len(group.rows):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].rows)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def _item(self, index: _Index) -> tuple[UnitGroup, Optional[ScreenRow]]:
        if index.internalId() == 0:
            return self._groups[index.row()], None
        group = self._groups[index.internalId() - 1]
        return group, group.rows[index.row()]

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == COL_NAME:
            flags |= Qt.ItemIsUserCheckable
        return flags

    # --- data ----------------------------------------------------------------------------
    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group, row = self._item(index)
        col = index.column()
        if role == UnitIdRole:
            return group.unit_id
        if row is None:
            return self._group_data(group, col, role)
        if role == ScreenRowRole:
            return row
        if role == Qt.DisplayRole:
            return self._row_text(row, col)
        if role == Qt.CheckStateRole and col == COL_NAME:
            return Qt.Checked if row.assignment_id in self._checked else Qt.Unchecked
        if role == Qt.DecorationRole and col == COL_LIGHT:
            return light_icon(row.light)
        if role == Qt.ForegroundRole:
            if col == COL_DUE:
                return QColor(DUE_COLORS[row.due_state])
            if col == COL_QUIET and row.quiet_until:
                return QColor("#b26a00")
        if role == Qt.ToolTipRole:
            if col == COL_QUIET and row.quiet_until:
                return (f"刚催办过，{row.quiet_until:%Y-%m-%d} 起可再催办；"
                        "如确需提前催办，发出时须填写理由（减轻基层负担）")
            if col == COL_NAME:
                return f"{row.code} {row.title}（分管领导：{row.leader or '—'}）"
        return None

    def _group_data(self, group: UnitGroup, col: int, role: int) -> Any:
        if role == Qt.DisplayRole:
            if col == COL_NAME:
                return f"{group.unit_name}（{len(group.rows)} 项）"
            if col == COL_DUE:
                over = sum(1 for r in group.rows if "overdue" in r.categories)
                return f"超期 {over}" if over else ""
            if col == COL_REPORT:
                red = sum(1 for r in group.rows if r.report_status in (None, "returned"))
                return f"未报 {red}" if red else ""
            return ""
        if role == Qt.CheckStateRole and col == COL_NAME:
            n = sum(1 for r in group.rows if r.assignment_id in self._checked)
            if n == 0:
                return Qt.Unchecked
            return Qt.Checked if n == len(group.rows) else Qt.PartiallyChecked
        if role == Qt.FontRole and col == COL_NAME:
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _row_text(r: ScreenRow, col: int) -> str:
        if col == COL_NAME:
            return f"{r.code}  {r.title}"
        if col == COL_LIGHT:
            return r.light.word
        if col == COL_DUE:
            if r.due_state is DueState.NEAR_DUE:
                return f"临期 · {r.days_text}"
            return r.days_text
        if col == COL_DEADLINE:
            return r.deadline_text
        if col == COL_REPORT:
            return r.report_word
        if col == COL_PROGRESS:
            return f"{r.progress}%"
        if col == COL_URGES:
            return str(r.urge_count)
        if col == COL_LAST_URGE:
            return r.last_urge_at.strftime("%Y-%m-%d") if r.last_urge_at else "—"
        if col == COL_QUIET:
            return r.quiet_until.strftime("%m-%d 起") if r.quiet_until else "可催办"
        return ""

    def setData(self, index: _Index, value: Any, role: int = Qt.EditRole) -> bool:
        if not index.isValid() or role != Qt.CheckStateRole or index.column() != COL_NAME:
            return False
        checked = Qt.CheckState(value) == Qt.Checked if not isinstance(value, bool) else value
        group, row = self._item(index)
        if row is None:
            ids = {r.assignment_id for r in group.rows}
            self._checked = self._checked | ids if checked else self._checked - ids
            n = len(group.rows)
            if n:
                self.dataChanged.emit(self.index(0, 0, index), self.index(n - 1, 0, index),
                                      [Qt.CheckStateRole])
        else:
            (self._checked.add if checked else self._checked.discard)(row.assignment_id)
            parent = self.parent(index)
            self.dataChanged.emit(parent, parent, [Qt.CheckStateRole])
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True
