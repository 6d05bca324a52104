"""Advanced search (高级搜索) over board rows; every criterion combines with the others."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from taskboard.core.board import TaskRow
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


def filter_rows(rows: Iterable[TaskRow], c: SearchCriteria) -> list[TaskRow]:
    if c.is_empty:
        return list(rows)
    terms = _keyword_terms(c.keyword)
    return [r for r in rows if matches(r, c, terms)]
