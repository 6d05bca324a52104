"""Recurring deadlines (每月/每季度/每半年/每学期/每年): one due date per cycle.

A recurring task is due at the end of every cycle; due states and urging judge it by the cycle
that contains the day in question. ``deadline`` on such a task is the last cycle's date (the
work ends there) or None when the cycles go on.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Optional

MONTHLY = "monthly"
QUARTERLY = "quarterly"
HALF_YEARLY = "half_yearly"
SEMESTER = "semester"
YEARLY = "yearly"

RECURRENCE_WORDS = {
    MONTHLY: "每月",
    QUARTERLY: "每季度",
    HALF_YEARLY: "每半年",
    SEMESTER: "每学期",
    YEARLY: "每年",
}
RECURRENCES = tuple(RECURRENCE_WORDS)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def cycle_bounds(recurrence: str, at: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the cycle containing ``at``.

    Semesters follow the Chinese school year: 春季学期 February–July, 秋季学期 August–January.
    """
    y, m = at.year, at.month
    if recurrence == MONTHLY:
        return dt.date(y, m, 1), _month_end(y, m)
    if recurrence == QUARTERLY:
        first = (m - 1) // 3 * 3 + 1
        return dt.date(y, first, 1), _month_end(y, first + 2)
    if recurrence == HALF_YEARLY:
        return (dt.date(y, 1, 1), dt.date(y, 6, 30)) if m <= 6 else (dt.date(y, 7, 1),
                                                                       dt.date(y, 12, 31))
    if recurrence == SEMESTER:
        if 2 <= m <= 7:
            return dt.date(y, 2, 1), dt.date(y, 7, 31)
        if m >= 8:
            return dt.date(y, 8, 1), dt.date(y + 1, 1, 31)
        return dt.date(y - 1, 8, 1), dt.date(y, 1, 31)
    if recurrence == YEARLY:
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    raise ValueError(f"unknown recurrence: {recurrence!r}")


def first_period_of_cycle(recurrence: str, period: str) -> str:
    """The first reporting period ("2026-10") of the cycle that contains ``period``.

    A report anywhere in the current cycle answers for the cycle: the light of a 每季度 task
    in November follows its October report. Without a recurrence that is the period itself.
    """
    if not recurrence:
        return period
    year, month = (int(x) for x in period.split("-"))
    first = cycle_bounds(recurrence, dt.date(year, month, 1))[0]
    return f"{first.year:04d}-{first.month:02d}"


def current_due_date(deadline: Optional[dt.date], recurrence: str,
                     at: dt.date) -> Optional[dt.date]:
    """The date the work is due by, seen at ``at``: what due states and urging compare with.

    Without a recurrence that is the deadline itself. With one it is the end of the current
    cycle, never later than the last cycle's ``deadline``; once that has passed the task is
    judged by it (overdue when not done).
    """
    if not recurrence:
        return deadline
    if deadline is not None and at >= deadline:
        return deadline
    due = cycle_bounds(recurrence, at)[1]
    return min(due, deadline) if deadline is not None else due


def recurrence_text(recurrence: str, current_due: Optional[dt.date] = None,
                    last: Optional[dt.date] = None) -> str:
    """每季度（本期 2026-12-31 前，至 2027-12-31）: the words, the cycle's and the last due date."""
    word = RECURRENCE_WORDS.get(recurrence, "")
    if not word:
        return ""
    parts = []
    if current_due is not None:
        parts.append(f"本期 {current_due.isoformat()} 前")
    if last is not None and last != current_due:
        parts.append(f"至 {last.isoformat()}")
    return word + (f"（{'，'.join(parts)}）" if parts else "")
