"""Compare every figure the program computes with tests/oracle.py, month by month.

``compare_campaign`` is shared by the demo and the city-scale tests; it returns how many
figure comparisons it made per figure (each figure × month counts once however many rows
it covers), so the tests can say how much they checked.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Iterable

import pytest

from taskboard.core.board import load_board
from taskboard.core.dashboard import Group, Measure, kpis, water_level
from taskboard.core.dashboard_history import district_ranking, load_history
from taskboard.core.detail import load_detail
from taskboard.core.periods import Period
from taskboard.core.services import urging
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel.ledger import ledger_data
from tests import oracle

APPROX = 1e-9


class Checker:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def same(self, figure: str, period: str, fast, naive) -> None:
        assert fast == naive, f"{figure} · {period}: program {fast!r} ≠ oracle {naive!r}"
        self.counts[figure] += 1

    def close(self, figure: str, period: str, fast: dict, naive: dict) -> None:
        assert fast.keys() == naive.keys(), f"{figure} · {period}: keys differ"
        for k in fast:
            a, b = fast[k], naive[k]
            if a is None or b is None:
                assert a is b, f"{figure} · {period} · {k}: {a!r} ≠ {b!r}"
            else:
                assert a == pytest.approx(b, abs=APPROX), f"{figure} · {period} · {k}: {a} ≠ {b}"
        self.counts[figure] += 1


def compare_campaign(session, campaign_id: int, periods: Iterable[Period], today: dt.date,
                     actor, engine, check: Checker) -> None:
    data = oracle.read(engine)
    cal, settings = load_calendar(session), load_settings(session)
    periods = list(periods)
    history = load_history(session, campaign_id, max(periods), today, cal, settings)
    months: dict[str, dict] = {}

    def naive_month(p: str) -> dict:
        if p not in months:
            months[p] = oracle.month(data, campaign_id, p, today)
        return months[p]

    for period in periods:
        p = str(period)
        naive = naive_month(p)
        board = load_board(session, campaign_id, period, today, cal, settings)

        # Tasks and assignments on the board: exactly the members of the month.
        check.same("tasks in the month", p, {r.task_id for r in board.rows},
                   set(naive["tasks"]))
        check.same("assignments in the month", p,
                   {a.assignment_id for rows in board.assignments.values() for a in rows},
                   set(naive["assignments"]))
        rows = {r.task_id: r for r in board.rows}
        for figure, get in (("task light", lambda r: r.light.name.lower()),
                            ("task due state", lambda r: r.due_state.value),
                            ("task lagging", lambda r: r.lagging),
                            ("task closed", lambda r: r.closed)):
            key = figure.split()[1]
            check.same(figure, p, {t: get(r) for t, r in rows.items()},
                       {t: f[key] for t, f in naive["tasks"].items()})
        check.close("task progress", p, {t: r.progress for t, r in rows.items()},
                    {t: f["progress"] for t, f in naive["tasks"].items()})
        arows = {a.assignment_id: a for rs in board.assignments.values() for a in rs}
        na = naive["assignments"]
        for figure, get, key in (
                ("assignment light", lambda a: a.light.name.lower(), "light"),
                ("assignment due state", lambda a: a.due_state.value, "due"),
                ("assignment progress", lambda a: a.progress, "progress"),
                ("assignment lagging", lambda a: a.lagging, "lagging"),
                ("assignment report state", lambda a: a.report_status, "status")):
            check.same(figure, p, {i: get(a) for i, a in arows.items()},
                       {i: x[key] for i, x in na.items()})
        check.close("assignment time progress", p,
                    {i: a.time_progress for i, a in arows.items()},
                    {i: x["time_progress"] for i, x in na.items()})

        # Headline figures: the stats command's counts and the KPI tiles.
        counts = board.counts()
        states = [r.due_state.value for r in board.rows]
        alights = Counter(a.light.name.lower() for a in arows.values())
        check.same("stats counts", p, dict(
            tasks=counts["tasks"], lights={k: counts[k] for k in oracle.LIGHTS},
            assignment_lights={k: alights[k] for k in oracle.LIGHTS},
            due={"overdue": counts["overdue"], "near_due": counts["near_due"],
                 "done": counts["done"], "normal": states.count("normal"),
                 "ongoing": states.count("ongoing")},
            lagging=counts["lagging"]), naive["stats"])
        check.same("KPIs", p, kpis(board).__dict__, naive["kpis"])

        # The ledger's reporting figures.
        ledger = dict(ledger_data(session, campaign_id, period, today, board=board).kpi_rows)
        check.same("ledger report rate", p,
                   (ledger["本期应报送（未办结的责任分工）"], ledger["本期已报送（含待审核）"],
                    ledger["本期报送率"]),
                   (naive["owed"], naive["reported"],
                    None if naive["report_rate"] is None else round(naive["report_rate"], 3)))

        # Water levels and time lines per district, for both measures.
        for measure, level_key, line_key in (
                (Measure.MEAN_PROGRESS, "mean_progress", "time_line_progress"),
                (Measure.SHARE_CLOSED, "share_closed", "time_line_closed")):
            tanks = {t.key: t for t in water_level(board, Group.DISTRICT, measure).tanks}
            nd = naive["districts"]
            check.close(f"district level ({measure.value})", p,
                        {u: t.level for u, t in tanks.items()},
                        {u: d[level_key] for u, d in nd.items()})
            check.close(f"district time line ({measure.value})", p,
                        {u: t.time_line for u, t in tanks.items()},
                        {u: d[line_key] for u, d in nd.items()})
            check.same(f"district lagging ({measure.value})", p,
                       {u: t.lagging for u, t in tanks.items()},
                       {u: round(d[level_key], 1) < round(d[line_key], 1)
                        for u, d in nd.items()})

        # History (trends, previous ranks): every unit's month figures.
        i = history.index(period)
        if i is not None:
            series = {u.unit_id: u for u in history.units if u.assignments[i]}
            nu = naive["units"]
            check.same("history units in the month", p, set(series), set(nu))
            check.same("history assignments per unit", p,
                       {u: s.assignments[i] for u, s in series.items()},
                       {u: d["n"] for u, d in nu.items()})
            for figure, get, key in (
                    ("history mean progress", lambda s: s.mean_progress[i], "mean_progress"),
                    ("history share closed", lambda s: s.share_closed[i], "share_closed"),
                    ("history on-time rate", lambda s: s.on_time_rate[i], "on_time")):
                check.close(figure, p, {u: get(s) for u, s in series.items()},
                            {u: d[key] for u, d in nu.items()})
            check.same("history overdue", p, {u: s.overdue[i] for u, s in series.items()},
                       {u: d["overdue"] for u, d in nu.items()})
            check.same("history urges", p, {u: s.urges[i] for u, s in series.items()},
                       {u: d["urges"] for u, d in nu.items()})

            # The district ranking and its change since the previous month.
            prev = naive_month(oracle.previous_month(p))["districts"]
            for measure, level_key in ((Measure.MEAN_PROGRESS, "mean_progress"),
                                       (Measure.SHARE_CLOSED, "share_closed")):
                ranked = district_ranking(board, history, measure)
                now = oracle.ranks(naive["districts"], level_key)
                before = oracle.ranks(prev, level_key) if history.index(
                    period.previous()) is not None else {}
                check.same(f"district rank ({measure.value})", p,
                           {r.metrics.unit_id: r.rank for r in ranked}, now)
                check.same(f"district rank change ({measure.value})", p,
                           {r.metrics.unit_id: r.change for r in ranked},
                           {u: (before[u] - k if u in before else None)
                            for u, k in now.items()})

        # The task detail (查看详情) of the first tasks: the same figures as the list.
        for r in board.rows[:8]:
            if r.task_id not in naive["tasks"] or data.tasks[r.task_id]["deleted"]:
                continue
            d = load_detail(session, r.task_id, period, today, cal, settings.near_due_workdays)
            f = naive["tasks"][r.task_id]
            check.same("task detail", p, (d.light.name.lower(), d.due_state.value, d.lagging),
                       (f["light"], f["due"], f["lagging"]))
            assert d.progress == pytest.approx(f["progress"]), p

        # The urge screening: which open assignments it lists and why.
        screened = urging.screen(session, actor, campaign_id, period, today)
        check.same("urge screening and reasons", p,
                   {r.assignment_id: r.reasons for r in screened}, naive["urge_reasons"])


def stats_json(capsys, argv: list[str]) -> list[dict]:
    from taskboard.cli.main import main

    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)
