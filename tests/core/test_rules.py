import datetime as dt

import pytest

from taskboard.core.periods import Period, period_range
from taskboard.core.rules import (
    DueState,
    Light,
    assignment_light,
    code_sort_key,
    days_overdue,
    due_state,
    is_lagging,
    report_day,
    task_light,
    time_progress,
    worst_due_state,
)
from taskboard.core.workcalendar import WorkCalendar, official_calendar_knows

D = dt.date
CAL = WorkCalendar()


# --- lights -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "closed,status,expected",
    [
        (False, None, Light.RED),
        (False, "returned", Light.RED),
        (False, "pending", Light.BLUE),
        (False, "approved", Light.GREEN),
        (True, None, Light.GREEN),
        (True, "returned", Light.GREEN),
        (True, "pending", Light.GREEN),
    ],
)
def test_assignment_light(closed, status, expected):
    assert assignment_light(closed, status) is expected


def test_assignment_light_rejects_unknown_status():
    with pytest.raises(ValueError):
        assignment_light(False, "lost")


def test_task_light_is_worst_of_assignments():
    assert task_light(False, [Light.GREEN, Light.BLUE, Light.GREEN]) is Light.BLUE
    assert task_light(False, [Light.GREEN, Light.RED, Light.BLUE]) is Light.RED
    assert task_light(False, [Light.GREEN, Light.GREEN]) is Light.GREEN


def test_closed_task_is_green_even_with_red_assignments():
    assert task_light(True, [Light.RED]) is Light.GREEN


def test_task_without_assignments_is_red():
    assert task_light(False, []) is Light.RED


def test_light_words_for_black_and_white_print():
    assert [l.word for l in Light] == ["绿灯", "蓝灯", "红灯"]


# --- calendar ---------------------------------------------------------------------------

def test_official_holiday_is_not_a_workday():
    assert CAL.is_workday(D(2026, 10, 1)) is False  # 国庆节, a Thursday
    assert CAL.is_workday(D(2026, 2, 16)) is False  # 春节, a Monday


def test_adjusted_saturday_is_a_workday():
    assert D(2026, 2, 14).weekday() == 5
    assert CAL.is_workday(D(2026, 2, 14)) is True  # 调休上班
    assert CAL.is_workday(D(2026, 10, 10)) is True


def test_year_the_package_does_not_know_falls_back_to_weekdays():
    assert official_calendar_knows(2026)
    assert not official_calendar_knows(2027)
    assert CAL.is_workday(D(2027, 1, 1)) is True  # a Friday: no official data yet
    assert CAL.is_workday(D(2027, 1, 2)) is False  # Saturday


def test_user_override_wins_over_official_calendar():
    cal = WorkCalendar({D(2027, 1, 1): False, D(2026, 10, 1): True})
    assert cal.is_workday(D(2027, 1, 1)) is False
    assert cal.is_workday(D(2026, 10, 1)) is True


def test_workdays_after_skips_national_day_week():
    # Sep 30 (Wed) → Oct 9 (Fri): Oct 1–7 off, Oct 8 and 9 worked.
    assert CAL.workdays_after(D(2026, 9, 30), D(2026, 10, 9)) == 2
    # The make-up Saturday Oct 10 counts.
    assert CAL.workdays_after(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_workdays_after_stops_past_limit():
    assert CAL.workdays_after(D(2026, 1, 5), D(2026, 12, 31), limit=5) == 6


def test_add_workdays_across_spring_festival():
    # Feb 13 (Fri) + 1 working day = Feb 14 (make-up Saturday); + 2 = Feb 24 (after the break).
    assert CAL.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)


# --- due states -------------------------------------------------------------------------

def test_no_deadline_is_ongoing():
    assert due_state(None, False, D(2026, 11, 23), CAL) is DueState.ONGOING


def test_done_wins_over_overdue():
    assert due_state(D(2026, 1, 31), True, D(2026, 11, 23), CAL) is DueState.DONE


def test_day_after_deadline_is_overdue():
    assert due_state(D(2026, 11, 30), False, D(2026, 12, 1), CAL) is DueState.OVERDUE


def test_deadline_today_is_near_due_not_overdue():
    assert due_state(D(2026, 11, 30), False, D(2026, 11, 30), CAL) is DueState.NEAR_DUE


def test_near_due_counts_working_days_not_calendar_days():
    # Month end: Nov 23 (Mon) → Nov 30 (Mon) = 5 working days away: near due.
    assert due_state(D(2026, 11, 30), False, D(2026, 11, 23), CAL) is DueState.NEAR_DUE
    # Dec 1 is 6 working days away: normal.
    assert due_state(D(2026, 12, 1), False, D(2026, 11, 23), CAL) is DueState.NORMAL


def test_holiday_deadline_near_due_through_the_break():
    # Deadline Oct 8; from Sep 28 (Mon): Sep 29, 30, Oct 8 = 3 working days despite 10 days.
    assert due_state(D(2026, 10, 8), False, D(2026, 9, 28), CAL) is DueState.NEAR_DUE
    # A deadline on a holiday itself (Oct 5), seen from Sep 25 (a holiday Friday): only
    # Sep 28, 29 and 30 remain as working days → near due.
    assert due_state(D(2026, 10, 5), False, D(2026, 9, 25), CAL) is DueState.NEAR_DUE


def test_adjusted_saturday_counts_towards_near_due():
    # From Feb 9 (Mon) to Feb 14 (make-up Saturday): Feb 10–14 = 5 working days → near due.
    assert due_state(D(2026, 2, 14), False, D(2026, 2, 9), CAL) is DueState.NEAR_DUE
    # Same span one week earlier in a normal week: Feb 2 → Feb 7 (Sat) = 4 days, Feb 9 = 5.
    assert due_state(D(2026, 2, 10), False, D(2026, 2, 2), CAL) is DueState.NORMAL


def test_near_due_threshold_is_configurable():
    assert due_state(D(2026, 12, 1), False, D(2026, 11, 23), CAL, near_days=6) is DueState.NEAR_DUE
    assert due_state(D(2026, 11, 24), False, D(2026, 11, 23), CAL, near_days=0) is DueState.NORMAL


def test_due_state_in_2027_uses_fallback():
    # Jan 1 2027 is a Friday; with no official data it is treated as a working day.
    assert due_state(D(2027, 1, 8), False, D(2027, 1, 1), CAL) is DueState.NEAR_DUE
    assert due_state(D(2027, 1, 11), False, D(2027, 1, 1), CAL) is DueState.NORMAL


def test_worst_due_state():
    assert worst_due_state([DueState.NORMAL, DueState.OVERDUE, DueState.DONE]) is DueState.OVERDUE
    assert worst_due_state([DueState.DONE, DueState.ONGOING]) is DueState.ONGOING
    assert worst_due_state([]) is DueState.DONE


def test_days_overdue():
    assert days_overdue(D(2026, 10, 31), D(2026, 11, 23)) == 23
    assert days_overdue(D(2026, 11, 30), D(2026, 11, 23)) == 0
    assert days_overdue(None, D(2026, 11, 23)) == 0


# --- report day -------------------------------------------------------------------------

def test_report_day_on_a_working_day_stays():
    assert report_day(Period(2026, 11), CAL) == D(2026, 11, 25)


def test_report_day_on_sunday_moves_to_friday():
    assert report_day(Period(2026, 1), CAL) == D(2026, 1, 23)


def test_report_day_on_a_holiday_moves_to_previous_working_day():
    assert report_day(Period(2026, 9), CAL) == D(2026, 9, 24)  # Sep 25: 中秋节


def test_report_day_past_month_end_clamps():
    # Feb 28 2026 is a make-up Saturday, so it is the report day itself.
    assert report_day(Period(2026, 2), CAL, day=31) == D(2026, 2, 28)
    assert report_day(Period(2026, 3), CAL, day=31) == D(2026, 3, 31)
    assert report_day(Period(2026, 4), CAL, day=31) == D(2026, 4, 30)


def test_report_day_in_2027_does_not_crash():
    assert report_day(Period(2027, 12), CAL) == D(2027, 12, 24)  # the 25th is a Saturday


# --- time progress and lagging ----------------------------------------------------------

def test_time_progress_midway():
    assert time_progress(D(2026, 1, 1), D(2026, 1, 11), D(2026, 1, 6)) == pytest.approx(50.0)


def test_time_progress_clamps():
    assert time_progress(D(2026, 1, 1), D(2026, 1, 11), D(2025, 12, 1)) == 0.0
    assert time_progress(D(2026, 1, 1), D(2026, 1, 11), D(2026, 3, 1)) == 100.0


def test_time_progress_without_deadline_is_none():
    assert time_progress(D(2026, 1, 1), None, D(2026, 3, 1)) is None


def test_time_progress_when_deadline_is_start():
    assert time_progress(D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 1)) == 100.0
    assert time_progress(D(2026, 1, 1), D(2026, 1, 1), D(2025, 12, 31)) == 0.0


def test_lagging():
    assert is_lagging(40, 50.0, done=False) is True
    assert is_lagging(50, 50.0, done=False) is False
    assert is_lagging(10, 90.0, done=True) is False
    assert is_lagging(0, None, done=False) is False


# --- periods and codes ------------------------------------------------------------------

def test_period_parse_and_format():
    p = Period.parse("2026-02")
    assert (p.year, p.month, str(p), p.label) == (2026, 2, "2026-02", "2026年2月")
    assert p.last_day == D(2026, 2, 28)
    assert Period(2024, 2).last_day == D(2024, 2, 29)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "26-11", "2026/11", "abc", ""])
def test_period_parse_rejects(bad):
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_period_shift_across_years():
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert [str(p) for p in period_range(Period(2026, 11), Period(2027, 2))] == [
        "2026-11", "2026-12", "2027-01", "2027-02"]


def test_period_as_of():
    assert Period(2026, 10).as_of(D(2026, 11, 23)) == D(2026, 10, 31)
    assert Period(2026, 11).as_of(D(2026, 11, 23)) == D(2026, 11, 23)
    assert Period(2026, 12).as_of(D(2026, 11, 23)) == D(2026, 12, 1)


def test_code_sort_key_orders_numerically():
    codes = ["1.10", "1.2", "2", "1.9.1", "10"]
    assert sorted(codes, key=code_sort_key) == ["1.2", "1.9.1", "1.10", "2", "10"]
