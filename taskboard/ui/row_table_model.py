"""A table model over plain frozen rows, described by a list of columns.

The detail view, review queue and management dialogs show small lists of dataclass rows;
one model with per-column functions keeps each of them a few lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.ui.lights import light_icon

RowRole = Qt.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    tooltip: Optional[Callable[[Any], Optional[str]]] = None
    color: Optional[Callable[[Any], Optional[str]]] = None
    light: Optional[Callable[[Any], Any]] = None  # a rules.Light drawn as the decoration
    right: bool = False
    width: int = 100


class RowTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if (orientation == Qt.Horizontal and role == Qt.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section].header
        return None

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.DisplayRole:
            return col.text(row)
        if role == RowRole:
            return row
        if role == Qt.ToolTipRole:
            return col.tooltip(row) if col.tooltip else (col.text(row) or None)
        if role == Qt.ForegroundRole and col.color:
            c = col.color(row)
            return QColor(c) if c else None
        if role == Qt.DecorationRole and col.light:
            light = col.light(row)
            return light_icon(light) if light is not None else None
        if role == Qt.TextAlignmentRole and col.right:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


def setup_table(view, model: RowTableModel) -> None:
    """Common look: whole-row selection, no row numbers, the columns' starting widths."""
    from PySide6.QtWidgets import QAbstractItemView

    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    for i, col in enumerate(model.columns):
        view.setColumnWidth(i, col.width)


def current_row(view) -> Any:
    idx = view.currentIndex()
    return idx.data(RowRole) if idx.isValid() else None


def fmt_dt(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
