"""Recurring deadlines: the due date per cycle, and due states, board, detail and urging
following the current cycle's due date."""
import datetime as dt

import pytest

from taskboard.core.board import load_board
from taskboard.core.detail import load_detail
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.recurrence import (
    HALF_YEARLY, MONTHLY, QUARTERLY, SEMESTER, YEARLY, current_due_date, cycle_bounds,
    first_period_of_cycle, recurrence_text,
)
from taskboard.core.rules import DueState, Light, due_state
from taskboard.core.workcalendar import WorkCalendar

D = dt.date


def naive_cycle_end(recurrence, day):
    """The last day of the cycle, found by walking forward to the day before a cycle starts."""
    starts = {MONTHLY: lambda d: d.day == 1,
              QUARTERLY: lambda d: d.day == 1 and d.month in (1, 4, 7, 10),
              HALF_YEARLY: lambda d: d.day == 1 and d.month in (1, 7),
              SEMESTER: lambda d: d.day == 1 and d.month in (2, 8),
              YEARLY: lambda d: d.day == 1 and d.month == 1}[recurrence]
    d = day + dt.timedelta(days=1)
    while not starts(d):
        d += dt.timedelta(days=1)
    return d - dt.timedelta(days=1)


@pytest.mark.parametrize("recurrence", [MONTHLY, QUARTERLY, HALF_YEARLY, SEMESTER, YEARLY])
def test_cycle_end_agrees_with_a_day_by_day_walk(recurrence):
    day = D(2025, 12, 20)
    while day < D(2028, 1, 10):
        first, last = cycle_bounds(recurrence, day)
        assert last == naive_cycle_end(recurrence, day), day
        assert first <= day <= last
        day += dt.timedelta(days=3)


def test_examples_of_cycle_due_dates():
    assert current_due_date(None, QUARTERLY, D(2026, 11, 23)) == D(2026, 12, 31)
    assert current_due_date(None, MONTHLY, D(2026, 2, 3)) == D(2026, 2, 28)
    assert current_due_date(None, HALF_YEARLY, D(2026, 3, 1)) == D(2026, 6, 30)
    assert current_due_date(None, SEMESTER, D(2026, 1, 10)) == D(2026, 1, 31)
    assert current_due_date(None, SEMESTER, D(2026, 9, 1)) == D(2027, 1, 31)
    assert current_due_date(None, YEARLY, D(2026, 5, 5)) == D(2026, 12, 31)
    # the last cycle's date caps the cycle, and once past it the task is judged by it
    assert current_due_date(D(2026, 12, 15), QUARTERLY, D(2026, 11, 23)) == D(2026, 12, 15)
    assert current_due_date(D(2026, 10, 31), QUARTERLY, D(2026, 11, 23)) == D(2026, 10, 31)
    assert current_due_date(D(2026, 10, 31), "", D(2026, 11, 23)) == D(2026, 10, 31)
    assert current_due_date(None, "", D(2026, 11, 23)) is None
    assert recurrence_text(QUARTERLY, D(2026, 12, 31)) == "每季度（本期 2026-12-31 前）"
    assert recurrence_text(MONTHLY, D(2026, 11, 30), D(2027, 6, 30)) == \
        "每月（本期 2026-11-30 前，至 2027-06-30）"


def test_due_state_follows_the_current_cycle():
    cal = WorkCalendar()
    # 2026-11-23 (Mon): November's cycle ends on Mon 30th, five working days away
    monthly = current_due_date(None, MONTHLY, D(2026, 11, 23))
    assert due_state(monthly, False, D(2026, 11, 23), cal) is DueState.NEAR_DUE
    assert due_state(current_due_date(None, MONTHLY, D(2026, 11, 9)), False, D(2026, 11, 9),
                     cal) is DueState.NORMAL
    # never 长期: a recurring task without a last date is still due each cycle
    assert due_state(current_due_date(None, YEARLY, D(2026, 3, 1)), False, D(2026, 3, 1),
                     cal) is DueState.NORMAL
    past = current_due_date(D(2026, 10, 31), QUARTERLY, D(2026, 11, 23))
    assert due_state(past, False, D(2026, 11, 23), cal) is DueState.OVERDUE


@pytest.fixture
def recurring(db):
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="测试方案", start_date=D(2026, 1, 1)))
        s.add(Unit(id=1, name="东胜区", kind="district"))
        s.flush()
        s.add_all([
            Task(id=1, campaign_id=1, code="1", sort_key="00001", title="每月调度",
                 start_date=D(2026, 1, 1), deadline=None, deadline_note="每月",
                 recurrence=MONTHLY),
            Task(id=2, campaign_id=1, code="2", sort_key="00002", title="每季度通报",
                 start_date=D(2026, 1, 1), deadline=None, deadline_note="每季度",
                 recurrence=QUARTERLY),
            Task(id=3, campaign_id=1, code="3", sort_key="00003", title="每季度至10月",
                 start_date=D(2026, 1, 1), deadline=D(2026, 10, 31), recurrence=QUARTERLY),
        ])
        s.flush()
        s.add_all([Assignment(id=i, task_id=i, unit_id=1) for i in (1, 2, 3)])
        s.flush()
        # October's reports: the monthly task must report again in November, the quarterly
        # one has reported for its cycle (October–December).
        s.add_all([Report(assignment_id=1, period="2026-10", status="approved", progress=30),
                   Report(assignment_id=2, period="2026-10", status="approved", progress=40),
                   Report(assignment_id=3, period="2026-09", status="pending", progress=50)])
    return db


def test_first_period_of_cycle():
    assert first_period_of_cycle("", "2026-11") == "2026-11"
    assert first_period_of_cycle(MONTHLY, "2026-11") == "2026-11"
    assert first_period_of_cycle(QUARTERLY, "2026-11") == "2026-10"
    assert first_period_of_cycle(HALF_YEARLY, "2026-11") == "2026-07"
    assert first_period_of_cycle(SEMESTER, "2027-01") == "2026-08"
    assert first_period_of_cycle(SEMESTER, "2027-02") == "2027-02"
    assert first_period_of_cycle(YEARLY, "2026-11") == "2026-01"


def test_a_report_answers_for_its_whole_cycle(recurring):
    with recurring.session() as s:
        board = load_board(s, 1, Period(2026, 11), D(2026, 11, 23), WorkCalendar())
        lights = {r.code: r.light for r in board.rows}
        # a September report does not answer for the October–December cycle
        assert lights == {"1": Light.RED, "2": Light.GREEN, "3": Light.RED}
        details = {c: load_detail(s, t, Period(2026, 11), D(2026, 11, 23), WorkCalendar())
                   for c, t in (("1", 1), ("2", 2))}
        assert {c: d.light for c, d in details.items()} == {"1": Light.RED, "2": Light.GREEN}
        assert details["2"].assignments[0].report_status == "approved"
        # in January the quarterly task is red again until it reports for the new quarter
        january = load_board(s, 1, Period(2027, 1), D(2027, 1, 12), WorkCalendar())
        assert {r.code: r.light for r in january.rows}["2"] is Light.RED


def test_board_detail_and_urging_use_the_cycle_due_date(recurring):
    from taskboard.core.actor import Actor
    from taskboard.core.services import urging

    today, period = D(2026, 11, 23), Period(2026, 11)
    with recurring.session() as s:
        board = load_board(s, 1, period, today, WorkCalendar())
        rows = {r.code: r for r in board.rows}
        assert {c: (r.deadline, r.due_state) for c, r in rows.items()} == {
            "1": (D(2026, 11, 30), DueState.NEAR_DUE),
            "2": (D(2026, 12, 31), DueState.NORMAL),
            "3": (D(2026, 10, 31), DueState.OVERDUE),
        }
        assert rows["1"].deadline_text == "每月（本期 2026-11-30 前）"
        assert [a.due_state for a in board.assignments[1]] == [DueState.NEAR_DUE]
        detail = load_detail(s, 1, period, today, WorkCalendar())
        assert (detail.due_state, detail.deadline_text) == (DueState.NEAR_DUE,
                                                           "每月（本期 2026-11-30 前）")
        # October: the cycle then ended on the 31st
        october = load_board(s, 1, Period(2026, 10), D(2026, 10, 12), WorkCalendar())
        assert {r.code: r.deadline for r in october.rows}["1"] == D(2026, 10, 31)
        admin = Actor(user_id=None, username="admin", display_name="admin", role="admin",
                      unit_id=None)
        screened = {r.code: r for r in urging.rows_from_board(s, admin, board, today)}
        assert (screened["1"].deadline, screened["1"].days_left) == (D(2026, 11, 30), 7)
        assert screened["1"].due_state is DueState.NEAR_DUE
        assert screened["3"].days_overdue == 23
