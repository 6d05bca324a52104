"""A date typed as the user means it, or picked from a calendar that opens at today.

QDateEdit edits section by section: selecting everything and typing 2027-03-31 keeps the
old year, and 2027-02-30 silently becomes another date. Here the typed text is parsed as a
whole, an impossible date is named as such, and an optional field may stay empty (不限).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Optional

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget, QHBoxLayout, QLineEdit, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_BAD_STYLE = "QLineEdit { border: 1px solid #c62828; background: #fff3f3; }"


def parse_date(text: str) -> tuple[Optional[dt.date], str]:
    """(date, "") for a real date, (None, "") for empty text, (None, reason) otherwise."""
    text = text.strip()
    if not text:
        return None, ""
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d), ""
            except ValueError:
                return None, f"“{text}”不是有效日期（{y} 年 {mo} 月没有 {d} 日）" \
                    if 1 <= mo <= 12 else f"“{text}”不是有效日期（没有 {mo} 月）"
    return None, f"“{text}”不是日期，请按 2027-03-31 的格式输入"


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class DateField(QWidget):
    """Drop-in for the parts of QDateEdit the dialogs use: date(), setDate(), dateChanged."""

    dateChanged = Signal(QDate)  # after Enter, leaving the field, a calendar pick or setDate

    def __init__(self, *, optional: bool = False, empty_text: str = "",
                 today: Optional[Callable[[], dt.date]] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self._today = today or dt.date.today
        self._last: Optional[dt.date] = None
        self.line = QLineEdit()
        self.line.setPlaceholderText(empty_text or "如 2027-03-31")
        self.line.setClearButtonEnabled(optional)
        self.line.setMinimumWidth(self.line.fontMetrics().horizontalAdvance("2027-03-31") + 40)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip("从日历中选择")
        self.button.setFocusPolicy(Qt.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line, 1)
        row.addWidget(self.button)
        self.setFocusProxy(self.line)
        # One line high, like the QDateEdit it replaces (a form row must not stretch it).
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.line.editingFinished.connect(self._commit)
        self.line.textChanged.connect(self._mark)
        self.popup: Optional[QWidget] = None
        self.calendar: Optional[QCalendarWidget] = None

    # --- value ------------------------------------------------------------------------------
    def set_today(self, today: Callable[[], dt.date]) -> None:
        self._today = today

    def value(self) -> Optional[dt.date]:
        return parse_date(self.line.text())[0]

    def error(self, label: str = "日期") -> str:
        """Why the text is not acceptable, or "" when it is."""
        d, why = parse_date(self.line.text())
        if why:
            return f"{label}{why}。"
        if d is None and not self.optional and self.isEnabled():
            return f"请填写{label}。"
        return ""

    def date(self) -> QDate:
        d = self.value()
        return _qdate(d) if d is not None else QDate()

    def setDate(self, date) -> None:
        if isinstance(date, QDate):
            date = dt.date(date.year(), date.month(), date.day()) if date.isValid() else None
        self.line.setText(date.isoformat() if date else "")
        self._commit()

    def clear(self) -> None:
        self.setDate(None)

    def _mark(self, text: str) -> None:
        bad = bool(parse_date(text)[1])
        self.line.setStyleSheet(_BAD_STYLE if bad else "")
        self.line.setToolTip(parse_date(text)[1] if bad else "")

    def _commit(self) -> None:
        d, why = parse_date(self.line.text())
        if why:
            return  # the red frame says so; the dialog names it on saving
        if d is not None:
            self.line.setText(d.isoformat())  # 2027/3/5 reads back as 2027-03-05
        if d != self._last:
            self._last = d
            self.dateChanged.emit(_qdate(d) if d else QDate())

    # --- calendar ---------------------------------------------------------------------------
    def open_calendar(self) -> QCalendarWidget:
        """Opens at the date in the field, or at today when it is empty."""
        if self.popup is None:
            self.popup = QWidget(self, Qt.Popup)
            self.calendar = QCalendarWidget()
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
            box = QVBoxLayout(self.popup)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(self.calendar)
        shown = self.value() or self._today()
        self.calendar.setSelectedDate(_qdate(shown))
        self.calendar.setCurrentPage(shown.year, shown.month)
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(QPoint(0, self.height())))
        self.popup.show()
        self.calendar.setFocus()
        return self.calendar

    def _picked(self, qdate: QDate) -> None:
        if self.popup is not None:
            self.popup.hide()
        self.setDate(qdate)
        self.line.setFocus()
