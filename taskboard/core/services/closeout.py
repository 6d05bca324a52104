"""办结/销号: close an assignment or a whole task with an outcome, a date and a note; reopen.

Closed-out work stays green whatever is reported afterwards (rules.assignment_light);
reopening needs a reason, and both directions are audited.

Closing out also confirms the work's reports still awaiting review (approved with
CONFIRM_COMMENT, each audited): the dispatcher who closes a task has judged the work done,
and a report left pending would sit in the review queue for ever while the light is green.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, ValidationError
from taskboard.core.models import CLOSE_OUTCOMES, Assignment, Report, Unit, local_now
from taskboard.core.periods import Period
from taskboard.core.services.reports import load_assignment
from taskboard.core.services.tasks import load_task


def _check(outcome: str, on: dt.date, start: dt.date, today: Optional[dt.date]) -> None:
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError(f"请选择办结方式（{'、'.join(CLOSE_OUTCOMES)}）。")
    if on is None:
        raise ValidationError("请填写办结日期。")
    if on > (today or dt.date.today()):
        raise ValidationError(f"办结日期 {on:%Y-%m-%d} 不能晚于今天。")
    if on < start:
        raise ValidationError(f"办结日期 {on:%Y-%m-%d} 不能早于任务开始日期 {start:%Y-%m-%d}。")


CONFIRM_COMMENT = "随办结一并确认"


def _confirm_pending(session: Session, actor: Actor, assignment_ids: list[int]) -> int:
    """Approve the pending reports of closed-out assignments; returns how many."""
    if not assignment_ids:
        return 0
    rows = session.execute(
        select(Report, Assignment.task_id, Unit.name)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Report.assignment_id.in_(assignment_ids), Report.status == "pending")
        .order_by(Report.period, Report.id)).all()
    now = local_now()
    for report, task_id, unit in rows:
        report.status, report.reviewer_id = "approved", actor.user_id
        report.reviewed_at, report.review_comment = now, CONFIRM_COMMENT
        audit.record(session, actor, "report.approve", "report", report.id, task_id=task_id,
                     summary=f"审核通过：{unit} {Period.parse(report.period).label}报送，"
                             f"意见：{CONFIRM_COMMENT}",
                     before={"status": "pending"},
                     after={"status": "approved", "review_comment": CONFIRM_COMMENT})
    return len(rows)


def _state(obj) -> dict:
    return {"closed_on": obj.closed_on, "close_outcome": obj.close_outcome,
            "close_note": obj.close_note}


def close_assignment(session: Session, actor: Actor, assignment_id: int, outcome: str,
                     on: dt.date, note: str = "", *, today: Optional[dt.date] = None) -> None:
    permissions.require(actor, "task.close")
    a = load_assignment(session, assignment_id)
    unit = session.get(Unit, a.unit_id).name
    if a.archived:
        raise IllegalTransition(f"{unit}已不再承担此任务，不能办结。")
    if a.closed_on is not None:
        raise IllegalTransition(f"{unit}承担的任务 {a.task.code} 已于 {a.closed_on:%Y-%m-%d} 办结。")
    if a.task.closed_on is not None:
        raise IllegalTransition(f"任务 {a.task.code} 已整体办结。")
    _check(outcome, on, a.task.start_date, today)
    before = _state(a)
    a.closed_on, a.close_outcome, a.close_note = on, outcome, (note or "").strip()
    a.progress = 100
    audit.record(session, actor, "assignment.close", "assignment", a.id, task_id=a.task_id,
                 summary=f"{unit}承担的任务 {a.task.code} 办结（{outcome}）",
                 before=before, after=_state(a))
    _confirm_pending(session, actor, [a.id])


def close_task(session: Session, actor: Actor, task_id: int, outcome: str, on: dt.date,
               note: str = "", *, today: Optional[dt.date] = None) -> None:
    permissions.require(actor, "task.close")
    task = load_task(session, task_id)
    if task.closed_on is not None:
        raise IllegalTransition(f"任务 {task.code} 已于 {task.closed_on:%Y-%m-%d} 办结销号。")
    _check(outcome, on, task.start_date, today)
    before = _state(task)
    task.closed_on, task.close_outcome, task.close_note = on, outcome, (note or "").strip()
    audit.record(session, actor, "task.close", "task", task.id, task_id=task.id,
                 summary=f"任务 {task.code} 办结销号（{outcome}）", before=before,
                 after=_state(task))
    _confirm_pending(session, actor, list(session.scalars(
        select(Assignment.id).where(Assignment.task_id == task.id))))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("重新打开已办结的任务时请填写原因。")
    return reason


def reopen_assignment(session: Session, actor: Actor, assignment_id: int, reason: str) -> None:
    permissions.require(actor, "task.close")
    a = load_assignment(session, assignment_id)
    unit = session.get(Unit, a.unit_id).name
    if a.closed_on is None:
        raise IllegalTransition(f"{unit}承担的任务 {a.task.code} 尚未办结，无需重新打开。")
    reason = _reason(reason)
    before = _state(a)
    a.closed_on, a.close_outcome, a.close_note = None, "", ""
    audit.record(session, actor, "assignment.reopen", "assignment", a.id, task_id=a.task_id,
                 summary=f"重新打开{unit}承担的任务 {a.task.code}：{reason}",
                 before=before, after={**_state(a), "reason": reason})


def reopen_task(session: Session, actor: Actor, task_id: int, reason: str) -> None:
    permissions.require(actor, "task.close")
    task = load_task(session, task_id)
    if task.closed_on is None:
        raise IllegalTransition(f"任务 {task.code} 尚未办结，无需重新打开。")
    reason = _reason(reason)
    before = _state(task)
    task.closed_on, task.close_outcome, task.close_note = None, "", ""
    audit.record(session, actor, "task.reopen", "task", task.id, task_id=task.id,
                 summary=f"重新打开任务 {task.code}：{reason}", before=before,
                 after={**_state(task), "reason": reason})
