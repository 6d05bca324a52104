"""报送 and 审核: every transition of a report, legal and illegal, and the lights it gives."""
import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from taskboard.core import evidence
from taskboard.core.actor import load_actor
from taskboard.core.board import load_board
from taskboard.core.errors import IllegalTransition, PermissionDenied, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Evidence, EvidenceBlob, Report, Task
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.services import closeout, tasks
from taskboard.core.services.reports import add_evidence, submit_report
from taskboard.core.services.review import pending_reports, review_report
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

NOV = Period(2026, 11)


@pytest.fixture
def fresh(demo_db, dispatcher):
    """A new open task on units 1 and 2 with no reports: (task_id, aid unit1, aid unit2)."""
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, tasks.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 31), unit_ids=(1, 2)))
        a1, a2 = s.scalars(select(Assignment.id).where(Assignment.task_id == tid)
                           .order_by(Assignment.unit_id)).all()
    return tid, a1, a2


def _light(db, tid, aid, period=NOV):
    with db.session() as s:
        board = load_board(s, 1, period, TODAY, WorkCalendar())
    return next(a.light for a in board.assignments[tid] if a.assignment_id == aid)


def _actor(db, name):
    with db.session() as s:
        return load_actor(s, name)


def test_reporter_submits_own_unit_report_turns_blue(demo_db, fresh):
    tid, a1, _ = fresh
    reporter = _actor(demo_db, "unit001")
    assert _light(demo_db, tid, a1) is Light.RED
    with demo_db.Session.begin() as s:
        rid = submit_report(s, reporter, a1, NOV, text="完成系统对接", progress=40,
                            problems="数据共享难", next_steps="联调", today=TODAY)
    with demo_db.session() as s:
        r = s.get(Report, rid)
        assert (r.status, r.on_behalf, r.late, r.progress, r.submitted_by_id) == (
            "pending", False, False, 40, reporter.user_id)
        assert s.get(Assignment, a1).progress == 40
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.submit")).one()
        assert ev.task_id == tid and "40%" in ev.summary
    assert _light(demo_db, tid, a1) is Light.BLUE


def test_reporter_of_another_unit_is_refused(demo_db, fresh):
    _, a1, _ = fresh
    with pytest.raises(PermissionDenied, match="只能为本单位"):
        with demo_db.Session.begin() as s:
            submit_report(s, _actor(demo_db, "unit002"), a1, NOV, text="x", progress=1,
                          today=TODAY)
    with pytest.raises(PermissionDenied):
        with demo_db.Session.begin() as s:
            submit_report(s, _actor(demo_db, "leader"), a1, NOV, text="x", progress=1,
                          today=TODAY)
    with demo_db.session() as s:
        assert s.scalar(select(Report).where(Report.assignment_id == a1)) is None


def test_dispatcher_reports_on_behalf_and_past_period_is_late(demo_db, dispatcher, fresh):
    _, a1, _ = fresh
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, a1, Period(2026, 10), text="补报十月", progress=20,
                            today=TODAY)
    with demo_db.session() as s:
        r = s.get(Report, rid)
        assert (r.on_behalf, r.late, r.period) == (True, True, "2026-10")
        assert "（代报）（补报）" in s.scalars(select(AuditEvent.summary).where(
            AuditEvent.entity_id == rid, AuditEvent.entity == "report")).one()


@pytest.mark.parametrize("progress", [-1, 101, 50.5, True])
def test_progress_outside_0_100_refused(demo_db, dispatcher, fresh, progress):
    with pytest.raises(ValidationError, match="完成进度"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, fresh[1], NOV, text="x", progress=progress,
                          today=TODAY)


def test_empty_text_and_future_period_refused(demo_db, dispatcher, fresh):
    with pytest.raises(ValidationError, match="本月进展"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, fresh[1], NOV, text="  ", progress=3, today=TODAY)
    with pytest.raises(ValidationError, match="尚未开始"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, fresh[1], Period(2026, 12), text="x", progress=3,
                          today=TODAY)


def test_reporting_on_closed_out_assignment_or_task_refused(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    with demo_db.Session.begin() as s:
        closeout.close_assignment(s, dispatcher, a1, "协调解决", TODAY, today=TODAY)
    with pytest.raises(IllegalTransition, match="已办结"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, a1, NOV, text="x", progress=3, today=TODAY)
    with demo_db.Session.begin() as s:
        closeout.close_task(s, dispatcher, tid, "点对点解决", TODAY, today=TODAY)
    with pytest.raises(IllegalTransition, match="已办结"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, a2, NOV, text="x", progress=3, today=TODAY)


def test_reporting_on_archived_assignment_refused(demo_db, dispatcher, fresh):
    tid, a1, a2 = fresh
    with demo_db.Session.begin() as s:
        submit_report(s, dispatcher, a2, NOV, text="x", progress=3, today=TODAY)
        data = dataclasses.replace(tasks.task_input_of(s, tid), unit_ids=(1,))
        tasks.update_task(s, dispatcher, tid, data, 1)
    with pytest.raises(IllegalTransition, match="不再承担"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, a2, NOV, text="y", progress=4, today=TODAY)


def test_resubmitting_while_pending_revises_the_same_report(demo_db, dispatcher, fresh):
    _, a1, _ = fresh
    with demo_db.Session.begin() as s:
        r1 = submit_report(s, dispatcher, a1, NOV, text="初稿", progress=30, today=TODAY)
    with demo_db.Session.begin() as s:
        r2 = submit_report(s, dispatcher, a1, NOV, text="修改稿", progress=35, today=TODAY)
    assert r1 == r2
    with demo_db.session() as s:
        assert [r.text for r in s.scalars(select(Report).where(Report.assignment_id == a1))] == [
            "修改稿"]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.revise")).one()
        assert json.loads(ev.before)["text"] == "初稿"


def test_approve_turns_green_and_approving_twice_is_refused(demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, a1, NOV, text="x", progress=50, today=TODAY)
    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, rid, True)
    assert _light(demo_db, tid, a1) is Light.GREEN
    with pytest.raises(IllegalTransition, match="不能重复审核"):
        with demo_db.Session.begin() as s:
            review_report(s, dispatcher, rid, True)
    with pytest.raises(IllegalTransition):
        with demo_db.Session.begin() as s:
            review_report(s, dispatcher, rid, False, "补充材料")
    with demo_db.session() as s:
        r = s.get(Report, rid)
        assert (r.status, r.reviewer_id) == ("approved", dispatcher.user_id)
        assert s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "report", AuditEvent.entity_id == rid)).all() == [
            "report.submit", "report.approve"]


def test_return_needs_comment_turns_red_restores_progress_and_allows_resubmit(
        demo_db, dispatcher, fresh):
    tid, a1, _ = fresh
    with demo_db.Session.begin() as s:
        old = submit_report(s, dispatcher, a1, Period(2026, 10), text="十月", progress=20,
                            today=TODAY)
        review_report(s, dispatcher, old, True)
        rid = submit_report(s, dispatcher, a1, NOV, text="x", progress=60, today=TODAY)
    with pytest.raises(ValidationError, match="退回意见"):
        with demo_db.Session.begin() as s:
            review_report(s, dispatcher, rid, False, "  ")
    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, rid, False, "佐证材料不全")
    assert _light(demo_db, tid, a1) is Light.RED
    with demo_db.session() as s:
        assert s.get(Report, rid).review_comment == "佐证材料不全"
        assert s.get(Assignment, a1).progress == 20
    with demo_db.Session.begin() as s:
        again = submit_report(s, dispatcher, a1, NOV, text="已补充", progress=60, today=TODAY)
    assert again != rid
    assert _light(demo_db, tid, a1) is Light.BLUE


def test_reporter_cannot_review(demo_db, dispatcher, fresh):
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, fresh[1], NOV, text="x", progress=5, today=TODAY)
    with pytest.raises(PermissionDenied, match="审核报送"):
        with demo_db.Session.begin() as s:
            review_report(s, _actor(demo_db, "unit001"), rid, True)


def test_pending_queue_lists_period_reports_in_code_order(demo_db, dispatcher, fresh):
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, fresh[2], NOV, text="新报送", progress=5,
                            today=TODAY)
    with demo_db.session() as s:
        rows = pending_reports(s, 1, NOV)
        expected = s.scalars(select(Report.id).join(Assignment).join(Task).where(
            Report.period == "2026-11", Report.status == "pending",
            Task.deleted.is_(False), Assignment.archived.is_(False))).all()
    assert sorted(r.report_id for r in rows) == sorted(expected)
    assert rid in {r.report_id for r in rows}
    keys = [r.sort_key for r in rows]
    assert keys == sorted(keys)
    assert rows[-1].code == "99.1" and rows[-1].unit_name == "康巴什区"


def test_evidence_stored_once_by_hash_and_read_back(demo_db, dispatcher, fresh, tmp_path):
    f1 = tmp_path / "会议纪要.pdf"
    f1.write_bytes(b"%PDF-1.4 minutes")
    f2 = tmp_path / "copy.pdf"
    f2.write_bytes(b"%PDF-1.4 minutes")
    with demo_db.Session.begin() as s:
        rid = submit_report(s, dispatcher, fresh[1], NOV, text="x", progress=5,
                            evidence=[f1], today=TODAY)
        add_evidence(s, dispatcher, rid, [f2])
    with demo_db.session() as s:
        evs = s.scalars(select(Evidence).where(Evidence.report_id == rid)).all()
        assert [e.filename for e in evs] == ["会议纪要.pdf", "copy.pdf"]
        assert len(s.scalars(select(EvidenceBlob)).all()) == 1
        name, data = evidence.read(s, evs[0].id)
        assert (name, data) == ("会议纪要.pdf", b"%PDF-1.4 minutes")
        out = evidence.export_copy(s, evs[0].id, tmp_path / "view")
        assert out.read_bytes() == data and out.name == "会议纪要.pdf"


def test_evidence_refused_by_type_size_and_nothing_stored(demo_db, dispatcher, fresh,
                                                          tmp_path, monkeypatch):
    exe = tmp_path / "virus.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(ValidationError, match="不支持的佐证材料类型"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, fresh[1], NOV, text="x", progress=5,
                          evidence=[exe], today=TODAY)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr(evidence, "MAX_FILE_BYTES", 1024)
    with pytest.raises(ValidationError, match="过大"):
        with demo_db.Session.begin() as s:
            submit_report(s, dispatcher, fresh[1], NOV, text="x", progress=5,
                          evidence=[big], today=TODAY)
    with demo_db.session() as s:
        assert s.scalar(select(Report).where(Report.assignment_id == fresh[1])) is None


@pytest.mark.parametrize("raw,safe", [
    ("../../etc/passwd.txt", "passwd.txt"), ("a<b>:c.pdf", "a_b__c.pdf"),
    ("CON.txt", "_CON.txt"), ("..hidden.doc", "hidden.doc"), ("C:\\x\\报告.docx", "报告.docx"),
])
def test_safe_names(raw, safe):
    assert evidence.safe_name(raw) == safe
