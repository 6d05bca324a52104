"""Units and campaigns: add, rename, contacts, merge, retire, archive."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.errors import IllegalTransition, PermissionDenied, ValidationError
from taskboard.core.models import AuditEvent, Campaign, Task, Unit, User
from taskboard.core.services import campaigns, units
from taskboard.core.services.campaigns import CampaignInput
from taskboard.core.services.units import UnitInput


def test_add_and_rename_unit_with_contacts(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        uid = units.add_unit(s, dispatcher, UnitInput(" 市数据局 ", "department", "综合科",
                                                      "0477-1234567", "data@example.com"))
    with demo_db.Session.begin() as s:
        units.update_unit(s, dispatcher, uid, UnitInput("市大数据中心", "department", "综合科",
                                                        "0477-7654321", "data@example.com"))
    with demo_db.session() as s:
        u = s.get(Unit, uid)
        assert (u.name, u.phone, u.active) == ("市大数据中心", "0477-7654321", True)
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "unit.update")).one()
        assert ev.summary == "单位更名：市数据局 → 市大数据中心"


@pytest.mark.parametrize("data,message", [
    (UnitInput("东胜区", "district"), "已存在"),
    (UnitInput(""), "单位名称"),
    (UnitInput("新单位", "planet"), "单位类型"),
    (UnitInput("新单位", email="not-an-email"), "邮箱格式"),
])
def test_unit_validation(demo_db, dispatcher, data, message):
    with pytest.raises(ValidationError, match=message):
        with demo_db.Session.begin() as s:
            units.add_unit(s, dispatcher, data)


def test_retire_with_open_work_needs_a_merge_target(demo_db, dispatcher):
    with pytest.raises(ValidationError, match="未办结的任务"):
        with demo_db.Session.begin() as s:
            units.retire_unit(s, dispatcher, 1)
    with demo_db.session() as s:
        assert s.get(Unit, 1).active


def test_merge_moves_open_work_lead_roles_and_reporters(demo_db, dispatcher):
    with demo_db.session() as s:
        open_before = {u.unit_id: u.open_assignments for u in units.list_units(s)}
        lead_tasks = s.scalars(select(Task.id).where(Task.lead_unit_id == 10)).all()
    with demo_db.Session.begin() as s:
        moved = units.retire_unit(s, dispatcher, 10, merge_into_id=11)
    assert moved == open_before[10]
    with demo_db.session() as s:
        u = s.get(Unit, 10)
        assert (u.active, u.merged_into_id) == (False, 11)
        rows = {r.unit_id: r for r in units.list_units(s)}
        assert rows[10].open_assignments == 0 and rows[10].merged_into == "市政务服务与数据管理局"
        assert all(s.get(Task, t).lead_unit_id == 11 for t in lead_tasks)
        assert s.scalar(select(User.unit_id).where(User.username == "unit010")) == 11
    with pytest.raises(IllegalTransition, match="已撤销"):
        with demo_db.Session.begin() as s:
            units.retire_unit(s, dispatcher, 10, merge_into_id=11)


def test_merge_into_itself_or_retired_refused(demo_db, dispatcher):
    with pytest.raises(ValidationError, match="它自己"):
        with demo_db.Session.begin() as s:
            units.retire_unit(s, dispatcher, 3, merge_into_id=3)


def test_reporter_cannot_manage_units(demo_db):
    with demo_db.session() as s:
        reporter = load_actor(s, "unit001")
    with pytest.raises(PermissionDenied, match="管理单位"):
        with demo_db.Session.begin() as s:
            units.add_unit(s, reporter, UnitInput("新单位"))


def test_campaign_add_edit_archive(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        cid = campaigns.add_campaign(s, dispatcher, CampaignInput(
            "“双减”工作专项", dt.date(2026, 9, 1), dt.date(2027, 8, 31), "按月调度"))
    with pytest.raises(ValidationError, match="已存在"):
        with demo_db.Session.begin() as s:
            campaigns.add_campaign(s, dispatcher, CampaignInput("“双减”工作专项",
                                                                dt.date(2026, 9, 1)))
    with pytest.raises(ValidationError, match="结束日期不能早于"):
        with demo_db.Session.begin() as s:
            campaigns.update_campaign(s, dispatcher, cid, CampaignInput(
                "“双减”工作专项", dt.date(2026, 9, 1), dt.date(2026, 1, 1)))
    with demo_db.Session.begin() as s:
        campaigns.update_campaign(s, dispatcher, cid, CampaignInput(
            "“双减”工作专项（2026）", dt.date(2026, 9, 1), None))
        campaigns.set_archived(s, dispatcher, cid, True)
    with demo_db.session() as s:
        c = s.get(Campaign, cid)
        assert (c.name, c.end_date, c.archived) == ("“双减”工作专项（2026）", None, True)
        rows = {r.campaign_id: r for r in campaigns.list_campaigns(s)}
        assert rows[1].task_count == 67 and rows[cid].task_count == 0
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "campaign",
                                                         AuditEvent.entity_id == cid)).all() == [
            "campaign.create", "campaign.update", "campaign.archive"]
