"""Importing task lists: the preview report per workbook, then all or nothing with audit."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from taskboard.core.errors import PermissionDenied, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Campaign, Task, Unit
from taskboard.excel.task_import import CREATE, apply_import, preview_import, suggest_units
from tests.conftest import TODAY
from tests.excel import workbooks as W


def counts(db):
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Task, Assignment, Unit, Campaign, AuditEvent))


def test_standard_plan_preview_reads_every_row_as_written(demo_db, tmp_path):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    with demo_db.session() as s:
        p = preview_import(s, path, today=TODAY)
    assert p.header_row == 3 and p.sheet == "重点任务清单"
    assert p.campaign_id == 1 and p.error_count == 0
    got = {r.code: r for r in p.rows}
    assert list(got) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert got["1"].category == "开办企业" and got["5"].category == "获得电力"
    assert got["1"].lead_unit == "市市场监督管理局"
    assert got["1"].units == ("东胜区", "康巴什区")
    assert got["2"].units == ("达拉特旗", "准格尔旗", "伊金霍洛旗")
    assert got["4"].units == ("市市场监督管理局", "东胜区")
    assert got["2"].description == "备注：试点先行"
    assert {c: (r.deadline, r.deadline_note) for c, r in got.items()} == {
        "1": (dt.date(2026, 12, 31), ""), "2": (dt.date(2026, 6, 30), ""),
        "3": (dt.date(2026, 6, 30), ""), "4": (dt.date(2026, 6, 30), ""),
        "5": (dt.date(2026, 9, 30), ""), "6": (None, "长期坚持"), "7": (None, "每季度"),
        # the demo campaign starts in 2026-03, so a bare "6月底前" means June 2026
        "8": (dt.date(2026, 6, 30), ""),
    }
    assert any("未写年份" in w for w in got["8"].warnings)
    assert any("9 个旗区" in w for w in got["3"].warnings)
    assert p.skipped and p.skipped[0][0] == 16 and "说明文字" in p.skipped[0][1]
    assert p.unknown_units == []


def test_standard_plan_imports_tasks_assignments_and_audit(demo_db, dispatcher, tmp_path):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    with demo_db.Session.begin() as s:
        c = s.get(Campaign, 1)
        c.name = "新方案"  # keep the demo's own codes out of the way
        s.add(Campaign(id=2, name="2026年新增任务", start_date=dt.date(2026, 1, 1)))
    before = counts(demo_db)
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "2026年新增任务", today=TODAY)
        result = apply_import(s, dispatcher, p, today=TODAY)
    assert (result.tasks, result.units_created) == (8, ())
    # 2+1, 3+1, 9+1, 2+1, 1+1, 2+1, 1+1, 1+1 assignments, lead unit included
    assert result.assignments == 3 + 4 + 10 + 3 + 2 + 3 + 2 + 2
    after = counts(demo_db)
    assert after[0] - before[0] == 8 and after[1] - before[1] == 29
    assert after[4] - before[4] == 9  # one per task and one for the import
    with demo_db.session() as s:
        t6 = s.scalars(select(Task).where(Task.campaign_id == 2, Task.code == "6")).one()
        assert (t6.deadline, t6.deadline_note, t6.leader) == (None, "长期坚持", "常务副市长")
        assert t6.lead_unit.name == "市发展和改革委员会" and t6.sort_key == "00006"
        assert sorted(a.unit.name for a in t6.assignments) == ["东胜区", "乌审旗", "市发展和改革委员会"]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "tasks.import")).one()
        assert ev.user_id == dispatcher.user_id and p.sha256 in ev.after


def test_problem_rows_are_reported_and_nothing_is_written(demo_db, dispatcher, tmp_path):
    path = W.problems_plan(tmp_path / "bad.xlsx")
    before = counts(demo_db)
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
        by_row = {r.row: r for r in p.rows}
        assert by_row[4].errors == ("编号 1.2 与第 3 行重复",)
        assert "无法识别" in by_row[5].errors[0]
        assert by_row[6].errors == ("缺少任务名称",)
        assert by_row[2].errors == ()
        assert p.campaign_id is None  # 新专项 would be created
        unknown = {u.name: u for u in p.unknown_units}
        assert set(unknown) == {"市发改委", "新设园区管委会"}
        assert unknown["市发改委"].suggestions[0][1] == "市发展和改革委员会"
        with pytest.raises(ValidationError, match="3 处错误"):
            apply_import(s, dispatcher, p, {"市发改委": 1, "新设园区管委会": CREATE}, today=TODAY)
    assert counts(demo_db) == before


def test_unknown_units_must_be_mapped_or_created(demo_db, dispatcher, tmp_path):
    path = W.two_row_header_plan(tmp_path / "two.xlsx")
    with demo_db.Session.begin() as s:
        s.execute(Unit.__table__.update().where(Unit.name == "市自然资源局").values(name="自然资源局"))
    before = counts(demo_db)
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "两行表头", today=TODAY)
        assert [u.name for u in p.unknown_units] == ["市自然资源局"]
        assert p.unknown_units[0].suggestions[0][1] == "自然资源局"
        with pytest.raises(ValidationError, match="市自然资源局"):
            apply_import(s, dispatcher, p, {}, today=TODAY)
    assert counts(demo_db) == before
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "两行表头", today=TODAY)
        result = apply_import(s, dispatcher, p, {"市自然资源局": CREATE}, today=TODAY)
    assert result.units_created == ("市自然资源局",)
    with demo_db.session() as s:
        t = s.scalars(select(Task).where(Task.campaign_id == result.campaign_id)).one()
        assert sorted(a.unit.name for a in t.assignments) == ["东胜区", "市住房和城乡建设局", "市自然资源局"]
        assert s.scalar(select(Campaign.name).where(Campaign.id == result.campaign_id)) == "两行表头"


def test_codes_that_restart_per_section_are_composed(db, tmp_path):
    path = W.restarting_codes_plan(tmp_path / "r.xlsx")
    with db.Session.begin() as s:
        for i, n in enumerate(["市政务服务与数据管理局", "市财政局", "市市场监督管理局"], 1):
            s.add(Unit(id=i, name=n))
        s.add(Campaign(id=1, name="数字政府", start_date=dt.date(2026, 1, 1)))
    with db.session() as s:
        p = preview_import(s, path, today=TODAY)
    assert [(r.code, r.category, r.lead_unit, r.units) for r in p.rows] == [
        ("1.1.1", "政务服务一网通办", "市政务服务与数据管理局", ("市财政局",)),
        ("1.1.2", "政务服务一网通办", "市政务服务与数据管理局", ()),
        ("1.2.1", "数据共享", "市政务服务与数据管理局", ()),
        ("2.1", "公平竞争", "市市场监督管理局", ()),
    ]
    assert any("组合" in n for n in p.notes)


def test_code_already_in_the_campaign_is_an_error(demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["编号", "任务名称", "牵头单位", "完成时限"])
    wb.active.append(["1.1", "和演示任务重号", "市财政局", "2026年12月底前"])
    wb.save(tmp_path / "dup.xlsx")
    with demo_db.session() as s:
        p = preview_import(s, tmp_path / "dup.xlsx", today=TODAY)
    assert p.rows[0].errors == ("编号 1.1 在专项工作中已存在",)


def test_a_leader_may_not_import(demo_db, tmp_path):
    from taskboard.core.actor import load_actor

    path = W.standard_plan(tmp_path / "plan.xlsx")
    with demo_db.Session.begin() as s:
        leader = load_actor(s, "leader")
        p = preview_import(s, path, "领导试导", today=TODAY)
        with pytest.raises(PermissionDenied):
            apply_import(s, leader, p, today=TODAY)


def test_suggestions_rank_abbreviations_and_typos():
    units = [(1, "市发展和改革委员会"), (2, "市财政局"), (3, "市政务服务与数据管理局")]
    assert suggest_units("市发改委", units)[0] == (1, "市发展和改革委员会")
    assert suggest_units("市财政司", units)[0] == (2, "市财政局")
    assert suggest_units("完全无关的名字", units) == ()


def test_five_thousand_rows_import(demo_db, dispatcher, tmp_path):
    # Functional only: its speed is measured outside the test suite (timed tests flake on
    # a busy CI machine).
    path = W.big_plan(tmp_path / "big.xlsx", 5000)
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "五千项", today=TODAY)
        assert p.error_count == 0 and len(p.rows) == 5000
        result = apply_import(s, dispatcher, p, today=TODAY)
    assert result.tasks == 5000 and result.assignments == 5000 * 1 + sum(
        1 + i % 6 for i in range(1, 5001))
