"""Battle-map numbers on a small hand-built database whose answers are worked out by hand.

Campaign from 2026-09-01, today 2026-11-23. Districts 甲旗 (1) and 乙区 (2), department 市财政局 (3).
Task A (1): deadline 2026-12-31, time progress 83/121 = 68.595 %.
Task B (2): deadline 2026-10-31 (past, time progress 100 %). Task C (3): no deadline.

    A-甲 80 % approved in Nov     A-乙 50 % pending in Nov      A-财政局 30 % approved in Nov
    B-甲 closed 2026-10-30        B-乙 60 % approved in Oct (late), nothing in Nov
    C-乙 40 % approved in Oct, Nov report (90 %) returned
"""
import datetime as dt

import pytest

from taskboard.core import dashboard as d
from taskboard.core.board import load_board
from taskboard.core.dashboard_history import (
    district_ranking, load_history, trends, unit_metrics_at,
)
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.workcalendar import WorkCalendar

D = dt.date
TODAY = D(2026, 11, 23)
NOV, OCT, SEP = Period(2026, 11), Period(2026, 10), Period(2026, 9)
TP_A = 83 / 121 * 100


@pytest.fixture
def small(db):
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="测试方案", start_date=D(2026, 9, 1)))
        s.add_all([Unit(id=1, name="甲旗", kind="district", sort_order=1),
                   Unit(id=2, name="乙区", kind="district", sort_order=2),
                   Unit(id=3, name="市财政局", kind="department", sort_order=3)])
        s.flush()
        for tid, code, deadline in ((1, "1", D(2026, 12, 31)), (2, "2", D(2026, 10, 31)),
                                    (3, "3", None)):
            s.add(Task(id=tid, campaign_id=1, code=code, sort_key=code.zfill(5),
                       title=f"任务{code}", start_date=D(2026, 9, 1), deadline=deadline))
        s.flush()
        s.add_all([Assignment(id=1, task_id=1, unit_id=1), Assignment(id=2, task_id=1, unit_id=2),
                   Assignment(id=3, task_id=1, unit_id=3),
                   Assignment(id=4, task_id=2, unit_id=1, closed_on=D(2026, 10, 30)),
                   Assignment(id=5, task_id=2, unit_id=2), Assignment(id=6, task_id=3, unit_id=2)])
        s.flush()

        def rep(aid, period, progress, status, day):
            s.add(Report(assignment_id=aid, period=period, progress=progress, status=status,
                         submitted_at=dt.datetime.combine(day, dt.time(10))))

        rep(1, "2026-10", 50, "approved", D(2026, 10, 20))
        rep(1, "2026-11", 80, "approved", D(2026, 11, 20))
        rep(2, "2026-11", 50, "pending", D(2026, 11, 20))
        rep(3, "2026-11", 30, "approved", D(2026, 11, 21))
        rep(5, "2026-10", 60, "approved", D(2026, 10, 24))  # after the report day (Oct 23)
        rep(6, "2026-10", 40, "approved", D(2026, 10, 15))
        rep(6, "2026-11", 90, "returned", D(2026, 11, 10))
        s.add(UrgeRecord(assignment_id=5, method="phone", urged_at=dt.datetime(2026, 11, 10, 9)))
    return db


def board_of(db, period=NOV):
    with db.session() as s:
        return load_board(s, 1, period, TODAY, WorkCalendar())


def history_of(db, last=NOV):
    with db.session() as s:
        return load_history(s, 1, last, TODAY, WorkCalendar())


def tanks(board, group, measure):
    return {t.key: t for t in d.water_level(board, group, measure).tanks}


def test_water_level_mean_progress(small):
    t = tanks(board_of(small), d.Group.DISTRICT, d.Measure.MEAN_PROGRESS)
    assert list(t) == [1, 2]
    assert t[1].level == pytest.approx(90.0)  # (80 + 100 closed) / 2
    assert t[1].time_line == pytest.approx((TP_A + 100) / 2)
    assert not t[1].lagging
    # 乙区: (50 + 60 + 40) / 3; the ongoing task counts its own 40 % on the time side.
    assert t[2].level == pytest.approx(50.0)
    assert t[2].time_line == pytest.approx((TP_A + 100 + 40) / 3)
    assert t[2].lagging
    assert (t[2].assignments, t[2].closed) == (3, 0)


def test_water_level_share_closed(small):
    t = tanks(board_of(small), d.Group.DISTRICT, d.Measure.SHARE_CLOSED)
    assert (t[1].level, t[1].time_line, t[1].lagging) == (50.0, 50.0, False)  # equal: not behind
    assert t[2].level == 0.0
    assert t[2].time_line == pytest.approx(100 / 3)  # task B is past its deadline
    assert t[2].lagging


def test_water_level_by_unit_and_by_task(small):
    board = board_of(small)
    units = tanks(board, d.Group.UNIT, d.Measure.MEAN_PROGRESS)
    assert list(units) == [1, 2, 3]
    assert units[3].label == "市财政局" and units[3].lagging  # 30 % against 68.6 %
    by_task = tanks(board, d.Group.TASK, d.Measure.MEAN_PROGRESS)
    assert by_task[1].label == "1"
    assert by_task[1].level == pytest.approx((80 + 50 + 30) / 3)
    assert by_task[3].time_line == by_task[3].level == 40.0 and not by_task[3].lagging


def test_titles_name_the_measure(small):
    board = board_of(small)
    mean = d.water_level(board, d.Group.DISTRICT, d.Measure.MEAN_PROGRESS)
    share = d.water_level(board, d.Group.DISTRICT, d.Measure.SHARE_CLOSED)
    assert "平均完成进度" in mean.title and "2026年11月" in mean.title
    assert "办结率" in share.title and "时序应办结率" in share.title


def test_light_bars_worst_first(small):
    board = board_of(small)
    bars = d.light_bars(board, districts_only=True)
    assert [(b.unit_name, b.green, b.blue, b.red) for b in bars] == [
        ("乙区", 0, 1, 2), ("甲旗", 2, 0, 0)]
    all_units = d.light_bars(board, districts_only=False)
    assert [b.unit_id for b in all_units] == [2, 1, 3]  # ties keep the unit order


def test_kpis(small):
    k = d.kpis(board_of(small))
    assert (k.tasks, k.closed, k.all_units_done, k.half_units_done) == (3, 0, 0, 1)
    assert (k.green, k.blue, k.red) == (0, 1, 2)
    assert (k.near_due, k.overdue, k.lagging) == (0, 1, 2)


def test_history_matches_the_board_every_month(small):
    history = history_of(small)
    assert history.periods == (SEP, OCT, NOV)
    for period in history.periods:
        board = board_of(small, period)
        for measure in d.Measure:
            levels = {t.key: t.level for t in d.water_level(board, d.Group.UNIT, measure).tanks}
            i = history.index(period)
            for u in history.units:
                assert u.level(measure)[i] == pytest.approx(levels[u.unit_id]), (period, u)


def test_history_on_time_overdue_urges(small):
    h = {u.unit_id: u for u in history_of(small).units}
    # November: 甲 owes only task A (B closed in October) and sent it on time.
    assert h[1].on_time_rate[2] == pytest.approx(100.0)
    # 乙 owes A, B, C: A and C (first submission, later returned) on time, B missing.
    assert h[2].on_time_rate[2] == pytest.approx(200 / 3)
    # October: 甲 sent A but not B; 乙 sent C on time, B a day late, A not at all.
    assert h[1].on_time_rate[1] == pytest.approx(50.0)
    assert h[2].on_time_rate[1] == pytest.approx(100 / 3)
    assert h[2].overdue == (0, 0, 1)  # B's deadline is the last day of October
    assert h[2].urges == (0, 0, 1)
    assert h[1].mean_progress == (0.0, 75.0, 90.0)
    assert h[3].kind == "department"


def test_district_ranking_with_change(small):
    history = history_of(small)
    rows = district_ranking(board_of(small), history, d.Measure.MEAN_PROGRESS)
    assert [(r.rank, r.metrics.unit_name, r.change_text) for r in rows] == [
        (1, "甲旗", "—"), (2, "乙区", "—")]
    second = rows[1].metrics
    assert (second.overdue, second.urges) == (1, 1)
    assert second.on_time_rate == pytest.approx(200 / 3)
    october = {m.unit_id: m for m in unit_metrics_at(history, OCT, d.Measure.MEAN_PROGRESS)}
    assert october[2].level == pytest.approx(100 / 3)


def test_trends_until_the_period(small):
    t = trends(history_of(small), d.Measure.MEAN_PROGRESS, OCT, selected=2)
    assert t.periods == (SEP, OCT)
    assert [s.unit_id for s in t.series] == [1, 2]  # districts only
    assert t.selected_series.level == (0.0, pytest.approx(100 / 3))
    assert t.average_level[1] == pytest.approx((75 + 100 / 3) / 2)


def test_task_ranking_ties_share_a_rank(small):
    rows = d.task_ranking(board_of(small), 1)
    assert [(r.rank, r.unit_name, r.progress, r.lagging) for r in rows] == [
        (1, "甲旗", 80, False), (2, "乙区", 50, True)]
    assert d.task_ranking(board_of(small), 1, districts_only=False)[-1].unit_name == "市财政局"


# --- the ranking rule, on its own ---------------------------------------------------------------

def m(uid, level, rate=90.0, overdue=0, urges=0):
    return d.UnitMetrics(uid, f"旗{uid}", level, rate, overdue, urges)


def test_rank_competition_ties():
    rows = d.rank_units([m(1, 80), m(2, 70), m(3, 70), m(4, 60)])
    assert [(r.metrics.unit_id, r.rank) for r in rows] == [(1, 1), (2, 2), (3, 2), (4, 4)]


def test_rank_tie_breakers_in_order():
    rows = d.rank_units([
        m(1, 70, rate=80), m(2, 70, rate=90),              # on-time rate decides
        m(3, 60, overdue=2), m(4, 60, overdue=1),          # then fewer overdue
        m(5, 50, urges=3), m(6, 50, urges=1),              # then fewer urges
        m(7, 40, rate=None), m(8, 40.04, rate=0.0),        # equal at 0.1; no rate ranks last
    ])
    assert [r.metrics.unit_id for r in rows] == [2, 1, 4, 3, 6, 5, 8, 7]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_rank_change_against_previous():
    now = d.rank_units([m(1, 90), m(2, 80), m(3, 70), m(4, 60)],
                       previous=[m(3, 95), m(1, 85), m(2, 50)])
    assert [(r.metrics.unit_id, r.change, r.change_text) for r in now] == [
        (1, 1, "↑1"), (2, 1, "↑1"), (3, -2, "↓2"), (4, None, "新")]


def test_ranking_rule_text_names_the_measure():
    assert "办结率" in d.ranking_rule(d.Measure.SHARE_CLOSED)
    assert "1、2、2、4" in d.ranking_rule(d.Measure.MEAN_PROGRESS)
