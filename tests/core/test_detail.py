"""查看详情 query: one task's fields, per-unit lights, timeline, feedback, urges, audit."""
import datetime as dt

from sqlalchemy import select

from taskboard.core.board import load_board
from taskboard.core.detail import load_detail
from taskboard.core.models import Assignment, UrgeNotice, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.services import feedback, tasks
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import review_report
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

NOV = Period(2026, 11)


def test_detail_agrees_with_board_for_every_demo_task(demo_db):
    cal = WorkCalendar()
    with demo_db.session() as s:
        board = load_board(s, 1, NOV, TODAY, cal)
        for row in board.rows:
            d = load_detail(s, row.task_id, NOV, TODAY, cal)
            assert (d.light, d.due_state, round(d.progress, 3), d.lagging) == (
                row.light, row.due_state, round(row.progress, 3), row.lagging), row.code
            live = [a for a in d.assignments if not a.archived]
            assert [(a.assignment_id, a.light, a.progress) for a in live] == [
                (a.assignment_id, a.light, a.progress) for a in board.assignments[row.task_id]]


def test_detail_shows_timeline_feedback_urges_and_audit(demo_db, dispatcher, tmp_path):
    f = tmp_path / "照片.jpg"
    f.write_bytes(b"\xff\xd8\xff jpeg")
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, tasks.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 31), unit_ids=(1, 2), lead_unit_id=10))
        a1 = s.scalar(select(Assignment.id).where(Assignment.task_id == tid,
                                                  Assignment.unit_id == 1))
        r10 = submit_report(s, dispatcher, a1, Period(2026, 10), text="十月", progress=30,
                            today=TODAY)
        review_report(s, dispatcher, r10, True)
        submit_report(s, dispatcher, a1, NOV, text="十一月", progress=55, evidence=[f],
                      today=TODAY)
        feedback.write_feedback(s, dispatcher, a1, "请加快进度")
        notice = UrgeNotice(year=2026, number=12, unit_id=1, period="2026-11")
        s.add(notice)
        s.flush()
        s.add(UrgeRecord(assignment_id=a1, notice_id=notice.id, method="paper",
                         urged_by_id=dispatcher.user_id, note="请按时报送"))
    with demo_db.session() as s:
        d = load_detail(s, tid, NOV, TODAY, WorkCalendar())
    assert (d.code, d.lead_unit, d.deadline_text, d.version) == ("99.1", "市发展和改革委员会",
                                                                  "2026-12-31", 1)
    a = d.assignments[0]
    assert (a.unit_name, a.light, a.progress, a.report_status, a.open_feedback, a.urge_count) == (
        "东胜区", Light.BLUE, 55, "pending", 1, 1)
    timeline = d.reports_of(a1)
    assert [(r.period, r.status, r.text) for r in timeline] == [
        ("2026-11", "pending", "十一月"), ("2026-10", "approved", "十月")]
    assert [e.filename for e in timeline[0].evidence] == ["照片.jpg"]
    assert d.feedback[0].body == "请加快进度" and d.feedback[0].is_open
    assert d.urges[0].notice == "催办〔2026〕12号" and d.urges[0].method_word == "纸质通知"
    assert [e.action for e in d.audit] == ["feedback.write", "report.submit", "report.approve",
                                           "report.submit", "task.create"]
    assert d.audit[0].user == "演示调度员"
