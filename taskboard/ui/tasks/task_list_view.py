"""任务清单: the searchable task table with the selected task's per-unit assignments below."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QIdentityProxyModel, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from taskboard.core.board import Board, TaskRow
from taskboard.core.cards import task_cards
from taskboard.core.search import SearchCriteria, filter_rows
from taskboard.ui.tasks.assignment_table_model import COL_CARD as A_COL_CARD
from taskboard.ui.tasks.assignment_table_model import AssignmentTableModel
from taskboard.ui.tasks.search_panel import SearchPanel
from taskboard.ui.tasks.task_table_model import (
    COL_CARD, COL_CODE, COL_DEADLINE, COL_DUE, COL_FEEDBACK, COL_LAGGING, COL_LAST_REPORT, COL_LEAD,
    COL_LEADER, COL_LIGHT, COL_PROGRESS, COL_TITLE, COL_UNITS, COL_URGES, TaskIdRole, TaskTableModel,
)

# Fixed starting widths: measuring every row (ResizeToContents) is slow on big lists.
DEFAULT_WIDTHS = {
    COL_LIGHT: 70, COL_CODE: 70, COL_TITLE: 360, COL_LEAD: 150, COL_UNITS: 220,
    COL_LEADER: 150, COL_DEADLINE: 95, COL_DUE: 96, COL_PROGRESS: 130, COL_LAGGING: 48,
    COL_LAST_REPORT: 90, COL_URGES: 70, COL_FEEDBACK: 80, COL_CARD: 64,
}


def _table(view: QTableView) -> QTableView:
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    return view


class TaskListView(QWidget):
    taskActivated = Signal(int)  # task id: Enter or double-click
    selectionChangedTo = Signal(object)  # Optional[int] task id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._board: Optional[Board] = None
        self._criteria = SearchCriteria()
        self._assignments_shown: tuple = (None, None)

        self.search = SearchPanel()
        self.model = TaskTableModel(self)
        # Sorting happens in the model itself (see TaskTableModel.sort); the identity proxy
        # keeps the view's row numbers apart from the model's should a real proxy return.
        self.proxy = QIdentityProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = _table(QTableView())
        self.table.setObjectName("taskTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        for col, width in DEFAULT_WIDTHS.items():
            self.table.setColumnWidth(col, width)
        # 亮牌 came after the other columns; it is read with 亮灯, so it is shown beside it.
        header.moveSection(header.visualIndex(COL_CARD), COL_LIGHT + 1)
        self.table.sortByColumn(COL_CODE, Qt.AscendingOrder)

        self.assignment_model = AssignmentTableModel(self)
        self.assignment_table = _table(QTableView())
        self.assignment_table.setObjectName("assignmentTable")
        self.assignment_table.setModel(self.assignment_model)
        for col, width in enumerate([70, 150, 70, 70, 48, 96, 70, 330, 90, 70, 64]):
            self.assignment_table.setColumnWidth(col, width)
        lower_header = self.assignment_table.horizontalHeader()
        lower_header.moveSection(lower_header.visualIndex(A_COL_CARD), 1)
        self.assignment_title = QLabel("选择一项任务查看各责任单位进展")
        self.assignment_title.setObjectName("paneTitle")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.assignment_title)
        lower_layout.addWidget(self.assignment_table)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        # While 高级搜索 is hidden its filters still apply: this line keeps saying so.
        self.filter_note = QLabel()
        self.filter_note.setObjectName("filterNote")
        self.filter_note.setStyleSheet("background:#e8f0fe; color:#1a3d7c; padding:3px 8px;")
        self.filter_note.setVisible(False)
        self.filter_note.linkActivated.connect(lambda _: self.search.clear())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.filter_note)
        layout.addWidget(self.splitter)

        self.search.criteriaChanged.connect(self.set_criteria)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)

    def set_search_visible(self, visible: bool) -> None:
        self.search.setVisible(visible)
        self._show_filter_note()

    def _show_filter_note(self) -> None:
        if not self.search.isHidden() or self._board is None:
            self.filter_note.setVisible(False)
            return
        active = self.search.active_filters()
        count = self.search.result_label.text()
        text = (f"筛选中：{'，'.join(active)} · {count} · <a href='clear'>清除条件</a>"
                if active else f"{count}（未设筛选条件）")
        self.filter_note.setText(text)
        self.filter_note.setVisible(True)

    # --- data -------------------------------------------------------------------------
    def show_board(self, board: Board) -> None:
        """Show a freshly loaded board, keeping the selected task and scroll position."""
        if board is self._board:  # the same board with new figures (cards): a fresh lower pane
            self._assignments_shown = (None, None)
        self._board = board
        self._apply()

    def set_criteria(self, criteria: SearchCriteria) -> None:
        self._criteria = criteria
        self._apply()

    def _apply(self) -> None:
        if self._board is None:
            return
        keep = self.selected_task_ids()
        current = self.current_task_id()
        scroll = self.table.verticalScrollBar().value()
        rows = filter_rows(self._board.rows, self._criteria)
        self.model.set_cards(task_cards(self._board))
        self.model.set_rows(rows)
        self.search.show_result(len(rows), len(self._board.rows))
        self._show_filter_note()
        self._restore_selection(keep, current)
        if self.current_task_id() is None and self.proxy.rowCount():
            # Start on the first row so the lower pane and the keyboard have a place to be.
            self.table.selectionModel().setCurrentIndex(
                self.proxy.index(0, 0),
                QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        self.table.verticalScrollBar().setValue(scroll)
        self._show_assignments(self.current_task_id())

    def visible_rows(self) -> list[TaskRow]:
        """Rows in the order the table shows them (sorted, filtered)."""
        out = []
        for r in range(self.proxy.rowCount()):
            src = self.proxy.mapToSource(self.proxy.index(r, 0))
            out.append(self.model.row_at(src.row()))
        return out

    # --- selection --------------------------------------------------------------------
    def current_task_id(self) -> Optional[int]:
        idx = self.table.currentIndex()
        return idx.data(TaskIdRole) if idx.isValid() else None

    def selected_task_ids(self) -> list[int]:
        return [i.data(TaskIdRole) for i in self.table.selectionModel().selectedRows()]

    def select_task(self, task_id: int) -> bool:
        row = self.model.row_of_task(task_id)
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        self.table.scrollTo(idx)
        return True

    def _restore_selection(self, keep: list[int], current: Optional[int]) -> None:
        sel = self.table.selectionModel()
        for task_id in keep:
            row = self.model.row_of_task(task_id)
            if row >= 0:
                idx = self.proxy.mapFromSource(self.model.index(row, 0))
                sel.select(idx, QItemSelectionModel.Select | QItemSelectionModel.Rows)
        if current is not None:
            row = self.model.row_of_task(current)
            if row >= 0:
                idx = self.proxy.mapFromSource(self.model.index(row, 0))
                sel.setCurrentIndex(idx, QItemSelectionModel.NoUpdate)

    def _current_changed(self, current, _previous) -> None:
        task_id = current.data(TaskIdRole) if current.isValid() else None
        self._show_assignments(task_id)
        self.selectionChangedTo.emit(task_id)

    def _show_assignments(self, task_id: Optional[int]) -> None:
        shown = (id(self._board), task_id)
        if shown == self._assignments_shown:
            return  # a search keystroke that kept the same task needs no new lower pane
        self._assignments_shown = shown
        if self._board is None or task_id is None:
            self.assignment_model.set_rows([])
            self.assignment_title.setText("选择一项任务查看各责任单位进展")
            return
        rows = self._board.assignments.get(task_id, [])
        self.assignment_model.cards = self._board.memo.get("cards", {})
        task = next((r for r in self.model.rows() if r.task_id == task_id), None)
        self.assignment_model.set_rows(rows)
        if task is not None:
            g, b, r = task.light_counts
            self.assignment_title.setText(
                f"{task.code} {task.title} — 责任单位 {len(rows)} 个（绿 {g} / 蓝 {b} / 红 {r}）")

    def _activated(self, index) -> None:
        if index.isValid():
            self.taskActivated.emit(index.data(TaskIdRole))

    # --- persisted layout ---------------------------------------------------------------
    def save_state(self, settings) -> None:
        settings.setValue("taskList/header", self.table.horizontalHeader().saveState())
        settings.setValue("taskList/splitter", self.splitter.saveState())
        settings.setValue("taskList/assignmentHeader",
                          self.assignment_table.horizontalHeader().saveState())

    def restore_state(self, settings) -> None:
        for key, target in (("taskList/header", self.table.horizontalHeader()),
                            ("taskList/splitter", self.splitter),
                            ("taskList/assignmentHeader",
                             self.assignment_table.horizontalHeader())):
            state = settings.value(key)
            if state is not None:
                target.restoreState(state)
