"""The board's assignment query: one row per assignment of the period, its facts decided in SQL.

The per-row rules that need nothing but the row (closed out by the period's end, which report
answers for the period, the light that report gives, the progress that counts) are CASE
expressions built from the rules in ``core.rules`` and ``core.recurrence``, so the board's
Python touches each task's rows only as columns (``core.board``). At province scale that
Python was a third of the list's load time; the database does the same work in a few
milliseconds.

The statements are built once, with bound parameters (``board_params``): building them
again for every load cost more than the board's own rules.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Optional

from sqlalchemy import (
    Date, DateTime, Integer, String, and_, bindparam, case, func, literal, null, or_, select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from taskboard.core.figures import assignment_member_clause, task_member_clause
from taskboard.core.models import Assignment, Feedback, Report, Task, Unit, UrgeRecord
from taskboard.core.recurrence import RECURRENCES, first_period_of_cycle
from taskboard.core.rules import Light, assignment_light

# What the query's light column holds: ``int(light)``; LIGHTS turns it back.
LIGHTS = tuple(sorted(Light))
STATUS_LIGHT = {s: assignment_light(False, s) for s in (None, "pending", "approved", "returned")}

# Column positions of the query's rows.
(AID, TID, UID, UNAME, UKIND, CLOSED, PROGRESS, LAST_AT, RID, STATUS, TEXT, LIGHT,
 PREVIOUS_TEXT) = range(13)


def _same(value):
    return value


def submitted_reader(dialect):
    """What turns the query's submitted-at values into datetimes (the identity when the
    driver gives datetimes already).

    SQLite keeps them as ISO text of one fixed format, which orders as the times do: the
    board compares the text and turns only what it shows into datetimes, a task's latest at
    once and each assignment's when its row is built. Parsing twenty thousand on every load
    cost 6 ms.
    """
    return DateTime().dialect_impl(dialect).result_processor(dialect, None) or _same


_P = bindparam("p", type_=String)
_AS_OF = bindparam("as_of", type_=Date)
_PERIOD_END = bindparam("period_end", type_=Date)


def _cycle_param(recurrence: str) -> str:
    return f"cycle_{recurrence}"


def board_params(campaign_id: int, p: str, as_of: dt.date, period_end: dt.date,
                 previous: Optional[str] = None) -> dict:
    """The values of the statements' parameters for one board."""
    params = {"campaign_id": campaign_id, "p": p, "as_of": as_of, "period_end": period_end,
              "urge_end": dt.datetime.combine(period_end, dt.time.max)}
    params.update({_cycle_param(rec): first_period_of_cycle(rec, p) for rec in RECURRENCES})
    if previous is not None:
        params["previous"] = previous
    return params


def _task_ids():
    return select(Task.id).where(Task.campaign_id == bindparam("campaign_id"),
                                 task_member_clause(_AS_OF))


@lru_cache(maxsize=None)
def task_query():
    """The period's tasks of the campaign, with their lead unit's name."""
    lead = aliased(Unit)
    return (
        select(Task.id, Task.code, Task.sort_key, Task.title, Task.category, Task.description,
               Task.lead_unit_id, lead.name.label("lead_unit_name"), Task.leader,
               Task.start_date, Task.deadline, Task.deadline_note, Task.closed_on,
               Task.recurrence)
        .outerjoin(lead, lead.id == Task.lead_unit_id)
        .where(Task.campaign_id == bindparam("campaign_id"), task_member_clause(_AS_OF))
    )


@lru_cache(maxsize=None)
def urge_query():
    """Per assignment of those tasks: how often it was urged up to the period's end, and when last."""
    return (
        select(UrgeRecord.assignment_id, func.count(), func.max(UrgeRecord.urged_at))
        .join(Assignment, Assignment.id == UrgeRecord.assignment_id)
        .where(Assignment.task_id.in_(_task_ids()),
               UrgeRecord.urged_at <= bindparam("urge_end", type_=DateTime))
        .group_by(UrgeRecord.assignment_id)
    )


@lru_cache(maxsize=None)
def feedback_query():
    """Per assignment of those tasks: its feedback still waiting for a reply."""
    return (
        select(Feedback.assignment_id, func.count())
        .join(Assignment, Assignment.id == Feedback.assignment_id)
        .where(Assignment.task_id.in_(_task_ids()),
               and_(Feedback.resolved.is_(False), Feedback.reply == ""))
        .group_by(Feedback.assignment_id)
    )


def _cycle_start():
    """The first period of the cycle containing ``p``, per task (``first_period_of_cycle``)."""
    return case({rec: bindparam(_cycle_param(rec), type_=String) for rec in RECURRENCES},
                value=Task.recurrence, else_=_P)


@lru_cache(maxsize=None)
def assignment_query(with_previous: bool):
    """The assignments belonging to the period (``core.figures``), ordered by task and then by
    unit, with what decides their lights.

    Per row, in the order of the column constants above: the assignment, task and unit ids,
    the unit's name and kind; closed (1 when the task or the assignment was closed out by the
    period's end, else 0); the progress that counts (100 when closed, else the latest counted
    report's up to ``p``, else 0); when the latest report up to ``p`` was submitted; that
    report's id, status and text when it answers for the period (it is from ``p`` or, for a
    recurring task, from the cycle containing ``p``), else NULL, NULL and ''; the light as
    ``int(Light)``; and ``with_previous`` the text of the latest counted report of the month
    ``previous`` (the one before ``p``), which the 亮牌 compare with (``core.cards``), else NULL.

    The report lookups are index seeks on (assignment_id, period, status); the reports are
    joined afterwards by primary key.
    """
    r = aliased(Report)
    latest_counted = (
        select(r.id)
        .where(r.assignment_id == Assignment.id, r.period <= _P, r.status != "returned")
        .order_by(r.period.desc(), r.id.desc()).limit(1)
        .correlate(Assignment).scalar_subquery().label("counted_id")
    )
    latest_any = (
        select(r.id)
        .where(r.assignment_id == Assignment.id, r.period <= _P)
        .order_by(r.period.desc(), r.id.desc()).limit(1)
        .correlate(Assignment).scalar_subquery().label("last_id")
    )
    previous_text = (
        select(r.text)
        .where(r.assignment_id == Assignment.id,
               r.period == bindparam("previous", type_=String), r.status != "returned")
        .order_by(r.id.desc()).limit(1)
        .correlate(Assignment).scalar_subquery()) if with_previous else null()
    closed = case((or_(Task.closed_on <= _PERIOD_END, Assignment.closed_on <= _PERIOD_END),
                   literal(1, Integer)), else_=literal(0, Integer))
    inner = (
        select(Assignment.id.label("aid"), Assignment.task_id, Assignment.unit_id,
               closed.label("closed"), _cycle_start().label("cycle_start"),
               latest_counted, latest_any, previous_text.label("previous_text"))
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.task_id.in_(_task_ids()), assignment_member_clause(_AS_OF))
        .subquery()
    )
    counted = aliased(Report)
    last = aliased(Report)
    answers = last.period >= inner.c.cycle_start  # never later than p: see latest_any
    is_closed = inner.c.closed == 1
    light = case(
        (is_closed, literal(int(Light.GREEN), Integer)),
        *((and_(answers, last.status == status), literal(int(lit), Integer))
          for status, lit in STATUS_LIGHT.items() if status is not None),
        else_=literal(int(STATUS_LIGHT[None]), Integer))
    return (
        select(inner.c.aid, inner.c.task_id, inner.c.unit_id, Unit.name, Unit.kind,
               inner.c.closed,
               case((is_closed, literal(100, Integer)),
                    else_=func.coalesce(counted.progress, literal(0, Integer))),
               type_coerce(last.submitted_at, String),  # see submitted_reader
               case((answers, last.id), else_=null()),
               case((answers, last.status), else_=null()),
               case((answers, func.coalesce(last.text, literal("", String))),
                    else_=literal("", String)),
               light, inner.c.previous_text)
        .join(Unit, Unit.id == inner.c.unit_id)
        .outerjoin(counted, counted.id == inner.c.counted_id)
        .outerjoin(last, last.id == inner.c.last_id)
        .order_by(inner.c.task_id, Unit.sort_order, Unit.id)
    )
