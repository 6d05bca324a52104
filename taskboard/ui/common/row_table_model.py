"""A table model over plain frozen rows, described by a list of columns.

The detail view, review queue and management dialogs show small lists of dataclass rows;
one model with per-column functions keeps each of them a few lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.ui.common.lights import light_icon
from taskboard.ui.common.plain_table_model import PlainTableModel

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


class RowTableModel(PlainTableModel):
    def __init__(self, columns: Sequence[Column], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)

    def header_labels(self) -> Sequence[str]:
        return [c.header for c in self.columns]

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        row = self.row_of(index)
        if row is None:
            return None
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
