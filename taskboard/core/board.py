"""The board: every task of a campaign with its lights, due state and progress for a period.

Only the tasks and assignments that belong to the period count (``core.figures``): a task
that starts after the period's as-of date, or was deleted before it, is not on the board.

One query per kind of fact (tasks, assignments with their reports and lights, urges,
feedback), no ORM objects per row, then the rules in bulk. The rows are plain frozen
dataclasses that Qt models, exports and charts share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import chain, groupby, repeat
from operator import itemgetter
from typing import Iterator, Mapping, Optional

from sqlalchemy.orm import Session

from taskboard.core.board_query import (
    LIGHTS, TID, assignment_query, board_params, feedback_query, submitted_reader, task_query,
    urge_query,
)
from taskboard.core.card_rule import Card, grade_rows
from taskboard.core.figures import display_code
from taskboard.core.gc_pause import collector_paused
from taskboard.core.periods import Period
from taskboard.core.recurrence import current_due_date, recurrence_text
from taskboard.core.rules import DueState, Light, due_state, is_lagging, task_light, time_progress
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


_new = object.__new__
_task_id = itemgetter(TID)
_BATCH = 2000
_LIGHT_VALUES = (int(Light.GREEN), int(Light.BLUE), int(Light.RED))  # light_counts' order
# A task's aggregates over its assignments, for a task without any (see the task rows).
_NO_ASSIGNMENTS = ((), frozenset(), False, 0.0, False, (), (0, 0, 0), None, [], 0, ())


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

    previous = str(period.previous()) if cards else None
    params = board_params(campaign_id, p, at, period_end, previous)
    # Core execution: the ORM's row loading costs a third of a big board's queries.
    conn = session.connection()
    task_rows = conn.execute(task_query(), params).all()
    urges: dict[int, tuple[int, Optional[dt.datetime]]] = {
        aid: (n, last) for aid, n, last in conn.execute(urge_query(), params)}
    feedback: dict[int, int] = dict(conn.execute(feedback_query(), params).all())

    # Per task: facts shared by all its assignments, computed once.
    task_facts = {}
    for t in task_rows:
        tprog = time_progress(t.start_date, t.deadline, at)
        due = current_due_date(t.deadline, t.recurrence, at)
        task_facts[t.id] = (tprog, due_state(due, False, at, cal, near), due)

    # The query decides each row's facts and groups the rows by task (core.board_query), so
    # what follows passes over each task's rows as columns, in C: no Python per assignment
    # but the 亮牌's.
    raw: dict[int, list] = {}
    aggregates: dict[int, tuple] = {}
    graded: dict[int, Card] = {}
    worst: dict[int, Card] = {}  # per task with assignments, as core.cards.task_cards
    min_chars = settings.score_min_chars
    to_datetime = submitted_reader(conn.dialect)
    # Fetched in batches: row by row, the driver's and SQLAlchemy's calls per row add up.
    result = conn.execute(assignment_query(cards), params)
    for tid, group in groupby(chain.from_iterable(result.partitions(_BATCH)), _task_id):
        arows = raw[tid] = list(group)
        (aids, _, uids, unames, _, closeds, progresses, last_ats, _, statuses, texts, lights,
         previous_texts) = zip(*arows)
        urge_pairs = list(filter(None, map(urges.get, aids)))
        aggregates[tid] = (
            unames, frozenset(uids), all(closeds), sum(progresses) / len(arows),
            min(progresses) >= 100, set(lights), tuple(map(lights.count, _LIGHT_VALUES)),
            to_datetime(max(filter(None, last_ats), default=None)), urge_pairs,
            sum(map(feedback.get, aids, repeat(0))), texts)
        if cards:
            tprog, open_due, _ = task_facts[tid]
            task_cards = grade_rows(open_due, tprog, min_chars, closeds, progresses, statuses,
                                    texts, previous_texts)
            graded.update(zip(aids, task_cards))
            worst[tid] = max(task_cards)

    def build(tid: int, a) -> AssignmentRow:
        aid, _, uid, uname, ukind, closed, progress, last_at, rid, status, text, light, _ = a
        tprog, open_due, _ = task_facts[tid]
        closed = bool(closed)
        # The frozen dataclass's own __init__ sets each field through object.__setattr__:
        # two thirds of the cost of a ledger's twenty thousand rows. Every field is given.
        row = _new(AssignmentRow)
        row.__dict__.update(
            assignment_id=aid, task_id=tid, unit_id=uid, unit_name=uname, unit_kind=ukind,
            progress=progress, time_progress=tprog, lagging=is_lagging(progress, tprog, closed),
            light=LIGHTS[light], due_state=DueState.DONE if closed else open_due,
            closed=closed, report_id=rid, report_status=status, report_text=text,
            last_report_at=to_datetime(last_at), urge_count=urges.get(aid, (0, None))[0],
            open_feedback=feedback.get(aid, 0), awaiting_close=not closed and progress >= 100,
        )
        return row

    rows = []
    for t in task_rows:
        tprog, open_due, due = task_facts[t.id]
        t_closed = t.closed_on is not None and t.closed_on <= period_end
        (unit_names, unit_ids, all_closed, progress, all_reported_done, light_values,
         light_counts, last_report_at, urge_pairs, n_feedback,
         texts) = aggregates.get(t.id, _NO_ASSIGNMENTS)
        task_closed = t_closed or all_closed
        if task_closed:
            progress = 100.0
        search_text = " ".join(
            [t.code, t.title, t.category, t.description, t.lead_unit_name or "", t.leader,
             *unit_names, *texts]
        ).lower()
        rows.append(TaskRow(
            task_id=t.id, code=display_code(t.code), sort_key=t.sort_key, title=t.title, category=t.category,
            description=t.description, lead_unit_id=t.lead_unit_id,
            lead_unit=t.lead_unit_name or "", unit_ids=unit_ids,
            units=unit_names, leader=t.leader, start_date=t.start_date, deadline=due,
            deadline_note=t.deadline_note, closed=task_closed, recurrence=t.recurrence,
            light=task_light(task_closed, map(LIGHTS.__getitem__, light_values)),
            due_state=DueState.DONE if task_closed else open_due,
            progress=progress, time_progress=tprog,
            lagging=is_lagging(progress, tprog, task_closed),
            last_report_at=last_report_at,
            urge_count=sum(n for n, _ in urge_pairs),
            last_urge_at=max((last for _, last in urge_pairs if last), default=None),
            open_feedback=n_feedback,
            light_counts=light_counts,
            search_text=search_text,
            awaiting_close=not task_closed and all_reported_done,
        ))
    rows.sort(key=lambda r: r.sort_key)
    board = Board(campaign_id=campaign_id, period=period, as_of=at, rows=rows,
                  assignments=_LazyAssignments(dict(raw), build))
    if cards:
        board.memo.update(cards=graded, task_cards=worst, cards_min_chars=min_chars)
    return board
