"""The board: every task of a campaign with its lights, due state and progress for a period.

One query per kind of fact (tasks, assignments, this period's reports, progress so far,
urges, feedback), no ORM objects per row, then the rules in bulk. The rows are plain frozen
dataclasses that Qt models, exports and charts share.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from taskboard.core.models import Assignment, Feedback, Report, Task, Unit, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.rules import (
    DueState,
    Light,
    assignment_light,
    due_state,
    is_lagging,
    task_light,
    time_progress,
)
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar


@dataclass(frozen=True)
class AssignmentRow:
    assignment_id: int
    task_id: int
    unit_id: int
    unit_name: str
    unit_kind: str
    progress: int
    time_progress: Optional[float]
    lagging: bool
    light: Light
    due_state: DueState
    closed: bool
    report_id: Optional[int]
    report_status: Optional[str]
    report_text: str
    last_report_at: Optional[dt.datetime]
    urge_count: int
    open_feedback: int


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    code: str
    sort_key: str
    title: str
    category: str
    description: str
    lead_unit_id: Optional[int]
    lead_unit: str
    unit_ids: frozenset[int]
    units: tuple[str, ...]
    leader: str
    start_date: dt.date
    deadline: Optional[dt.date]
    deadline_note: str
    closed: bool
    light: Light
    due_state: DueState
    progress: float
    time_progress: Optional[float]
    lagging: bool
    last_report_at: Optional[dt.datetime]
    urge_count: int
    last_urge_at: Optional[dt.datetime]
    open_feedback: int
    light_counts: tuple[int, int, int]  # green, blue, red assignments
    search_text: str = field(repr=False, compare=False)

    @property
    def deadline_text(self) -> str:
        if self.deadline is None:
            return self.deadline_note or "长期"
        return self.deadline.isoformat()

    @property
    def units_text(self) -> str:
        return "、".join(self.units)


@dataclass(frozen=True)
class Board:
    campaign_id: int
    period: Period
    as_of: dt.date
    rows: list[TaskRow]
    assignments: dict[int, list[AssignmentRow]]

    def counts(self) -> dict[str, int]:
        out = {"tasks": len(self.rows), "green": 0, "blue": 0, "red": 0,
               "near_due": 0, "overdue": 0, "done": 0, "lagging": 0}
        for row in self.rows:
            out[row.light.name.lower()] += 1
            if row.due_state is DueState.NEAR_DUE:
                out["near_due"] += 1
            elif row.due_state is DueState.OVERDUE:
                out["overdue"] += 1
            elif row.due_state is DueState.DONE:
                out["done"] += 1
            if row.lagging:
                out["lagging"] += 1
        return out


def load_board(
    session: Session,
    campaign_id: int,
    period: Period,
    today: dt.date,
    cal: WorkCalendar,
    settings: Optional[BoardSettings] = None,
) -> Board:
    settings = settings or BoardSettings()
    at = period.as_of(today)
    period_end = period.last_day
    p = str(period)

    lead = aliased(Unit)
    task_rows = session.execute(
        select(Task.id, Task.code, Task.sort_key, Task.title, Task.category, Task.description,
               Task.lead_unit_id, lead.name.label("lead_unit_name"), Task.leader, Task.start_date, Task.deadline,
               Task.deadline_note, Task.closed_on)
        .outerjoin(lead, lead.id == Task.lead_unit_id)
        .where(Task.campaign_id == campaign_id, Task.deleted.is_(False))
    ).all()

    task_ids = select(Task.id).where(Task.campaign_id == campaign_id, Task.deleted.is_(False))
    rep = aliased(Report)
    progress_so_far = (
        select(rep.progress)
        .where(rep.assignment_id == Assignment.id, rep.period <= p, rep.status != "returned")
        .order_by(rep.period.desc(), rep.id.desc())
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )
    last_report = (
        select(func.max(rep.submitted_at))
        .where(rep.assignment_id == Assignment.id, rep.period <= p)
        .correlate(Assignment)
        .scalar_subquery()
    )
    assignment_rows = session.execute(
        select(Assignment.id, Assignment.task_id, Assignment.unit_id, Unit.name, Unit.kind,
               Assignment.closed_on, progress_so_far, last_report)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.task_id.in_(task_ids), Assignment.archived.is_(False))
        .order_by(Unit.sort_order, Unit.id)
    ).all()

    # The period's latest report per assignment decides the light.
    period_reports: dict[int, tuple[int, str, str]] = {}
    for rid, aid, status, text in session.execute(
        select(Report.id, Report.assignment_id, Report.status, Report.text)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .where(Report.period == p, Assignment.task_id.in_(task_ids))
        .order_by(Report.id)
    ):
        period_reports[aid] = (rid, status, text)

    urge_end = dt.datetime.combine(period_end, dt.time.max)
    urges: dict[int, tuple[int, Optional[dt.datetime]]] = {
        aid: (n, last)
        for aid, n, last in session.execute(
            select(UrgeRecord.assignment_id, func.count(), func.max(UrgeRecord.urged_at))
            .join(Assignment, Assignment.id == UrgeRecord.assignment_id)
            .where(Assignment.task_id.in_(task_ids), UrgeRecord.urged_at <= urge_end)
            .group_by(UrgeRecord.assignment_id)
        )
    }
    feedback: dict[int, int] = dict(
        session.execute(
            select(Feedback.assignment_id, func.count())
            .join(Assignment, Assignment.id == Feedback.assignment_id)
            .where(Assignment.task_id.in_(task_ids),
                   and_(Feedback.resolved.is_(False), Feedback.reply == ""))
            .group_by(Feedback.assignment_id)
        ).all()
    )

    tasks_by_id = {t.id: t for t in task_rows}
    by_task: dict[int, list[AssignmentRow]] = defaultdict(list)
    for aid, tid, uid, uname, ukind, closed_on, prog, last_at in assignment_rows:
        t = tasks_by_id[tid]
        closed = (closed_on is not None and closed_on <= period_end) or (
            t.closed_on is not None and t.closed_on <= period_end)
        rid, status, text = period_reports.get(aid, (None, None, ""))
        progress = 100 if closed else int(prog or 0)
        tprog = time_progress(t.start_date, t.deadline, at)
        n_urges, _ = urges.get(aid, (0, None))
        by_task[tid].append(AssignmentRow(
            assignment_id=aid, task_id=tid, unit_id=uid, unit_name=uname, unit_kind=ukind,
            progress=progress, time_progress=tprog,
            lagging=is_lagging(progress, tprog, closed),
            light=assignment_light(closed, status),
            due_state=due_state(t.deadline, closed, at, cal, settings.near_due_workdays),
            closed=closed, report_id=rid, report_status=status, report_text=text or "",
            last_report_at=last_at, urge_count=n_urges, open_feedback=feedback.get(aid, 0),
        ))

    rows = []
    for t in task_rows:
        arows = by_task.get(t.id, [])
        task_closed = (t.closed_on is not None and t.closed_on <= period_end) or (
            bool(arows) and all(a.closed for a in arows))
        lights = [a.light for a in arows]
        progress = sum(a.progress for a in arows) / len(arows) if arows else 0.0
        if task_closed:
            progress = 100.0
        tprog = time_progress(t.start_date, t.deadline, at)
        urge_pairs = [urges[a.assignment_id] for a in arows if a.assignment_id in urges]
        last_reports = [a.last_report_at for a in arows if a.last_report_at]
        unit_names = tuple(a.unit_name for a in arows)
        search_text = " ".join(
            [t.code, t.title, t.category, t.description, t.lead_unit_name or "", t.leader,
             *unit_names, *(a.report_text for a in arows)]
        ).lower()
        rows.append(TaskRow(
            task_id=t.id, code=t.code, sort_key=t.sort_key, title=t.title, category=t.category,
            description=t.description, lead_unit_id=t.lead_unit_id,
            lead_unit=t.lead_unit_name or "", unit_ids=frozenset(a.unit_id for a in arows),
            units=unit_names, leader=t.leader, start_date=t.start_date, deadline=t.deadline,
            deadline_note=t.deadline_note, closed=task_closed,
            light=task_light(task_closed, lights),
            due_state=due_state(t.deadline, task_closed, at, cal, settings.near_due_workdays),
            progress=progress, time_progress=tprog,
            lagging=is_lagging(progress, tprog, task_closed),
            last_report_at=max(last_reports) if last_reports else None,
            urge_count=sum(n for n, _ in urge_pairs),
            last_urge_at=max((last for _, last in urge_pairs if last), default=None),
            open_feedback=sum(a.open_feedback for a in arows),
            light_counts=(lights.count(Light.GREEN), lights.count(Light.BLUE),
                          lights.count(Light.RED)),
            search_text=search_text,
        ))
    rows.sort(key=lambda r: r.sort_key)
    return Board(campaign_id=campaign_id, period=period, as_of=at, rows=rows,
                 assignments=dict(by_task))
