"""Task import fixes from the new-user review: the code column, sheets, unit names, deadlines."""
import datetime as dt
import json
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from taskboard.cli.main import main
from taskboard.core.models import Unit
from taskboard.excel.safety import ExcelInputError
from taskboard.excel.task_import import CREATE, apply_import, preview_import
from taskboard.excel.task_list_reader import read_task_list, split_units, unit_key
from tests.conftest import TODAY
from tests.excel import workbooks as W


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""


@pytest.mark.parametrize("code_first", [False, True])
def test_task_code_wins_over_serial_number_in_either_order(demo_db, tmp_path, code_first):
    path = W.numbered_plan(tmp_path / "n.xlsx", code_first=code_first)
    with demo_db.session() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
    assert p.columns["code"] == "任务编号"
    assert [r.code for r in p.rows] == ["1.1", "1.2", "1.3", "1.4", "1.2", "1.5"]
    assert p.rows[4].errors == ("编号 1.2 与第 4 行重复",)


def test_serial_number_is_the_fallback_when_no_code_column_exists(tmp_path):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    parsed = read_task_list(path, 2026)
    assert parsed.columns["code"] == "序号"
    assert [t.code for t in parsed.tasks][:3] == ["1", "2", "3"]


def test_our_own_ledger_imports_by_task_code(demo_db, tmp_path, capsys):
    ledger = tmp_path / "台账.xlsx"
    assert main(["export-ledger", "--db", demo_db.url, "--period", "2026-11",
                 "-o", str(ledger)]) == 0
    capsys.readouterr()
    with demo_db.session() as s:
        from taskboard.core.models import Task
        codes = sorted(s.scalars(select(Task.code).where(Task.deleted.is_(False))),
                       key=lambda c: [int(p) for p in c.split(".")])
    main(["import-tasks", str(ledger), "--db", demo_db.url, "--campaign", "台账回读",
          "--dry-run", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["sheet"] == "台账" and report["columns"]["code"] == "任务编号"
    assert [r["code"] for r in report["rows"]] == codes
    assert not [e for r in report["rows"] for e in r["errors"] if "重复" in e]
    assert report["errors"] == 0


def test_missing_sheet_names_the_sheets_that_exist(tmp_path):
    path = W.numbered_plan(tmp_path / "n.xlsx")
    with pytest.raises(ExcelInputError) as info:
        read_task_list(path, 2026, sheet="不存在")
    assert str(info.value) == "n.xlsx 中没有名为「不存在」的工作表。现有工作表：「任务清单」「说明」。"
    assert read_task_list(path, 2026, sheet="任务清单").sheet == "任务清单"


def test_missing_sheet_on_the_command_line_exits_2(demo_db, tmp_path, capsys):
    path = W.numbered_plan(tmp_path / "n.xlsx")
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--sheet", "不存在",
                 "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "没有名为「不存在」的工作表" in err and "「任务清单」「说明」" in err
    assert "Traceback" not in err and "KeyError" not in err


def test_unit_names_keep_their_brackets_as_written():
    assert split_units("市信用办（虚构）、东胜区") == (["市信用办（虚构）", "东胜区"], None)
    assert split_units("市信用办（虚构）（牵头）　东胜区") == (["市信用办（虚构）", "东胜区"],
                                                     "市信用办（虚构）")
    # the same unit written once with each kind of bracket is one unit
    assert split_units("市信用办（虚构）、市信用办(虚构)") == (["市信用办（虚构）"], None)
    assert split_units("各旗县（市、区）") == (["各旗区"], None)
    assert unit_key("市信用办（虚构）") == unit_key("市信用办(虚构)") == unit_key(" 市信用办 (虚构)")


def _credit_plan(path):
    wb = Workbook()
    wb.active.append(["任务编号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    wb.active.append(["9.1", "推进信用修复", "市信用办（虚构）", "东胜区", "2027年3月31日"])
    wb.active.append(["9.2", "信用承诺", "市信用办(虚构)", "康巴什区", "2027年3月31日"])
    wb.save(path)
    return path


def test_unknown_unit_written_with_full_width_brackets_is_one_unit(demo_db, dispatcher, tmp_path):
    path = _credit_plan(tmp_path / "c.xlsx")
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "信用", today=TODAY)
        assert [(u.name, u.rows) for u in p.unknown_units] == [("市信用办（虚构）", (2, 3))]
        # a mapping typed with half-width brackets settles the name written with full-width ones
        assert p.unresolved({"市信用办(虚构)": CREATE}) == []
        result = apply_import(s, dispatcher, p, {"市信用办(虚构)": CREATE}, today=TODAY)
    assert result.units_created == ("市信用办（虚构）",)
    with demo_db.session() as s:
        assert s.scalar(select(Unit.name).where(Unit.name.like("市信用办%"))) == "市信用办（虚构）"


@pytest.mark.parametrize("typed", ["市信用办（虚构）=东胜区", "市信用办(虚构)=东胜区",
                                   "市信用办（虚构）= 东胜区 "])
def test_map_option_matches_the_name_as_copied_from_the_file(demo_db, tmp_path, capsys, typed):
    path = _credit_plan(tmp_path / "c.xlsx")
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "信用",
                 "--map", typed]) == 0
    assert "已导入任务 2 项" in capsys.readouterr().out
    with demo_db.session() as s:
        assert s.scalar(select(Unit.id).where(Unit.name.like("市信用办%"))) is None


def test_create_units_uses_the_name_as_written(demo_db, tmp_path, capsys):
    path = _credit_plan(tmp_path / "c.xlsx")
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "信用",
                 "--create-units"]) == 0
    assert "新建单位：市信用办（虚构）" in capsys.readouterr().out
    with demo_db.session() as s:
        assert s.scalars(select(Unit.name).where(Unit.name.like("市信用办%"))).all() == [
            "市信用办（虚构）"]


def test_past_deadlines_are_warned_about(demo_db, tmp_path, capsys):
    path = W.numbered_plan(tmp_path / "n.xlsx")
    with demo_db.session() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
    by_code = {r.code: r for r in p.rows}
    assert by_code["1.3"].deadline == dt.date(2026, 6, 30)
    assert "完成时限 2026-06-30 已过" in by_code["1.3"].warnings
    assert not any("已过" in w for w in by_code["1.1"].warnings)  # 2026-12-31 is still ahead
    assert not any("已过" in w for w in by_code["1.4"].warnings)
    main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项", "--dry-run",
          "--today", TODAY.isoformat()])
    assert "提示：完成时限 2026-06-30 已过" in capsys.readouterr().out
    main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项", "--dry-run",
          "--json", "--today", TODAY.isoformat()])
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert "完成时限 2026-06-30 已过" in rows["1.3"]["warnings"]


def test_unreadable_deadline_is_marked_as_such(demo_db, tmp_path, capsys):
    path = W.numbered_plan(tmp_path / "n.xlsx")
    with demo_db.session() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
    bad = {r.code: r for r in p.rows}["1.5"]
    assert bad.deadline is None and bad.deadline_unreadable
    assert bad.errors == ("无法识别的完成时限：2026年13月底前（日期无效或格式不明）",)
    assert not {r.code: r for r in p.rows}["1.2"].deadline_unreadable  # 长期坚持 is read
    main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项", "--dry-run",
          "--json"])
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["1.5"]["deadline_unreadable"] is True
    main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项", "--dry-run"])
    assert "时限：无法识别" in capsys.readouterr().out


def test_excel_subcommand_options_have_chinese_help(capsys):
    for command in ("export-ledger", "import-tasks", "export-report-forms",
                    "import-report-forms"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        for english in ("campaign id", "worksheet", "check and report", "print the report",
                        "create unknown", "map a unit", "refuse forms", "act as this user",
                        "the .xlsx", "folder for", "also time"):
            assert english not in text, (command, english)
        assert not re.search(r" {2}YYYY-MM\n", text)  # a bare format is not a help text
        assert "专项工作" in text or "报送表" in text
        if command != "import-tasks":
            assert "月份，格式 YYYY-MM" in text
        else:
            assert "工作表名称" in text and "清单中的单位名称" in text
