"""Month-by-month figures per unit over a whole campaign, from a few bulk queries.

Trend curves (变化曲线) and the previous period's ranks need every month at once. Calling
``load_board`` per month would cost seconds on a province database, so this loads the
campaign's assignments once, its reports once (one row per report, two integers and two
flags) and its urges once, and works out every (unit, month) figure with numpy.

The rules are the board's (``core.figures``): only the assignments that belong to a month
count in it; an assignment's progress at a month is its latest non-returned
report up to that month, 100 once closed out (its own or its task's close date within the
month); a report is on time when its first submission for the month is on or before the
month's report day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain
from typing import Mapping, Optional, Sequence

import numpy as np
from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from taskboard.core.board import Board
from taskboard.core.dashboard import (
    Measure, RankRow, UnitMetrics, board_unit_metrics, rank_units,
)
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit, UrgeRecord
from taskboard.core.periods import Period, period_range
from taskboard.core.rules import report_day
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar


@dataclass(frozen=True)
class UnitSeries:
    unit_id: int
    unit_name: str
    kind: str
    assignments: tuple[int, ...]  # per month: assignments belonging to it (core.figures)
    mean_progress: tuple[float, ...]  # per month, 0–100
    share_closed: tuple[float, ...]
    on_time_rate: tuple[Optional[float], ...]  # None when no report was due
    overdue: tuple[int, ...]  # assignments overdue at the month's as-of date
    urges: tuple[int, ...]  # urges received during the month

    def level(self, measure: Measure) -> tuple[float, ...]:
        return self.mean_progress if measure is Measure.MEAN_PROGRESS else self.share_closed


@dataclass(frozen=True)
class History:
    campaign_id: int
    periods: tuple[Period, ...]
    units: tuple[UnitSeries, ...]  # units with assignments, districts first

    def index(self, period: Period) -> Optional[int]:
        try:
            return self.periods.index(period)
        except ValueError:
            return None

    def districts(self) -> list[UnitSeries]:
        return [u for u in self.units if u.kind == "district"]

    def on_time_at(self, period: Period) -> dict[int, Optional[float]]:
        i = self.index(period)
        return {} if i is None else {u.unit_id: u.on_time_rate[i] for u in self.units}

    def urges_at(self, period: Period) -> dict[int, int]:
        i = self.index(period)
        return {} if i is None else {u.unit_id: u.urges[i] for u in self.units}


def _month_index(p: Period) -> int:
    return p.year * 12 + p.month - 1


def _month_number(session: Session, column, is_timestamp: bool):
    """year * 12 + month - 1 of a "YYYY-MM…" text or a timestamp column, computed in SQL."""
    if session.get_bind().dialect.name == "sqlite" or not is_timestamp:
        # SQLite keeps timestamps as ISO text; substr is several times cheaper than strftime.
        return (cast(func.substr(column, 1, 4), Integer) * 12
                + cast(func.substr(column, 6, 2), Integer) - 1)
    return (cast(func.extract("year", column), Integer) * 12
            + cast(func.extract("month", column), Integer) - 1)


_FAR = np.iinfo(np.int64).max // 4  # the day number of "never": later than any date


def _day_number(session: Session, expr, missing: int = _FAR):
    """``date.toordinal()`` of a date expression, computed in SQL; ``missing`` for NULL.

    Twenty thousand assignments with seven dates each cost more as Python dates (parsed by
    the driver, then converted one by one) than the whole month's figures built from them.
    """
    if session.get_bind().dialect.name == "sqlite":  # dates are ISO text there
        day = cast(func.julianday(expr) - 1721424.5, Integer)
    else:
        day = (expr - literal(dt.date(1, 1, 1), Date)) + 1
    return func.coalesce(day, missing)


def _reports_query(session: Session, campaign_id: int, first: Period, last: Period):
    """(assignment, month no., progress, counted?, submitted month no., submitted day)."""
    if session.get_bind().dialect.name == "sqlite":
        day = cast(func.substr(Report.submitted_at, 9, 2), Integer)
    else:
        day = cast(func.extract("day", Report.submitted_at), Integer)
    return (
        select(Report.assignment_id, _month_number(session, Report.period, False),
               Report.progress, case((Report.status == "returned", 0), else_=1),
               _month_number(session, Report.submitted_at, True), day)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.campaign_id == campaign_id,
               Report.period >= str(first), Report.period <= str(last))
        .order_by(Report.id)
    )


@dataclass(frozen=True)
class MonthReports:
    """One month's reports of a campaign, digested per assignment (every assignment that
    reported, deleted or archived ones included: the history filters by the current ones)."""

    assignment_ids: np.ndarray  # int64, ascending
    progress: np.ndarray  # int64: the latest non-returned report's progress, -1 if none
    on_time: np.ndarray  # bool: a report (any status) submitted by the month's report day


def report_months(session: Session, campaign_id: int, periods: Sequence[Period],
                  cutoffs: Sequence[dt.date]) -> dict[Period, MonthReports]:
    """Each given month's reports, from one bulk query per run of consecutive months."""
    out: dict[Period, MonthReports] = {}
    cutoff_of = dict(zip(periods, cutoffs))
    for run in _consecutive(sorted(periods)):
        out.update(_report_run(session, campaign_id, run, cutoff_of))
    return out


def _consecutive(periods: list[Period]) -> list[list[Period]]:
    runs: list[list[Period]] = []
    for p in periods:
        if runs and runs[-1][-1].next() == p:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _report_run(session: Session, campaign_id: int, run: list[Period],
                cutoff_of: Mapping[Period, dt.date]) -> dict[Period, MonthReports]:
    first, last = run[0], run[-1]
    base = _month_index(first)
    result = session.connection().execute(_reports_query(session, campaign_id, first, last))
    # Straight from the DB-API cursor: every column is an integer, and SQLAlchemy's row
    # processing of a million reports costs more than the query.
    cursor = result.cursor
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(
        iter(lambda: cursor.fetchmany(50_000), []))), dtype=np.int64)
    result.close()
    return _digest(flat.reshape(-1, 6), run, cutoff_of)


def _digest(rep: np.ndarray, run: list[Period],
            cutoff_of: Mapping[Period, dt.date]) -> dict[Period, MonthReports]:
    """``_reports_query``'s rows (in report id order) of a run of months, per month."""
    base = _month_index(run[0])
    rep_p = rep[:, 1] - base
    # On time: submitted by the month's report day (compared as month number, then day,
    # since a holiday can push the report day into the month before).
    cutoffs = [cutoff_of[p] for p in run]
    cut_month = np.array([_month_index(Period.of(d)) for d in cutoffs], dtype=np.int64)[rep_p]
    cut_day = np.array([d.day for d in cutoffs], dtype=np.int64)[rep_p]
    sub_month, sub_day = rep[:, 4], rep[:, 5]
    on_time = (sub_month < cut_month) | ((sub_month == cut_month) & (sub_day <= cut_day))
    out = {}
    for j, p in enumerate(run):
        in_month = rep_p == j
        ids = rep[in_month, 0]
        uniq_ids, inverse = np.unique(ids, return_inverse=True)
        hit = np.zeros(len(uniq_ids), dtype=bool)
        hit[inverse[on_time[in_month]]] = True
        # Latest non-returned report per assignment: rows are in id order, so the last
        # occurrence wins; np.unique on the reversed rows finds it.
        counted = rep[in_month, 3] == 1
        c_ids, c_prog = ids[counted][::-1], rep[in_month, 2][counted][::-1]
        c_uniq, c_first = np.unique(c_ids, return_index=True)
        progress = np.full(len(uniq_ids), -1, dtype=np.int64)
        progress[np.searchsorted(uniq_ids, c_uniq)] = c_prog[c_first]
        out[p] = MonthReports(uniq_ids, progress, hit)
    return out


def load_history(session: Session, campaign_id: int, last: Period, today: dt.date,
                 cal: WorkCalendar, settings: Optional[BoardSettings] = None,
                 months: Optional[Mapping[Period, "MonthReports"]] = None) -> History:
    """Every month from the campaign's start to ``last`` (inclusive).

    ``months`` holds each month's reports already digested (``report_months``), as the
    history cache keeps them; without it every month is read here.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"专项工作不存在：{campaign_id}")
    first = min(Period.of(campaign.start_date), last)
    return _history(session, campaign_id, period_range(first, last), today, cal,
                    settings or BoardSettings(), months)


def month_figures(session: Session, campaign_id: int, period: Period, today: dt.date,
                  cal: WorkCalendar, settings: Optional[BoardSettings] = None
                  ) -> tuple[dict[int, Optional[float]], dict[int, int]]:
    """One month's on-time report rate and urges per unit, as ``load_history`` has them.

    Neither figure looks at other months (membership, what is owed, the first submission and
    the urges are all the month's own), so only that month's reports are read: a sixtieth of
    the work of the whole history. Progress does carry over from earlier months, which is
    why this returns no levels.
    """
    figures, _ = month_figures_with(session, campaign_id, period, today, cal, settings, ())
    return figures


def month_figures_with(session: Session, campaign_id: int, period: Period, today: dt.date,
                       cal: WorkCalendar, settings: Optional[BoardSettings],
                       columns: Sequence) -> tuple[tuple[dict, dict], list[tuple]]:
    """``month_figures``, and more columns of the same month's reports from the same read:
    (figures, [(assignment id, *columns) per report, in report id order]).

    The ledger shows the month's report texts too; reading the month's reports once for both
    saves a scan of them.
    """
    if session.get(Campaign, campaign_id) is None:
        raise LookupError(f"专项工作不存在：{campaign_id}")
    settings = settings or BoardSettings()
    rows = session.connection().execute(
        _reports_query(session, campaign_id, period, period).add_columns(*columns)).all()
    rep = np.array([r[:6] for r in rows], dtype=np.int64).reshape(-1, 6)
    months = _digest(rep, [period], {period: report_day(period, cal, settings.report_day)})
    one = _history(session, campaign_id, [period], today, cal, settings, months)
    return (one.on_time_at(period), one.urges_at(period)), [(r[0], *r[6:]) for r in rows]


def _history(session: Session, campaign_id: int, periods: list[Period], today: dt.date,
             cal: WorkCalendar, settings: BoardSettings,
             months: Optional[Mapping[Period, "MonthReports"]]) -> History:
    first, last = periods[0], periods[-1]
    n_p = len(periods)
    base = _month_index(first)

    # Every row that belongs to some month: removals with a known day stay in the months
    # before it (the membership test per month is below, as in core.figures).
    maybe_task = or_(Task.deleted.is_(False), Task.deleted_on.is_not(None))
    maybe_assignment = or_(Assignment.archived.is_(False), Assignment.removed_on.is_not(None))
    task_ids = select(Task.id).where(Task.campaign_id == campaign_id, maybe_task)
    # Dates as day numbers (date.toordinal()) keep the per-month tests in numpy.
    days = [_day_number(session, d) for d in (
        Assignment.closed_on, Task.closed_on, Task.deadline, Task.start_date,
        func.coalesce(Assignment.added_on, Task.start_date),
        case((Task.deleted.is_(True), Task.deleted_on), else_=None),
        case((Assignment.archived.is_(True), Assignment.removed_on), else_=None))]
    arows = session.connection().execute(
        select(Assignment.id, Assignment.unit_id, *days,
               _day_number(session, Task.entered_on, 0))
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.campaign_id == campaign_id, maybe_task, maybe_assignment)
        .order_by(Assignment.id)
    ).all()
    n_a = len(arows)
    if n_a == 0:
        return History(campaign_id, tuple(periods), ())
    facts = np.fromiter(chain.from_iterable(arows), dtype=np.int64,
                        count=n_a * 10).reshape(n_a, 10)
    a_ids = facts[:, 0]
    max_id = int(a_ids.max())
    a_index = np.full(max_id + 1, -1, dtype=np.int64)
    a_index[a_ids] = np.arange(n_a)

    closed_ord = np.minimum(facts[:, 2], facts[:, 3])
    deadline_ord = facts[:, 4]
    start_ord = facts[:, 5]
    first_ord = np.array([p.first_day.toordinal() for p in periods], dtype=np.int64)
    last_ord = np.array([p.last_day.toordinal() for p in periods], dtype=np.int64)
    as_of_ord = np.array([p.as_of(today).toordinal() for p in periods], dtype=np.int64)

    # Membership per (assignment, month), as core.figures.task_belongs/assignment_belongs.
    added_ord = facts[:, 6]
    gone_ord = np.minimum(facts[:, 7], facts[:, 8])
    entered_ord = facts[:, 9]
    counts_from = np.maximum(np.maximum(start_ord, added_ord), entered_ord)
    member = ((counts_from[:, None] <= as_of_ord[None, :])
              & (gone_ord[:, None] > as_of_ord[None, :]))
    closed_by = (closed_ord[:, None] <= last_ord[None, :]) & member  # (assignments, months)
    # A unit owes a report for a month while its work is open at the month's start.
    expected = (closed_ord[:, None] >= first_ord[None, :]) & member
    overdue = (deadline_ord[:, None] < as_of_ord[None, :]) & ~closed_by & member

    # --- reports: per month, from the cache when given one ---------------------------------
    cutoffs = [report_day(p, cal, settings.report_day) for p in periods]
    if months is None:
        months = report_months(session, campaign_id, periods, cutoffs)
    on_time_hit = np.zeros((n_a, n_p), dtype=bool)
    reported = np.full((n_a, n_p), -1, dtype=np.int64)
    for j, p in enumerate(periods):
        col = months.get(p)
        if col is None or not len(col.assignment_ids):
            continue
        ids = col.assignment_ids
        inside = ids <= max_id
        rows = np.full(len(ids), -1, dtype=np.int64)
        rows[inside] = a_index[ids[inside]]
        keep = rows >= 0  # reports of archived assignments do not count
        on_time_hit[rows[keep & col.on_time], j] = True
        has = keep & (col.progress >= 0)
        reported[rows[has], j] = col.progress[has]
    # Carry the last report forward through months without one.
    cols = np.where(reported >= 0, np.arange(n_p)[None, :], 0)
    np.maximum.accumulate(cols, axis=1, out=cols)
    progress = np.take_along_axis(reported, cols, axis=1)
    progress = np.where(progress < 0, 0, progress)
    progress = np.where(closed_by, 100, progress)
    progress = np.where(member, progress, 0).astype(float)

    # --- urges: few rows, counted per assignment and month --------------------------------
    urged = np.zeros((n_a, n_p), dtype=np.int64)
    urge_end = dt.datetime.combine(last.last_day, dt.time.max)
    urge_start = dt.datetime.combine(first.first_day, dt.time.min)
    for aid, at in session.connection().execute(
            select(UrgeRecord.assignment_id, UrgeRecord.urged_at)
            .where(UrgeRecord.assignment_id.in_(select(Assignment.id).where(
                Assignment.task_id.in_(task_ids))),
                and_(UrgeRecord.urged_at >= urge_start, UrgeRecord.urged_at <= urge_end))):
        i = a_index[aid] if aid <= max_id else -1
        if i >= 0:
            m = _month_index(Period.of(at.date())) - base
            urged[i, m] += member[i, m]

    # --- per unit -------------------------------------------------------------------------
    unit_of = facts[:, 1]
    present = set(np.unique(unit_of).tolist())
    info = {uid: (name, kind) for uid, name, kind in session.connection().execute(
        select(Unit.id, Unit.name, Unit.kind)) if uid in present}
    order = sorted(info, key=lambda uid: (info[uid][1] != "district", uid))
    units = []
    for uid in order:
        mask = unit_of == uid
        n = member[mask].sum(axis=0)
        if not n.any():
            continue
        safe = np.maximum(n, 1)  # a month without work shows 0 and has no rank
        exp = expected[mask].sum(axis=0)
        hit = (on_time_hit[mask] & expected[mask]).sum(axis=0)
        units.append(UnitSeries(
            unit_id=uid, unit_name=info[uid][0], kind=info[uid][1],
            assignments=tuple(int(x) for x in n),
            mean_progress=tuple(float(x) for x in progress[mask].sum(axis=0) / safe),
            share_closed=tuple(float(x) for x in closed_by[mask].sum(axis=0) / safe * 100),
            on_time_rate=tuple(float(h) / float(e) * 100 if e else None
                               for h, e in zip(hit, exp)),
            overdue=tuple(int(x) for x in overdue[mask].sum(axis=0)),
            urges=tuple(int(x) for x in urged[mask].sum(axis=0)),
        ))
    return History(campaign_id, tuple(periods), tuple(units))


# --- trend curves -----------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendSeries:
    unit_id: int
    unit_name: str
    level: tuple[float, ...]
    on_time_rate: tuple[Optional[float], ...]


@dataclass(frozen=True)
class Trends:
    measure: Measure
    periods: tuple[Period, ...]
    series: tuple[TrendSeries, ...]  # districts
    average_level: tuple[float, ...]  # unweighted mean over the districts
    average_on_time: tuple[Optional[float], ...]
    selected: Optional[int]  # unit id drawn highlighted

    @property
    def selected_series(self) -> Optional[TrendSeries]:
        return next((s for s in self.series if s.unit_id == self.selected), None)


def _mean(values) -> Optional[float]:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def trends(history: History, measure: Measure, until: Period,
           selected: Optional[int] = None) -> Trends:
    """The districts' curves from the campaign's first month up to ``until``."""
    end = history.index(until)
    n = len(history.periods) if end is None else end + 1
    if end is None and history.periods and until < history.periods[0]:
        n = 0
    districts = history.districts()
    series = tuple(TrendSeries(u.unit_id, u.unit_name, u.level(measure)[:n], u.on_time_rate[:n])
                   for u in districts)
    # A district without work in a month is left out of that month's average.
    avg_level = tuple(_mean(s.level[i] for s, u in zip(series, districts)
                            if u.assignments[i]) or 0.0 for i in range(n))
    avg_rate = tuple(_mean(s.on_time_rate[i] for s in series) for i in range(n))
    return Trends(measure, history.periods[:n], series, avg_level, avg_rate, selected)


def unit_metrics_at(history: History, period: Period, measure: Measure) -> list[UnitMetrics]:
    """The districts' ranking figures for a past period, all from history."""
    i = history.index(period)
    if i is None:
        return []
    return [UnitMetrics(u.unit_id, u.unit_name, u.level(measure)[i], u.on_time_rate[i],
                        u.overdue[i], u.urges[i]) for u in history.districts()
            if u.assignments[i]]


def district_ranking(board: Board, history: History, measure: Measure) -> list[RankRow]:
    """This period's district ranking (levels and overdue from the board) with rank change."""
    current = board_unit_metrics(board, measure, history.on_time_at(board.period),
                                 history.urges_at(board.period))
    return rank_units(current, unit_metrics_at(history, board.period.previous(), measure))
