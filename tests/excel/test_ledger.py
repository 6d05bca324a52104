"""The monthly ledger: values, fills, merges, print settings and charts read back."""
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from sqlalchemy import select

from taskboard.core.board import load_board
from taskboard.core.models import Report, Task
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel.ledger import LEDGER_HEADERS, ledger_data
from taskboard.excel.ledger_writer import (
    SHEETS, dump_bare, dump_bare_xlsxwriter, sheet_values, write_ledger,
)
from tests.conftest import TODAY
from tests.pdf_pages import read_pages, visible_text

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


def _setup(ws, name: str):
    """A page-setup attribute as a spreadsheet reads it: an attribute the file leaves out
    takes the default of ECMA-376's CT_PageSetup (fitToWidth 1, fitToHeight 1, scale 100)."""
    value = getattr(ws.page_setup, name)
    return {"fitToWidth": 1, "fitToHeight": 1, "scale": 100}[name] if value is None else value


def _widths(ws) -> dict[int, float]:
    """Each column's width by its 1-based number: one <col> element may cover several
    neighbouring columns of the same width."""
    out = {}
    for letter, dim in ws.column_dimensions.items():
        if dim.customWidth or dim.width:
            first = dim.min or column_index_from_string(letter)
            for c in range(first, (dim.max or first) + 1):
                out[c] = dim.width
    return out


def _fit_to_page(ws) -> bool:
    pr = ws.sheet_properties.pageSetUpPr
    return bool(pr is not None and pr.fitToPage)


def test_print_setup(ledger):
    _, _, wb, _ = ledger
    for name in SHEETS:  # A4 横向 for every sheet, as the export dialog says
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    for name in ("台账", "逐项通报", "未报送及超期"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert _setup(ws, "fitToWidth") == 1 and _setup(ws, "fitToHeight") == 0
        assert _fit_to_page(ws) is True
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


@pytest.mark.parametrize("streamed", [True, False])
def test_xlsxwriter_dumps_hold_the_same_values(ledger, tmp_path, streamed):
    data, _, _, _ = ledger
    path = dump_bare_xlsxwriter(data, tmp_path / "xw.xlsx", constant_memory=streamed)
    wb = load_workbook(path)
    for name, rows in sheet_values(data).items():
        got = [[c.value for c in row] for row in wb[name].iter_rows()]
        want = [[v if v != "" else None for v in r] for r in rows]
        # xlsxwriter writes numbers to 16 significant digits, openpyxl to 17.
        assert [g[:len(w)] for g, w in zip(got, want)] == \
            [[pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for v in w]
             for w in want], name


def test_a_title_that_reads_like_a_formula_stays_text(ledger, tmp_path):
    data, *_ = ledger
    path = write_ledger(replace(data, campaign_name="=1+1 行动"), tmp_path / "f.xlsx")
    for name in ("台账", "逐项通报"):
        cell = load_workbook(path)[name]["A1"]
        assert cell.data_type == "s" and cell.value.startswith("=1+1 行动") and cell.quotePrefix


def _naive_lines(text: str, width: float) -> int:
    """Greedy wrap, character by character: 1.8 units per CJK character, 1 per Latin one."""
    room = width - 0.5
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for ch in part:
            w = 1.8 if ord(ch) > 0x2E80 else 0.99
            if used + w > room + 1e-9 and used:
                lines, used = lines + 1, 0.0
            used += w
    return lines


def test_row_heights_fit_the_wrapped_text(ledger):
    data, _, wb, _ = ledger
    ws = wb["台账"]
    widths = [_widths(ws)[c] for c in range(1, 17)]
    # The header row: every header's lines at 15 pt.
    head = max(_naive_lines(h, w) for h, w in zip(LEDGER_HEADERS, widths))
    assert ws.row_dimensions[3].height >= 15 * head + 4
    longest = max(range(len(data.ledger)), key=lambda i: len(data.ledger[i][8] or ""))
    row = data.ledger[longest]
    lines = max(_naive_lines(v, w) for v, w in zip(row, widths) if isinstance(v, str) and v)
    assert lines >= 5  # the demo's longest 本月进展 wraps
    assert ws.row_dimensions[4 + longest].height >= 15 * lines + 4
    for i, values in enumerate(data.ledger):
        need = max([_naive_lines(v, w) for v, w in zip(values, widths)
                    if isinstance(v, str) and v] or [1])
        assert ws.row_dimensions[4 + i].height >= 15 * need + 4, values[1]


def test_summary_rule_note_is_tall_enough_and_the_heading_has_its_own_row(ledger):
    data, _, wb, _ = ledger
    ws = wb["汇总"]
    [rule_row] = [c.row for c in ws["A"] if c.value == data.ranking_rule]
    total = sum(_widths(ws)[c] for c in range(1, 11))
    assert ws.row_dimensions[rule_row].height >= 15 * _naive_lines(data.ranking_rule, total) + 4
    [heading] = [c for c in ws["A"] if str(c.value).startswith("二、旗区排名")]
    assert heading.border.bottom.style is None and heading.font.sz <= 12
    assert ws.row_dimensions[heading.row].height >= 24


def test_wide_matrix_prints_across_pages_at_full_size(ledger, tmp_path):
    data, *_ = ledger
    many = [f"单位{i}" for i in range(30)]
    wide = replace(data, matrix_units=many,
                   matrix=[(*m[:3], *([0.5] * 30)) for m in data.matrix],
                   matrix_lights=[(ls[0], *([Light.GREEN] * 30)) for ls in data.matrix_lights])
    ws = load_workbook(write_ledger(wide, tmp_path / "wide.xlsx"))["逐项通报"]
    assert _setup(ws, "scale") == 100 and not _fit_to_page(ws)
    assert ws.print_title_cols == "$A:$B"
    # The title stays on the first page's columns (about 140 units at 100 %), not centred
    # over all the pages.
    [title] = [r for r in ws.merged_cells.ranges if r.min_row == 1]
    spanned = sum(_widths(ws)[c] for c in range(1, title.max_col + 1))
    assert 100 < spanned <= 140


def test_charts_label_every_unit_and_mark_time_progress(ledger):
    _, _, wb, _ = ledger
    bar, water = wb["图表"]._charts
    assert bar.x_axis.tickLblSkip == 1
    [bars, marks] = water._charts
    [mark] = marks.series
    assert mark.graphicalProperties.line.noFill and mark.marker.symbol == "dash"
    assert not mark.smooth


def test_many_units_get_several_charts_each_naming_all_of_its_units(ledger, tmp_path):
    data, *_ = ledger
    units = [(f"单位{i:02d}", i % 5, 1, 2) for i in range(60)]
    water = [(f"旗区{i:02d}", 0.5, 0.6) for i in range(30)]
    ws = load_workbook(write_ledger(replace(data, unit_lights=units, water=water),
                                    tmp_path / "many.xlsx"))["图表"]
    charts = ws._charts
    assert len(charts) == 3 + 2  # 25 + 25 + 10 units, 20 + 10 districts

    def categories(chart):
        cat = chart.series[0].cat
        ref = (cat.numRef or cat.strRef).f  # e.g. '图表'!$A$2:$A$26
        first, last = (int(part.split("$")[-1]) for part in ref.split(":"))
        return [ws.cell(r, 1 if "$A$" in ref else 6).value for r in range(first, last + 1)]

    names = [n for chart in charts[:3] for n in categories(chart)]
    assert names == [u for u, *_ in units]  # every unit once, in order
    assert all(len(categories(c)) <= 25 for c in charts[:3])
    assert [n for chart in charts[3:] for n in categories(chart)] == [w for w, *_ in water]
    assert [s.tx.v for s in charts[0].series] == ["绿灯", "蓝灯", "红灯"]


@pytest.mark.sqlite_only
def test_ledger_prints_every_cell_in_full_at_85_percent_or_more(ledger, tmp_path, soffice):
    data, _, wb, path = ledger
    pdf = soffice(path, tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    pages = read_pages(pdf)
    # Print settings: fitted to the page width only where the columns allow 85 %.
    for ws in wb:
        total = sum(_widths(ws).values())
        if _fit_to_page(ws):
            assert _setup(ws, "fitToWidth") == 1 and total <= 165, ws.title
        else:
            assert _setup(ws, "scale") >= 85, ws.title
    # What was printed: the 9 pt footer of every page measures the page's scale.
    for k, runs in enumerate(pages, start=1):
        [footer] = [a for a, b in zip(runs, runs[1:])
                    if a.text.strip() == "第" and b.text.strip() == str(k)]
        assert footer.size / 9 >= 0.85, (k, footer)
        assert footer.visible
    # Every cell's full text shows, not only its first lines.
    seen = visible_text(pages)
    assert data.ranking_rule in seen  # to its last sentence
    longest = max((row[8] for row in data.ledger if row[8]), key=len)
    assert longest.replace("\n", "") in seen
    missing = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
               if isinstance(c.value, str) and c.value.strip()
               and c.value.replace("\n", "") not in seen]
    assert missing == []
    # The lights chart names every unit on its page, not every other one.
    [chart] = [[r for r in runs if r.visible] for runs in pages
               if any("各单位亮灯情况" in r.text and r.visible for r in runs)]
    labels = "".join(r.text for r in chart)
    assert [u for u, *_ in data.unit_lights if u not in labels] == []


def test_bench_steps_compare_against_the_bare_dump(demo_db):
    from taskboard.excel.bench_ledger import measure

    steps = measure(demo_db, 1, NOV, TODAY, 1)
    first = steps[0]
    assert first["name"] == "monthly ledger export" and first["baseline_ms"] > 0
    assert first["ratio"] == pytest.approx(first["median_ms"] / first["baseline_ms"])
    assert "cells" in first["note"]
