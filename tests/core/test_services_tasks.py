"""编辑任务 services: create, edit, copy, delete, bulk edit, with every refusal."""
import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Report, Task
from taskboard.core.periods import Period
from taskboard.core.services import tasks
from taskboard.core.services.reports import submit_report
from taskboard.core.services.tasks import BulkChange, TaskInput
from tests.conftest import TODAY

D = dt.date


def _input(**kw) -> TaskInput:
    base = dict(campaign_id=1, code="99.1", title="推行企业开办“一网通办”", start_date=D(2026, 1, 1),
                deadline=D(2026, 12, 31), unit_ids=(1, 2), lead_unit_id=10,
                leader="副市长（分管政务服务）", category="开办企业")
    base.update(kw)
    return TaskInput(**base)


def _units(s, task_id):
    return sorted((a.unit_id, a.archived) for a in s.scalars(
        select(Assignment).where(Assignment.task_id == task_id)))


def test_create_task_stores_fields_assignments_and_audit(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input(code=" 99．1 "))
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert (t.code, t.sort_key, t.lead_unit_id, t.version) == ("99.1", "00099.00001", 10, 1)
        assert _units(s, tid) == [(1, False), (2, False)]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.task_id == tid)).one()
        assert ev.action == "task.create" and ev.user_id == dispatcher.user_id
        assert json.loads(ev.after)["unit_ids"] == [1, 2]


@pytest.mark.parametrize("change,message", [
    (dict(code="1.1"), "已存在"),
    (dict(deadline=D(2025, 12, 31)), "不能早于开始日期"),
    (dict(unit_ids=()), "至少选择一个责任单位"),
    (dict(code=""), "任务编号"),
    (dict(title="  "), "任务名称"),
    (dict(unit_ids=(999,)), "单位不存在"),
])
def test_create_task_refuses_bad_input(demo_db, dispatcher, change, message):
    with pytest.raises(ValidationError, match=message):
        with demo_db.Session.begin() as s:
            tasks.create_task(s, dispatcher, _input(**change))
    with demo_db.session() as s:
        assert s.scalar(select(Task).where(Task.code == "99.1")) is None


def test_no_deadline_keeps_the_note(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input(deadline=None, deadline_note="长期坚持"))
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert (t.deadline, t.deadline_note) == (None, "长期坚持")


def test_reporter_and_leader_cannot_edit(demo_db):
    with demo_db.session() as s:
        reporter, leader = load_actor(s, "unit001"), load_actor(s, "leader")
    for actor in (reporter, leader):
        with pytest.raises(PermissionDenied, match="编辑任务"):
            with demo_db.Session.begin() as s:
                tasks.create_task(s, actor, _input())


def test_update_bumps_version_and_audits_only_changes(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input())
    with demo_db.Session.begin() as s:
        v = tasks.update_task(s, dispatcher, tid, _input(title="新标题", unit_ids=(1, 2, 3)), 1)
    assert v == 2
    with demo_db.session() as s:
        assert s.get(Task, tid).title == "新标题"
        assert _units(s, tid) == [(1, False), (2, False), (3, False)]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "task.update")).one()
        assert set(json.loads(ev.before)) == {"title", "unit_ids"}
        assert "任务名称、责任单位" in ev.summary


def test_stale_version_raises_conflict_with_current_and_mine(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input())
    with demo_db.Session.begin() as s:  # someone else edits first
        tasks.update_task(s, dispatcher, tid, _input(leader="市委副书记"), 1)
    with pytest.raises(ConflictError) as err:
        with demo_db.Session.begin() as s:
            tasks.update_task(s, dispatcher, tid, _input(title="我的标题"), 1)
    assert err.value.current["leader"] == "市委副书记" and err.value.current["version"] == 2
    assert err.value.mine["title"] == "我的标题" and err.value.mine["version"] == 1
    with demo_db.session() as s:
        assert s.get(Task, tid).title == "推行企业开办“一网通办”"
    # overwrite = the same edit against the current version
    with demo_db.Session.begin() as s:
        assert tasks.update_task(s, dispatcher, tid, _input(title="我的标题"), 2) == 3


def test_units_only_change_still_moves_the_version(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input())
    with demo_db.Session.begin() as s:
        assert tasks.update_task(s, dispatcher, tid, _input(unit_ids=(1,)), 1) == 2


def test_removing_a_unit_with_reports_archives_it_and_without_deletes(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input(unit_ids=(1, 2, 3)))
        aid = s.scalar(select(Assignment.id).where(Assignment.task_id == tid,
                                                   Assignment.unit_id == 2))
        submit_report(s, dispatcher, aid, Period(2026, 11), text="已启动", progress=10,
                      today=TODAY)
    with demo_db.session() as s:
        assert tasks.units_with_history(s, tid, [2, 3]) == ["康巴什区"]
    with demo_db.Session.begin() as s:
        tasks.update_task(s, dispatcher, tid, _input(unit_ids=(1,)), 1)
    with demo_db.session() as s:
        assert _units(s, tid) == [(1, False), (2, True)]
        assert s.scalar(select(Report.assignment_id)) is not None
        assert tasks.task_input_of(s, tid).unit_ids == (1,)
    with demo_db.Session.begin() as s:  # putting the unit back brings its history back
        tasks.update_task(s, dispatcher, tid, _input(unit_ids=(1, 2)), 2)
    with demo_db.session() as s:
        assert _units(s, tid) == [(1, False), (2, False)]


def test_copy_suggests_a_free_code(demo_db):
    with demo_db.session() as s:
        assert tasks.suggest_copy_code(s, 1, "1.1") == "1.5"
        assert tasks.suggest_copy_code(s, 1, "甲") == "甲-副本"
        top = max(int(c.split(".")[0]) for c in s.scalars(select(Task.code)))
        assert tasks.next_code(s, 1) == str(top + 1)


def test_delete_hides_task_frees_code_and_restore_undoes(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        tid = tasks.create_task(s, dispatcher, _input())
    with demo_db.Session.begin() as s:
        tasks.delete_task(s, dispatcher, tid, 1)
    with demo_db.session() as s:
        t = s.get(Task, tid)
        assert t.deleted and t.code != "99.1"
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.task_id == tid)).all() == [
            "task.create", "task.delete"]
    with pytest.raises(NotFound):  # a deleted task cannot be edited
        with demo_db.Session.begin() as s:
            tasks.update_task(s, dispatcher, tid, _input(), 2)
    with demo_db.Session.begin() as s:
        tasks.restore_task(s, dispatcher, tid, "99.1")
    with demo_db.session() as s:
        assert (s.get(Task, tid).deleted, s.get(Task, tid).code) == (False, "99.1")


def test_delete_on_stale_version_conflicts(demo_db, dispatcher):
    with pytest.raises(ConflictError):
        with demo_db.Session.begin() as s:
            tasks.delete_task(s, dispatcher, 3, 0)


def test_bulk_edit_sets_leader_deadline_lead_and_adds_unit(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        n = tasks.bulk_edit(s, dispatcher, [3, 4], BulkChange(
            leader="副市长（分管发展改革）", set_deadline=True, deadline=D(2027, 6, 30),
            lead_unit_id=11, add_unit_ids=(9,)))
    assert n == 2
    with demo_db.session() as s:
        for tid in (3, 4):
            t = s.get(Task, tid)
            assert (t.leader, t.deadline, t.lead_unit_id) == ("副市长（分管发展改革）", D(2027, 6, 30), 11)
            assert 9 in tasks.task_input_of(s, tid).unit_ids
        assert len(s.scalars(select(AuditEvent).where(
            AuditEvent.action == "task.bulk_update")).all()) == 2


def test_bulk_edit_is_all_or_nothing(demo_db, dispatcher):
    with pytest.raises(ValidationError, match="早于以下任务的开始日期"):
        with demo_db.Session.begin() as s:
            tasks.bulk_edit(s, dispatcher, [3, 4], BulkChange(
                leader="X", set_deadline=True, deadline=D(2025, 1, 1)))
    with pytest.raises(ValidationError, match="至少选择一项"):
        with demo_db.Session.begin() as s:
            tasks.bulk_edit(s, dispatcher, [3], BulkChange())
    with demo_db.session() as s:
        assert s.get(Task, 3).leader != "X"


def test_update_to_archived_campaign_refused(demo_db, dispatcher):
    from taskboard.core.services import campaigns
    with demo_db.Session.begin() as s:
        campaigns.set_archived(s, dispatcher, 1, True)
    with pytest.raises(ValidationError, match="已归档"):
        with demo_db.Session.begin() as s:
            tasks.create_task(s, dispatcher, _input())
    assert dataclasses.is_dataclass(TaskInput)
