"""Property-based tests of the period rules (Hypothesis): random campaigns with random
starts, deadlines, reports, returns, reviews, close-outs, urges, deletions, reassignments
and calendar overrides, in a real SQLite file each.

* the oracle (tests/oracle.py) and the program agree on every figure;
* adding a task that starts next month changes no figure of this month;
* the figures of a month depend only on reports for that month and earlier ones;
* deleting a task or withdrawing a unit today changes no month that has already ended.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from taskboard.core.actor import load_actor
from taskboard.core.board import load_board
from taskboard.core.dashboard import Group, Measure, kpis, water_level
from taskboard.core.dashboard_history import district_ranking, load_history
from taskboard.core.db import Database
from taskboard.core.models import (
    Assignment, CalendarOverride, Campaign, Report, Setting, Task, Unit, UrgeRecord, User,
)
from taskboard.core.periods import Period
from taskboard.core.services import urging
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel.ledger import ledger_data
from tests.figure_check import Checker, compare_campaign

TODAY = dt.date(2026, 11, 23)
YEAR_START = dt.date(2026, 1, 1)
MONTHS = [Period(2026, m) for m in range(1, 13)]
_TEMPLATE: list[Path] = []

days = st.integers(0, 364).map(lambda n: YEAR_START + dt.timedelta(days=n))
past_days = st.integers(0, (TODAY - YEAR_START).days).map(
    lambda n: YEAR_START + dt.timedelta(days=n))
months = st.sampled_from([str(p) for p in MONTHS])

report = st.fixed_dictionaries({
    "period": months, "progress": st.integers(0, 100),
    "status": st.sampled_from(["pending", "approved", "returned"]),
    "submitted": past_days, "hour": st.integers(0, 23),
})
assignment = st.fixed_dictionaries({
    "unit": st.integers(0, 3),
    "closed_on": st.none() | past_days,
    "added_on": st.none() | past_days,
    "removed_on": st.none() | past_days,
    "reports": st.lists(report, max_size=5),
    "urges": st.lists(past_days, max_size=2),
})
task = st.fixed_dictionaries({
    "start": days,
    "deadline": st.none() | days,
    "closed_on": st.none() | past_days,
    "deleted_on": st.none() | past_days,
    "recurrence": st.sampled_from(["", "", "monthly", "quarterly", "half_yearly", "semester",
                                   "yearly"]),
    "assignments": st.lists(assignment, min_size=0, max_size=4),
})
scenario = st.fixed_dictionaries({
    "kinds": st.lists(st.sampled_from(["district", "department"]), min_size=4, max_size=4),
    "tasks": st.lists(task, min_size=1, max_size=5),
    "overrides": st.dictionaries(past_days, st.booleans(), max_size=6),
    "near": st.integers(0, 8),
    "report_day": st.integers(1, 31),
})


def _fresh_db() -> tuple[Database, Path]:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="tb-prop-"))
        Database(f"sqlite:///{folder / 'empty.sqlite'}").dispose()
        _TEMPLATE.append(folder / "empty.sqlite")
    folder = Path(tempfile.mkdtemp(prefix="tb-prop-"))
    path = folder / "t.sqlite"
    shutil.copyfile(_TEMPLATE[0], path)
    return Database(f"sqlite:///{path}"), folder


def _build(s, sc: dict) -> None:
    s.add(Campaign(id=1, name="随机专项", start_date=YEAR_START))
    s.add(User(id=1, username="d", display_name="调度", role="dispatcher"))
    s.add_all([Unit(id=i + 1, name=f"单位{i + 1}", kind=k, sort_order=i)
               for i, k in enumerate(sc["kinds"])])
    s.add_all([CalendarOverride(day=d, is_workday=w) for d, w in sc["overrides"].items()])
    s.add(Setting(key="near_due_workdays", value=json.dumps(sc["near"])))
    s.add(Setting(key="report_day", value=json.dumps(sc["report_day"])))
    s.flush()
    for n, t in enumerate(sc["tasks"], start=1):
        _add_task(s, n, t)


def _add_task(s, n: int, t: dict) -> int:
    deadline = t["deadline"] if t["deadline"] is None or t["deadline"] >= t["start"] else None
    closed = t["closed_on"] if t["closed_on"] and t["closed_on"] >= t["start"] else None
    deleted = t["deleted_on"] is not None
    row = Task(campaign_id=1, code=f"{n}~删{n}" if deleted else f"{n}", sort_key=f"{n:05d}",
               title=f"任务{n}", start_date=t["start"], deadline=deadline, closed_on=closed,
               deleted=deleted, deleted_on=t["deleted_on"], recurrence=t["recurrence"])
    s.add(row)
    s.flush()
    seen = set()
    for a in t["assignments"]:
        if a["unit"] in seen:
            continue
        seen.add(a["unit"])
        removed = a["removed_on"]
        ar = Assignment(task_id=row.id, unit_id=a["unit"] + 1,
                        closed_on=a["closed_on"] if a["closed_on"] and a["closed_on"] >= t["start"]
                        else None, added_on=a["added_on"], archived=removed is not None,
                        removed_on=removed)
        s.add(ar)
        s.flush()
        for r in a["reports"]:
            s.add(Report(assignment_id=ar.id, period=r["period"], progress=r["progress"],
                         status=r["status"],
                         submitted_at=dt.datetime.combine(r["submitted"], dt.time(r["hour"]))))
        for u in a["urges"]:
            s.add(UrgeRecord(assignment_id=ar.id, method="phone",
                             urged_at=dt.datetime.combine(u, dt.time(10))))
    s.flush()
    return row.id


def _snapshot(s, period: Period, today: dt.date = TODAY) -> dict:
    """Every figure the program shows for ``period`` (fast path only)."""
    cal, conf = load_calendar(s), load_settings(s)
    board = load_board(s, 1, period, today, cal, conf)
    history = load_history(s, 1, period, today, cal, conf)
    rows = [{k: v for k, v in dataclasses.asdict(r).items() if k != "search_text"}
            for r in board.rows]
    arows = sorted((dataclasses.asdict(a) for rs in board.assignments.values() for a in rs),
                   key=lambda a: a["assignment_id"])
    actor = load_actor(s, "d")
    return {
        "rows": rows, "assignments": arows, "kpis": kpis(board),
        "water": [water_level(board, g, m) for g in Group for m in Measure],
        "ranking": [district_ranking(board, history, m) for m in Measure],
        "history": history.units,
        "ledger": ledger_data(s, 1, period, today, board=board).kpi_rows,
        "urge": urging.screen(s, actor, 1, period, today),
    }


COMMON = dict(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(**COMMON)
@given(sc=scenario, month=st.sampled_from([Period(2026, m) for m in (3, 7, 10, 11, 12)]))
def test_oracle_agrees_on_random_campaigns(sc, month):
    db, folder = _fresh_db()
    try:
        with db.Session.begin() as s:
            _build(s, sc)
        with db.session() as s:
            compare_campaign(s, 1, [month], TODAY, load_actor(s, "d"), db.engine, Checker())
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


@settings(**COMMON)
@given(sc=scenario, month=st.sampled_from([Period(2026, m) for m in (4, 8, 10, 11)]),
       extra=task)
def test_a_task_starting_next_month_changes_no_figure_of_this_month(sc, month, extra):
    db, folder = _fresh_db()
    try:
        with db.Session.begin() as s:
            _build(s, sc)
        with db.session() as s:
            before = _snapshot(s, month)
        nxt = month.next()
        later = dict(extra, start=nxt.first_day + dt.timedelta(days=extra["start"].day % 28),
                     deadline=None if extra["deadline"] is None
                     else max(extra["deadline"], nxt.last_day))
        with db.Session.begin() as s:
            _add_task(s, 99, later)
        with db.session() as s:
            assert _snapshot(s, month) == before
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


@settings(**COMMON)
@given(sc=scenario, month=st.sampled_from([Period(2026, m) for m in (2, 6, 9, 10)]),
       later=st.lists(st.tuples(st.integers(0, 30), report), min_size=1, max_size=8))
def test_figures_of_a_month_depend_only_on_reports_up_to_it(sc, month, later):
    db, folder = _fresh_db()
    try:
        with db.Session.begin() as s:
            _build(s, sc)
        with db.session() as s:
            before = _snapshot(s, month)
            ids = [a.id for a in s.query(Assignment).order_by(Assignment.id)]
        if not ids:
            return
        with db.Session.begin() as s:
            for pick, r in later:
                # Reports for later months, submitted and reviewed whenever: none may count.
                period = str(month.shift(1 + pick % (12 - month.month))) \
                    if month.month < 12 else None
                if period is None:
                    continue
                s.add(Report(assignment_id=ids[pick % len(ids)], period=period,
                             progress=r["progress"], status=r["status"],
                             submitted_at=dt.datetime.combine(r["submitted"], dt.time(9))))
        with db.session() as s:
            after = _snapshot(s, month)
        # Urges are not reports; nothing else may move either.
        assert after == before
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


@settings(**COMMON)
@given(sc=scenario, pick=st.integers(0, 100), month=st.sampled_from(
    [Period(2026, m) for m in (1, 5, 9, 10)]))
def test_deleting_or_withdrawing_today_leaves_ended_months_alone(sc, pick, month):
    db, folder = _fresh_db()
    try:
        with db.Session.begin() as s:
            _build(s, sc)
        with db.session() as s:
            before = _snapshot(s, month)
        with db.Session.begin() as s:
            live = s.query(Task).filter(Task.deleted.is_(False)).order_by(Task.id).all()
            if live:
                t = live[pick % len(live)]
                t.deleted, t.deleted_on = True, TODAY
            kept = s.query(Assignment).filter(Assignment.archived.is_(False)) \
                .order_by(Assignment.id).all()
            if kept:
                a = kept[pick % len(kept)]
                a.archived, a.removed_on = True, TODAY
        with db.session() as s:
            assert _snapshot(s, month) == before
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
