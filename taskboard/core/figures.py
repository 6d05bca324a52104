"""Every figure the program shows, prints or sends, defined once.

The board (``core.board``), the battle map (``core.dashboard``), its month-by-month history
(``core.dashboard_history``), the urge screening and notices (``core.services.urging``), the
ledger and report forms (``excel``) and ``taskboard stats`` all count through these
definitions; README.md ("Rules in one screen") lists them in words.

Period membership (what a month counts)
---------------------------------------
A month P is judged at ``as_of(P)``: its last day once it has ended, today while it runs
(``Period.as_of``). A task belongs to P when

    max(task.start_date, task.entered_on) <= as_of(P)
    and (task not deleted  or  task.deleted_on > as_of(P))

and an assignment (a unit's share of a task) when its task belongs and

    (assignment.added_on or task.start_date) <= as_of(P)
    and (assignment not withdrawn  or  assignment.removed_on > as_of(P)).

``entered_on`` is the day an imported task entered the program (a task list gives no start
of its own; the start the import writes may be earlier when the deadline has passed); a
task typed in the editor has its own start and no entered_on. So a task imported today, or
created today with a start of today or later, never enters a month that has ended, and a deleted task or a withdrawn unit leaves the months from its removal
on while the months before keep it. A removal whose day is unknown (rows removed before
the day was recorded) counts nowhere. Decisions for the other changes:

* Reassignment (a unit taken off and another put on): the old unit counts until the day it
  was taken off, the new one from the day it was added (``added_on``), each with its own
  reports. A unit withdrawn before it left any trace (no report, urge or feedback) was
  assigned by mistake and is removed from every month. Merging a retired unit into another hands the work *and its history* to the
  successor, which then shows the merged unit's past under its own name.
* Late close-out: the close-out counts from its 办结日期, which can never lie in the
  future. A close-out entered after the month it is dated in does change that month — it is
  a fact about that month, like a late report for it (the audit trail shows when it was
  entered). Reopening (重新打开) withdraws the close-out from every month.
* Reports: a month's figures use the reports filed *for that month* (``report.period``) and
  earlier months, whenever they were submitted or reviewed; reports for later months never
  change an earlier month.

Per assignment and month
------------------------
* Light (亮灯), ``assignment_light``: 绿灯 when closed out by as_of(P) or P's latest report is
  approved; 蓝灯 when it awaits review; 红灯 when P has no report or its latest was returned.
  A task's light (``task_light``) is the worst of its assignments' (红 > 蓝 > 绿); a task
  closed out is green.
* Progress (完成进度): the progress % of the latest report for P or an earlier month that was
  not returned (pending counts), 100 once closed out, 0 before any report. A task's progress
  is the mean of its assignments'.
* Due state (``due_state``): 已完成 when closed out; 长期 without a deadline; 超期 when
  as_of(P) > deadline; 临期 when the deadline is at most N working days away (default 5, the
  deadline day counts when it is a working day); else 正常. The deadline is passed in: a
  recurring task passes its current cycle's due date (``core.recurrence.current_due_date``),
  and its light follows the cycle's latest report.
* Time progress (``time_progress``): (as_of − start) / (deadline − start) × 100, clamped to
  0–100; none without a deadline. Lagging (``is_lagging``): open and progress < time progress.
* Report owed (``owes_report``): the assignment belongs to P and is not closed out by
  as_of(P). Reported (``has_reported``): owed and P's latest report is pending or approved.

Aggregates
----------
* 本期报送率 (``report_rate``) = reported ÷ owed, over the same assignments (closed work
  is in neither); 未报送 = owed − reported = the owed assignments that are red.
* 按时报送率 (``on_time_rate``, per unit) = assignments open at P's first day with a report
  for P submitted on or before P's report day ÷ assignments open at P's first day; none when
  nothing was owed.
* KPIs (``kpis`` in core.dashboard): tasks, 已办结 (task closed or every assignment closed),
  各单位均完成 / 半数以上完成 (assignments closed or at 100 %), lights, 临期, 超期, 滞后 —
  each counted over the tasks that belong to P.
* Completion level per district: 平均完成进度 (mean progress of its assignments in P) or
  办结率 (share closed out); ranking (``rank_key``) by level, then on-time rate, overdue
  count (fewer first), urges received in P (fewer first), ties sharing a rank (1, 2, 2, 4).
* Urge reasons (``urge_reasons``): 未报送 / 已退回 from the report state, then 超期, or 临期 /
  今日到期, then 滞后 (not for overdue work); 其他 when none applies. A report awaiting review
  is never called unreported.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from sqlalchemy import and_, func, or_

from taskboard.core.models import Assignment, Task
# The per-assignment rules live beside their enums; they are part of this catalogue.
from taskboard.core.rules import (  # noqa: F401  (re-exported definitions)
    DueState, Light, assignment_light, days_overdue, due_state, is_lagging, task_light,
    time_progress,
)

REPORTED_STATES = ("pending", "approved")


# --- membership -----------------------------------------------------------------------------

def task_counts_from(start: dt.date, entered_on: Optional[dt.date]) -> dt.date:
    """The first day a task belongs to: max(start, entered_on)."""
    return start if entered_on is None else max(start, entered_on)


def task_belongs(start: dt.date, entered_on: Optional[dt.date], deleted: bool,
                 deleted_on: Optional[dt.date], as_of: dt.date) -> bool:
    """max(start, entered_on) <= as_of and (not deleted or deleted_on > as_of)."""
    if task_counts_from(start, entered_on) > as_of:
        return False
    return not deleted or (deleted_on is not None and deleted_on > as_of)


def assignment_belongs(task_start: dt.date, added_on: Optional[dt.date], archived: bool,
                       removed_on: Optional[dt.date], as_of: dt.date) -> bool:
    """(added_on or task_start) <= as_of and (not archived or removed_on > as_of).

    The task's own membership is checked separately (``task_belongs``).
    """
    if (added_on or task_start) > as_of:
        return False
    return not archived or (removed_on is not None and removed_on > as_of)


def task_member_clause(as_of: dt.date):
    """``task_belongs`` as a SQL condition on Task."""
    return and_(Task.start_date <= as_of,
                or_(Task.entered_on.is_(None), Task.entered_on <= as_of),
                or_(Task.deleted.is_(False), Task.deleted_on > as_of))


def assignment_member_clause(as_of: dt.date):
    """``assignment_belongs`` as a SQL condition on Assignment joined to its Task."""
    return and_(func.coalesce(Assignment.added_on, Task.start_date) <= as_of,
                or_(Assignment.archived.is_(False), Assignment.removed_on > as_of))


def display_code(code: str) -> str:
    """A deleted task's code without the suffix that frees the code for reuse."""
    return code.split("~删", 1)[0]


# --- reporting ------------------------------------------------------------------------------

def owes_report(closed: bool) -> bool:
    """A member assignment owes this month's report until it is closed out."""
    return not closed


def has_reported(closed: bool, report_status: Optional[str]) -> bool:
    """Owed and this month's latest report is pending or approved."""
    return owes_report(closed) and report_status in REPORTED_STATES


def report_counts(rows: Iterable) -> tuple[int, int]:
    """(owed, reported) over assignment rows with ``closed`` and ``report_status``."""
    owed = reported = 0
    for a in rows:
        if owes_report(a.closed):
            owed += 1
            reported += a.report_status in REPORTED_STATES
    return owed, reported


def report_rate(owed: int, reported: int) -> Optional[float]:
    """reported ÷ owed as a fraction (None when nothing is owed)."""
    return reported / owed if owed else None


def on_time_rate(owed_at_start: int, on_time: int) -> Optional[float]:
    """on_time ÷ owed_at_start × 100 (None when nothing was owed)."""
    return on_time / owed_at_start * 100 if owed_at_start else None


def submitted_on_time(submitted_at: dt.datetime, report_day: dt.date) -> bool:
    """A report is on time when submitted on or before the month's report day."""
    return submitted_at.date() <= report_day


# --- urging ---------------------------------------------------------------------------------

def report_category(status: Optional[str]) -> str:
    """unreported (no report this month) / returned / reported (pending or approved)."""
    if status is None:
        return "unreported"
    return "returned" if status == "returned" else "reported"


def urge_reasons(status: Optional[str], due: DueState, lagging: bool,
                 workdays_left: Optional[int]) -> tuple[str, ...]:
    """Why an open assignment is urged, in the order a notice states them."""
    out = []
    category = report_category(status)
    if category != "reported":
        out.append(category)
    if due is DueState.OVERDUE:
        out.append("overdue")
    elif due is DueState.NEAR_DUE:
        out.append("due_today" if workdays_left == 0 else "near_due")
    if lagging and due is not DueState.OVERDUE:
        out.append("lagging")
    return tuple(out) or ("other",)


# --- levels and rankings --------------------------------------------------------------------

def level_lagging(level: float, time_line: float) -> bool:
    """A tank lags when its level, rounded to 0.1 as shown, is below its time line."""
    return round(level, 1) < round(time_line, 1)


def rank_key(level: float, on_time: Optional[float], overdue: int, urges: int) -> tuple:
    """Sort key of the district ranking: level, on-time rate (higher first, none last),
    overdue (fewer first), urges (fewer first); values compared at the shown 0.1."""
    rate = -1.0 if on_time is None else round(on_time, 1)
    return (-round(level, 1), -rate, overdue, urges)


def rank_change_text(change: Optional[int]) -> str:
    """Rank change since the previous period: ↑2, ↓1, — (same), 新 (no rank then)."""
    if change is None:
        return "新"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"
