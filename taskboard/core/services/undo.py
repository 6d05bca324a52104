"""撤销: take back the last approve, return or close-out, audited as an undo of its own.

A verdict given by a slip of the key (A approves at once) must be cheap to take back, but
never at the cost of someone else's later work: each action hands back an ``UndoTicket``
naming the state it left, and the undo refuses when the record has moved on since.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, NotFound
from taskboard.core.models import Assignment, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.services import closeout
from taskboard.core.services.review import review_report

MOVED_ON = "在此之后又有变动（可能已被他人处理），无法撤销。"


@dataclass(frozen=True)
class UndoTicket:
    kind: str  # "review" | "close_task" | "close_assignment" | "batch"
    target_id: int
    label: str  # what is undone, for the menu and the status bar: 审核通过 乌审旗 …
    state: str  # the report status, or the closed_on date, the action left
    progress: tuple[tuple[int, int], ...] = ()  # (assignment id, progress before)
    confirmed: tuple[int, ...] = ()  # reports approved along with a close-out
    parts: tuple["UndoTicket", ...] = ()  # a batch: undone together or not at all


def _report_words(session: Session, report: Report) -> tuple[Assignment, str]:
    a = session.get(Assignment, report.assignment_id)
    unit = session.get(Unit, a.unit_id).name
    return a, f"{unit} {Period.parse(report.period).label}报送"


def review(session: Session, actor: Actor, report_id: int, approve: bool,
           comment: str = "") -> UndoTicket:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"报送不存在（编号 {report_id}）。")
    progress = session.get(Assignment, report.assignment_id).progress
    review_report(session, actor, report_id, approve, comment)
    _, words = _report_words(session, report)
    return UndoTicket("review", report_id, f"审核{'通过' if approve else '退回'} {words}",
                      "approved" if approve else "returned",
                      progress=((report.assignment_id, progress),))


def approve_many(session: Session, actor: Actor, report_ids: list[int]) -> UndoTicket:
    """Approve several reports in one transaction; one undo takes them all back."""
    parts = tuple(review(session, actor, rid, True) for rid in report_ids)
    return UndoTicket("batch", 0, f"审核通过 {len(parts)} 条报送", "", parts=parts)


def _pending_of(session: Session, assignment_ids: list[int]) -> set[int]:
    if not assignment_ids:
        return set()
    return set(session.scalars(select(Report.id).where(
        Report.assignment_id.in_(assignment_ids), Report.status == "pending")))


def close_task(session: Session, actor: Actor, task_id: int, outcome: str, on: dt.date,
               note: str = "", *, today: Optional[dt.date] = None) -> UndoTicket:
    ids = list(session.scalars(select(Assignment.id).where(Assignment.task_id == task_id)))
    pending = _pending_of(session, ids)
    closeout.close_task(session, actor, task_id, outcome, on, note, today=today)
    task = session.get(Task, task_id)
    return UndoTicket("close_task", task_id, f"办结 {task.code} {task.title}", on.isoformat(),
                      confirmed=tuple(sorted(pending)))


def close_assignment(session: Session, actor: Actor, assignment_id: int, outcome: str,
                     on: dt.date, note: str = "", *,
                     today: Optional[dt.date] = None) -> UndoTicket:
    a = session.get(Assignment, assignment_id)
    if a is None:
        raise NotFound(f"责任分工不存在（编号 {assignment_id}）。")
    progress, pending = a.progress, _pending_of(session, [assignment_id])
    closeout.close_assignment(session, actor, assignment_id, outcome, on, note, today=today)
    unit = session.get(Unit, a.unit_id).name
    return UndoTicket("close_assignment", assignment_id, f"办结 {a.task.code} {unit}",
                      on.isoformat(), progress=((assignment_id, progress),),
                      confirmed=tuple(sorted(pending)))


def undo(session: Session, actor: Actor, ticket: UndoTicket) -> str:
    """Reverse what the ticket names; returns the audit summary (for the status bar)."""
    if ticket.kind == "review":
        return _undo_review(session, actor, ticket)
    if ticket.kind in ("close_task", "close_assignment"):
        return _undo_close(session, actor, ticket)
    if ticket.kind == "batch":
        for part in reversed(ticket.parts):  # any part that moved on rolls the whole back
            undo(session, actor, part)
        return f"撤销{ticket.label}，恢复为待审核"
    raise ValueError(ticket.kind)


def _undo_review(session: Session, actor: Actor, ticket: UndoTicket) -> str:
    permissions.require(actor, "report.review")
    report = session.get(Report, ticket.target_id)
    if report is None:
        raise NotFound(f"报送不存在（编号 {ticket.target_id}）。")
    a, words = _report_words(session, report)
    if report.status != ticket.state:
        raise IllegalTransition(f"{words}{MOVED_ON}")
    before = {"status": report.status, "review_comment": report.review_comment}
    report.status, report.reviewer_id, report.reviewed_at = "pending", None, None
    report.review_comment = ""
    for aid, progress in ticket.progress:
        if aid == a.id:
            a.progress = progress
    summary = f"撤销{ticket.label.split(' ')[0]}：{words}，恢复为待审核"
    audit.record(session, actor, "report.review.undo", "report", report.id, task_id=a.task_id,
                 summary=summary, before=before, after={"status": "pending"})
    return summary


def _undo_close(session: Session, actor: Actor, ticket: UndoTicket) -> str:
    permissions.require(actor, "task.close")
    model = Task if ticket.kind == "close_task" else Assignment
    obj = session.get(model, ticket.target_id)
    if obj is None:
        raise NotFound("要撤销办结的记录已不存在。")
    closed = obj.closed_on.isoformat() if obj.closed_on else ""
    if closed != ticket.state:
        raise IllegalTransition(f"{ticket.label}{MOVED_ON}")
    before = {"closed_on": obj.closed_on, "close_outcome": obj.close_outcome,
              "close_note": obj.close_note}
    obj.closed_on, obj.close_outcome, obj.close_note = None, "", ""
    for aid, progress in ticket.progress:
        session.get(Assignment, aid).progress = progress
    unconfirmed = 0
    for rid in ticket.confirmed:
        r = session.get(Report, rid)
        if r is not None and r.status == "approved" \
                and r.review_comment == closeout.CONFIRM_COMMENT:
            r.status, r.reviewer_id, r.reviewed_at, r.review_comment = "pending", None, None, ""
            unconfirmed += 1
    task_id = obj.id if ticket.kind == "close_task" else obj.task_id
    summary = f"撤销{ticket.label}" + (f"，{unconfirmed} 条随办结确认的报送恢复为待审核"
                                      if unconfirmed else "")
    audit.record(session, actor, f"{'task' if ticket.kind == 'close_task' else 'assignment'}"
                 ".close.undo", "task" if ticket.kind == "close_task" else "assignment",
                 obj.id, task_id=task_id, summary=summary, before=before,
                 after={"closed_on": None, "reports_back_to_pending": list(ticket.confirmed)})
    return summary
