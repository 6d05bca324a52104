"""查看详情: everything about one task as plain values for the detail view.

Fields, per-unit assignments with lights and time progress, each unit's report timeline
with evidence, the feedback thread, urge history (read from ``urge_record``) and the
audit trail.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from taskboard.core import evidence as evidence_store
from taskboard.core.evidence import EvidenceInfo
from taskboard.core.errors import NotFound
from taskboard.core.models import (
    Assignment, AuditEvent, Campaign, Feedback, Report, Task, Unit, UrgeNotice, UrgeRecord, User,
)
from taskboard.core.periods import Period
from taskboard.core.recurrence import current_due_date, first_period_of_cycle, recurrence_text
from taskboard.core.rules import (
    DueState, Light, assignment_light, due_state, is_lagging, task_light, time_progress,
)
from taskboard.core.workcalendar import WorkCalendar

URGE_METHOD_WORDS = {"app": "系统通知", "email": "电子邮件", "paper": "纸质通知", "phone": "电话"}
NOTICE_KIND_WORDS = {"urge": "催办", "supervise": "督办"}


@dataclass(frozen=True)
class DetailAssignment:
    assignment_id: int
    unit_id: int
    unit_name: str
    light: Light
    progress: int
    time_progress: Optional[float]
    lagging: bool
    due_state: DueState
    closed_on: Optional[dt.date]
    close_outcome: str
    close_note: str
    report_id: Optional[int]
    report_status: Optional[str]
    open_feedback: int
    urge_count: int
    archived: bool
    # Closed out as of the period's end (its own close-out or the whole task's).
    closed: bool = False
    awaiting_close: bool = False
    supporting: bool = False  # a 配合单位


@dataclass(frozen=True)
class ReportEntry:
    report_id: int
    assignment_id: int
    unit_name: str
    period: str
    text: str
    progress: int
    problems: str
    next_steps: str
    submitted_at: dt.datetime
    submitted_by: str
    on_behalf: bool
    late: bool
    status: str
    reviewer: str
    reviewed_at: Optional[dt.datetime]
    review_comment: str
    evidence: tuple[EvidenceInfo, ...]


@dataclass(frozen=True)
class FeedbackEntry:
    feedback_id: int
    assignment_id: int
    unit_name: str
    body: str
    author: str
    created_at: dt.datetime
    reply: str
    replied_by: str
    replied_at: Optional[dt.datetime]
    resolved: bool

    @property
    def is_open(self) -> bool:
        return not self.resolved and not self.reply


@dataclass(frozen=True)
class UrgeEntry:
    urge_id: int
    assignment_id: int
    unit_name: str
    method: str
    urged_at: dt.datetime
    urged_by: str
    contact: str
    note: str
    notice: str
    reply: str
    replied_at: Optional[dt.datetime]

    @property
    def method_word(self) -> str:
        return URGE_METHOD_WORDS.get(self.method, self.method)


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    user: str
    action: str
    summary: str
    before: str
    after: str


@dataclass(frozen=True)
class TaskDetail:
    task_id: int
    version: int
    campaign_id: int
    campaign: str
    code: str
    title: str
    category: str
    description: str
    target: str
    lead_unit: str
    leader: str
    start_date: dt.date
    deadline: Optional[dt.date]
    deadline_note: str
    closed_on: Optional[dt.date]
    close_outcome: str
    close_note: str
    light: Light
    due_state: DueState
    progress: float
    time_progress: Optional[float]
    lagging: bool
    period: Period
    assignments: tuple[DetailAssignment, ...]
    reports: tuple[ReportEntry, ...]
    feedback: tuple[FeedbackEntry, ...]
    urges: tuple[UrgeEntry, ...]
    audit: tuple[AuditEntry, ...]
    awaiting_close: bool = False
    recurrence: str = ""
    # The current cycle's due date of a recurring task (else the deadline).
    due_date: Optional[dt.date] = None

    @property
    def deadline_text(self) -> str:
        if self.recurrence:
            return recurrence_text(self.recurrence, self.due_date, self.deadline)
        return self.deadline.isoformat() if self.deadline else (self.deadline_note or "长期")

    def reports_of(self, assignment_id: int) -> list[ReportEntry]:
        return [r for r in self.reports if r.assignment_id == assignment_id]


def _pretty(raw: str) -> str:
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(data, dict):
        return "；".join(f"{k}={v}" for k, v in data.items())
    return str(data)


def load_detail(session: Session, task_id: int, period: Period, today: dt.date,
                cal: WorkCalendar, near_days: int = 5) -> TaskDetail:
    task = session.get(Task, task_id)
    if task is None or task.deleted:
        raise NotFound("任务不存在或已删除。")
    at = period.as_of(today)
    period_end = period.last_day
    users = dict(session.execute(select(User.id, User.display_name)).all())
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    assignments = list(session.scalars(select(Assignment).where(Assignment.task_id == task_id)
                                       .order_by(Assignment.archived, Assignment.id)))
    unit_of = {a.id: units.get(a.unit_id, "") for a in assignments}
    ids = list(unit_of)

    reports = list(session.scalars(select(Report).where(Report.assignment_id.in_(ids))
                                   .order_by(Report.period.desc(), Report.id.desc())))
    files = evidence_store.list_for_reports(session, [r.id for r in reports])
    report_entries = tuple(ReportEntry(
        r.id, r.assignment_id, unit_of[r.assignment_id], r.period, r.text, r.progress,
        r.problems, r.next_steps, r.submitted_at, users.get(r.submitted_by_id, ""),
        r.on_behalf, r.late, r.status, users.get(r.reviewer_id, ""), r.reviewed_at,
        r.review_comment, tuple(files.get(r.id, ()))) for r in reports)

    feedback = tuple(FeedbackEntry(
        f.id, f.assignment_id, unit_of[f.assignment_id], f.body, users.get(f.author_id, ""),
        f.created_at, f.reply, users.get(f.replied_by_id, ""), f.replied_at, f.resolved)
        for f in session.scalars(select(Feedback).where(Feedback.assignment_id.in_(ids))
                                 .order_by(Feedback.created_at.desc(), Feedback.id.desc())))

    notice = aliased(UrgeNotice)
    urges = tuple(UrgeEntry(
        u.id, u.assignment_id, unit_of[u.assignment_id], u.method, u.urged_at,
        users.get(u.urged_by_id, ""), u.contact, u.note,
        f"{NOTICE_KIND_WORDS.get(kind, '催办')}〔{year}〕{number}号" if number else "",
        u.reply, u.replied_at)
        for u, year, kind, number in session.execute(
            select(UrgeRecord, notice.year, notice.kind, notice.number)
            .outerjoin(notice, notice.id == UrgeRecord.notice_id)
            .where(UrgeRecord.assignment_id.in_(ids))
            .order_by(UrgeRecord.urged_at.desc(), UrgeRecord.id.desc())))

    audit = tuple(AuditEntry(e.at, users.get(e.user_id, "系统"), e.action, e.summary,
                             _pretty(e.before), _pretty(e.after))
                  for e in session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_id)
                                           .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))

    task_closed_now = task.closed_on is not None and task.closed_on <= period_end
    tprog = time_progress(task.start_date, task.deadline, at)
    due = current_due_date(task.deadline, task.recurrence, at)
    p = str(period)
    first_p = first_period_of_cycle(task.recurrence, p)
    rows = []
    for a in assignments:
        mine = [r for r in reports if r.assignment_id == a.id]
        # newest first; a recurring task's report answers for its whole cycle
        latest = next((r for r in mine if first_p <= r.period <= p), None)
        closed = task_closed_now or (a.closed_on is not None and a.closed_on <= period_end)
        so_far = next((r.progress for r in mine if r.period <= p and r.status != "returned"), 0)
        progress = 100 if closed else so_far
        rows.append(DetailAssignment(
            a.id, a.unit_id, unit_of[a.id],
            assignment_light(closed, latest.status if latest else None), progress, tprog,
            is_lagging(progress, tprog, closed),
            due_state(due, closed, at, cal, near_days), a.closed_on,
            a.close_outcome, a.close_note, latest.id if latest else None,
            latest.status if latest else None,
            sum(1 for f in feedback if f.assignment_id == a.id and f.is_open),
            sum(1 for u in urges if u.assignment_id == a.id), a.archived, closed,
            not closed and progress >= 100, a.supporting))
    live = [r for r in rows if not r.archived]
    closed = task_closed_now or (bool(live) and all(r.closed_on is not None and
                                                      r.closed_on <= period_end for r in live))
    progress = 100.0 if closed else (sum(r.progress for r in live) / len(live) if live else 0.0)
    campaign = session.get(Campaign, task.campaign_id)
    return TaskDetail(
        task.id, task.version, task.campaign_id, campaign.name, task.code, task.title,
        task.category, task.description, task.target,
        units.get(task.lead_unit_id, "") if task.lead_unit_id else "", task.leader,
        task.start_date, task.deadline, task.deadline_note, task.closed_on, task.close_outcome,
        task.close_note, task_light(closed, [r.light for r in live]),
        due_state(due, closed, at, cal, near_days), progress, tprog,
        is_lagging(progress, tprog, closed), period, tuple(rows), report_entries, feedback,
        urges, audit, not closed and bool(live) and all(r.closed or r.progress >= 100
                                                        for r in live),
        recurrence=task.recurrence, due_date=due)
