"""A deliberately naive second computation of every figure, for comparison with the program.

It shares nothing with taskboard: plain SQL over the tables (no models, no queries from the
program), straightforward loops, its own period arithmetic and working-day count (straight
from the ``chinese_calendar`` package and the override table). It restates the rules as
README.md's "Rules in one screen" words them, one assignment and one month at a time, so a
shortcut in the fast path (a bulk query, numpy, a cached fact) that drifts from the rules
shows up as a difference.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

import chinese_calendar
from sqlalchemy import text

LIGHTS = ("green", "blue", "red")


# --- plain values from either backend ---------------------------------------------------------

def _date(v) -> Optional[dt.date]:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _datetime(v) -> Optional[dt.datetime]:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v
    return dt.datetime.fromisoformat(str(v))


def _bool(v) -> bool:
    return bool(int(v)) if isinstance(v, (int, str)) else bool(v)


# --- months and working days ------------------------------------------------------------------

def first_day(p: str) -> dt.date:
    return dt.date(int(p[:4]), int(p[5:7]), 1)


def last_day(p: str) -> dt.date:
    y, m = int(p[:4]), int(p[5:7])
    return dt.date(y, m, _calendar.monthrange(y, m)[1])


def previous_month(p: str) -> str:
    y, m = int(p[:4]), int(p[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def months_between(a: str, b: str) -> list[str]:
    out, p = [], a
    while p <= b:
        out.append(p)
        y, m = int(p[:4]), int(p[5:7])
        p = f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"
    return out


def judged_at(p: str, today: dt.date) -> dt.date:
    if today < first_day(p):
        return first_day(p)
    if today > last_day(p):
        return last_day(p)
    return today


class Days:
    def __init__(self, overrides: dict[dt.date, bool]) -> None:
        self.overrides = overrides
        self._official: dict[dt.date, bool] = {}
        self._counts: dict[tuple[dt.date, dt.date], int] = {}

    def is_workday(self, d: dt.date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        if d not in self._official:  # the package validates every call: slow, so kept
            try:
                self._official[d] = bool(chinese_calendar.is_workday(d))
            except NotImplementedError:
                self._official[d] = d.weekday() < 5
        return self._official[d]

    def count_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b, counted one by one (remembered per pair: many
        tasks share a deadline)."""
        if (a, b) not in self._counts:
            n, d = 0, a + dt.timedelta(days=1)
            while d <= b:
                n += self.is_workday(d)
                d += dt.timedelta(days=1)
            self._counts[a, b] = n
        return self._counts[a, b]

    def report_day(self, p: str, day: int) -> dt.date:
        d = dt.date(int(p[:4]), int(p[5:7]), min(max(day, 1), last_day(p).day))
        while not self.is_workday(d):
            d -= dt.timedelta(days=1)
        return d


# --- the data, read once -------------------------------------------------------------------

@dataclass
class Data:
    tasks: dict[int, dict]
    assignments: dict[int, dict]
    units: dict[int, dict]
    reports: dict[int, list[dict]]  # per assignment, in id order
    urges: dict[int, list[dt.datetime]]
    days: Days
    near: int
    report_day: int
    campaigns: list[int] = field(default_factory=list)


def read(engine) -> Data:
    with engine.connect() as c:
        tasks = {r[0]: dict(id=r[0], campaign=r[1], code=r[2], start=_date(r[3]),
                            deadline=_date(r[4]), closed_on=_date(r[5]), deleted=_bool(r[6]),
                            deleted_on=_date(r[7]), entered_on=_date(r[8]),
                            recurrence=r[9] or "")
                 for r in c.execute(text(
                     "SELECT id, campaign_id, code, start_date, deadline, closed_on, deleted, "
                     "deleted_on, entered_on, recurrence FROM task"))}
        assignments = {r[0]: dict(id=r[0], task=r[1], unit=r[2], closed_on=_date(r[3]),
                                  archived=_bool(r[4]), added_on=_date(r[5]),
                                  removed_on=_date(r[6]))
                       for r in c.execute(text(
                           "SELECT id, task_id, unit_id, closed_on, archived, added_on, "
                           "removed_on FROM assignment"))}
        units = {r[0]: dict(id=r[0], name=r[1], kind=r[2])
                 for r in c.execute(text("SELECT id, name, kind FROM unit"))}
        reports: dict[int, list[dict]] = defaultdict(list)
        for r in c.execute(text("SELECT id, assignment_id, period, progress, status, "
                                "submitted_at FROM report ORDER BY id")):
            reports[r[1]].append(dict(id=r[0], period=r[2], progress=r[3], status=r[4],
                                      submitted=_datetime(r[5])))
        urges: dict[int, list[dt.datetime]] = defaultdict(list)
        for r in c.execute(text("SELECT assignment_id, urged_at FROM urge_record")):
            urges[r[0]].append(_datetime(r[1]))
        overrides = {_date(r[0]): _bool(r[1]) for r in c.execute(text(
            "SELECT day, is_workday FROM calendar_override"))}
        settings = {r[0]: json.loads(r[1]) for r in c.execute(text(
            "SELECT key, value FROM setting"))}
        campaigns = [r[0] for r in c.execute(text("SELECT id FROM campaign ORDER BY id"))]
    return Data(tasks, assignments, units, reports, urges, Days(overrides),
                settings.get("near_due_workdays", 5), settings.get("report_day", 25),
                campaigns)


# --- recurring deadlines: the cycle's months, written out --------------------------------

CYCLE_MONTHS = {  # recurrence -> the months each cycle covers, by its first month
    "monthly": [[m] for m in range(1, 13)],
    "quarterly": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]],
    "half_yearly": [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]],
    "semester": [[2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 1]],
    "yearly": [list(range(1, 13))],
}


def _cycle(recurrence: str, d: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the cycle that contains ``d``."""
    for months in CYCLE_MONTHS[recurrence]:
        if d.month in months:
            first_year = d.year - 1 if (d.month < months[0]) else d.year
            first = dt.date(first_year, months[0], 1)
            last_m = months[-1]
            last_year = first_year + 1 if last_m < months[0] else first_year
            return first, dt.date(last_year, last_m, _calendar.monthrange(last_year, last_m)[1])
    raise AssertionError(recurrence)


def due_date(t: dict, at: dt.date) -> Optional[dt.date]:
    """The date the task is due by at ``at``: its deadline, or for a recurring task the end
    of the current cycle, never past the last deadline."""
    if not t["recurrence"]:
        return t["deadline"]
    if t["deadline"] is not None and at >= t["deadline"]:
        return t["deadline"]
    end = _cycle(t["recurrence"], at)[1]
    return end if t["deadline"] is None else min(end, t["deadline"])


def first_month_of_cycle(t: dict, p: str) -> str:
    if not t["recurrence"]:
        return p
    first = _cycle(t["recurrence"], first_day(p))[0]
    return f"{first.year:04d}-{first.month:02d}"


# --- one month of one campaign -----------------------------------------------------------

def _due(deadline, closed, at, days: Days, near: int) -> str:
    if closed:
        return "done"
    if deadline is None:
        return "ongoing"
    if at > deadline:
        return "overdue"
    if days.count_between(at, deadline) <= near:
        return "near_due"
    return "normal"


def _time_progress(start, deadline, at) -> Optional[float]:
    if deadline is None:
        return None
    span = (deadline - start).days
    if span <= 0:
        return 100.0 if at >= deadline else 0.0
    return max(0.0, min(100.0, (at - start).days / span * 100.0))


def _task_in(t: dict, at: dt.date) -> bool:
    if t["start"] > at or (t["entered_on"] is not None and t["entered_on"] > at):
        return False
    if t["deleted"]:
        return t["deleted_on"] is not None and t["deleted_on"] > at
    return True


def _assignment_in(a: dict, t: dict, at: dt.date) -> bool:
    if (a["added_on"] or t["start"]) > at:
        return False
    if a["archived"]:
        return a["removed_on"] is not None and a["removed_on"] > at
    return True


def month(data: Data, campaign: int, p: str, today: dt.date) -> dict:
    """Every figure of campaign ``campaign`` for month ``p`` seen on ``today``."""
    at = judged_at(p, today)
    end = last_day(p)
    tasks = {tid: t for tid, t in data.tasks.items()
             if t["campaign"] == campaign and _task_in(t, at)}
    assignments = {}
    for aid, a in data.assignments.items():
        t = tasks.get(a["task"])
        if t is None or not _assignment_in(a, t, at):
            continue
        closed = ((t["closed_on"] is not None and t["closed_on"] <= end)
                  or (a["closed_on"] is not None and a["closed_on"] <= end))
        # The month's report (a recurring task's: the cycle's latest so far).
        since = first_month_of_cycle(t, p)
        this_month = sorted((r for r in data.reports.get(aid, []) if since <= r["period"] <= p),
                            key=lambda r: (r["period"], r["id"]))
        status = this_month[-1]["status"] if this_month else None
        if closed or status == "approved":
            light = "green"
        elif status == "pending":
            light = "blue"
        else:
            light = "red"
        counted = [r for r in data.reports.get(aid, [])
                   if r["period"] <= p and r["status"] != "returned"]
        counted.sort(key=lambda r: (r["period"], r["id"]))
        progress = 100 if closed else (counted[-1]["progress"] if counted else 0)
        tp = _time_progress(t["start"], t["deadline"], at)
        due = _due(due_date(t, at), closed, at, data.days, data.near)
        workdays_left = (data.days.count_between(at, due_date(t, at))
                         if due == "near_due" else None)
        assignments[aid] = dict(
            task=t["id"], unit=a["unit"], closed=closed, status=status, light=light,
            progress=progress, time_progress=tp, due=due,
            lagging=(not closed) and tp is not None and progress < tp,
            workdays_left=workdays_left,
            closed_before_month=min(d for d in (t["closed_on"], a["closed_on"], dt.date.max)
                                    if d is not None) < first_day(p))

    by_task: dict[int, list[dict]] = defaultdict(list)
    by_unit: dict[int, dict[int, dict]] = defaultdict(dict)
    for aid, x in assignments.items():
        by_task[x["task"]].append(x)
        by_unit[x["unit"]][aid] = x
    task_figures = {}
    for tid, t in tasks.items():
        mine = by_task[tid]
        closed = (t["closed_on"] is not None and t["closed_on"] <= end) or (
            bool(mine) and all(x["closed"] for x in mine))
        if closed:
            light = "green"
        elif any(x["light"] == "red" for x in mine) or not mine:
            light = "red"
        elif any(x["light"] == "blue" for x in mine):
            light = "blue"
        else:
            light = "green"
        progress = 100.0 if closed else (
            sum(x["progress"] for x in mine) / len(mine) if mine else 0.0)
        tp = _time_progress(t["start"], t["deadline"], at)
        task_figures[tid] = dict(
            light=light, closed=closed, progress=progress,
            due=_due(due_date(t, at), closed, at, data.days, data.near),
            lagging=(not closed) and tp is not None and progress < tp,
            all_done=bool(mine) and all(x["closed"] or x["progress"] >= 100 for x in mine),
            half_done=bool(mine) and 2 * sum(x["closed"] or x["progress"] >= 100
                                             for x in mine) >= len(mine))

    stats = dict(
        tasks=len(task_figures),
        lights={k: sum(1 for f in task_figures.values() if f["light"] == k) for k in LIGHTS},
        assignment_lights={k: sum(1 for x in assignments.values() if x["light"] == k)
                           for k in LIGHTS},
        due={k: sum(1 for f in task_figures.values() if f["due"] == k)
             for k in ("overdue", "near_due", "done", "normal", "ongoing")},
        lagging=sum(1 for f in task_figures.values() if f["lagging"]))
    kpis = dict(tasks=len(task_figures),
                closed=sum(f["closed"] for f in task_figures.values()),
                all_units_done=sum(f["all_done"] for f in task_figures.values()),
                half_units_done=sum(f["half_done"] for f in task_figures.values()),
                **stats["lights"], near_due=stats["due"]["near_due"],
                overdue=stats["due"]["overdue"], lagging=stats["lagging"])
    owed = [x for x in assignments.values() if not x["closed"]]
    reported = [x for x in owed if x["status"] in ("pending", "approved")]

    # Districts: levels, time lines, on-time rates, overdue work, urges received this month.
    cutoff = data.days.report_day(p, data.report_day)
    units = {}
    for uid in sorted(by_unit):
        mine = by_unit[uid]
        n = len(mine)
        owed_at_start = [aid for aid, x in mine.items() if not x["closed_before_month"]]
        on_time = 0
        for aid in owed_at_start:
            if any(r["period"] == p and r["submitted"].date() <= cutoff
                   for r in data.reports.get(aid, [])):
                on_time += 1
        due_to_close = sum(1 for x in mine.values()
                           if due_date(tasks[x["task"]], at) is not None
                           and at > due_date(tasks[x["task"]], at))
        units[uid] = dict(
            n=n, kind=data.units[uid]["kind"],
            mean_progress=sum(x["progress"] for x in mine.values()) / n,
            share_closed=sum(x["closed"] for x in mine.values()) / n * 100,
            time_line_progress=sum(x["progress"] if x["time_progress"] is None
                                   else x["time_progress"] for x in mine.values()) / n,
            time_line_closed=due_to_close / n * 100,
            on_time=on_time / len(owed_at_start) * 100 if owed_at_start else None,
            overdue=sum(1 for x in mine.values() if x["due"] == "overdue"),
            urges=sum(1 for aid in mine for u in data.urges.get(aid, [])
                      if f"{u.year:04d}-{u.month:02d}" == p))
    urge_reasons = {}
    for aid, x in assignments.items():
        if x["closed"]:
            continue
        why = []
        if x["status"] is None:
            why.append("unreported")
        elif x["status"] == "returned":
            why.append("returned")
        if x["due"] == "overdue":
            why.append("overdue")
        elif x["due"] == "near_due":
            why.append("due_today" if x["workdays_left"] == 0 else "near_due")
        if x["lagging"] and x["due"] != "overdue":
            why.append("lagging")
        urge_reasons[aid] = tuple(why) or ("other",)
    return dict(period=p, at=at, tasks=task_figures, assignments=assignments, stats=stats,
                kpis=kpis, owed=len(owed), reported=len(reported),
                report_rate=len(reported) / len(owed) if owed else None,
                units=units, urge_reasons=urge_reasons,
                districts={u: f for u, f in units.items() if f["kind"] == "district"})


def ranks(districts: dict[int, dict], measure: str) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) by level, on-time rate, overdue, urges."""
    def key(uid):
        d = districts[uid]
        rate = d["on_time"]
        return (-round(d[measure], 1), -(-1.0 if rate is None else round(rate, 1)),
                d["overdue"], d["urges"])
    ordered = sorted(districts, key=lambda uid: (key(uid), uid))
    out, last, rank = {}, None, 0
    for i, uid in enumerate(ordered, start=1):
        if key(uid) != last:
            rank, last = i, key(uid)
        out[uid] = rank
    return out
