"""The main task list: plain ``TaskRow`` values behind a ``QAbstractTableModel``."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from taskboard.core.board import AWAITING_CLOSE_HINT, TaskRow
from taskboard.core.cards import Card
from taskboard.core.rules import DUE_SEVERITY
from taskboard.ui.common.lights import DUE_COLORS, card_icon, light_icon
from taskboard.ui.common.plain_table_model import PlainTableModel

SortRole = Qt.UserRole + 1
TaskIdRole = Qt.UserRole + 2

COL_LIGHT = 0
COL_CODE = 1
COL_TITLE = 2
COL_LEAD = 3
COL_UNITS = 4
COL_LEADER = 5
COL_DEADLINE = 6
COL_DUE = 7
COL_PROGRESS = 8
COL_LAGGING = 9
COL_LAST_REPORT = 10
COL_URGES = 11
COL_FEEDBACK = 12
COL_CARD = 13

HEADERS = ["亮灯", "任务编号", "任务名称", "牵头单位", "责任单位", "分管领导", "完成时限",
           "时限状态", "完成进度", "滞后", "最近报送", "催办次数", "待回复反馈", "亮牌"]
# Columns that show a unit's own figures when the list is filtered to that unit.
UNIT_COLUMNS = (COL_LIGHT, COL_DUE, COL_PROGRESS, COL_LAGGING, COL_LAST_REPORT, COL_URGES,
                COL_FEEDBACK)
_LAGGING_COLOR = QColor("#c62828")
_Index = QModelIndex | QPersistentModelIndex


def _fmt_progress(row: TaskRow) -> str:
    text = f"{row.progress:.0f}%"
    if row.time_progress is not None:
        text += f" / 时序 {row.time_progress:.0f}%"
    return text


def _units_short(units: tuple[str, ...], limit: int = 6) -> str:
    """A province task has 115 units: eliding a 700-character cell on every paint is slow,
    and nobody reads past the first few names."""
    if len(units) <= limit:
        return "、".join(units)
    return "、".join(units[:limit]) + f" 等 {len(units)} 个单位"


_DISPLAY, _SORT, _TASK_ID = int(Qt.DisplayRole), int(SortRole), int(TaskIdRole)
_DECORATION, _FOREGROUND = int(Qt.DecorationRole), int(Qt.ForegroundRole)
_TOOLTIP, _ALIGNMENT = int(Qt.ToolTipRole), int(Qt.TextAlignmentRole)
_SERVED = frozenset({_DISPLAY, _SORT, _TASK_ID, _DECORATION, _FOREGROUND, _TOOLTIP, _ALIGNMENT})
_NCOLS = len(HEADERS)
_ALIGN_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_DUE_QCOLORS = {state: QColor(color) for state, color in DUE_COLORS.items()}


class TaskTableModel(PlainTableModel):
    HEADERS = HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # Per row shown: [row, its texts (None until painted), its sort keys by column].
        self._hits: list[list] = []
        self._sort_column = COL_CODE
        self._sort_order = Qt.AscendingOrder
        self._columns = range(len(HEADERS))
        self._cells: dict[int, list] = {}
        self._labels: tuple[str, ...] = tuple(HEADERS)
        self._cards: dict[int, Card] = {}

    def set_cards(self, cards: dict[int, Card]) -> None:
        """Each task's card (亮牌) for the rows to come; a new board brings new rows."""
        if cards is not self._cards:
            self._cards = cards
            self._cells = {}

    def set_unit(self, unit: Optional[str]) -> None:
        """Filtered to one unit, the per-unit columns show that unit's figures and say so."""
        labels = list(HEADERS)
        if unit:
            for col in UNIT_COLUMNS:
                labels[col] = f"{labels[col]}\n（本单位）"  # two lines: columns stay narrow
        if labels != list(self._labels):
            self._labels = tuple(labels)
            self.headerDataChanged.emit(Qt.Horizontal, 0, len(labels) - 1)

    def header_labels(self) -> tuple[str, ...]:
        return self._labels

    def _rows_changed(self) -> None:
        # Texts and sort keys are computed once per row, when first asked for: painting and
        # sorting ask for them thousands of times, and each search keystroke resets the model
        # with rows it has mostly shown before (the same row objects until the next board
        # arrives). A new board's texts wait until its rows are painted: a switch of month
        # shows one screenful of a province's 181 tasks, sorted by one column.
        cache, hits = self._cells, []
        for row in self._rows:
            hit = cache.get(id(row))
            if hit is None or hit[0] is not row:
                hit = cache[id(row)] = [row, None, {}]
            hits.append(hit)
        if len(cache) > 4 * max(len(self._rows), 256):
            self._cells = {id(h[0]): h for h in hits}  # forget rows of earlier boards
        self._hits = hits
        self._reorder()

    def _texts(self, hit: list) -> list[Optional[str]]:
        texts = hit[1]
        if texts is None:
            row = hit[0]
            texts = hit[1] = [self._display(row, c) for c in self._columns]
        return texts

    def _sort_key(self, hit: list, col: int) -> Any:
        keys = hit[2]
        key = keys.get(col, keys)
        if key is keys:
            key = keys[col] = self._sort_value(hit[0], col)
        return key

    # --- sorting in the model ---------------------------------------------------------
    # A QSortFilterProxyModel compares rows by asking data(SortRole) twice per comparison,
    # a Python call each: thousands per keystroke. One Python sort over cached keys is cheap.
    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[i.row()].task_id if 0 <= i.row() < len(self._rows) else None
               for i in before]
        self._reorder()
        where = {r.task_id: n for n, r in enumerate(self._rows)}
        after = [self.index(where[t], i.column()) if t in where else QModelIndex()
                 for t, i in zip(ids, before)]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _reorder(self) -> None:
        col, key = self._sort_column, self._sort_key
        keys = [(key(h, col), key(h, COL_CODE)) for h in self._hits]
        order = sorted(range(len(self._hits)), key=keys.__getitem__,
                       reverse=self._sort_order == Qt.DescendingOrder)
        self._hits = [self._hits[i] for i in order]
        self._rows = [h[0] for h in self._hits]

    def row_of_task(self, task_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.task_id == task_id:
                return i
        return -1

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        # Painting asks about nine roles per visible cell; answer the ones we don't serve
        # before touching the index, with plain ints rather than enum look-ups.
        if role not in _SERVED:
            return None
        r, col = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= col < _NCOLS):
            return None
        if role == _DISPLAY:
            return self._texts(self._hits[r])[col]
        if role == _SORT:
            return self._sort_key(self._hits[r], col)
        row = self._rows[r]
        if role == _TASK_ID:
            return row.task_id
        if role == _DECORATION:
            if col == COL_CARD:
                card = self._cards.get(row.task_id, Card.NONE)
                return card_icon(card) if card else None
            return light_icon(row.light) if col == COL_LIGHT else None
        if role == _FOREGROUND:
            if col == COL_DUE:
                return _DUE_QCOLORS[row.due_state]
            if col in (COL_LAGGING, COL_PROGRESS) and row.lagging:
                return _LAGGING_COLOR
            return None
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        return _ALIGN_RIGHT if col in (COL_PROGRESS, COL_URGES, COL_FEEDBACK) else None

    def _display(self, row: TaskRow, col: int) -> Optional[str]:
        if col == COL_LIGHT:
            return row.light.word
        if col == COL_CODE:
            return row.code
        if col == COL_TITLE:
            return row.title
        if col == COL_LEAD:
            return row.lead_unit
        if col == COL_UNITS:
            return _units_short(row.units)
        if col == COL_LEADER:
            return row.leader
        if col == COL_DEADLINE:
            return row.deadline_text
        if col == COL_DUE:
            return row.due_text
        if col == COL_PROGRESS:
            return _fmt_progress(row)
        if col == COL_LAGGING:
            return "滞后" if row.lagging else ""
        if col == COL_LAST_REPORT:
            return row.last_report_at.strftime("%Y-%m-%d") if row.last_report_at else "—"
        if col == COL_URGES:
            return str(row.urge_count)
        if col == COL_FEEDBACK:
            return str(row.open_feedback) if row.open_feedback else ""
        if col == COL_CARD:
            return self._cards.get(row.task_id, Card.NONE).word
        return None

    def _sort_value(self, row: TaskRow, col: int) -> Any:
        if col == COL_LIGHT:
            return int(row.light)
        if col == COL_CODE:
            return row.sort_key
        if col == COL_DEADLINE:
            return row.deadline.isoformat() if row.deadline else "9999"
        if col == COL_DUE:
            return DUE_SEVERITY[row.due_state]
        if col == COL_PROGRESS:
            return row.progress
        if col == COL_LAGGING:
            return int(row.lagging)
        if col == COL_LAST_REPORT:
            return row.last_report_at.isoformat() if row.last_report_at else ""
        if col == COL_URGES:
            return row.urge_count
        if col == COL_FEEDBACK:
            return row.open_feedback
        if col == COL_CARD:
            return int(self._cards.get(row.task_id, Card.NONE))
        return self._display(row, col) or ""

    def _tooltip(self, row: TaskRow, col: int) -> Optional[str]:
        if col == COL_LIGHT:
            g, b, r = row.light_counts
            return f"{row.light.word}（{row.light.meaning}）：绿 {g}、蓝 {b}、红 {r} 个责任单位"
        if col in (COL_TITLE, COL_UNITS):
            return f"{row.code} {row.title}\n责任单位（{len(row.units)} 个）：{_units_short(row.units, 40)}"
        if col == COL_DUE and row.awaiting_close:
            return f"各责任单位{AWAITING_CLOSE_HINT}"
        if col == COL_CARD:
            card = self._cards.get(row.task_id, Card.NONE)
            return f"{card.word}：{card.meaning}（各责任单位中最重的一张）" if card else None
        if col == COL_URGES and row.last_urge_at:
            return f"最近催办：{row.last_urge_at:%Y-%m-%d}"
        return None
