"""The monthly ledger: values, fills, merges, print settings and charts read back."""
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from taskboard.core.board import load_board
from taskboard.core.models import Report, Task
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel.ledger import LEDGER_HEADERS, ledger_data
from taskboard.excel.ledger_writer import SHEETS, dump_bare, sheet_values, write_ledger
from tests.conftest import TODAY

NOV = Period(2026, 11)


@pytest.fixture
def ledger(demo_db, tmp_path):
    with demo_db.session() as s:
        data = ledger_data(s, 1, NOV, TODAY)
        board = load_board(s, 1, NOV, TODAY, load_calendar(s), load_settings(s))
    path = write_ledger(data, tmp_path / "台账.xlsx")
    return data, board, load_workbook(path), path


def test_sheets_title_and_header(ledger):
    data, board, wb, _ = ledger
    assert wb.sheetnames == list(SHEETS)
    ws = wb["台账"]
    assert ws["A1"].value == "鄂尔多斯市优化营商环境3.0行动方案月度工作台账（2026年11月）"
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    assert tuple(c.value for c in ws[3]) == LEDGER_HEADERS
    assert ws.max_row == 3 + len(board.rows)


def test_ledger_rows_match_the_board(ledger):
    data, board, wb, _ = ledger
    ws = wb["台账"]
    for i, r in enumerate(board.rows):
        row = [c.value for c in ws[4 + i]]
        assert row[0] == i + 1 and row[1] == r.code and row[2] == r.title
        assert row[4] == r.lead_unit and row[5] == r.units_text and row[6] == r.leader
        assert row[7] == r.deadline_text
        assert row[9] == pytest.approx(round(r.progress) / 100)
        assert row[10].startswith(r.light.word) and row[14] == r.urge_count
        fill = ws.cell(4 + i, 11).fill.fgColor.rgb
        assert fill.endswith({Light.GREEN: "1F9D55", Light.BLUE: "2B6CD4",
                              Light.RED: "D93636"}[r.light])
        assert ws.cell(4 + i, 10).number_format == "0%"


def test_report_texts_and_review_comments(demo_db, ledger):
    data, board, wb, _ = ledger
    ws = wb["台账"]
    with demo_db.session() as s:
        returned = s.execute(select(Report.assignment_id, Report.review_comment)
                             .where(Report.period == "2026-11", Report.status == "returned")).first()
    task = next(r for r in board.rows
                if any(a.assignment_id == returned[0] for a in board.assignments[r.task_id]))
    row = 4 + board.rows.index(task)
    assert "退回" in ws.cell(row, 12).value and returned[1] in ws.cell(row, 12).value


def test_print_setup(ledger):
    _, _, wb, _ = ledger
    for name in ("台账", "逐项通报", "未报送及超期"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$3:$3"
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert wb["台账"].freeze_panes == "D4"
    cell = wb["台账"]["C4"]
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"
    assert wb["台账"].row_dimensions[4].height >= 17


def test_matrix_progress_and_lights(ledger):
    data, board, wb, _ = ledger
    ws = wb["逐项通报"]
    districts = [c.value for c in ws[3]][3:]
    assert districts[:3] == ["东胜区", "康巴什区", "达拉特旗"] and len(districts) == 9
    r = board.rows[0]
    for a in board.assignments[r.task_id]:
        if a.unit_kind != "district":
            continue
        cell = ws.cell(4, 4 + districts.index(a.unit_name))
        assert cell.value == pytest.approx(a.progress / 100)
        assert cell.number_format.endswith({Light.GREEN: '绿"', Light.BLUE: '蓝"',
                                            Light.RED: '红"'}[a.light])


def test_urge_list_has_every_red_or_overdue_open_assignment(ledger):
    data, board, wb, _ = ledger
    expected = sum(1 for arows in board.assignments.values() for a in arows
                   if not a.closed and (a.light is Light.RED or a.due_state.name == "OVERDUE"))
    ws = wb["未报送及超期"]
    assert ws.max_row - 3 == expected > 0
    states = {ws.cell(r, 8).value for r in range(4, ws.max_row + 1)}
    assert states <= {"未报送", "已退回", "超期", "未报送、超期", "已退回、超期"}
    assert ws.cell(4, 4).value.startswith("0477-")  # phone of the unit, ready to call


def test_summary_kpis_and_ranking(ledger):
    data, board, wb, _ = ledger
    ws = wb["汇总"]
    values = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(5, 18)}
    counts = board.counts()
    assert values["任务总数"] == counts["tasks"]
    assert values["红灯（未报送）"] == counts["red"] and values["超期"] == counts["overdue"]
    ranks = [row for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(ranks) == 9 and ranks[0][0] == 1
    assert [r[2] for r in ranks] == sorted([r[2] for r in ranks], reverse=True)


def test_native_charts(ledger):
    _, _, wb, _ = ledger
    charts = wb["图表"]._charts
    assert len(charts) == 2
    bar, water = charts
    assert bar.grouping == "stacked" and len(bar.series) == 3
    assert [s.graphicalProperties.solidFill.srgbClr for s in bar.series] == \
        ["1F9D55", "2B6CD4", "D93636"]
    assert "水位图" in water.title.tx.rich.p[0].r[0].t


def test_formula_injection_comes_back_as_text(demo_db, tmp_path):
    with demo_db.Session.begin() as s:
        t = s.scalars(select(Task).order_by(Task.id)).first()
        t.title = '=HYPERLINK("http://evil.example","点我")'
        t.leader = "@SUM(1+1)"
        t.category = "-2+3"
    with demo_db.session() as s:
        path = write_ledger(ledger_data(s, 1, NOV, TODAY), tmp_path / "x.xlsx")
    ws = load_workbook(path)["台账"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[2].value.startswith("=HYPER"))
    for cell, text in ((row[2], t.title), (row[6], "@SUM(1+1)"), (row[3], "-2+3")):
        assert (cell.value, cell.data_type) == (text, "s") and cell.quotePrefix
    m = load_workbook(path)["逐项通报"]
    assert any(c.value == t.title and c.data_type == "s" for c in m["B"])


def test_filtered_ledger_keeps_only_the_given_rows(demo_db, tmp_path):
    with demo_db.session() as s:
        board = load_board(s, 1, NOV, TODAY, load_calendar(s), load_settings(s))
        red = [r for r in board.rows if r.light is Light.RED]
        data = ledger_data(s, 1, NOV, TODAY, board=board, rows=red)
    assert [row[1] for row in data.ledger] == [r.code for r in red]
    assert f"当前筛选的 {len(red)} 项任务" in data.scope
    assert dict(data.kpi_rows)["任务总数"] == len(red)


def test_bare_dump_holds_the_same_values(ledger, tmp_path):
    data, _, _, _ = ledger
    path = dump_bare(data, tmp_path / "bare.xlsx")
    wb = load_workbook(path)
    values = sheet_values(data)
    assert [c.value for c in wb["台账"][4]] == [v if v != "" else None for v in values["台账"][3]]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_ledger_converts_to_pdf(ledger, tmp_path):
    *_, path = ledger
    out = tmp_path / "pdf"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    str(path)], check=True, capture_output=True, timeout=180)
    pdf = out / "台账.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000


def test_bench_steps_compare_against_the_bare_dump(demo_db):
    from taskboard.excel.bench_ledger import measure

    steps = measure(demo_db, 1, NOV, TODAY, 1)
    first = steps[0]
    assert first["name"] == "monthly ledger export" and first["baseline_ms"] > 0
    assert first["ratio"] == pytest.approx(first["median_ms"] / first["baseline_ms"])
    assert "cells" in first["note"]
