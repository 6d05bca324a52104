"""The part every table model here shares: plain rows under fixed column headers.

Subclasses set ``HEADERS`` and answer ``data()``; rows are frozen dataclasses or tuples,
never ORM objects.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class PlainTableModel(QAbstractTableModel):
    HEADERS: Sequence[str] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._rows_changed()
        self.endResetModel()

    def _rows_changed(self) -> None:
        """Hook for caches derived from the rows, run inside the reset."""

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def header_labels(self) -> Sequence[str]:
        return self.HEADERS

    def row_of(self, index: Index) -> Optional[Any]:
        """The row behind ``index``, or None for an invalid or stale index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.header_labels())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        labels = self.header_labels()
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(labels):
            return labels[section]
        return None
