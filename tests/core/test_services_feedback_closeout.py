"""任务反馈 and 办结/销号: every transition and refusal, and what the board shows."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.board import load_board
from taskboard.core.errors import IllegalTransition, PermissionDenied, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Feedback, Task
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, Light
from taskboard.core.services import closeout, feedback, tasks
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

NOV = Period(2026, 11)


@pytest.fixture
def fresh(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, tasks.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 11, 30), unit_ids=(1, 2)))
        a1, a2 = s.scalars(select(Assignment.id).where(Assignment.task_id == tid)
                           .order_by(Assignment.unit_id)).all()
    return tid, a1, a2


def _row(db, tid):
    with db.session() as s:
        board = load_board(s, 1, NOV, TODAY, WorkCalendar())
    return next(r for r in board.rows if r.task_id == tid), board.assignments[tid]


def _actor(db, name):
    with db.session() as s:
        return load_actor(s, name)


def test_feedback_counts_until_replied(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    with demo_db.Session.begin() as s:
        fid = feedback.write_feedback(s, dispatcher, a1, "进度滞后，请说明原因")
    row, arows = _row(demo_db, tid)
    assert row.open_feedback == 1 and arows[0].open_feedback == 1
    with demo_db.Session.begin() as s:
        feedback.reply_feedback(s, _actor(demo_db, "unit001"), fid, "已制定赶进度措施")
    row, _ = _row(demo_db, tid)
    assert row.open_feedback == 0
    with demo_db.session() as s:
        fb = s.get(Feedback, fid)
        assert (fb.reply, fb.replied_by_id, fb.resolved) == ("已制定赶进度措施", 11, False)
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.task_id == tid,
                                                         AuditEvent.entity == "feedback")
                         ).all() == ["feedback.write", "feedback.reply"]


def test_feedback_resolve_closes_it_and_twice_is_refused(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    with demo_db.Session.begin() as s:
        fid = feedback.write_feedback(s, dispatcher, a1, "请补充佐证材料")
    with demo_db.Session.begin() as s:
        feedback.resolve_feedback(s, dispatcher, fid)
    assert _row(demo_db, tid)[0].open_feedback == 0
    with pytest.raises(IllegalTransition, match="已办结"):
        with demo_db.Session.begin() as s:
            feedback.resolve_feedback(s, dispatcher, fid)
    with pytest.raises(IllegalTransition):
        with demo_db.Session.begin() as s:
            feedback.reply_feedback(s, dispatcher, fid, "迟到的回复")


def test_feedback_refusals(demo_db, dispatcher, fresh):
    _, a1, _ = fresh
    with pytest.raises(ValidationError, match="反馈内容"):
        with demo_db.Session.begin() as s:
            feedback.write_feedback(s, dispatcher, a1, "   ")
    with pytest.raises(PermissionDenied):
        with demo_db.Session.begin() as s:
            feedback.write_feedback(s, _actor(demo_db, "unit001"), a1, "自己给自己反馈")
    with demo_db.Session.begin() as s:
        fid = feedback.write_feedback(s, dispatcher, a1, "请说明")
    with pytest.raises(PermissionDenied, match="只能为本单位"):
        with demo_db.Session.begin() as s:
            feedback.reply_feedback(s, _actor(demo_db, "unit002"), fid, "替别人回复")


def test_close_assignment_goes_green_for_good_and_reopen_restores(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    with demo_db.Session.begin() as s:
        closeout.close_assignment(s, dispatcher, a1, "协调解决", dt.date(2026, 11, 20),
                                  "已协调完成", today=TODAY)
    row, arows = _row(demo_db, tid)
    assert arows[0].light is Light.GREEN and arows[0].progress == 100
    assert arows[1].light is Light.RED and row.light is Light.RED
    with pytest.raises(IllegalTransition, match="已于 2026-11-20 办结"):
        with demo_db.Session.begin() as s:
            closeout.close_assignment(s, dispatcher, a1, "协调解决", TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="原因"):
        with demo_db.Session.begin() as s:
            closeout.reopen_assignment(s, dispatcher, a1, "")
    with demo_db.Session.begin() as s:
        closeout.reopen_assignment(s, dispatcher, a1, "复核发现未完成")
    _, arows = _row(demo_db, tid)
    assert arows[0].light is Light.RED
    with pytest.raises(IllegalTransition, match="尚未办结"):
        with demo_db.Session.begin() as s:
            closeout.reopen_assignment(s, dispatcher, a1, "再开一次")
    with demo_db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "assignment", AuditEvent.entity_id == a1)).all()
        assert actions == ["assignment.close", "assignment.reopen"]


def test_close_task_marks_done_and_reopen(demo_db, dispatcher, fresh):
    tid, _, _ = fresh
    with demo_db.Session.begin() as s:
        closeout.close_task(s, dispatcher, tid, "出台政策解决", TODAY, "出台实施细则",
                            today=TODAY)
    row, _ = _row(demo_db, tid)
    assert (row.light, row.due_state, row.progress) == (Light.GREEN, DueState.DONE, 100.0)
    with pytest.raises(IllegalTransition):
        with demo_db.Session.begin() as s:
            closeout.close_task(s, dispatcher, tid, "出台政策解决", TODAY, today=TODAY)
    with demo_db.Session.begin() as s:
        closeout.reopen_task(s, dispatcher, tid, "上级要求继续推进")
    row, _ = _row(demo_db, tid)
    assert row.light is Light.RED and row.due_state is not DueState.DONE
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert (t.closed_on, t.close_outcome) == (None, "")


@pytest.mark.parametrize("outcome,on,message", [
    ("随便解决", TODAY, "办结方式"),
    ("协调解决", TODAY + dt.timedelta(days=1), "不能晚于今天"),
    ("协调解决", dt.date(2025, 1, 1), "不能早于任务开始日期"),
])
def test_close_refuses_bad_outcome_or_date(demo_db, dispatcher, fresh, outcome, on, message):
    with pytest.raises(ValidationError, match=message):
        with demo_db.Session.begin() as s:
            closeout.close_task(s, dispatcher, fresh[0], outcome, on, today=TODAY)


def test_reporter_cannot_close(demo_db, fresh):
    with pytest.raises(PermissionDenied, match="办结销号"):
        with demo_db.Session.begin() as s:
            closeout.close_assignment(s, _actor(demo_db, "unit001"), fresh[1], "协调解决",
                                      TODAY, today=TODAY)
