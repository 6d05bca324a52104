"""export-report-forms and import-report-forms from the command line."""
import json

import pytest
from sqlalchemy import func, select

from taskboard.cli.main import main
from taskboard.core.models import Report
from taskboard.excel.report_forms import FIRST_ROW
from tests.excel.test_report_forms import GOOD, fill


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

TODAY = ["--today", "2026-11-23"]


def reports(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Report))


def test_export_then_import_round_trip(demo_db, tmp_path, capsys):
    out = tmp_path / "forms"
    assert main(["export-report-forms", "--db", demo_db.url, "--period", "2026-11",
                 "--unit", "东胜区,2", "-o", str(out), *TODAY]) == 0
    text = capsys.readouterr().out
    assert "东胜区：任务 20 项" in text and "已导出2026年11月单位报送表 2 份" in text
    fill(out / "东胜区_2026-11.xlsx", {FIRST_ROW: GOOD})
    before = reports(demo_db)

    assert main(["import-report-forms", str(out), "--db", demo_db.url, "--dry-run", "--json",
                 *TODAY]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and report["imported"] == 0
    files = {f["file"]: f for f in report["files"]}
    assert files["康巴什区_2026-11.xlsx"]["status"] == "空表"
    [row] = files["东胜区_2026-11.xlsx"]["rows"]
    assert (row["row"], row["progress"], row["text"], row["state"]) == (
        FIRST_ROW, 60, GOOD["I"], "new")
    assert reports(demo_db) == before

    assert main(["import-report-forms", str(out), "--db", demo_db.url, "--period", "2026-11",
                 *TODAY]) == 0
    text = capsys.readouterr().out
    assert "东胜区_2026-11.xlsx · 东胜区 · 2026年11月：可导入" in text
    assert "已导入：新报送 1 条" in text and reports(demo_db) == before + 1

    assert main(["import-report-forms", str(out / "东胜区_2026-11.xlsx"), "--db", demo_db.url,
                 *TODAY]) == 0
    assert "已导入过" in capsys.readouterr().out and reports(demo_db) == before + 1


def test_refused_form_exits_2_naming_file_sheet_row_and_column(demo_db, tmp_path, capsys):
    out = tmp_path / "forms"
    assert main(["export-report-forms", "--db", demo_db.url, "--period", "2026-11",
                 "--unit", "1", "-o", str(out), *TODAY]) == 0
    fill(out / "东胜区_2026-11.xlsx", {FIRST_ROW: dict(GOOD, J=120)})
    capsys.readouterr()
    before = reports(demo_db)
    assert main(["import-report-forms", str(out), "--db", demo_db.url, *TODAY]) == 2
    captured = capsys.readouterr()
    assert (f"拒绝：东胜区_2026-11.xlsx · 报送表 · 第{FIRST_ROW}行 · J列：完成进度应为 0–100，收到 120"
            in captured.out)
    assert "1 个文件被拒绝" in captured.err and reports(demo_db) == before


def test_reporter_and_bad_arguments(demo_db, tmp_path, capsys):
    out = tmp_path / "forms"
    assert main(["export-report-forms", "--db", demo_db.url, "--period", "2026-11",
                 "--unit", "康巴什区", "-o", str(out), *TODAY]) == 0
    fill(out / "康巴什区_2026-11.xlsx", {FIRST_ROW: GOOD})
    capsys.readouterr()
    assert main(["import-report-forms", str(out), "--db", demo_db.url, "--user", "unit001",
                 *TODAY]) == 2
    assert "报送员只能导入本单位的报送表（此表属于康巴什区）" in capsys.readouterr().out
    assert main(["export-report-forms", "--db", demo_db.url, "--period", "2026-11",
                 "--user", "unit001", "-o", str(out), *TODAY]) == 2
    assert "没有“导出”的权限" in capsys.readouterr().err
    assert main(["export-report-forms", "--db", demo_db.url, "--period", "2026-11",
                 "--unit", "不存在的单位", "-o", str(out), *TODAY]) == 2
    assert "单位不存在：不存在的单位" in capsys.readouterr().err
    assert main(["import-report-forms", str(tmp_path / "empty"), "--db", demo_db.url]) == 2
    assert "文件不存在" in capsys.readouterr().out
