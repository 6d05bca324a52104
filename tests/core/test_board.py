"""The board query against a small hand-built database whose answers are known."""
import datetime as dt

import pytest

from taskboard.core.board import load_board
from taskboard.core.models import Assignment, Campaign, Feedback, Report, Task, Unit, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, Light
from taskboard.core.search import SearchCriteria, filter_rows
from taskboard.core.workcalendar import WorkCalendar

D = dt.date
TODAY = D(2026, 11, 23)
NOV, OCT = Period(2026, 11), Period(2026, 10)


@pytest.fixture
def small(db):
    """Task 1 (two units), task 2 (no deadline), task 3 (closed out in October)."""
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="测试方案", start_date=D(2026, 1, 1)))
        s.add_all([Unit(id=1, name="东胜区", kind="district"),
                   Unit(id=2, name="康巴什区", kind="district"),
                   Unit(id=3, name="市政务服务局", kind="department")])
        s.flush()
        s.add_all([
            Task(id=1, campaign_id=1, code="1.2", sort_key="00001.00002", title="一网通办",
                 description="政务服务事项网上可办", lead_unit_id=3, leader="常务副市长",
                 category="政务服务", start_date=D(2026, 1, 1), deadline=D(2026, 12, 31)),
            Task(id=2, campaign_id=1, code="1.10", sort_key="00001.00010", title="帮办代办",
                 lead_unit_id=3, leader="副市长（分管政务服务）", category="政务服务",
                 start_date=D(2026, 1, 1), deadline=None, deadline_note="长期坚持"),
            Task(id=3, campaign_id=1, code="2.1", sort_key="00002.00001", title="不动产登记",
                 lead_unit_id=3, leader="常务副市长", category="登记财产",
                 start_date=D(2026, 1, 1), deadline=D(2026, 10, 31), closed_on=D(2026, 10, 20),
                 close_outcome="协调解决"),
        ])
        s.flush()
        s.add_all([Assignment(id=1, task_id=1, unit_id=1), Assignment(id=2, task_id=1, unit_id=2),
                   Assignment(id=3, task_id=2, unit_id=1), Assignment(id=4, task_id=3, unit_id=2)])
        s.flush()
        s.add_all([
            # Unit 1 on task 1: approved in October (80%), pending in November (90%).
            Report(assignment_id=1, period="2026-10", progress=80, status="approved",
                   text="十月进展", submitted_at=dt.datetime(2026, 10, 20)),
            Report(assignment_id=1, period="2026-11", progress=90, status="pending",
                   text="完成系统对接", submitted_at=dt.datetime(2026, 11, 20)),
            # Unit 2 on task 1: October approved 30%, November returned 95% (not counted).
            Report(assignment_id=2, period="2026-10", progress=30, status="approved",
                   submitted_at=dt.datetime(2026, 10, 21)),
            Report(assignment_id=2, period="2026-11", progress=95, status="returned",
                   submitted_at=dt.datetime(2026, 11, 21)),
            # Task 2: approved this month.
            Report(assignment_id=3, period="2026-11", progress=50, status="approved",
                   submitted_at=dt.datetime(2026, 11, 22)),
        ])
        s.add(UrgeRecord(assignment_id=2, method="phone", urged_at=dt.datetime(2026, 11, 10)))
        s.add(UrgeRecord(assignment_id=2, method="app", urged_at=dt.datetime(2026, 12, 2)))
        s.add(Feedback(assignment_id=2, body="请补充佐证材料"))
        s.add(Feedback(assignment_id=1, body="已阅", resolved=True))
    return db


def board(db, period=NOV, today=TODAY):
    with db.session() as s:
        return load_board(s, 1, period, today, WorkCalendar())


def test_rows_are_in_code_order(small):
    assert [r.code for r in board(small).rows] == ["1.2", "1.10", "2.1"]


def test_assignment_lights_and_progress(small):
    b = board(small)
    a1, a2 = b.assignments[1]
    assert (a1.unit_name, a1.light, a1.progress, a1.report_status) == (
        "东胜区", Light.BLUE, 90, "pending")
    # A returned report turns red and its figure does not count: October's 30% stands.
    assert (a2.unit_name, a2.light, a2.progress) == ("康巴什区", Light.RED, 30)
    assert a2.urge_count == 1 and a2.open_feedback == 1


def test_task_row_summarises_assignments(small):
    t1 = board(small).rows[0]
    assert t1.light is Light.RED
    assert t1.light_counts == (0, 1, 1)
    assert t1.progress == pytest.approx(60.0)
    # Jan 1 → Dec 31, judged on Nov 23: 326 of 364 days.
    assert t1.time_progress == pytest.approx(326 / 364 * 100)
    assert t1.lagging is True
    assert t1.due_state is DueState.NORMAL
    assert (t1.urge_count, t1.open_feedback) == (1, 1)
    assert t1.units == ("东胜区", "康巴什区") and t1.lead_unit == "市政务服务局"


def test_report_times_are_datetimes_and_the_latest_is_the_tasks(small):
    """The board orders the submitted-at values as the driver gives them and turns only what
    it shows into datetimes; on both databases they must come out as the times stored."""
    b = board(small)
    t1 = b.rows[0]
    a1, a2 = b.assignments[1]
    assert a1.last_report_at == dt.datetime(2026, 11, 20)
    assert a2.last_report_at == dt.datetime(2026, 11, 21)  # returned, still the latest sent
    assert t1.last_report_at == dt.datetime(2026, 11, 21)
    assert type(t1.last_report_at) is dt.datetime and type(a1.last_report_at) is dt.datetime
    # In October: the latest up to October, whatever came later.
    oct_board = board(small, period=NOV.previous())
    assert oct_board.rows[0].last_report_at == dt.datetime(2026, 10, 21)
    assert [a.last_report_at for a in oct_board.assignments[1]] == [
        dt.datetime(2026, 10, 20), dt.datetime(2026, 10, 21)]
    assert oct_board.rows[1].last_report_at is None  # task 2 first reported in November


def test_no_deadline_task_is_ongoing_and_never_lagging(small):
    t2 = board(small).rows[1]
    assert (t2.due_state, t2.time_progress, t2.lagging, t2.light) == (
        DueState.ONGOING, None, False, Light.GREEN)
    assert t2.deadline_text == "长期坚持"


def test_closed_task_is_green_and_done(small):
    t3 = board(small).rows[2]
    assert (t3.light, t3.due_state, t3.progress, t3.closed) == (
        Light.GREEN, DueState.DONE, 100.0, True)


def test_period_switch_changes_lights(small):
    oct_board = board(small, OCT)
    t1 = oct_board.rows[0]
    assert t1.light is Light.GREEN  # both units approved in October
    assert [a.progress for a in oct_board.assignments[1]] == [80, 30]
    # Task 3 was closed on Oct 20, so it is already green and done in October ...
    assert oct_board.rows[2].due_state is DueState.DONE
    # ... but in September it was neither closed nor reported.
    sep = board(small, Period(2026, 9)).rows[2]
    assert (sep.light, sep.due_state, sep.closed) == (Light.RED, DueState.NORMAL, False)


def test_counts(small):
    c = board(small).counts()
    assert (c["tasks"], c["green"], c["blue"], c["red"]) == (3, 2, 0, 1)
    assert (c["done"], c["overdue"], c["near_due"], c["lagging"]) == (1, 0, 0, 1)


def test_overdue_and_near_due_by_date(small):
    # On Dec 29 the Dec 31 deadline is near due; in January it is overdue.
    assert board(small, Period(2026, 12), D(2026, 12, 29)).rows[0].due_state is DueState.NEAR_DUE
    assert board(small, Period(2027, 1), D(2027, 1, 4)).rows[0].due_state is DueState.OVERDUE


# --- search -------------------------------------------------------------------------------

def ids(rows):
    return [r.code for r in rows]


def test_keyword_searches_code_title_description_and_report_text(small):
    rows = board(small).rows
    assert ids(filter_rows(rows, SearchCriteria(keyword="网上可办"))) == ["1.2"]
    assert ids(filter_rows(rows, SearchCriteria(keyword="系统对接"))) == ["1.2"]
    assert ids(filter_rows(rows, SearchCriteria(keyword="1.10"))) == ["1.10"]
    assert ids(filter_rows(rows, SearchCriteria(keyword="不存在的词"))) == []


def test_filters_combine(small):
    rows = board(small).rows
    c = SearchCriteria(leader="常务副市长")
    assert ids(filter_rows(rows, c)) == ["1.2", "2.1"]
    c = SearchCriteria(leader="常务副市长", lights=frozenset({Light.GREEN}))
    assert ids(filter_rows(rows, c)) == ["2.1"]
    c = SearchCriteria(unit_id=1, category="政务服务")
    assert ids(filter_rows(rows, c)) == ["1.2", "1.10"]
    c = SearchCriteria(unit_id=2, lagging_only=True)
    assert ids(filter_rows(rows, c)) == ["1.2"]
    c = SearchCriteria(due_states=frozenset({DueState.ONGOING, DueState.DONE}))
    assert ids(filter_rows(rows, c)) == ["1.10", "2.1"]


def test_deadline_range_excludes_tasks_without_deadline(small):
    rows = board(small).rows
    c = SearchCriteria(deadline_from=D(2026, 10, 1), deadline_to=D(2026, 11, 30))
    assert ids(filter_rows(rows, c)) == ["2.1"]
    assert ids(filter_rows(rows, SearchCriteria(deadline_from=D(2026, 1, 1)))) == ["1.2", "2.1"]


def test_empty_criteria_returns_everything(small):
    rows = board(small).rows
    assert filter_rows(rows, SearchCriteria()) == rows


def test_unrolled_light_table_matches_the_rule():
    from taskboard.core import board_query
    from taskboard.core.rules import assignment_light

    for status in (None, "pending", "approved", "returned"):
        assert board_query.STATUS_LIGHT[status] is assignment_light(False, status)


def test_assignment_rows_built_past_the_constructor_are_whole_dataclass_rows(small):
    """The rows skip the frozen dataclass's __init__ for speed: each must still carry every
    field, compare and hash as the constructor's row, and stay read-only."""
    import dataclasses

    from taskboard.core.board import AssignmentRow

    with small.session() as s:
        b = load_board(s, 1, NOV, TODAY, WorkCalendar())
    rows = [a for tid in b.assignments for a in b.assignments[tid]]
    names = {f.name for f in dataclasses.fields(AssignmentRow)}
    assert len(rows) == 4  # task 1: two units, tasks 2 and 3: one each
    for a in rows:
        assert set(vars(a)) == names
        twin = AssignmentRow(**vars(a))
        assert twin == a and hash(twin) == hash(a)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.progress = 0
