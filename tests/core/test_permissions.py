"""Who may do what: the role table, then every role against every service that changes data.

The UI hides what a role cannot do; these tests show the services refuse it anyway.
"""
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from taskboard.core import permissions
from taskboard.core.actor import Actor, load_actor
from taskboard.core.errors import PermissionDenied
from taskboard.core.models import Assignment, Feedback, Report, Task, UrgeNotice
from taskboard.core.periods import Period
from taskboard.core.permissions import PERMISSIONS, allowed
from tests.conftest import TODAY

A, D, R, L = "admin", "dispatcher", "reporter", "leader"

# The issue's rules, written out independently of core.permissions.
EXPECTED = {
    "board.view": {A, D, R, L},
    "task.edit": {A, D}, "task.close": {A, D},
    "report.submit": {A, D, R}, "report.review": {A, D},
    "feedback.write": {A, D}, "feedback.answer": {A, D, R},
    "urge.send": {A, D}, "urge.answer": {A, D, R}, "bulletin.issue": {A, D},
    "import": {A, D}, "export": {A, D, L},
    "unit.manage": {A, D}, "campaign.manage": {A, D},
    "user.manage": {A}, "settings.edit": {A}, "audit.view": {A}, "backup": {A},
}
OWN_UNIT, OTHER_UNIT = 1, 2


def _actor(role: str, unit_id=None) -> Actor:
    return Actor(99, role, role, role, unit_id)


def test_the_table_covers_every_operation():
    assert set(PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("operation", sorted(EXPECTED))
@pytest.mark.parametrize("role", [A, D, R, L])
def test_role_operation_table(role, operation):
    actor = _actor(role, OWN_UNIT if role == R else None)
    expected = role in EXPECTED[operation]
    assert allowed(actor, operation, OWN_UNIT) is expected
    if expected:
        permissions.require(actor, operation, OWN_UNIT)
    else:
        with pytest.raises(PermissionDenied, match="没有“.+”的权限"):
            permissions.require(actor, operation, OWN_UNIT)


@pytest.mark.parametrize("operation", sorted(permissions.UNIT_SCOPED))
def test_reporters_act_only_for_their_own_unit(operation):
    reporter = _actor(R, OWN_UNIT)
    assert allowed(reporter, operation, OWN_UNIT)
    assert not allowed(reporter, operation, OTHER_UNIT)
    assert not allowed(reporter, operation, None)
    assert not allowed(_actor(R, None), operation, OWN_UNIT)  # a reporter bound to no unit
    with pytest.raises(PermissionDenied, match="只能为本单位"):
        permissions.require(reporter, operation, OTHER_UNIT)


def test_unknown_operation_is_a_programming_error():
    with pytest.raises(KeyError):
        allowed(_actor(A), "task.explode")


# --- every service that changes data, for every role ----------------------------------------

@pytest.fixture
def world(demo_db):
    """Objects of unit 1 for the calls below, and one actor per role."""
    with demo_db.Session.begin() as s:
        aid = s.scalars(select(Assignment.id).join(Task).where(
            Assignment.unit_id == OWN_UNIT, Assignment.closed_on.is_(None),
            Task.closed_on.is_(None), Assignment.archived.is_(False))
            .order_by(Assignment.id)).first()
        task_id = s.get(Assignment, aid).task_id
        rid = s.scalars(select(Report.id).join(Assignment).join(Task).where(
            Report.status == "pending", Assignment.unit_id == OWN_UNIT,
            Task.closed_on.is_(None), Assignment.closed_on.is_(None))).first()
        fb = Feedback(assignment_id=aid, author_id=2, body="请补充佐证材料")
        notice = UrgeNotice(year=2026, number=901, unit_id=OWN_UNIT, period="2026-11",
                            issued_by_id=2)
        s.add_all([fb, notice])
        s.flush()
        ids = dict(assignment=aid, task=task_id, report=rid, feedback=fb.id,
                   notice=notice.id)
    with demo_db.session() as s:
        actors = {A: load_actor(s, "admin"), D: load_actor(s, "dispatcher"),
                  L: load_actor(s, "leader"), "reporter_own": load_actor(s, "unit001"),
                  "reporter_other": load_actor(s, "unit002")}
    assert actors["reporter_own"].unit_id == OWN_UNIT
    return demo_db, ids, actors


def _calls():
    from taskboard.core.services import (
        audit_trail, bulletins, campaigns, closeout, feedback, reports, review, tasks, units,
        urge_delivery, urge_inbox, urge_settings, users,
    )
    from taskboard.core.settings import BoardSettings

    p = Period.parse("2026-11")
    return {
        "task.edit": lambda s, a, i: tasks.create_task(s, a, tasks.TaskInput(
            campaign_id=1, code="99.1", title="权限测试任务", start_date=TODAY,
            unit_ids=(OWN_UNIT,), lead_unit_id=OWN_UNIT, deadline=TODAY + dt.timedelta(30))),
        "task.close": lambda s, a, i: closeout.close_task(
            s, a, i["task"], "协调解决", TODAY, "按期完成", today=TODAY),
        "report.submit": lambda s, a, i: reports.submit_report(
            s, a, i["assignment"], p, text="完成系统对接", progress=50, today=TODAY),
        "report.review": lambda s, a, i: review.review_report(s, a, i["report"], True),
        "feedback.write": lambda s, a, i: feedback.write_feedback(
            s, a, i["assignment"], "进度滞后，请说明原因"),
        "feedback.answer": lambda s, a, i: feedback.reply_feedback(
            s, a, i["feedback"], "已补充"),
        "urge.send": lambda s, a, i: urge_delivery.log_phone_urge(
            s, a, [i["assignment"]], TODAY, called="综合科", override_reason="权限测试"),
        "urge.answer": lambda s, a, i: urge_inbox.answer_notice(s, a, i["notice"], "已落实"),
        "bulletin.issue": lambda s, a, i: bulletins.issue(
            s, a, {"campaign_id": 1, "span": "2026-11", "span_label": "2026年11月",
                   "tracks": {}}, BoardSettings(), TODAY),
        "export": lambda s, a, i: urge_inbox.ledger_rows(s, a, 1),
        "unit.manage": lambda s, a, i: units.add_unit(s, a, units.UnitInput("权限测试局")),
        "campaign.manage": lambda s, a, i: campaigns.add_campaign(
            s, a, campaigns.CampaignInput("权限测试专项", TODAY)),
        "user.manage": lambda s, a, i: users.create_user(
            s, a, users.UserInput("perm_test", "综合科", "leader")),
        "settings.edit": lambda s, a, i: urge_settings.save_smtp(
            s, a, host="smtp.example.com", port=465, security="ssl",
            account="office@example.com", sender="office@example.com"),
        "audit.view": lambda s, a, i: audit_trail.query(s, a),
        "board.view": lambda s, a, i: urge_inbox.list_notices(s, a),
    }


CALLS = _calls()
ACTOR_KEYS = [A, D, L, "reporter_own", "reporter_other"]


@pytest.mark.parametrize("operation", sorted(CALLS))
@pytest.mark.parametrize("who", ACTOR_KEYS)
def test_services_enforce_the_table(world, who, operation):
    db, ids, actors = world
    actor = actors[who]
    expected = allowed(actor, operation, OWN_UNIT)
    with db.session() as s:
        try:
            if expected:
                CALLS[operation](s, actor, ids)  # any error here fails the test
            else:
                with pytest.raises(PermissionDenied) as err:
                    CALLS[operation](s, actor, ids)
                assert re.search(r"[\u4e00-\u9fff]", str(err.value))
        finally:
            s.rollback()


def test_every_operation_a_service_checks_is_covered_here():
    """Re-checked as services are added: each operation they require has a call above."""
    root = Path(permissions.__file__).parent / "services"
    used = set()
    for path in root.glob("*.py"):
        used |= set(re.findall(r"require\(\s*actor,\s*\"([a-z_.]+)\"", path.read_text("utf-8")))
    assert used - set(CALLS) == set()
