"""The incremental history agrees with a from-scratch recomputation after every kind of change,
and re-reads only the months a change touched."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.dashboard_history import load_history
from taskboard.core.history_cache import HistoryCache
from taskboard.core.models import Assignment, Report, Task
from taskboard.core.periods import Period, period_range
from taskboard.core.services import closeout
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import review_report
from taskboard.core.services.settings_admin import update_settings
from taskboard.core.services.urge_delivery import log_phone_urge
from taskboard.core.settings import load_calendar, load_settings
from tests.conftest import TODAY

NOV, DEC = Period(2026, 11), Period(2026, 12)


def _both(db, cache):
    """(incremental, from scratch) — the scratch one is the oracle."""
    with db.session() as s:
        cal, settings = load_calendar(s), load_settings(s)
        cached = cache.load(s, 1, DEC, TODAY, cal, settings)
    with db.session() as s:
        oracle = load_history(s, 1, DEC, TODAY, load_calendar(s), load_settings(s))
    return cached, oracle


def _open_assignment(db):
    with db.session() as s:
        return s.execute(
            select(Assignment.id, Assignment.unit_id).join(Task)
            .where(Task.campaign_id == 1, Task.deleted.is_(False), Task.closed_on.is_(None),
                   Assignment.closed_on.is_(None), Assignment.archived.is_(False))
            .order_by(Assignment.id)).first()


@pytest.fixture
def cache():
    return HistoryCache()


def test_first_load_reads_every_month_then_none(demo_db, cache):
    cached, oracle = _both(demo_db, cache)
    assert cached == oracle
    assert len(oracle.units) > 0 and len(oracle.periods) > 3
    assert cache.last_reread == oracle.periods
    again, _ = _both(demo_db, cache)
    assert again == oracle
    assert cache.last_reread == ()


def test_report_submit_approve_return_touch_one_month(demo_db, dispatcher, cache):
    _both(demo_db, cache)
    aid, unit_id = _open_assignment(demo_db)
    with demo_db.session() as s:
        reporter = load_actor(s, dispatcher.username)
    with demo_db.Session.begin() as s:
        rid = submit_report(s, reporter, aid, NOV, text="推进中", progress=77, today=TODAY)
    cached, oracle = _both(demo_db, cache)
    assert cache.last_reread == (NOV,)
    assert cached == oracle
    unit = next(u for u in oracle.units if u.unit_id == unit_id)
    assert unit == next(u for u in cached.units if u.unit_id == unit_id)

    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, rid, approve=False, comment="请补充佐证")
    cached, oracle = _both(demo_db, cache)
    assert cache.last_reread == (NOV,)
    assert cached == oracle

    # A report for an earlier month changes that month and, carried forward, the later ones.
    with demo_db.Session.begin() as s:
        submit_report(s, reporter, aid, Period(2026, 9), text="补报", progress=5, today=TODAY)
    cached, oracle = _both(demo_db, cache)
    assert cache.last_reread == (Period(2026, 9),)
    assert cached == oracle


def test_closing_and_urging_need_no_month_reread(demo_db, dispatcher, cache):
    before, _ = _both(demo_db, cache)
    aid, unit_id = _open_assignment(demo_db)
    with demo_db.session() as s:
        # Closing confirms the work's pending reports, which rewrites their months.
        pending = {Period.parse(p) for p in s.scalars(select(Report.period).where(
            Report.assignment_id == aid, Report.status == "pending"))}
    with demo_db.Session.begin() as s:
        closeout.close_assignment(s, dispatcher, aid, "协调解决", TODAY, "已办结", today=TODAY)
    cached, oracle = _both(demo_db, cache)
    assert set(cache.last_reread) == pending
    assert cached == oracle
    i = oracle.index(NOV)
    assert next(u for u in oracle.units if u.unit_id == unit_id).share_closed[i] > \
        next(u for u in before.units if u.unit_id == unit_id).share_closed[i]

    other, _ = _open_assignment(demo_db)
    with demo_db.Session.begin() as s:
        log_phone_urge(s, dispatcher, [other], TODAY, called="0477-1234567", said="本周报送",
                       override_reason="测试")
    cached, oracle = _both(demo_db, cache)
    assert cache.last_reread == ()
    assert cached == oracle


def test_moved_report_day_rereads_the_months_it_moves(demo_db, dispatcher, cache):
    _both(demo_db, cache)
    with demo_db.session() as s:
        admin = load_actor(s, "admin")
    with demo_db.Session.begin() as s:
        update_settings(s, admin, {"report_day": 10})
    cached, oracle = _both(demo_db, cache)
    assert cached == oracle
    assert set(cache.last_reread) == set(oracle.periods)


def test_bulk_writes_reread_everything(demo_db, dispatcher, cache):
    from taskboard.core import audit

    _both(demo_db, cache)
    with demo_db.Session.begin() as s:
        # A report written by a bulk import names no single report: every month is re-read.
        aid, _ = _open_assignment(demo_db)
        s.add(Report(assignment_id=aid, period=str(Period(2026, 10)), text="导入",
                     progress=66, status="approved",
                     submitted_at=dt.datetime(2026, 10, 20, 9, 0)))
        audit.record(s, dispatcher, "reports.import", "unit", 1, summary="导入报送")
    cached, oracle = _both(demo_db, cache)
    assert cached == oracle
    assert cache.last_reread == tuple(period_range(oracle.periods[0], DEC))
