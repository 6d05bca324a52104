"""撤销 of the last approve, return or close-out: state restored, audited as an undo, and
refused once the record has moved on."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.errors import IllegalTransition
from taskboard.core.models import Assignment, AuditEvent, Report, Task
from taskboard.core.periods import Period
from taskboard.core.services import tasks, undo
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import pending_reports, review_report
from tests.conftest import TODAY

NOV = Period(2026, 11)


@pytest.fixture
def fresh(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, tasks.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 31), unit_ids=(1, 2)))
        a1, a2 = s.scalars(select(Assignment.id).where(Assignment.task_id == tid)
                           .order_by(Assignment.unit_id)).all()
    return tid, a1, a2


def _report(db, actor, aid, progress, period=NOV):
    with db.Session.begin() as s:
        return submit_report(s, actor, aid, period, text="进展", progress=progress, today=TODAY)


def _row(db, rid):
    with db.session() as s:
        r = s.get(Report, rid)
        a = s.get(Assignment, r.assignment_id)
        return r.status, r.reviewer_id, r.review_comment, a.progress


def _last_audit(db):
    with db.session() as s:
        e = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        return e.action, e.summary


def test_undo_approve_puts_the_report_back_in_the_queue(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    rid = _report(demo_db, dispatcher, a1, 40)
    with demo_db.Session.begin() as s:
        ticket = undo.review(s, dispatcher, rid, True)
    assert _row(demo_db, rid)[0] == "approved"
    with demo_db.Session.begin() as s:
        summary = undo.undo(s, dispatcher, ticket)
    assert _row(demo_db, rid) == ("pending", None, "", 40)
    action, text = _last_audit(demo_db)
    assert action == "report.review.undo" and text == summary
    assert summary.startswith("撤销审核通过：") and summary.endswith("恢复为待审核")
    with demo_db.session() as s:
        assert rid in [r.report_id for r in pending_reports(s, 1, up_to=NOV)]


def test_undo_return_restores_the_progress(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    first = _report(demo_db, dispatcher, a1, 30, Period(2026, 10))
    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, first, True)
    rid = _report(demo_db, dispatcher, a1, 70)
    assert _row(demo_db, rid)[3] == 70
    with demo_db.Session.begin() as s:
        ticket = undo.review(s, dispatcher, rid, False, "请补充佐证")
    assert _row(demo_db, rid) == ("returned", dispatcher.user_id, "请补充佐证", 30)
    with demo_db.Session.begin() as s:
        undo.undo(s, dispatcher, ticket)
    assert _row(demo_db, rid) == ("pending", None, "", 70)
    assert _last_audit(demo_db)[1].startswith("撤销审核退回：")


def test_undo_refused_once_the_report_moved_on(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    rid = _report(demo_db, dispatcher, a1, 40)
    with demo_db.Session.begin() as s:
        ticket = undo.review(s, dispatcher, rid, True)
        undo.undo(s, dispatcher, ticket)
    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, rid, False, "另一人退回")
    with pytest.raises(IllegalTransition, match="无法撤销"), demo_db.Session.begin() as s:
        undo.undo(s, dispatcher, ticket)
    assert _row(demo_db, rid)[:3] == ("returned", dispatcher.user_id, "另一人退回")


def test_undo_close_task_reopens_and_unconfirms_its_reports(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    rid = _report(demo_db, dispatcher, a1, 90)
    with demo_db.Session.begin() as s:
        ticket = undo.close_task(s, dispatcher, tid, "协调解决", TODAY, "完成", today=TODAY)
    assert _row(demo_db, rid)[0] == "approved"
    assert ticket.confirmed == (rid,) and ticket.label == "办结 99.1 测试任务"
    with demo_db.Session.begin() as s:
        summary = undo.undo(s, dispatcher, ticket)
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert (t.closed_on, t.close_outcome, t.close_note) == (None, "", "")
    assert _row(demo_db, rid)[:3] == ("pending", None, "")
    assert summary == "撤销办结 99.1 测试任务，1 条随办结确认的报送恢复为待审核"
    assert _last_audit(demo_db) == ("task.close.undo", summary)


def test_undo_close_assignment_restores_progress(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    _report(demo_db, dispatcher, a2, 55)
    with demo_db.Session.begin() as s:
        ticket = undo.close_assignment(s, dispatcher, a2, "点对点解决", TODAY, today=TODAY)
    with demo_db.session() as s:
        assert (s.get(Assignment, a2).progress, s.get(Assignment, a2).closed_on) == (100, TODAY)
    with demo_db.Session.begin() as s:
        undo.undo(s, dispatcher, ticket)
    with demo_db.session() as s:
        a = s.get(Assignment, a2)
        assert (a.progress, a.closed_on, a.close_outcome) == (55, None, "")
    assert _last_audit(demo_db)[0] == "assignment.close.undo"


def test_undo_close_refused_after_reopen_and_close_again(demo_db, dispatcher, fresh):
    tid, _, _ = fresh
    with demo_db.Session.begin() as s:
        ticket = undo.close_task(s, dispatcher, tid, "协调解决", TODAY - dt.timedelta(days=3),
                                 today=TODAY)
    from taskboard.core.services import closeout
    with demo_db.Session.begin() as s:
        closeout.reopen_task(s, dispatcher, tid, "还有尾项")
        closeout.close_task(s, dispatcher, tid, "协调解决", TODAY, today=TODAY)
    with pytest.raises(IllegalTransition, match="无法撤销"), demo_db.Session.begin() as s:
        undo.undo(s, dispatcher, ticket)
    with demo_db.session() as s:
        assert s.get(Task, tid).closed_on == TODAY


def test_batch_approve_is_undone_together_or_not_at_all(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    r1, r2 = _report(demo_db, dispatcher, a1, 40), _report(demo_db, dispatcher, a2, 60)
    with demo_db.Session.begin() as s:
        ticket = undo.approve_many(s, dispatcher, [r1, r2])
    assert ticket.label == "审核通过 2 条报送"
    assert [_row(demo_db, r)[0] for r in (r1, r2)] == ["approved", "approved"]
    with demo_db.Session.begin() as s:
        assert undo.undo(s, dispatcher, ticket) == "撤销审核通过 2 条报送，恢复为待审核"
    assert [_row(demo_db, r)[0] for r in (r1, r2)] == ["pending", "pending"]
    with demo_db.Session.begin() as s:
        ticket = undo.approve_many(s, dispatcher, [r1, r2])
    with demo_db.Session.begin() as s:  # one of them taken back on its own meanwhile
        undo.undo(s, dispatcher, ticket.parts[1])
        review_report(s, dispatcher, r2, False, "退回")
    with pytest.raises(IllegalTransition), demo_db.Session.begin() as s:
        undo.undo(s, dispatcher, ticket)
    assert _row(demo_db, r1)[0] == "approved"  # rolled back with the refused part
