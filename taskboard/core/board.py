"""The board: every task of a campaign with its lights, due state and progress for a period.

Only the tasks and assignments that belong to the period count (``core.figures``): a task
that starts after the period's as-of date, or was deleted before it, is not on the board.

One query per kind of fact (tasks, assignments, this period's reports, progress so far,
urges, feedback), no ORM objects per row, then the rules in bulk. The rows are plain frozen
dataclasses that Qt models, exports and charts share.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from taskboard.core.card_rule import Card, card_of
from taskboard.core.figures import (
    assignment_member_clause, display_code, task_member_clause,
)
from taskboard.core.gc_pause import collector_paused
from taskboard.core.models import Assignment, Feedback, Report, Task, Unit, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.recurrence import current_due_date, first_period_of_cycle, recurrence_text
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


AWAITING_CLOSE_HINT = "已报送完成 100%，尚未办结销号：请审核后通过“任务 → 办结/销号…”销号。"


def due_text(state: DueState, awaiting_close: bool) -> str:
    """The due state's word, with 待销号 when only the close-out is missing."""
    if not awaiting_close:
        return state.word
    return "超期·待销号" if state is DueState.OVERDUE else "待销号"


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
    # 待销号: reported 100 % but not closed out (the due state stays as the rules say).
    awaiting_close: bool = False

    @property
    def due_text(self) -> str:
        return due_text(self.due_state, self.awaiting_close)


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
    # 待销号: every open assignment reports 100 % but the task is not closed out.
    awaiting_close: bool = False
    # For a recurring task ``deadline`` is the current cycle's due date (core.recurrence).
    recurrence: str = ""

    @property
    def due_text(self) -> str:
        return due_text(self.due_state, self.awaiting_close)

    @property
    def deadline_text(self) -> str:
        if self.recurrence:
            return recurrence_text(self.recurrence, self.deadline)
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
    assignments: Mapping[int, list[AssignmentRow]]
    # Figures derived from this board by the views (e.g. assignments per unit), computed once.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

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


# assignment_light() unrolled for the hot loop; tests/core/test_board.py pins the equivalence.
_GREEN = Light.GREEN
_new = object.__new__
_STATUS_LIGHT = {s: assignment_light(False, s) for s in (None, "pending", "approved", "returned")}


class _LazyAssignments(Mapping[int, list[AssignmentRow]]):
    """Per-task assignment rows, built on first access.

    The main list needs only per-task aggregates; building 20,000 row objects for the
    province database on every period switch would cost more than the query itself.
    """

    def __init__(self, raw: dict[int, list[tuple]], build) -> None:
        self._raw = raw
        self._build = build
        self._cache: dict[int, list[AssignmentRow]] = {}

    def __getitem__(self, task_id: int) -> list[AssignmentRow]:
        rows = self._cache.get(task_id)
        if rows is None:
            with collector_paused():  # a ledger builds all twenty thousand: see core.gc_pause
                rows = [self._build(task_id, t) for t in self._raw[task_id]]
            self._cache[task_id] = rows
        return rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _assignment_query(task_ids, p: str, as_of: dt.date, previous: Optional[str] = None):
    """The assignments belonging to the period (``core.figures``), with their latest counted report and their latest report up to ``p``.

    Both lookups are index seeks on (assignment_id, period, status); the reports are joined
    afterwards by primary key. With ``previous`` (the month before ``p``), also the text of
    that month's latest counted report, which the 亮牌 compare with (``core.cards``): a
    third seek per assignment costs less than a separate query of the month's reports.
    """
    r = aliased(Report)
    latest_counted = (
        select(r.id)
        .where(r.assignment_id == Assignment.id, r.period <= p, r.status != "returned")
        .order_by(r.period.desc(), r.id.desc()).limit(1)
        .correlate(Assignment).scalar_subquery().label("counted_id")
    )
    latest_any = (
        select(r.id)
        .where(r.assignment_id == Assignment.id, r.period <= p)
        .order_by(r.period.desc(), r.id.desc()).limit(1)
        .correlate(Assignment).scalar_subquery().label("last_id")
    )
    extra = []
    if previous is not None:
        extra.append(
            select(r.text)
            .where(r.assignment_id == Assignment.id, r.period == previous,
                   r.status != "returned")
            .order_by(r.id.desc()).limit(1)
            .correlate(Assignment).scalar_subquery().label("previous_text"))
    inner = (
        select(Assignment.id.label("aid"), Assignment.task_id, Assignment.unit_id,
               Assignment.closed_on, latest_counted, latest_any, *extra)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.task_id.in_(task_ids), assignment_member_clause(as_of))
        .subquery()
    )
    counted = aliased(Report)
    last = aliased(Report)
    return (
        select(inner.c.aid, inner.c.task_id, inner.c.unit_id, Unit.name, Unit.kind,
               inner.c.closed_on, counted.progress, last.submitted_at, last.id, last.period,
               last.status, last.text, *(inner.c.previous_text for _ in extra))
        .join(Unit, Unit.id == inner.c.unit_id)
        .outerjoin(counted, counted.id == inner.c.counted_id)
        .outerjoin(last, last.id == inner.c.last_id)
        .order_by(Unit.sort_order, Unit.id)
    )


def load_board(
    session: Session,
    campaign_id: int,
    period: Period,
    today: dt.date,
    cal: WorkCalendar,
    settings: Optional[BoardSettings] = None,
    cards: bool = False,
) -> Board:
    """With ``cards`` the board grades every assignment (亮牌, ``core.cards``) in the same pass
    over the rows, with ``settings.score_min_chars``: ``memo["cards"]`` per assignment and
    ``memo["task_cards"]`` per task."""
    with collector_paused():
        return _load_board(session, campaign_id, period, today, cal, settings, cards)


def _load_board(
    session: Session,
    campaign_id: int,
    period: Period,
    today: dt.date,
    cal: WorkCalendar,
    settings: Optional[BoardSettings],
    cards: bool = False,
) -> Board:
    settings = settings or BoardSettings()
    near = settings.near_due_workdays
    at = period.as_of(today)
    period_end = period.last_day
    p = str(period)

    lead = aliased(Unit)
    task_rows = session.execute(
        select(Task.id, Task.code, Task.sort_key, Task.title, Task.category, Task.description,
               Task.lead_unit_id, lead.name.label("lead_unit_name"), Task.leader,
               Task.start_date, Task.deadline, Task.deadline_note, Task.closed_on,
               Task.recurrence)
        .outerjoin(lead, lead.id == Task.lead_unit_id)
        .where(Task.campaign_id == campaign_id, task_member_clause(at))
    ).all()
    task_ids = select(Task.id).where(Task.campaign_id == campaign_id, task_member_clause(at))

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

    # Per task: facts shared by all its assignments, computed once.
    task_facts = {}
    for t in task_rows:
        t_closed = t.closed_on is not None and t.closed_on <= period_end
        tprog = time_progress(t.start_date, t.deadline, at)
        due = current_due_date(t.deadline, t.recurrence, at)
        task_facts[t.id] = (t_closed, tprog, due_state(due, False, at, cal, near), due,
                            first_period_of_cycle(t.recurrence, p))

    # One tight pass over the assignments: raw tuples, no objects per row.
    raw: dict[int, list[tuple]] = defaultdict(list)
    graded: dict[int, Card] = {}
    worst: dict[int, Card] = {}  # per task with assignments, as core.cards.task_cards
    min_chars = settings.score_min_chars
    # Core execution: the ORM's row loading costs a third of this query on big boards.
    query = _assignment_query(task_ids, p, at, str(period.previous()) if cards else None)
    no_card = Card.NONE
    for (aid, tid, uid, uname, ukind, closed_on, prog, last_at, last_id, last_period,
         last_status, last_text, *previous_text) in session.connection().execute(query):
        facts_of_task = task_facts[tid]
        closed = facts_of_task[0] or (closed_on is not None and closed_on <= period_end)
        # The latest report up to the period is this period's latest when it is from it:
        # its state decides the light.
        # A recurring task's report answers for its whole cycle (core.recurrence).
        if last_period == p or (last_period and facts_of_task[4] <= last_period <= p):
            rid, status, text = last_id, last_status, last_text or ""
        else:
            rid, status, text = None, None, ""
        light = _GREEN if closed else _STATUS_LIGHT[status]
        progress = 100 if closed else (prog or 0)
        raw[tid].append((aid, uid, uname, ukind, closed, rid, status, text, light, progress,
                         last_at))
        if cards:
            card = graded[aid] = no_card if closed else card_of(
                False, facts_of_task[2], is_lagging(progress, facts_of_task[1], False),
                status, text, previous_text[0] or "", min_chars)
            if card > worst.get(tid, -1):
                worst[tid] = card

    def build(tid: int, a: tuple) -> AssignmentRow:
        aid, uid, uname, ukind, closed, rid, status, text, light, progress, last_at = a
        _, tprog, open_due, _, _ = task_facts[tid]
        # The frozen dataclass's own __init__ sets each field through object.__setattr__:
        # two thirds of the cost of a ledger's twenty thousand rows. Every field is given.
        row = _new(AssignmentRow)
        row.__dict__.update(
            assignment_id=aid, task_id=tid, unit_id=uid, unit_name=uname, unit_kind=ukind,
            progress=progress, time_progress=tprog, lagging=is_lagging(progress, tprog, closed),
            light=light, due_state=DueState.DONE if closed else open_due, closed=closed,
            report_id=rid, report_status=status, report_text=text, last_report_at=last_at,
            urge_count=urges.get(aid, (0, None))[0], open_feedback=feedback.get(aid, 0),
            awaiting_close=not closed and progress >= 100,
        )
        return row

    rows = []
    for t in task_rows:
        arows = raw.get(t.id, ())
        t_closed, tprog, open_due, due, _ = task_facts[t.id]
        task_closed = t_closed or (bool(arows) and all(a[4] for a in arows))
        lights = [a[8] for a in arows]
        progress = 100.0 if task_closed else (
            sum(a[9] for a in arows) / len(arows) if arows else 0.0)
        urge_pairs = [urges[a[0]] for a in arows if a[0] in urges]
        last_reports = [a[10] for a in arows if a[10]]
        unit_names = tuple(a[2] for a in arows)
        search_text = " ".join(
            [t.code, t.title, t.category, t.description, t.lead_unit_name or "", t.leader,
             *unit_names, *(a[7] for a in arows)]
        ).lower()
        rows.append(TaskRow(
            task_id=t.id, code=display_code(t.code), sort_key=t.sort_key, title=t.title, category=t.category,
            description=t.description, lead_unit_id=t.lead_unit_id,
            lead_unit=t.lead_unit_name or "", unit_ids=frozenset(a[1] for a in arows),
            units=unit_names, leader=t.leader, start_date=t.start_date, deadline=due,
            deadline_note=t.deadline_note, closed=task_closed, recurrence=t.recurrence,
            light=task_light(task_closed, lights),
            due_state=DueState.DONE if task_closed else open_due,
            progress=progress, time_progress=tprog,
            lagging=is_lagging(progress, tprog, task_closed),
            last_report_at=max(last_reports) if last_reports else None,
            urge_count=sum(n for n, _ in urge_pairs),
            last_urge_at=max((last for _, last in urge_pairs if last), default=None),
            open_feedback=sum(feedback.get(a[0], 0) for a in arows),
            light_counts=(lights.count(Light.GREEN), lights.count(Light.BLUE),
                          lights.count(Light.RED)),
            search_text=search_text,
            awaiting_close=not task_closed and bool(arows) and all(
                a[4] or a[9] >= 100 for a in arows),
        ))
    rows.sort(key=lambda r: r.sort_key)
    board = Board(campaign_id=campaign_id, period=period, as_of=at, rows=rows,
                  assignments=_LazyAssignments(dict(raw), build))
    if cards:
        board.memo.update(cards=graded, task_cards=worst, cards_min_chars=min_chars)
    return board
