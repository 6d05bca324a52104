"""The period rules on a small hand-built database, and the services that record the days."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.board import load_board
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit, local_now
from taskboard.core.periods import Period
from taskboard.core.search import SearchCriteria, filter_rows
from taskboard.core.services import tasks as task_service
from taskboard.core.workcalendar import WorkCalendar
from taskboard.excel.ledger import ledger_data

D = dt.date
TODAY = D(2026, 11, 23)
SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)


@pytest.fixture
def small(db):
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="测试方案", start_date=D(2026, 1, 1)))
        s.add_all([Unit(id=1, name="东胜区", kind="district"),
                   Unit(id=2, name="达拉特旗", kind="district")])
        s.flush()
        s.add_all([
            Task(id=1, campaign_id=1, code="1", sort_key="1", title="一直在的",
                 start_date=D(2026, 1, 1), deadline=D(2026, 12, 31)),
            Task(id=2, campaign_id=1, code="2", sort_key="2", title="十月中旬开始",
                 start_date=D(2026, 10, 15), deadline=D(2026, 12, 31)),
            Task(id=3, campaign_id=1, code="3~删3", sort_key="3", title="十月十日删除",
                 start_date=D(2026, 1, 1), deleted=True, deleted_on=D(2026, 10, 10)),
            Task(id=4, campaign_id=1, code="4~删4", sort_key="4", title="删除日期不详",
                 start_date=D(2026, 1, 1), deleted=True),
            Task(id=5, campaign_id=1, code="5", sort_key="5", title="十一月导入",
                 start_date=D(2026, 6, 30), deadline=D(2026, 6, 30),
                 entered_on=D(2026, 11, 20)),
        ])
        s.flush()
        s.add_all([
            Assignment(id=1, task_id=1, unit_id=1),
            # Reassigned on 2026-10-20: 东胜区 off, 达拉特旗 on.
            Assignment(id=2, task_id=2, unit_id=1, archived=True, removed_on=D(2026, 10, 20)),
            Assignment(id=3, task_id=2, unit_id=2, added_on=D(2026, 10, 20)),
            Assignment(id=4, task_id=3, unit_id=1),
            Assignment(id=5, task_id=4, unit_id=1),
            Assignment(id=6, task_id=5, unit_id=2),
            # A closed share with an approved report: owes nothing, counts in neither base.
            Assignment(id=7, task_id=1, unit_id=2, closed_on=D(2026, 11, 2)),
        ])
        s.flush()
        s.add_all([
            Report(assignment_id=7, period="2026-11", progress=100, status="approved",
                   submitted_at=dt.datetime(2026, 11, 3)),
            Report(assignment_id=1, period="2026-11", progress=40, status="pending",
                   submitted_at=dt.datetime(2026, 11, 20)),
        ])
    return db


def _board(db, period, today=TODAY):
    with db.session() as s:
        return load_board(s, 1, period, today, WorkCalendar())


def _members(board):
    return ({r.task_id for r in board.rows},
            {a.assignment_id for rs in board.assignments.values() for a in rs})


def test_each_month_counts_only_the_work_that_belongs_to_it(small):
    # September: task 2 not started, task 3 not yet deleted, task 4's deletion day unknown.
    assert _members(_board(small, SEP)) == ({1, 3}, {1, 4, 7})
    # October (judged on the 31st): task 2 started; its units swapped on the 20th.
    assert _members(_board(small, OCT)) == ({1, 2}, {1, 3, 7})
    # Judged on 2026-10-16 the old unit was still on it and the new one not yet.
    assert _members(_board(small, OCT, D(2026, 10, 16))) == ({1, 2}, {1, 2, 7})
    # November: the task imported on the 20th arrives, though its start says June.
    assert _members(_board(small, NOV)) == ({1, 2, 5}, {1, 3, 6, 7})
    assert _members(_board(small, NOV, D(2026, 11, 19)))[0] == {1, 2}
    assert {r.code for r in _board(small, SEP).rows} == {"1", "3"}  # no ~删 suffix shown


def test_ledger_report_rate_counts_reported_and_owed_over_the_same_units(small):
    with small.session() as s:
        rows = dict(ledger_data(s, 1, NOV, TODAY).kpi_rows)
    # Owed: 1, 3, 6 (7 is closed). Reported: 1 (pending). 7's approved report is in neither.
    assert rows["本期应报送（未办结的责任分工）"] == 3
    assert rows["本期已报送（含待审核）"] == 1
    assert rows["本期报送率"] == round(1 / 3, 3)


def test_unit_filter_shows_the_units_own_figures(small):
    board = _board(small, NOV)
    whole = {r.task_id: r for r in board.rows}
    assert whole[1].light.word == "蓝灯"  # 达拉特旗 closed (green), 东胜区 pending (blue)
    rows = {r.task_id: r for r in filter_rows(board.rows, SearchCriteria(unit_id=2),
                                              board.assignments)}
    assert set(rows) == {1, 2, 5}
    assert (rows[1].light.word, rows[1].progress, rows[1].due_state.word) == ("绿灯", 100, "已完成")
    assert rows[2].light.word == "红灯" and rows[5].due_state.word == "超期"
    # Without the assignments (old callers) the task's own figures are kept.
    plain = filter_rows(board.rows, SearchCriteria(unit_id=2))
    assert {r.task_id: r.light.word for r in plain}[1] == "蓝灯"


def test_services_record_the_days_removals_and_additions_happen(demo_db, dispatcher):
    today = local_now().date()
    with demo_db.Session.begin() as s:
        tid = task_service.create_task(s, dispatcher, task_service.TaskInput(
            campaign_id=1, code="99.1", title="新任务", start_date=D(2026, 1, 1),
            deadline=D(2026, 12, 31), unit_ids=(1, 2)))
        s.add(Report(assignment_id=s.scalar(select(Assignment.id).where(
            Assignment.task_id == tid, Assignment.unit_id == 2)), period="2026-11",
            progress=10))
    with demo_db.Session.begin() as s:
        task_service.update_task(s, dispatcher, tid, task_service.TaskInput(
            campaign_id=1, code="99.1", title="新任务", start_date=D(2026, 1, 1),
            deadline=D(2026, 12, 31), unit_ids=(1, 3)), 1)
    with demo_db.session() as s:
        by_unit = {a.unit_id: a for a in s.scalars(
            select(Assignment).where(Assignment.task_id == tid))}
        assert (by_unit[2].archived, by_unit[2].removed_on) == (True, today)
        assert by_unit[3].added_on == today and by_unit[1].added_on is None
        version = s.get(Task, tid).version
    with demo_db.Session.begin() as s:
        task_service.delete_task(s, dispatcher, tid, version)
    with demo_db.session() as s:
        assert s.get(Task, tid).deleted_on == today
    with demo_db.Session.begin() as s:
        task_service.restore_task(s, dispatcher, tid, "99.1")
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert (t.deleted, t.deleted_on) == (False, None)
