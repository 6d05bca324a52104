"""Task lists in the shapes offices circulate: every field of every row, the account of every
column and skipped row, and what the import stores (supporting units, recurrences)."""
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from taskboard.cli.main import main
from taskboard.core.models import Assignment, Task, Unit
from taskboard.excel.task_import import CREATE, apply_import, preview_import
from tests.conftest import TODAY
from tests.excel import shape_workbooks as S


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

D = dt.date


def fields(r):
    return (r.code, r.title, r.category, r.lead_unit, r.units, r.support_units, r.leader,
            r.deadline, r.deadline_note, r.recurrence, r.description, r.target)


def preview(db, path, campaign="新专项"):
    with db.session() as s:
        return preview_import(s, path, campaign, today=TODAY)


def columns(p):
    return [(c.column, c.header, c.field, c.reason, c.rows_with_data) for c in p.column_report]


def test_several_unit_columns_are_all_read(demo_db, tmp_path):
    p = preview(demo_db, S.several_unit_columns(tmp_path / "a.xlsx"))
    assert [fields(r) for r in p.rows] == [
        ("1", "建立企业诉求直通车", "", "市发展和改革委员会", ("东胜区",),
         ("市财政局", "市商务局", "市司法局"), "", D(2026, 12, 31), "", "", "", ""),
        ("2", "压减审批环节", "", "市自然资源局", (), ("市发展和改革委员会", "市财政局"), "",
         D(2026, 6, 30), "", "", "", ""),
        ("3", "公开涉企收费清单", "", "市财政局", ("市交通运输局",), ("康巴什区",), "", None, "长期坚持",
         "", "", ""),
    ]
    assert [r.errors for r in p.rows] == [(), (), ()]
    assert [c[2] for c in columns(p)] == ["code", "title", "lead", "units", "support", "support",
                                          "support", "deadline"]
    assert p.sheet_warnings == [] and p.unknown_units == []


def test_supporting_units_are_stored_as_supporting_assignments(demo_db, dispatcher, tmp_path):
    path = S.several_unit_columns(tmp_path / "a.xlsx")
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
        result = apply_import(s, dispatcher, p, today=TODAY)
    assert result.assignments == 5 + 3 + 3
    with demo_db.session() as s:
        got = {}
        for code, unit, supporting in s.execute(
                select(Task.code, Unit.name, Assignment.supporting)
                .join(Assignment, Assignment.task_id == Task.id)
                .join(Unit, Unit.id == Assignment.unit_id)
                .where(Task.campaign_id == result.campaign_id)):
            got.setdefault(code, {})[unit] = supporting
    assert got == {
        "1": {"市发展和改革委员会": False, "东胜区": False, "市财政局": True, "市商务局": True,
              "市司法局": True},
        "2": {"市自然资源局": False, "市发展和改革委员会": True, "市财政局": True},
        "3": {"市财政局": False, "市交通运输局": False, "康巴什区": True},
    }
    from taskboard.core.detail import load_detail
    from taskboard.core.periods import Period
    from taskboard.core.workcalendar import WorkCalendar

    with demo_db.session() as s:
        task_id = s.scalar(select(Task.id).where(Task.campaign_id == result.campaign_id,
                                                 Task.code == "1"))
        detail = load_detail(s, task_id, Period(2026, 11), TODAY, WorkCalendar())
    assert {a.unit_name: a.supporting for a in detail.assignments} == got["1"]


def test_two_row_header_with_unknown_lower_cells(demo_db, tmp_path):
    p = preview(demo_db, S.two_row_header(tmp_path / "b.xlsx"))
    assert p.header_row == 3
    assert [fields(r) for r in p.rows] == [
        ("1", "全面压减办理时限", "", "市政务服务与数据管理局", ("东胜区", "康巴什区"), (),
         "副市长甲", TODAY, "立行立改", "", "反馈问题：政务服务事项办理时限偏长\n问题类型：作风",
         "平均压减50%"),
        ("2", "推行综合查一次", "", "市市场监督管理局", ("市公安局",), (), "副市长乙",
         D(2026, 12, 31), "", "", "反馈问题：涉企检查多头重复\n问题类型：作风", "年内检查次数减少30%"),
    ]
    assert columns(p) == [
        ("A", "序号", "code", "", 2), ("B", "问题清单/反馈问题", "problem", "", 2),
        ("C", "问题类型", "problem", "", 2), ("D", "任务清单/整改任务", "title", "", 2),
        ("E", "整改目标", "target", "", 2), ("F", "责任清单/责任领导", "leader", "", 2),
        ("G", "牵头单位", "lead", "", 2), ("H", "责任单位", "units", "", 2),
        ("I", "完成时限", "deadline", "", 2), ("J", "督导组", "", "列名未对应任何字段", 1),
    ]
    # The unknown column with data is a warning the user sees, not a silent loss.
    assert p.sheet_warnings == ["第 J 列“督导组”有 1 行数据未导入：列名未对应任何字段。"]
    assert p.error_count == 0


def test_hidden_column_loses_to_visible_one_and_hidden_rows_are_skipped(demo_db, tmp_path):
    p = preview(demo_db, S.hidden_columns_rows(tmp_path / "c.xlsx"))
    assert [fields(r) for r in p.rows] == [
        ("1", "优化水电气报装", "", "市工业和信息化局", ("市金融工作办公室",), (), "", D(2026, 9, 30), "", "", "", ""),
        ("3", "推行告知承诺制", "", "市司法局", ("市公安局",), (), "", D(2026, 10, 31), "", "", "",
         ""),
    ]
    assert p.skipped == [(3, "隐藏行，已跳过：撤回的任务")]
    assert columns(p)[2] == ("C", "牵头单位", "", "隐藏列（列名为“牵头单位”）", 2)
    assert p.sheet_warnings == ["第 C 列“牵头单位”有 2 行数据未导入：隐藏列（列名为“牵头单位”）。"]


def test_lead_markers_in_one_unit_cell(demo_db, tmp_path):
    p = preview(demo_db, S.lead_markers(tmp_path / "d.xlsx"))
    end = D(2026, 12, 31)
    assert [fields(r) for r in p.rows] == [
        ("1", "落实责任1", "", "市交通运输局", ("市财政局",), (), "", end, "", "", "", ""),
        ("2", "落实责任2", "", "市交通运输局", ("市财政局",), (), "", end, "", "", "", ""),
        ("3", "落实责任3", "", "市交通运输局", ("市财政局",), (), "", end, "", "", "", ""),
        ("4", "落实责任4", "", "市交通运输局", (), ("市财政局", "东胜区"), "", end, "", "", "", ""),
        ("5", "落实责任5", "", "市交通运输局", (), ("市财政局", "东胜区"), "", end, "", "", "", ""),
        # no marker and no lead column: the first unit leads
        ("6", "落实责任6", "", "市财政局", ("市交通运输局",), (), "", end, "", "", "", ""),
    ]
    assert any("没有“牵头单位”列" in n for n in p.notes)


def test_separators_only_between_names_and_collective_phrases(demo_db, dispatcher, tmp_path):
    with demo_db.Session.begin() as s:
        s.add_all([Unit(name="东胜区教育局", kind="department", sort_order=900),
                   Unit(name="康巴什区教育局", kind="department", sort_order=901)])
    path = S.separators(tmp_path / "e.xlsx")
    p = preview(demo_db, path)
    end, lead = D(2026, 12, 31), "市发展和改革委员会"
    assert [fields(r) for r in p.rows] == [
        ("1", "任务1", "", lead, ("自治区党委宣传部（自治区新闻出版局、电影局）", "市交通运输局"), (), "",
         end, "", "", "", ""),
        ("2", "任务2", "", lead, ("市财政局", "市商务局", "市司法局", "市公安局"), (), "", end, "",
         "", "", ""),
        ("3", "任务3", "", lead, ("各旗县（市、区）教育局",), (), "", end, "", "", "", ""),
        ("4", "任务4", "", lead, ("各盟行政公署、市人民政府",), (), "", end, "", "", "", ""),
        ("5", "任务5", "", lead, ("各旗区",), (), "", end, "", "", "", ""),
    ]
    assert p.rows[2].warnings == ("“各旗县（市、区）教育局”展开为 2 个单位",)
    assert p.rows[4].warnings == ("“各旗区”展开为 9 个旗区",)
    # Nothing matches 各盟行政公署、市人民政府 here: it is offered for mapping, never dropped.
    assert [u.name for u in p.unknown_units] == ["自治区党委宣传部（自治区新闻出版局、电影局）",
                                                 "各盟行政公署、市人民政府"]
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
        city = s.scalar(select(Unit.id).where(Unit.name == "市财政局"))
        result = apply_import(s, dispatcher, p, {"自治区党委宣传部（自治区新闻出版局、电影局）": CREATE,
                                                 "各盟行政公署、市人民政府": city}, today=TODAY)
    with demo_db.session() as s:
        units = {code: sorted(s.scalars(select(Unit.name).join(Assignment).join(Task).where(
            Task.campaign_id == result.campaign_id, Task.code == code)))
            for code in ("1", "3", "4", "5")}
    assert units["1"] == sorted([lead, "自治区党委宣传部（自治区新闻出版局、电影局）", "市交通运输局"])
    assert units["3"] == sorted([lead, "东胜区教育局", "康巴什区教育局"])
    assert units["4"] == sorted([lead, "市财政局"])
    assert units["5"] == sorted([lead, *S.DISTRICTS])


def test_collective_of_leagues_expands_to_league_governments(demo_db, tmp_path):
    with demo_db.Session.begin() as s:
        s.add_all([Unit(name="乌海市人民政府", kind="other", sort_order=900),
                   Unit(name="阿拉善盟行政公署", kind="other", sort_order=901)])
    p = preview(demo_db, S.separators(tmp_path / "e.xlsx"))
    assert p.rows[3].warnings == ("“各盟行政公署、市人民政府”展开为 2 个单位",)
    assert "各盟行政公署、市人民政府" not in [u.name for u in p.unknown_units]


def test_category_and_parent_rows_become_categories(demo_db, tmp_path):
    p = preview(demo_db, S.category_rows(tmp_path / "f.xlsx"))
    assert [fields(r) for r in p.rows] == [
        ("1.1", "压减审批时限", "压减办理时限", "市司法局", ("东胜区",), (), "", D(2026, 6, 30), "",
         "", "", ""),
        ("1.2", "压减验收时限", "压减办理时限", "市自然资源局", ("康巴什区",), (), "",
         D(2026, 9, 30), "", "", "", ""),
        # no code: numbered automatically, past the 1.1.1 the file itself uses
        ("1.1.2", "推行帮办代办", "提升办事效率", "市商务局", ("东胜区",), (), "", D(2026, 12, 31),
         "", "", "", ""),
        ("1.1.1", "编号与自动编号相同的任务", "压减办理时限", "市财政局", (), (), "",
         D(2026, 12, 31), "", "", "", ""),
        ("2", "保障用地", "强化要素保障", "市自然资源局", ("达拉特旗",), (), "", D(2026, 12, 31), "",
         "", "", ""),
    ]
    assert p.error_count == 0
    assert [(r, c) for r, c, _ in p.category_rows] == [
        (2, "优化政务服务"), (3, "提升办事效率"), (4, "压减办理时限"), (9, "强化要素保障")]
    assert "子项的类别" in p.category_rows[2][2]


def test_merged_cells_carry_down_and_year_from_the_note(demo_db, tmp_path):
    p = preview(demo_db, S.merged_cells(tmp_path / "g.xlsx"))
    cat = "提升开办企业便利度"
    assert [fields(r) for r in p.rows] == [
        ("1.1", "推行一网通办", cat, "市市场监督管理局", (), (), "", D(2027, 12, 31), "", "", "", ""),
        ("1.2", "推行电子营业执照", cat, "市政务服务与数据管理局", (), (), "", D(2027, 6, 30), "", "",
         "", ""),
        ("1.3", "压减开办时间", cat, "市市场监督管理局", (), (), "", None, "每季度", "quarterly", "",
         ""),
        ("2", "推行非接触式办税", "优化纳税服务", "市税务局", (), (), "", D(2027, 6, 30), "", "", "",
         ""),
    ]
    assert columns(p)[1:3] == [("B", "重点任务", "category", "", 4), ("C", "具体举措", "measure", "", 4)]
    assert p.notes == ["未写年份的完成时限按 2027 年理解（取自说明“注：未标年份的均为2027年。”）。",
                       "有 1 个编号合并了多行，逐行编号（1 → 1.1—1.3）。"]
    assert p.skipped == [(7, "说明文字，已跳过：注：未标年份的均为2027年。")]


def test_year_from_the_title(demo_db, tmp_path):
    path = S.merged_cells(tmp_path / "g.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active.delete_rows(7)
    wb.save(path)
    p = preview(demo_db, path)
    assert [r.deadline for r in p.rows] == [D(2027, 12, 31), D(2027, 6, 30), None, D(2027, 6, 30)]
    assert p.notes[0] == "未写年份的完成时限按 2027 年理解（取自标题“2027年落实举措清单”）。"


def test_new_deadline_forms_and_recurrences(demo_db, dispatcher, tmp_path):
    path = S.deadlines(tmp_path / "h.xlsx")
    p = preview(demo_db, path)
    assert [(r.deadline, r.deadline_note, r.recurrence) for r in p.rows] == [
        (TODAY, "立行立改", ""), (D(2026, 12, 31), "", ""), (None, "每学期", "semester"),
        (None, "每月", "monthly"), (None, "每季度", "quarterly"), (None, "每半年", "half_yearly"),
        (None, "每年", "yearly"), (D(2026, 12, 31), "2026年每季度", "quarterly")]
    assert p.error_count == 0
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
        result = apply_import(s, dispatcher, p, today=TODAY)
    with demo_db.session() as s:
        stored = dict(s.execute(select(Task.code, Task.recurrence)
                                .where(Task.campaign_id == result.campaign_id)).all())
    assert stored == {"1": "", "2": "", "3": "semester", "4": "monthly", "5": "quarterly",
                      "6": "half_yearly", "7": "yearly", "8": "quarterly"}


def test_wps_saved_list(demo_db, tmp_path):
    p = preview(demo_db, S.wps_like(tmp_path / "i.xlsx"))
    assert [fields(r) for r in p.rows] == [
        ("1", "推进数据共享", "", "市政务服务与数据管理局", ("东胜区",), (), "", D(2026, 12, 31), "",
         "", "", ""),
        ("2", "完善信用体系", "", "市发展和改革委员会", ("康巴什区",), (), "", D(2026, 6, 30), "", "",
         "备注：试点", ""),
    ]


def test_json_preview_accounts_for_columns_and_rows(demo_db, tmp_path, capsys):
    path = S.two_row_header(tmp_path / "b.xlsx")
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项",
                 "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["column"], c["field"]) for c in out["columns_read"]][:3] == [
        ("A", "code"), ("B", "problem"), ("C", "problem")]
    assert out["columns_ignored"] == [{"column": "J", "header": "督导组",
                                       "reason": "列名未对应任何字段", "rows_with_data": 1}]
    assert out["sheet_warnings"] == ["第 J 列“督导组”有 1 行数据未导入：列名未对应任何字段。"]
    path = S.category_rows(tmp_path / "f.xlsx")
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项",
                 "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["row"] for r in out["category_rows"]] == [2, 3, 4, 9]
    assert out["rows"][0]["support_units"] == [] and out["rows"][0]["recurrence"] is None


@pytest.mark.parametrize("shape", sorted(S.SHAPES))
def test_realistic_long_list_in_each_shape_imports(demo_db, dispatcher, tmp_path, shape):
    path = S.SHAPES[shape](tmp_path / f"{shape}.xlsx", rows=66)
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, f"长清单{shape}", today=TODAY)
        assert p.error_count == 0, [r.errors for r in p.rows if r.errors][:3]
        expected = 66 - (6 if shape == "hidden_columns_rows" else 0)
        assert len(p.rows) == expected
        result = apply_import(s, dispatcher, p, {u.name: CREATE for u in p.unknown_units},
                              today=TODAY)
    assert result.tasks == expected
    print(f"{shape}: {result.tasks} tasks, {result.assignments} assignments, "
          f"{len(p.category_rows)} category rows, {len(p.skipped)} skipped, "
          f"{len(p.sheet_warnings)} column warnings, {len(result.units_created)} units created")


def test_realistic_combined_list_reads_every_field_of_every_row(demo_db, dispatcher, tmp_path):
    path, expected = S.combined_list(tmp_path / "双减.xlsx", 66)
    assert S.D_TODAY == TODAY
    p = preview(demo_db, path)
    assert p.error_count == 0
    assert [fields(r) for r in p.rows] == expected
    assert len(p.rows) == 66
    hidden_rows = [why for _, why in p.skipped if why.startswith("隐藏行")]
    assert len(hidden_rows) == len([c for _, c, _ in p.category_rows])  # one per part
    assert len(hidden_rows) == 6
    assert p.sheet_warnings == [
        "第 D 列“责任清单/原责任单位”有 66 行数据未导入：隐藏列（列名为“原责任单位”）。"]
    assert p.notes[2] == ("有 22 个编号合并了多行，逐行编号（1.1 → 1.1.1—1.1.3；1.2 → 1.2.1—1.2.3；"
                          "1.3 → 1.3.1—1.3.3等）。")
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "双减", today=TODAY)
        result = apply_import(s, dispatcher, p, today=TODAY)
    assert result.tasks == 66 and result.units_created == ()
    with demo_db.session() as s:
        supporting = s.scalar(select(func.count()).select_from(Assignment).join(Task).where(
            Task.campaign_id == result.campaign_id, Assignment.supporting.is_(True)))
    assert supporting == sum(1 for e in expected if e[5])


def test_a_responsibility_list_without_a_title_column_takes_its_measures(demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "反馈问题", "整改措施", "责任单位", "整改时限"])
    ws.append([1, "审批时限偏长", "压减审批时限", "市司法局", "立行立改"])
    ws.append([2, "收费不透明", "公开收费清单", "市财政局、东胜区", "每季度"])
    wb.save(tmp_path / "r.xlsx")
    p = preview(demo_db, tmp_path / "r.xlsx")
    assert [fields(r) for r in p.rows] == [
        ("1", "压减审批时限", "", "市司法局", (), (), "", TODAY, "立行立改", "", "反馈问题：审批时限偏长",
         ""),
        ("2", "公开收费清单", "", "市财政局", ("东胜区",), (), "", None, "每季度", "quarterly",
         "反馈问题：收费不透明", ""),
    ]
    assert "表中没有“任务名称”列：以“整改措施”列为任务名称。" in p.notes
    assert [c[2] for c in columns(p)] == ["code", "problem", "measure", "units", "deadline"]


def test_a_collective_phrase_is_mapped_to_several_units_never_created(demo_db, tmp_path, capsys):
    path = S.separators(tmp_path / "e.xlsx")
    args = ["import-tasks", str(path), "--db", demo_db.url, "--campaign", "集体称谓"]
    # --create-units makes the bracketed department, never a unit named after a group
    assert main([*args, "--create-units", "--map", "各旗县（市、区）教育局=各旗区"]) == 2
    err = capsys.readouterr().err
    assert "1 个未知单位" in err and "--map 名称=单位1、单位2" in err
    assert main([*args, "--create-units", "--map", "各旗县（市、区）教育局=各旗区",
                 "--map", "各盟行政公署、市人民政府=市财政局、市商务局"]) == 0
    capsys.readouterr()
    with demo_db.session() as s:
        def units(code):
            return sorted(s.scalars(select(Unit.name).join(Assignment).join(Task).join(
                Task.campaign).where(Task.code == code, Task.campaign.has(name="集体称谓"))))
        assert units("3") == sorted(["市发展和改革委员会", *S.DISTRICTS])
        assert units("4") == sorted(["市发展和改革委员会", "市财政局", "市商务局"])
        assert s.scalar(select(Unit.id).where(Unit.name == "各盟行政公署、市人民政府")) is None


def test_a_lead_cell_with_several_units_keeps_the_marked_one(demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    ws.append([1, "甲", "市财政局、市商务局（牵头）", "东胜区", "2026年12月31日"])
    ws.append([2, "乙", "市财政局、市商务局（配合）", None, "2026年12月31日"])
    wb.save(tmp_path / "l.xlsx")
    p = preview(demo_db, tmp_path / "l.xlsx")
    assert [(r.lead_unit, r.units, r.support_units, r.warnings) for r in p.rows] == [
        ("市商务局", ("市财政局", "东胜区"), (), ("牵头单位填了 2 个，以“市商务局”为牵头，其余列为责任单位",)),
        ("市财政局", (), ("市商务局",), ()),
    ]


def test_merged_category_deadline_and_lead_carry_down(demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["类别", "编号", "任务名称", "牵头单位", "完成时限"])
    ws.append(["政务服务", "1.1", "甲", "市司法局", "2026年6月30日"])
    ws.append([None, "1.2", "乙", None, None])
    ws.append([None, "1.3", "丙", "市财政局", None])
    ws.append(["要素保障", "2.1", "丁", "市商务局", "长期坚持"])
    for rng in ("A2:A4", "D2:D3", "E2:E4"):
        ws.merge_cells(rng)
    wb.save(tmp_path / "m.xlsx")
    p = preview(demo_db, tmp_path / "m.xlsx")
    assert [fields(r) for r in p.rows] == [
        ("1.1", "甲", "政务服务", "市司法局", (), (), "", D(2026, 6, 30), "", "", "", ""),
        ("1.2", "乙", "政务服务", "市司法局", (), (), "", D(2026, 6, 30), "", "", "", ""),
        ("1.3", "丙", "政务服务", "市财政局", (), (), "", D(2026, 6, 30), "", "", "", ""),
        ("2.1", "丁", "要素保障", "市商务局", (), (), "", None, "长期坚持", "", "", ""),
    ]
