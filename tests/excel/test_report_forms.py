"""Unit report forms (报送表): export, fill like a unit does, import, and every refusal."""
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from taskboard.core.actor import load_actor
from taskboard.core.errors import PermissionDenied, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Report, Task
from taskboard.core.periods import Period
from taskboard.core.services.closeout import close_assignment
from taskboard.excel.report_form_import import (
    ALREADY, NEW, REVISE, apply_forms, preview_forms,
)
from taskboard.excel.report_forms import (
    FIRST_ROW, FORM_SHEET, STAMP_SHEET, export_report_forms, form_units,
)
from taskboard.excel.safety import set_text
from tests.conftest import TODAY

NOV, OCT = Period(2026, 11), Period(2026, 10)
DONGSHENG = 1  # demo unit 1, reporter unit001


def actor(db, username="dispatcher"):
    with db.session() as s:
        return load_actor(s, username)


def export(db, folder, units=(DONGSHENG,), period=NOV, who="dispatcher"):
    folder.mkdir(exist_ok=True)
    with db.session() as s:
        return export_report_forms(s, actor(db, who), 1, period, folder, unit_ids=units,
                                   today=TODAY)


def fill(path, rows):
    """Type into the white cells as a unit would: {row: {"J": 60, "I": "...", ...}}.

    Text is stored as text even when it starts with "=", as Excel does after a leading '.
    """
    wb = load_workbook(path)
    ws = wb[FORM_SHEET]
    for row, cells in rows.items():
        for col, value in cells.items():
            if isinstance(value, str):
                set_text(ws[f"{col}{row}"], value)
            else:
                ws[f"{col}{row}"] = value
    wb.save(path)
    return path


def preview(db, paths, who="dispatcher", **kw):
    with db.session() as s:
        return preview_forms(s, actor(db, who), [Path(p) for p in paths], today=TODAY, **kw)


def apply(db, p, who="dispatcher"):
    with db.Session.begin() as s:
        return apply_forms(s, actor(db, who), p, today=TODAY)


def reports(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Report))


def open_ids(db, unit_id):
    with db.session() as s:
        return list(s.scalars(
            select(Assignment.id).join(Task).where(
                Assignment.unit_id == unit_id, Assignment.closed_on.is_(None),
                Assignment.archived.is_(False), Task.closed_on.is_(None),
                Task.deleted.is_(False), Task.campaign_id == 1)
            .order_by(Task.sort_key)))


GOOD = {"H": "推进中", "I": "完成系统联调，上线试运行", "J": 60, "K": "部分数据尚未共享",
        "L": "下月全面推广"}


def test_export_reads_back_locked_validated_and_stamped(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    assert form.path.name == "东胜区_2026-11.xlsx"
    wb = load_workbook(form.path)
    assert wb.sheetnames == [FORM_SHEET, STAMP_SHEET] and wb.security.lockStructure
    ws = wb[FORM_SHEET]
    assert ws.protection.sheet and ws.protection.password and not ws.protection.formatRows
    assert "报送单位：东胜区" in ws["A2"].value and "2026年11月（2026-11）" in ws["A2"].value
    ids = open_ids(demo_db, DONGSHENG)
    last = FIRST_ROW + len(ids) - 1
    assert form.rows == len(ids) == 20
    assert [ws.cell(r, 2).value for r in range(FIRST_ROW, last + 1)] == ids
    assert ws.cell(last + 1, 2).value is None
    # identity and information cells locked, the five answer cells open
    assert [ws.cell(FIRST_ROW, c).protection.locked for c in range(1, 13)] == [True] * 7 + [False] * 5
    dvs = {dv.type: dv for dv in ws.data_validations.dataValidation}
    pct, choice = dvs["whole"], dvs["list"]
    assert (pct.operator, pct.formula1, pct.formula2) == ("between", "0", "100")
    assert str(pct.sqref) == f"J{FIRST_ROW}:J{last}" and pct.showErrorMessage
    assert choice.formula1 == '"推进中,已完成"' and str(choice.sqref) == f"H{FIRST_ROW}:H{last}"
    assert ws.freeze_panes == f"E{FIRST_ROW}" and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${FIRST_ROW - 1}:${FIRST_ROW - 1}"
    stamp = wb[STAMP_SHEET]
    assert stamp.sheet_state == "veryHidden"
    values = {r[0]: r[1] for r in stamp.iter_rows(values_only=True)}
    assert values["unit_id"] == DONGSHENG and values["period"] == "2026-11"
    assert values["campaign_id"] == 1 and len(values["digest"]) == 64


def test_export_choices_and_refusals(demo_db, tmp_path):
    with demo_db.session() as s:
        units = form_units(s, 1, NOV)
    assert units[0] == (1, "东胜区", 20) and all(n > 0 for _, _, n in units)
    out = export(demo_db, tmp_path / "all", units=None)
    assert len(out) == len(units) and len(list((tmp_path / "all").iterdir())) == len(units)
    with pytest.raises(PermissionDenied):
        export(demo_db, tmp_path / "r", who="unit001")
    with pytest.raises(ValidationError, match="尚未开始"):
        export(demo_db, tmp_path / "f", period=Period(2026, 12))
    with pytest.raises(ValidationError, match="文件夹不存在"):
        with demo_db.session() as s:
            export_report_forms(s, actor(demo_db), 1, NOV, tmp_path / "nope", today=TODAY)


def test_filled_form_creates_pending_reports(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    ids = open_ids(demo_db, DONGSHENG)
    fill(form.path, {FIRST_ROW: GOOD, FIRST_ROW + 2: {"H": "已完成", "I": "已全部完成"},
                     FIRST_ROW + 3: {"I": "=不是公式", "J": "45%"}})
    p = preview(demo_db, [form.path], period=NOV)
    [f] = p.files
    assert f.status == "可导入" and not f.errors
    got = {e.row: (e.assignment_id, e.progress, e.text, e.problems, e.next_steps)
           for e in f.entries}
    assert got == {
        FIRST_ROW: (ids[0], 60, "完成系统联调，上线试运行", "部分数据尚未共享", "下月全面推广"),
        FIRST_ROW + 2: (ids[2], 100, "已全部完成", "", ""),
        FIRST_ROW + 3: (ids[3], 45, "=不是公式", "", "")}
    before = reports(demo_db)
    result = apply(demo_db, p)
    assert result.created + result.revised == 3 and result.files == 1
    with demo_db.session() as s:
        r = s.scalars(select(Report).where(Report.assignment_id == ids[0], Report.period == "2026-11")
                      .order_by(Report.id.desc())).first()
        assert (r.status, r.progress, r.text, r.on_behalf) == ("pending", 60, GOOD["I"], True)
        assert r.source == f"form:{f.sha256}:{ids[0]}"
        assert s.get(Assignment, ids[2]).progress == 100
        assert s.scalar(select(AuditEvent.summary).where(AuditEvent.action == "reports.import")) \
            == "导入东胜区2026年11月报送表 东胜区_2026-11.xlsx：报送 3 条"
    revised = sum(e.state == REVISE for e in f.entries)
    assert reports(demo_db) == before + 3 - revised


def test_second_import_of_the_same_file_does_not_duplicate(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: GOOD})
    apply(demo_db, preview(demo_db, [form.path]))
    n = reports(demo_db)
    again = preview(demo_db, [form.path, tmp_path / "out"])  # the file and its folder: once
    [f] = again.files
    assert f.status == "已导入过" and [e.state for e in f.entries] == [ALREADY]
    assert "此前已导入过" in f.notes[0]
    assert apply(demo_db, again).created == 0 and reports(demo_db) == n


def test_reporter_imports_own_form_but_not_another_units(demo_db, tmp_path):
    forms = export(demo_db, tmp_path / "out", units=(1, 2))
    for form in forms:
        fill(form.path, {FIRST_ROW: GOOD})
    own, other = forms
    p = preview(demo_db, [own.path, other.path], who="unit001")
    ok, refused = p.files
    assert ok.status == "可导入" and refused.status == "拒绝"
    assert [str(e) for e in refused.errors] == [
        "康巴什区_2026-11.xlsx · 报送表 · 第2行 · A列：报送员只能导入本单位的报送表（此表属于康巴什区）"]
    before = reports(demo_db)
    assert apply(demo_db, p, who="unit001").created == 1
    assert apply(demo_db, p, who="unit001").skipped == 1  # the same preview confirmed twice
    assert reports(demo_db) == before + 1
    with demo_db.session() as s:
        r = s.scalars(select(Report).order_by(Report.id.desc())).first()
        assert r.on_behalf is False and r.submitted_by_id == 11


def test_wrong_unit_and_wrong_period_are_refused(demo_db, tmp_path):
    [oct_form] = export(demo_db, tmp_path / "oct", period=OCT)
    fill(oct_form.path, {FIRST_ROW: GOOD})
    [f] = preview(demo_db, [oct_form.path], period=NOV).files
    assert [str(e) for e in f.errors] == [
        "东胜区_2026-10.xlsx · 报送表 · 第2行 · A列：这是2026年10月的报送表，本次导入的是2026年11月"]
    [f] = preview(demo_db, [oct_form.path], unit_id=2).files
    assert f.errors[0].message == "这是东胜区的报送表，本次导入的是康巴什区的"
    # Without an expected period, a past month's form is a late report (补报).
    p = preview(demo_db, [oct_form.path])
    assert p.files[0].status == "可导入"
    apply(demo_db, p)
    with demo_db.session() as s:
        r = s.scalars(select(Report).order_by(Report.id.desc())).first()
        assert (r.period, r.late) == ("2026-10", True)


@pytest.mark.parametrize("cell, value, where, message", [
    ("J", 120, "J列", "完成进度应为 0–100，收到 120"),
    ("J", "过半", "J列", "完成进度应为 0–100 的整数，收到文字“过半”"),
    ("J", 60.5, "J列", "完成进度应为 0–100 的整数，收到“60.5”"),
    ("H", "基本完成", "H列", "完成情况应从下拉列表选择（推进中、已完成），收到“基本完成”"),
    ("H", "已完成", "H列", "选了“已完成”，完成进度应为 100，收到 60"),
    ("I", None, "I列", "请填写本月进展"),
    ("K", "#NAME?", "K列", "单元格显示 #NAME?：内容被 Excel 当成了公式。"
                          "以 = + - @ 开头的文字请在前面加单引号 ' 后重新填写"),
])
def test_bad_cells_refuse_the_whole_file(demo_db, tmp_path, cell, value, where, message):
    [form] = export(demo_db, tmp_path / "out")
    bad = dict(GOOD, **{cell: value})
    fill(form.path, {FIRST_ROW: GOOD, FIRST_ROW + 1: bad})
    p = preview(demo_db, [form.path])
    [f] = p.files
    assert f.status == "拒绝" and f.to_write == []
    assert [str(e) for e in f.errors] == [
        f"东胜区_2026-11.xlsx · 报送表 · 第{FIRST_ROW + 1}行 · {where}：{message}"]
    before = reports(demo_db)
    assert apply(demo_db, p).created == 0 and reports(demo_db) == before


def test_missing_percent_is_asked_for(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: dict(GOOD, J=None)})
    [f] = preview(demo_db, [form.path]).files
    assert f.errors[0].column == 10 and "请填写完成进度" in f.errors[0].message


def test_edited_locked_cells_are_refused(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    ids = open_ids(demo_db, DONGSHENG)
    fill(form.path, {FIRST_ROW: dict(GOOD, D="改过的任务名称"), FIRST_ROW + 1: {"B": ids[5]},
                     2: {"A": "报送单位：康巴什区"}})
    [f] = preview(demo_db, [form.path]).files
    where = [(e.row, e.column) for e in f.errors]
    assert where == [(2, 1), (FIRST_ROW, 4), (FIRST_ROW + 1, 2)]
    assert "锁定的“任务名称”被修改" in f.errors[1].message
    assert f"锁定的“系统编号”被修改（应为“{ids[1]}”）" == f.errors[2].message


def test_tampered_stamp_and_foreign_workbooks(demo_db, tmp_path):
    from openpyxl import Workbook

    [form] = export(demo_db, tmp_path / "out")
    wb = load_workbook(form.path)
    st = wb[STAMP_SHEET]
    for row in st.iter_rows():
        if row[0].value == "unit_id":
            row[1].value = 2  # claim the form is another unit's
    wb.save(form.path)
    plain = tmp_path / "out" / "随便一个表.xlsx"
    Workbook().save(plain)
    (tmp_path / "out" / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    p = preview(demo_db, [tmp_path / "out", tmp_path / "out" / "旧格式.xls"])
    texts = {f.file_name: str(f.errors[0]) for f in p.files}
    assert texts["东胜区_2026-11.xlsx"].startswith("东胜区_2026-11.xlsx · 校验信息：校验信息已损坏或被修改")
    assert texts["随便一个表.xlsx"] == ("随便一个表.xlsx：不是本系统导出的单位报送表（缺少校验信息）。"
                                       "请使用“单位报送表”导出的文件填写后再导入。")
    assert "旧版" in texts["旧格式.xls"]


def test_empty_form_says_so(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    p = preview(demo_db, [form.path])
    [f] = p.files
    assert f.status == "空表" and f.entries == [] and "未填写任何任务" in f.notes[0]
    assert p.summary() == "共 1 个文件，可导入 0 个（报送 0 条），空表 1 个。"
    assert apply(demo_db, p).files == 0


def test_added_rows_and_closed_assignments(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    ids = open_ids(demo_db, DONGSHENG)
    end = FIRST_ROW + len(ids)
    fill(form.path, {end + 1: {"C": "9.9", "I": "自己加的任务", "J": 50}})
    [f] = preview(demo_db, [form.path]).files
    assert (f.errors[0].row, f.errors[0].column) == (end + 1, None)
    assert "末尾多出的内容" in str(f.errors[0])

    # Closed out after the form went out: a filled row is refused, an empty one ignored.
    fill(form.path, {end + 1: {"C": None, "I": None, "J": None}, FIRST_ROW: GOOD})
    with demo_db.Session.begin() as s:
        for aid in ids[:2]:
            close_assignment(s, actor(demo_db), aid, "协调解决", TODAY, today=TODAY)
    [f] = preview(demo_db, [form.path]).files
    assert [(e.row, e.column) for e in f.errors] == [(FIRST_ROW, 9)]
    assert "已办结销号" in f.errors[0].message


def test_resaved_copy_with_the_same_answers_is_not_reported_again(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: GOOD, FIRST_ROW + 1: dict(GOOD, J=30)})
    apply(demo_db, preview(demo_db, [form.path]))
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(form.path, copy)
    fill(copy, {FIRST_ROW + 1: dict(GOOD, J=35)})  # new bytes, one answer changed
    [f] = preview(demo_db, [copy]).files
    assert [(e.row, e.state) for e in f.entries] == [(FIRST_ROW, "same"),
                                                      (FIRST_ROW + 1, REVISE)]
    n = reports(demo_db)
    assert apply(demo_db, preview(demo_db, [copy])).revised == 1 and reports(demo_db) == n


def test_two_files_reporting_the_same_task_in_one_batch(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "a")
    fill(form.path, {FIRST_ROW: GOOD})
    other = tmp_path / "东胜区（修改稿）.xlsx"
    shutil.copyfile(form.path, other)
    fill(other, {FIRST_ROW: dict(GOOD, J=70)})
    first, second = preview(demo_db, [form.path, other]).files
    assert first.status == "可导入" and second.status == "拒绝"
    assert "已由本次导入的 东胜区_2026-11.xlsx 报送" in str(second.errors[0])


@pytest.mark.sqlite_only
def test_form_saved_by_libreoffice_still_imports(demo_db, tmp_path, soffice):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: GOOD})
    lo = tmp_path / "lo"
    soffice(form.path, lo, "xlsx:Calc MS Excel 2007 XML")
    saved = lo / form.path.name
    assert load_workbook(saved)[FORM_SHEET].protection.sheet
    [f] = preview(demo_db, [saved], period=NOV).files
    assert f.status == "可导入" and [(e.row, e.progress, e.state) for e in f.entries] == [
        (FIRST_ROW, 60, NEW)]
