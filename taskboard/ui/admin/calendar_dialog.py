"""工作日日历: the official calendar with 调休, and the office's own overrides, by month.

Each special day carries a word in its cell (休 / 班 / 改休 / 改班) as well as a colour, and
the legend spells both out, so the calendar reads in black and white too.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QTextCharFormat
from PySide6.QtWidgets import (
    QButtonGroup, QCalendarWidget, QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout,
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QRadioButton, QVBoxLayout,
    QWidget,
)

from taskboard.core.permissions import allowed
from taskboard.core.services import settings_admin
from taskboard.core.services.settings_admin import CalendarDay
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op

WEEKDAYS = "一二三四五六日"
# kind -> (badge drawn in the cell, legend word, background)
STYLES = {
    "holiday": ("休", "法定节假日", "#f6c6c6"),
    "lieu": ("班", "调休上班", "#ffd8a8"),
    "override_off": ("改休", "自定义休息日", "#d5c8f0"),
    "override_on": ("改班", "自定义工作日", "#bfe3c6"),
}


def day_kind(d: CalendarDay) -> Optional[str]:
    if d.override is not None:
        return "override_on" if d.override else "override_off"
    if d.official_kind == "法定节假日":
        return "holiday"
    if d.official_kind == "调休上班":
        return "lieu"
    return None


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class WorkCalendarWidget(QCalendarWidget):
    """A QCalendarWidget that writes each special day's word into its cell."""

    def __init__(self) -> None:
        super().__init__()
        self.badges: dict[QDate, str] = {}

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate) -> None:
        super().paintCell(painter, rect, date)
        badge = self.badges.get(date)
        if not badge:
            return
        painter.save()
        font = QFont(painter.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.7))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#222"))
        painter.drawText(rect.adjusted(1, 0, -2, 0), Qt.AlignTop | Qt.AlignRight, badge)
        painter.restore()


class CalendarDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.can_edit = allowed(ctx.actor, "settings.edit")
        self.setWindowTitle("工作日日历")
        self._days: dict[int, dict[dt.date, CalendarDay]] = {}

        self.calendar = WorkCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.NoVerticalHeader)
        self.calendar.setMinimumDate(QDate(2000, 1, 1))
        self.calendar.setMaximumDate(QDate(2100, 12, 31))
        self.calendar.setMinimumSize(460, 320)
        self.calendar.currentPageChanged.connect(lambda y, m: self._show_year(y))
        self.calendar.selectionChanged.connect(self._show_selected)

        legend = QGridLayout()
        for i, (badge, word, colour) in enumerate(STYLES.values()):
            swatch = QLabel(badge)
            swatch.setAlignment(Qt.AlignCenter)
            swatch.setFixedSize(40, 22)
            swatch.setStyleSheet(f"background:{colour}; border:1px solid #999; font-weight:bold")
            legend.addWidget(swatch, i // 2, (i % 2) * 2)
            legend.addWidget(QLabel(word), i // 2, (i % 2) * 2 + 1)
        legend.setColumnStretch(4, 1)

        self.year_note = QLabel()
        self.year_note.setObjectName("year_note")
        self.year_note.setWordWrap(True)
        self.day_info = QLabel()
        self.day_info.setObjectName("day_info")
        self.day_info.setWordWrap(True)
        self.day_info.setMinimumHeight(96)
        self.day_info.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        self.as_workday = QRadioButton("工作日")
        self.as_holiday = QRadioButton("休息日")
        self.as_holiday.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.as_workday)
        group.addButton(self.as_holiday)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setMaxLength(200)
        self.note.setPlaceholderText("备注，如：2027年元旦放假")
        self.set_button = QPushButton("保存调整")
        self.set_button.setObjectName("set_override")
        self.set_button.clicked.connect(self.set_override)
        self.remove_button = QPushButton("取消调整")
        self.remove_button.setObjectName("remove_override")
        self.remove_button.clicked.connect(self.remove_override)
        edit = QFrame()
        edit.setFrameShape(QFrame.StyledPanel)
        edit_layout = QVBoxLayout(edit)
        edit_layout.addWidget(QLabel("<b>调整所选日期</b>"))
        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel("设为："))
        kind_row.addWidget(self.as_workday)
        kind_row.addWidget(self.as_holiday)
        kind_row.addStretch(1)
        edit_layout.addLayout(kind_row)
        edit_layout.addWidget(self.note)
        button_row = QHBoxLayout()
        button_row.addWidget(self.set_button)
        button_row.addWidget(self.remove_button)
        button_row.addStretch(1)
        edit_layout.addLayout(button_row)
        edit.setVisible(self.can_edit)

        self.overrides = QListWidget()
        self.overrides.setObjectName("overrides")
        self.overrides.itemActivated.connect(self._jump)
        self.overrides.itemClicked.connect(self._jump)

        side = QVBoxLayout()
        side.addWidget(self.day_info)
        side.addWidget(edit)
        side.addWidget(QLabel("本年自定义调整："))
        side.addWidget(self.overrides, 1)
        top = QHBoxLayout()
        top.addWidget(self.calendar, 3)
        top.addLayout(side, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(legend)
        layout.addWidget(self.year_note)
        layout.addWidget(buttons)
        self.resize(900, 540)

        self.select(ctx.today())

    # --- showing ------------------------------------------------------------------------------
    def select(self, day: dt.date) -> None:
        self.calendar.setSelectedDate(_qdate(day))
        self._show_year(day.year)
        self._show_selected()

    def selected_day(self) -> dt.date:
        return self.calendar.selectedDate().toPython()

    def day(self, day: dt.date) -> CalendarDay:
        return self._year(day.year)[day]

    def _year(self, year: int) -> dict[dt.date, CalendarDay]:
        if year not in self._days:
            rows = read(self.ctx, lambda s: settings_admin.list_calendar(s, year))
            self._days[year] = {d.day: d for d in rows}
        return self._days[year]

    def _show_year(self, year: int) -> None:
        days = self._year(year)
        cal = self.calendar
        cal.setDateTextFormat(QDate(), QTextCharFormat())  # clears every date's format
        cal.badges = {}
        for d in days.values():
            kind = day_kind(d)
            if kind is None:
                continue
            badge, _word, colour = STYLES[kind]
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(QColor(colour)))
            fmt.setForeground(QBrush(QColor("#b00000" if not d.is_workday else "#000000")))
            cal.setDateTextFormat(_qdate(d.day), fmt)
            cal.badges[_qdate(d.day)] = badge
        cal.update()
        last = settings_admin.last_known_year()
        first = next(iter(days.values()))
        if first.year_known:
            self.year_note.setText(
                f"{year} 年按国务院公布的放假安排（含调休）计算工作日。软件收录的官方日历到 {last} 年；"
                f"此后的年份在更新软件包 chinese_calendar 之前按周一至周五计算。")
            self.year_note.setStyleSheet("color:#555")
        else:
            self.year_note.setText(
                f"注意：{year} 年的放假安排尚未收录（软件收录到 {last} 年），暂按周一至周五计算工作日。"
                f"国务院公布放假安排后，请更新软件，或在此逐日添加调整。")
            self.year_note.setStyleSheet("color:#9a5b00; font-weight:bold")
        self.overrides.clear()
        for d in days.values():
            if d.override is None:
                continue
            word = "工作日" if d.override else "休息日"
            text = f"{d.day.isoformat()}  调整为{word}" + (f"  {d.override_note}"
                                                          if d.override_note else "")
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, d.day)
            self.overrides.addItem(item)

    def _show_selected(self) -> None:
        day = self.selected_day()
        d = self.day(day)
        lines = [f"<b>{day.year} 年 {day.month} 月 {day.day} 日 星期{WEEKDAYS[day.weekday()]}</b>"]
        if d.official_workday is None:
            official = "官方日历未收录该年，按周一至周五计为" + ("工作日" if d.fallback_workday
                                                             else "休息日")
        else:
            official = "官方日历：" + d.official_kind + (f"（{d.holiday_name}）"
                                                    if d.holiday_name else "")
        lines.append(official)
        if d.override is not None:
            word = "工作日" if d.override else "休息日"
            lines.append(f"自定义调整：{word}" + (f"（{d.override_note}）" if d.override_note
                                                else ""))
        lines.append("结果：" + ("工作日" if d.is_workday else "休息日"))
        self.day_info.setText("<br>".join(lines))
        self.remove_button.setEnabled(d.override is not None)
        # An override is shown as it stands; otherwise offer the opposite of the day as it is,
        # since that is what an override is for.
        if d.override is not None:
            (self.as_workday if d.override else self.as_holiday).setChecked(True)
        else:
            (self.as_holiday if d.is_workday else self.as_workday).setChecked(True)
        self.note.setText(d.override_note)

    def _jump(self, item: QListWidgetItem) -> None:
        self.select(item.data(Qt.UserRole))

    # --- editing ------------------------------------------------------------------------------
    def _reload(self, day: dt.date) -> None:
        self._days.pop(day.year, None)
        self._show_year(day.year)
        self._show_selected()

    def set_override(self) -> bool:
        day, workday, note = self.selected_day(), self.as_workday.isChecked(), self.note.text()
        try:
            run_op(self, self.ctx, lambda s: settings_admin.set_calendar_override(
                s, self.ctx.actor, day, workday, note), ("settings",), title="无法保存调整")
        except OpFailed:
            return False
        self._reload(day)
        return True

    def remove_override(self) -> bool:
        day = self.selected_day()
        try:
            run_op(self, self.ctx, lambda s: settings_admin.remove_calendar_override(
                s, self.ctx.actor, day), ("settings",), title="无法取消调整")
        except OpFailed:
            return False
        self._reload(day)
        return True
