"""export-ledger and import-tasks from the command line."""
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from taskboard.cli.main import main
from taskboard.core.models import Task, Unit
from tests.excel import workbooks as W


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""


def n_tasks(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task))


def test_export_ledger(demo_db, tmp_path, capsys):
    out = tmp_path / "台账.xlsx"
    assert main(["export-ledger", "--db", demo_db.url, "--period", "2026-11", "-o", str(out),
                 "--timing"]) == 0
    text = capsys.readouterr().out
    assert "已导出" in text and "比值" in text
    assert load_workbook(out)["台账"]["A1"].value.endswith("（2026年11月）")


def test_export_ledger_bad_period_is_a_usage_error(demo_db, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["export-ledger", "--db", demo_db.url, "--period", "2026-13",
              "-o", str(tmp_path / "x.xlsx")])
    assert info.value.code == 2 and "月份" in capsys.readouterr().err


def test_export_ledger_unknown_campaign(demo_db, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["export-ledger", "--db", demo_db.url, "--period", "2026-11",
                 "--campaign", "不存在", "-o", str(out)]) == 2
    assert "专项工作不存在" in capsys.readouterr().err and not out.exists()


def test_export_ledger_refuses_a_wrong_suffix(demo_db, tmp_path, capsys):
    assert main(["export-ledger", "--db", demo_db.url, "--period", "2026-11",
                 "-o", str(tmp_path / "x.xls")]) == 2
    assert ".xlsx" in capsys.readouterr().err


def test_import_dry_run_json(demo_db, tmp_path, capsys):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    before = n_tasks(demo_db)
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--campaign", "新专项",
                 "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] is False and report["errors"] == 0
    row = report["rows"][0]
    assert {k: row[k] for k in ("code", "title", "lead_unit", "units", "deadline")} == {
        "code": "1", "title": "推行企业开办“一网通办”", "lead_unit": "市市场监督管理局",
        "units": ["东胜区", "康巴什区"], "deadline": "2026-12-31"}
    assert report["rows"][5]["deadline"] is None and report["rows"][5]["deadline_note"] == "长期坚持"
    assert n_tasks(demo_db) == before


def test_import_with_errors_exits_2_and_writes_nothing(demo_db, tmp_path, capsys):
    path = W.problems_plan(tmp_path / "bad.xlsx")
    before = n_tasks(demo_db)
    assert main(["import-tasks", str(path), "--db", demo_db.url, "--create-units"]) == 2
    captured = capsys.readouterr()
    assert "错误：编号 1.2 与第 3 行重复" in captured.out and "未导入" in captured.err
    assert n_tasks(demo_db) == before


def test_import_with_map_and_create(demo_db, tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["序号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    wb.active.append([1, "新任务", "市发改委", "新设园区管委会", "2026年12月底前"])
    wb.save(tmp_path / "m.xlsx")
    assert main(["import-tasks", str(tmp_path / "m.xlsx"), "--db", demo_db.url,
                 "--campaign", "映射测试", "--map", "市发改委=市发展和改革委员会",
                 "--create-units"]) == 0
    assert "已导入任务 1 项" in capsys.readouterr().out
    with demo_db.session() as s:
        assert s.scalar(select(Unit.id).where(Unit.name == "新设园区管委会")) is not None
        assert s.scalar(select(Unit.id).where(Unit.name == "市发改委")) is None


def test_import_of_an_xls_is_a_clear_error(demo_db, tmp_path, capsys):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert main(["import-tasks", str(tmp_path / "old.xls"), "--db", demo_db.url]) == 2
    assert "另存为" in capsys.readouterr().err
