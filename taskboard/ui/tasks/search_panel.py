"""高级搜索: keyword, unit, leader, category, lights, due states, deadline range, lagging."""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget,
)

from taskboard.core.rules import DUE_WORDS, DueState, Light
from taskboard.core.search import SearchCriteria
from taskboard.ui.common.date_field import DateField
from taskboard.ui.common.lights import light_icon


def _date_edit() -> DateField:
    return DateField(optional=True, empty_text="不限")


def _to_date(edit: DateField) -> Optional[dt.date]:
    return edit.value()


class SearchPanel(QWidget):
    criteriaChanged = Signal(object)  # SearchCriteria

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.keyword = QLineEdit(placeholderText="关键词：编号、名称、描述、本期报送内容…")
        self.keyword.setClearButtonEnabled(True)
        self.unit = QComboBox()
        self.leader = QComboBox()
        self.category = QComboBox()
        self.light_boxes = {l: QCheckBox(l.word) for l in Light}
        for light, box in self.light_boxes.items():
            box.setIcon(light_icon(light))
        self.due_boxes = {s: QCheckBox(DUE_WORDS[s]) for s in
                          (DueState.OVERDUE, DueState.NEAR_DUE, DueState.NORMAL,
                           DueState.ONGOING, DueState.DONE)}
        self.awaiting_close = QCheckBox("待销号")
        self.awaiting_close.setToolTip("各责任单位已报送完成 100%，尚未办结销号")
        self.deadline_from = _date_edit()
        self.deadline_to = _date_edit()
        self.lagging = QCheckBox("仅看滞后")
        self.clear_button = QPushButton("清除条件")
        self.clear_button.setToolTip("清除全部搜索条件（Esc）")
        self.result_label = QLabel()

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(QLabel("关键词"), 0, 0)
        grid.addWidget(self.keyword, 0, 1, 1, 3)
        grid.addWidget(QLabel("单位"), 0, 4)
        grid.addWidget(self.unit, 0, 5)
        grid.addWidget(QLabel("分管领导"), 0, 6)
        grid.addWidget(self.leader, 0, 7)
        grid.addWidget(QLabel("类别"), 0, 8)
        grid.addWidget(self.category, 0, 9)
        grid.addWidget(QLabel("亮灯"), 1, 0)
        lights = QHBoxLayout()
        for box in self.light_boxes.values():
            lights.addWidget(box)
        grid.addLayout(lights, 1, 1)
        grid.addWidget(QLabel("时限状态"), 1, 2)
        dues = QHBoxLayout()
        for box in [*self.due_boxes.values(), self.awaiting_close]:
            dues.addWidget(box)
        grid.addLayout(dues, 1, 3)
        grid.addWidget(QLabel("完成时限"), 1, 4)
        span = QHBoxLayout()
        span.addWidget(self.deadline_from)
        span.addWidget(QLabel("至"))
        span.addWidget(self.deadline_to)
        span.addSpacing(12)
        span.addWidget(self.lagging)
        span.addStretch(1)
        grid.addLayout(span, 1, 5, 1, 4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_label)
        buttons.addWidget(self.clear_button)
        grid.addLayout(buttons, 1, 9)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 3)

        # Typing waits a moment so a burst of keystrokes filters once.
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._emit)
        self.keyword.textChanged.connect(self._debounce.start)
        for combo in (self.unit, self.leader, self.category):
            combo.currentIndexChanged.connect(self._emit)
        for box in [*self.light_boxes.values(), *self.due_boxes.values(), self.awaiting_close,
                    self.lagging]:
            box.toggled.connect(self._emit)
        self.deadline_from.dateChanged.connect(self._emit)
        self.deadline_to.dateChanged.connect(self._emit)
        for edit in (self.deadline_from, self.deadline_to):
            edit.line.editingFinished.connect(self._emit)  # a bad date is named at once
        self.clear_button.clicked.connect(self.clear)
        self._blocked = False

    def set_choices(self, units: Optional[Sequence[tuple[int, str]]] = None,
                    leaders: Optional[Sequence[str]] = None,
                    categories: Optional[Sequence[str]] = None) -> None:
        """Fill the drop-downs given (None keeps one as it is), keeping the current choice
        where it still exists."""
        self._blocked = True
        try:
            if units is not None:
                self._fill(self.unit, [(None, "全部单位")] + list(units))
            if leaders is not None:
                self._fill(self.leader, [("", "全部领导")] + [(l, l) for l in leaders])
            if categories is not None:
                self._fill(self.category, [("", "全部类别")] + [(c, c) for c in categories])
        finally:
            self._blocked = False

    @staticmethod
    def _fill(combo: QComboBox, items) -> None:
        # Every period switch offers the same lists again; rebuilding them would cost a
        # relayout of the panel for nothing.
        if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] == items:
            return
        current = combo.currentData()
        combo.clear()
        for data, text in items:
            combo.addItem(text, data)
        i = combo.findData(current)
        combo.setCurrentIndex(max(i, 0))

    def criteria(self) -> SearchCriteria:
        return SearchCriteria(
            keyword=self.keyword.text().strip(),
            unit_id=self.unit.currentData(),
            leader=self.leader.currentData() or "",
            category=self.category.currentData() or "",
            lights=frozenset(l for l, b in self.light_boxes.items() if b.isChecked()),
            due_states=frozenset(s for s, b in self.due_boxes.items() if b.isChecked()),
            deadline_from=_to_date(self.deadline_from),
            deadline_to=_to_date(self.deadline_to),
            lagging_only=self.lagging.isChecked(),
            awaiting_close=self.awaiting_close.isChecked(),
        )

    def set_unit(self, unit_id: Optional[int]) -> None:
        i = self.unit.findData(unit_id)
        self.unit.setCurrentIndex(max(i, 0))

    def clear(self) -> None:
        self._blocked = True
        try:
            self.keyword.clear()
            for combo in (self.unit, self.leader, self.category):
                combo.setCurrentIndex(0)
            for box in [*self.light_boxes.values(), *self.due_boxes.values(),
                        self.awaiting_close, self.lagging]:
                box.setChecked(False)
            self.deadline_from.clear()
            self.deadline_to.clear()
        finally:
            self._blocked = False
        self._debounce.stop()
        self._emit()

    def set_today(self, today) -> None:
        """Calendars open at the app's today (tests pin it)."""
        for edit in (self.deadline_from, self.deadline_to):
            edit.set_today(today)

    def date_problem(self) -> str:
        """A typed deadline bound that is not a date: it does not filter, and the panel says so."""
        for label, edit in (("完成时限起", self.deadline_from), ("完成时限止", self.deadline_to)):
            why = edit.error(label)
            if why:
                return why
        return ""

    def active_filters(self) -> list[str]:
        """Words for what narrows the list now, for the note shown while the panel is hidden."""
        c = self.criteria()
        out = []
        if c.keyword:
            out.append(f"关键词“{c.keyword}”")
        for combo, value in ((self.unit, c.unit_id), (self.leader, c.leader),
                             (self.category, c.category)):
            if value:
                out.append(combo.currentText())
        out += [l.word for l in c.lights] + [DUE_WORDS[d] for d in c.due_states]
        if c.awaiting_close:
            out.append("待销号")
        if c.deadline_from or c.deadline_to:
            out.append(f"完成时限 {c.deadline_from or '不限'} 至 {c.deadline_to or '不限'}")
        if c.lagging_only:
            out.append("仅看滞后")
        return out

    def show_result(self, shown: int, total: int) -> None:
        problem = self.date_problem()
        self.result_label.setText(f"显示 {shown} / {total} 项" + (f"（{problem}未按此筛选）"
                                                                 if problem else ""))

    def _emit(self, *_args) -> None:
        if not self._blocked:
            self.criteriaChanged.emit(self.criteria())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.clear()
            return
        super().keyPressEvent(event)
