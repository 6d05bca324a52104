"""Domain rules as pure functions: lights, due states, report day, time progress, lagging.

These are the rules DESIGN.md states; every screen, export and chart goes through them.
"""
from __future__ import annotations

import calendar
import datetime as dt
import enum
from typing import Iterable, Optional

from taskboard.core.periods import Period
from taskboard.core.workcalendar import WorkCalendar

DEFAULT_REPORT_DAY = 25
DEFAULT_NEAR_DUE_WORKDAYS = 5


class Light(enum.IntEnum):
    """Ordered by severity so that ``max`` gives the worst."""

    GREEN = 0
    BLUE = 1
    RED = 2

    @property
    def word(self) -> str:
        return LIGHT_WORDS[self]

    @property
    def meaning(self) -> str:
        return LIGHT_MEANINGS[self]


LIGHT_WORDS = {Light.GREEN: "绿灯", Light.BLUE: "蓝灯", Light.RED: "红灯"}
LIGHT_MEANINGS = {
    Light.GREEN: "已完成或本期报送已通过",
    Light.BLUE: "待审核",
    Light.RED: "未报送",
}
LIGHT_COLORS = {Light.GREEN: "#1f9d55", Light.BLUE: "#2b6cd4", Light.RED: "#d93636"}


class DueState(enum.Enum):
    DONE = "done"
    OVERDUE = "overdue"
    NEAR_DUE = "near_due"
    NORMAL = "normal"
    ONGOING = "ongoing"

    @property
    def word(self) -> str:
        return DUE_WORDS[self]


DUE_WORDS = {
    DueState.DONE: "已完成",
    DueState.OVERDUE: "超期",
    DueState.NEAR_DUE: "临期",
    DueState.NORMAL: "正常",
    DueState.ONGOING: "长期",
}
# Worst first, for sorting and for a task made of several assignments.
DUE_SEVERITY = {
    DueState.OVERDUE: 4,
    DueState.NEAR_DUE: 3,
    DueState.NORMAL: 2,
    DueState.ONGOING: 1,
    DueState.DONE: 0,
}


def assignment_light(closed: bool, report_status: Optional[str]) -> Light:
    """Light of one assignment for one period.

    ``report_status`` is the state of the period's latest report (None when nothing was
    reported). Closed-out work stays green whatever is reported afterwards.
    """
    if closed:
        return Light.GREEN
    if report_status == "approved":
        return Light.GREEN
    if report_status == "pending":
        return Light.BLUE
    if report_status in (None, "returned"):
        return Light.RED
    raise ValueError(f"unknown report status: {report_status!r}")


def task_light(closed: bool, assignment_lights: Iterable[Light]) -> Light:
    """The worst light of a task's assignments; a closed-out task is green."""
    if closed:
        return Light.GREEN
    return max(assignment_lights, default=Light.RED)


def due_state(
    deadline: Optional[dt.date],
    done: bool,
    at: dt.date,
    cal: WorkCalendar,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
) -> DueState:
    """Due state at date ``at``.

    Near due: the deadline is at most ``near_days`` working days away (the deadline day itself
    counts when it is a working day; a deadline today is near due, not overdue).
    """
    if done:
        return DueState.DONE
    if deadline is None:
        return DueState.ONGOING
    if at > deadline:
        return DueState.OVERDUE
    if cal.workdays_after(at, deadline, limit=near_days) <= near_days:
        return DueState.NEAR_DUE
    return DueState.NORMAL


def worst_due_state(states: Iterable[DueState]) -> DueState:
    return max(states, key=DUE_SEVERITY.__getitem__, default=DueState.DONE)


def days_overdue(deadline: Optional[dt.date], at: dt.date) -> int:
    """Calendar days past the deadline (0 when not past or no deadline)."""
    if deadline is None or at <= deadline:
        return 0
    return (at - deadline).days


def report_day(period: Period, cal: WorkCalendar, day: int = DEFAULT_REPORT_DAY) -> dt.date:
    """The date a period's report is due: the configured day, moved back to a working day."""
    last = calendar.monthrange(period.year, period.month)[1]
    nominal = dt.date(period.year, period.month, min(max(day, 1), last))
    return cal.previous_workday(nominal)


def time_progress(start: dt.date, deadline: Optional[dt.date], at: dt.date) -> Optional[float]:
    """Elapsed share (0–100) of the time from ``start`` to ``deadline``; None without deadline."""
    if deadline is None:
        return None
    span = (deadline - start).days
    if span <= 0:
        return 100.0 if at >= deadline else 0.0
    share = (at - start).days / span * 100.0
    return max(0.0, min(100.0, share))


def is_lagging(progress: float, tprogress: Optional[float], done: bool) -> bool:
    """时间过半、任务过半: behind when progress is below the time progress."""
    if done or tprogress is None:
        return False
    return progress < tprogress


def code_sort_key(code: str) -> str:
    """Sortable form of a task code: "1.10.2" → "00001.00010.00002"; text kept as is."""
    parts = []
    for part in code.strip().replace("．", ".").split("."):
        parts.append(part.zfill(5) if part.isdigit() else part)
    return ".".join(parts)
