"""Close-out confirms pending reports; the review queue covers earlier periods and agrees
with the blue lights; the progress a report form starts from is the board's figure."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from taskboard.core.board import load_board
from taskboard.core.models import Assignment, AuditEvent, Report, Task
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.services import closeout, tasks
from taskboard.core.services.reports import counted_progress, submit_report
from taskboard.core.services.review import pending_reports, review_report
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

NOV, OCT, SEP = Period(2026, 11), Period(2026, 10), Period(2026, 9)


@pytest.fixture
def fresh(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, tasks.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 11, 30), unit_ids=(1, 2)))
        a1, a2 = s.scalars(select(Assignment.id).where(Assignment.task_id == tid)
                           .order_by(Assignment.unit_id)).all()
    return tid, a1, a2


def _report(db, actor, aid, period, progress, today=TODAY):
    with db.Session.begin() as s:
        return submit_report(s, actor, aid, period, text="进展", progress=progress, today=today)


def _status(db, rid):
    with db.session() as s:
        r = s.get(Report, rid)
        return r.status, r.review_comment


def test_closing_an_assignment_confirms_its_pending_reports(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    oct_rid = _report(demo_db, dispatcher, a1, OCT, 70)
    nov_rid = _report(demo_db, dispatcher, a1, NOV, 100)
    other = _report(demo_db, dispatcher, a2, NOV, 40)
    with demo_db.Session.begin() as s:
        closeout.close_assignment(s, dispatcher, a1, "协调解决", TODAY, today=TODAY)
    assert _status(demo_db, oct_rid) == ("approved", closeout.CONFIRM_COMMENT)
    assert _status(demo_db, nov_rid) == ("approved", closeout.CONFIRM_COMMENT)
    assert _status(demo_db, other) == ("pending", "")
    with demo_db.session() as s:
        audited = s.scalars(select(AuditEvent.entity_id).where(
            AuditEvent.action == "report.approve", AuditEvent.task_id == tid)).all()
        assert sorted(audited) == sorted([oct_rid, nov_rid])
        queued = {r.report_id for r in pending_reports(s, 1, up_to=NOV)}
    assert other in queued and not {oct_rid, nov_rid} & queued


def test_closing_a_task_confirms_every_units_pending_report(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    r1 = _report(demo_db, dispatcher, a1, NOV, 100)
    r2 = _report(demo_db, dispatcher, a2, NOV, 90)
    with demo_db.Session.begin() as s:
        closeout.close_task(s, dispatcher, tid, "出台政策解决", TODAY, today=TODAY)
    assert _status(demo_db, r1)[0] == _status(demo_db, r2)[0] == "approved"
    # Reopening keeps the verdicts: the history says they were confirmed at close-out.
    with demo_db.Session.begin() as s:
        closeout.reopen_task(s, dispatcher, tid, "继续推进")
    assert _status(demo_db, r1) == ("approved", closeout.CONFIRM_COMMENT)


def test_queue_lists_earlier_periods_first_and_agrees_with_blue_lights(demo_db, dispatcher):
    with demo_db.session() as s:
        rows = pending_reports(s, 1, up_to=NOV)
        board = load_board(s, 1, NOV, TODAY, WorkCalendar())
        all_pending = s.scalar(select(func.count()).select_from(Report).join(Assignment)
                               .join(Task).where(Report.status == "pending",
                                                 Task.deleted.is_(False)))
    periods = [r.period for r in rows]
    assert periods == sorted(periods) and periods[0] == "2026-10"
    assert len(rows) == all_pending  # nothing pending is left out of the queue
    blue = sum(1 for task_rows in board.assignments.values() for a in task_rows
               if a.light is Light.BLUE)
    assert sum(1 for r in rows if r.period == "2026-11") == blue
    # Closed-out work has nothing left pending in the demo either.
    closed_ids = {a.assignment_id for task_rows in board.assignments.values()
                  for a in task_rows if a.closed}
    assert closed_ids and not closed_ids & {r.assignment_id for r in rows}


def test_queue_up_to_a_period_leaves_later_ones_out(demo_db, dispatcher, fresh):
    _, a1, _ = fresh
    rid = _report(demo_db, dispatcher, a1, SEP, 30)
    with demo_db.session() as s:
        up_to_oct = pending_reports(s, 1, up_to=OCT)
        only_nov = pending_reports(s, 1, NOV)
    assert {r.period for r in up_to_oct} == {"2026-09", "2026-10"}
    assert up_to_oct[0].report_id == rid
    assert {r.period for r in only_nov} == {"2026-11"}


def test_counted_progress_skips_returned_reports(demo_db, dispatcher, fresh):
    _, a1, a2 = fresh
    _report(demo_db, dispatcher, a1, OCT, 40)
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, a1, NOV, text="x", progress=90, today=TODAY)
        review_report(s, dispatcher, rid, False, "数据有误")
        s.get(Assignment, a2).progress = 55  # a figure no report ever gave
    with demo_db.session() as s:
        assert counted_progress(s, [a1, a2], NOV) == {a1: 40, a2: 0}
        assert counted_progress(s, [a1], SEP) == {a1: 0}
