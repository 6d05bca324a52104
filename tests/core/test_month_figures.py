"""One month's on-time rates and urges, read from that month alone, agree with the history."""
from sqlalchemy import func, select

from taskboard.core.dashboard_history import load_history, month_figures
from taskboard.core.models import UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.services.urge_delivery import log_phone_urge
from taskboard.core.settings import load_calendar, load_settings
from tests.conftest import TODAY
from tests.core.test_history_cache import _open_assignment

DEC = Period(2026, 12)


def _history(db):
    with db.session() as s:
        return load_history(s, 1, DEC, TODAY, load_calendar(s), load_settings(s))


def _month(db, period):
    with db.session() as s:
        return month_figures(s, 1, period, TODAY, load_calendar(s), load_settings(s))


def _without_absent(on_time, urges, history, period):
    """The history lists units with work in any month; a month alone, those with work in it.
    A unit without work that month has no rate and no urges in either."""
    i = history.index(period)
    idle = {u.unit_id for u in history.units if u.assignments[i] == 0}
    assert all(on_time[uid] is None and urges[uid] == 0 for uid in idle if uid in on_time)
    return ({k: v for k, v in on_time.items() if k not in idle},
            {k: v for k, v in urges.items() if k not in idle})


def test_every_month_agrees_with_the_whole_history(demo_db):
    history = _history(demo_db)
    rated = 0
    for period in history.periods:
        on_time, urges = _month(demo_db, period)
        want = _without_absent(history.on_time_at(period), history.urges_at(period),
                               history, period)
        assert (on_time, urges) == want, period
        rated += sum(v is not None for v in on_time.values())
    assert rated > 0  # the demo has reports due, so the comparison is not of empty maps


def test_an_urge_counts_in_its_month_in_both(demo_db, dispatcher):
    aid, unit_id = _open_assignment(demo_db)
    with demo_db.Session.begin() as s:
        log_phone_urge(s, dispatcher, [aid], TODAY, called="0477-1234567", said="本周报送",
                       override_reason="测试")
    with demo_db.session() as s:
        # Urges are stamped with the clock, not the board's today.
        urged_at = s.scalar(select(func.max(UrgeRecord.urged_at))
                            .where(UrgeRecord.assignment_id == aid))
        month = Period.of(urged_at.date())
        history = load_history(s, 1, max(month, DEC), TODAY, load_calendar(s),
                               load_settings(s))
    on_time, urges = _month(demo_db, month)
    assert urges[unit_id] >= 1
    assert history.urges_at(month)[unit_id] == urges[unit_id]
    assert history.on_time_at(month)[unit_id] == on_time[unit_id]
