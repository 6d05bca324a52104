"""Advanced search (高级搜索) over board rows; every criterion combines with the others."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from taskboard.core.board import AssignmentRow, TaskRow
from taskboard.core.rules import DueState, Light


@dataclass(frozen=True)
class SearchCriteria:
    keyword: str = ""
    unit_id: Optional[int] = None
    leader: str = ""
    category: str = ""
    lights: frozenset[Light] = frozenset()
    due_states: frozenset[DueState] = frozenset()
    deadline_from: Optional[dt.date] = None
    deadline_to: Optional[dt.date] = None
    lagging_only: bool = False
    # One more box among the due states (any ticked box matches): 待销号.
    awaiting_close: bool = False

    @property
    def is_empty(self) -> bool:
        return self == SearchCriteria()


def _keyword_terms(keyword: str) -> list[str]:
    return [t for t in keyword.lower().replace("，", " ").split() if t]


def matches(row: TaskRow, c: SearchCriteria, terms: Optional[list[str]] = None) -> bool:
    if terms is None:
        terms = _keyword_terms(c.keyword)
    if any(t not in row.search_text for t in terms):
        return False
    if c.unit_id is not None and c.unit_id != row.lead_unit_id and c.unit_id not in row.unit_ids:
        return False
    if c.leader and c.leader != row.leader:
        return False
    if c.category and c.category != row.category:
        return False
    if c.lights and row.light not in c.lights:
        return False
    if (c.due_states or c.awaiting_close) and not (
            row.due_state in c.due_states or (c.awaiting_close and row.awaiting_close)):
        return False
    if c.deadline_from or c.deadline_to:
        # A task with no deadline has no place in a deadline range.
        if row.deadline is None:
            return False
        if c.deadline_from and row.deadline < c.deadline_from:
            return False
        if c.deadline_to and row.deadline > c.deadline_to:
            return False
    if c.lagging_only and not row.lagging:
        return False
    return True


def unit_view(row: TaskRow, a: AssignmentRow) -> TaskRow:
    """The task as one responsible unit stands on it: that unit's light, progress, time
    progress, due state, lagging, last report, urges and feedback (the task's other fields
    unchanged), so a list filtered to a unit never shows another unit's figures."""
    return dataclasses.replace(
        row, light=a.light, due_state=a.due_state, closed=a.closed,
        progress=float(a.progress), time_progress=a.time_progress, lagging=a.lagging,
        last_report_at=a.last_report_at, urge_count=a.urge_count,
        # The assignment row has no time of its last urge; none rather than another unit's.
        last_urge_at=None if a.urge_count == 0 else row.last_urge_at,
        open_feedback=a.open_feedback,
        light_counts=tuple(int(a.light is light) for light in (Light.GREEN, Light.BLUE,
                                                                Light.RED)),
        awaiting_close=a.awaiting_close)


def unit_rows(rows: Iterable[TaskRow], unit_id: int,
              assignments: Mapping[int, Sequence[AssignmentRow]]) -> list[TaskRow]:
    """Rows as ``unit_id`` stands on them; a task it only leads keeps the task's figures."""
    out = []
    for r in rows:
        if unit_id in r.unit_ids:
            a = next(x for x in assignments[r.task_id] if x.unit_id == unit_id)
            out.append(unit_view(r, a))
        else:
            out.append(r)
    return out


def filter_rows(rows: Iterable[TaskRow], c: SearchCriteria,
                assignments: Optional[Mapping[int, Sequence[AssignmentRow]]] = None
                ) -> list[TaskRow]:
    """Rows matching ``c``. With a unit chosen and the board's ``assignments`` given, the
    rows kept are shown and matched (lights, due states, lagging) as that unit's own."""
    if c.is_empty:
        return list(rows)
    terms = _keyword_terms(c.keyword)
    if c.unit_id is not None and assignments is not None:
        rows = unit_rows((r for r in rows if c.unit_id == r.lead_unit_id
                          or c.unit_id in r.unit_ids), c.unit_id, assignments)
    return [r for r in rows if matches(r, c, terms)]
