"""Laying out the monthly ledger workbook, as an office prints and files it.

Written in openpyxl's write-only (streaming) mode with per-cell styles copied from a few
prepared templates, so the formatted ledger costs little more than dumping its values
(``dump_bare``, the benchmark's baseline). Every string goes through ``safety.set_text``.
"""
from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any, Iterable, Optional

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from taskboard.core.atomic import save_with
from taskboard.core.rules import LIGHT_COLORS, Light
from taskboard.excel.ledger import (
    LEDGER_HEADERS, MATRIX_FIXED, RANK_HEADERS, URGE_HEADERS, LedgerData,
)
from taskboard.excel.safety import clean_text, is_formula_like, set_text

SHEETS = ("汇总", "台账", "逐项通报", "未报送及超期", "图表")
LEDGER_WIDTHS = (4.5, 7, 24, 9, 12, 16, 11, 10.5, 32, 6.5, 9, 14, 20, 20, 5.5, 14)
URGE_WIDTHS = (5, 18, 10, 14, 8, 36, 12, 14, 8, 8)
RANK_WIDTHS = (6, 16, 10, 10, 11, 9, 10, 7, 7, 7)
# Light tints keep black progress figures readable; the saturated colours mark the 亮灯 column.
TINTS = {Light.GREEN: "C6EFCE", Light.BLUE: "BDD7EE", Light.RED: "FFC7CE"}
SHORT = {Light.GREEN: "绿", Light.BLUE: "蓝", Light.RED: "红"}
FONT = "宋体"

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


class _SharedStyle(StyleArray):
    """A template's style array, hashed once: the writer looks every cell's style up by hash,
    and a template is never changed after it is made."""

    _hash: Optional[int] = None

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self))
        return self._hash


class _Styles:
    """Style templates registered once, shared by the cells of one sheet."""

    def __init__(self, ws) -> None:
        self.ws = ws
        _stream_cells(ws)
        self._cache: dict[str, Any] = {}

    def get(self, name: str):
        if name not in self._cache:
            self._cache[name] = self._make(name)
        return self._cache[name]

    def _make(self, name: str):
        c = Cell(self.ws, row=1, column=1)
        base, _, extra = name.partition(":")
        c.font = Font(name=FONT, size=10)
        c.alignment = Alignment(vertical="center", wrap_text=True)
        if base != "title" and base != "note":
            c.border = BORDER
        if base == "title":
            c.font = Font(name=FONT, size=16, bold=True)
            c.alignment = Alignment(horizontal="center", vertical="center")
        elif base == "note":
            c.font = Font(name=FONT, size=10, color="404040")
            c.alignment = Alignment(vertical="top", wrap_text=True)
        elif base == "head":
            c.font = Font(name=FONT, size=10, bold=True)
            c.fill = PatternFill("solid", fgColor="D9E1F2")
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif base == "center":
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif base == "pct":
            c.number_format = "0%"
            c.alignment = Alignment(horizontal="center", vertical="center")
        elif base == "pct1":
            c.number_format = "0.0%"
            c.alignment = Alignment(horizontal="center", vertical="center")
        elif base == "light":
            light = Light[extra]
            c.font = Font(name=FONT, size=10, bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor=LIGHT_COLORS[light].lstrip("#").upper())
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif base == "cell":
            # Progress with the light's word, so black-and-white prints keep the signal.
            light = Light[extra]
            c.fill = PatternFill("solid", fgColor=TINTS[light])
            c.number_format = f'0%" {SHORT[light]}"'
            c.alignment = Alignment(horizontal="center", vertical="center")
        return _SharedStyle(c._style)

    def cell(self, value: Any, name: str = "text") -> Cell:
        # Cells are written once and never changed, so they share the template's style
        # array; only a cell that gets the quote prefix needs its own copy.
        template = self.get(name)
        kind = value.__class__
        if kind is str:
            if is_formula_like(value):
                c = Cell(self.ws, row=1, column=1)
                c._style = copy(template)
                set_text(c, value)
                return c
            # clean_text already drops what openpyxl's own value check would refuse.
            return _bare_cell(self.ws, template, clean_text(value), "s")
        if kind is int or kind is float or value is None:
            return _bare_cell(self.ws, template, value, "n")
        c = Cell(self.ws, row=1, column=1)
        c._style = template
        c.value = value
        return c


_new_cell = Cell.__new__


def _bare_cell(ws, style, value, data_type: str) -> Cell:
    """A cell without Cell.__init__'s per-cell style array and value checks.

    The ledger writes about a hundred thousand cells on a province database; building them
    directly keeps the formatted export within 1.5× of a bare dump of the same values.
    """
    c = _new_cell(Cell)
    c.parent, c._style, c._hyperlink, c._comment = ws, style, None, None
    c.row = c.column = 1
    c._value, c.data_type = value, data_type
    return c


def _stream_cells(ws) -> None:
    """Let a write-only sheet take rows of ready-made cells without re-wrapping them.

    openpyxl's ``_values_to_row`` first tries each value as a plain value and falls back to
    the cell on the resulting ValueError, formatting the cell's repr each time; every row
    the ledger appends is cells (or None), so they go straight to the writer.
    """
    def values_to_row(values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.row, cell.column = row_idx, col_idx
            yield cell

    ws._values_to_row = values_to_row


def _text_width(text: str) -> float:
    """Width in Excel column units: CJK characters take about two."""
    # UTF-8 length is computed in C: CJK takes three bytes, so this gives 1.8 per CJK
    # character and 1 per ASCII one without a Python loop over the characters.
    return len(text) + 0.4 * (len(text.encode("utf-8")) - len(text))


def row_height(values: Iterable[Any], widths: tuple[float, ...], line: float = 13.0) -> float:
    """Points needed to show wrapped text in full.

    Neither Excel nor LibreOffice reliably fits row heights on opening a generated file, so
    the ledger sets them from the text and the column widths.
    """
    lines = 1
    for value, width in zip(values, widths):
        if value.__class__ is not str or not value:
            continue
        usable = max(width - 1.5, 2.0)
        # Most cells fit on one line: 1.8 units per character is the widest case.
        if len(value) * 1.8 <= usable and "\n" not in value:
            continue
        n = sum(max(1, -(-int(_text_width(part)) // int(usable))) for part in value.split("\n"))
        lines = max(lines, n)
    return min(409.0, lines * line + 4)


def _page(ws, title_rows: str, widths: Iterable[float], *, freeze: Optional[str],
          landscape: bool = True) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _title(ws, st: _Styles, text: str, ncols: int, row: int = 1) -> None:
    ws.row_dimensions[row].height = 30
    ws.append([st.cell(text, "title")])
    if ncols > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(ncols)}{row}")


def _subtitle(ws, st: _Styles, text: str, ncols: int, row: int) -> None:
    ws.append([st.cell(text, "note")])
    if ncols > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(ncols)}{row}")


def _head(ws, st: _Styles, headers: Iterable[str]) -> None:
    ws.append([st.cell(h, "head") for h in headers])


def write_ledger(data: LedgerData, path: Path) -> Path:
    wb = Workbook(write_only=True)
    stamp = (f"统计截至 {data.as_of:%Y年%m月%d日} · 范围：{data.scope} · "
             f"生成时间 {data.generated_at:%Y-%m-%d %H:%M}")
    _summary(wb.create_sheet(SHEETS[0]), data, stamp)
    _ledger(wb.create_sheet(SHEETS[1]), data, stamp)
    _matrix(wb.create_sheet(SHEETS[2]), data, stamp)
    _urge(wb.create_sheet(SHEETS[3]), data, stamp)
    _charts(wb.create_sheet(SHEETS[4]), data)
    save_with(path, wb.save)
    return Path(path)


def _summary(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(RANK_HEADERS)
    _page(ws, "", RANK_WIDTHS, freeze=None, landscape=False)
    ws.column_dimensions["B"].width = 26
    _title(ws, st, data.title, n)
    _subtitle(ws, st, stamp, n, 2)
    ws.append([])
    ws.append([st.cell("一、总体情况", "head"), st.cell("", "head"), st.cell("数值", "head")])
    row = 4
    ws.merged_cells.add(f"A{row}:B{row}")
    for label, value in data.kpi_rows:
        row += 1
        style = "pct1" if isinstance(value, float) else "center"
        ws.append([st.cell(label), st.cell(""), st.cell(value, style)])
        ws.merged_cells.add(f"A{row}:B{row}")
    ws.append([])
    row += 2
    ws.append([st.cell("二、旗区排名（完成水平：平均完成进度）", "title")])
    ws.merged_cells.add(f"A{row}:{get_column_letter(n)}{row}")
    _head(ws, st, RANK_HEADERS)
    for r in data.ranking:
        ws.append([st.cell(r[0], "center"), st.cell(r[1]),
                   *(st.cell(v, "pct1") for v in r[2:5]),
                   *(st.cell(v, "center") for v in r[5:])])
    ws.append([])
    row += 2 + len(data.ranking) + 1
    ws.append([st.cell(data.ranking_rule, "note")])
    ws.merged_cells.add(f"A{row}:{get_column_letter(n)}{row}")
    ws.row_dimensions[row].height = 48


def _ledger(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(LEDGER_HEADERS)
    _page(ws, "3:3", LEDGER_WIDTHS, freeze="D4")
    _title(ws, st, data.title, n)
    _subtitle(ws, st, stamp, n, 2)
    _head(ws, st, LEDGER_HEADERS)
    styles = ("center", "center", "text", "center", "text", "text", "text", "center", "text",
              "pct", None, "text", "text", "text", "center", "text")
    light_styles = {light: f"light:{light.name}" for light in Light}
    for row, (values, light) in enumerate(zip(data.ledger, data.ledger_lights), start=4):
        ws.row_dimensions[row].height = row_height(values, LEDGER_WIDTHS)
        ws.append([st.cell(v, s or light_styles[light]) for v, s in zip(values, styles)])
    ws.auto_filter.ref = f"A3:{get_column_letter(n)}{3 + len(data.ledger)}"


def _matrix(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(MATRIX_FIXED) + len(data.matrix_units)
    _page(ws, "3:3", (8, 28, 8, *([7] * len(data.matrix_units))), freeze="D4")
    ws.row_dimensions[3].height = row_height(data.matrix_units, (7,) * len(data.matrix_units))
    ws.print_title_cols = "A:B"
    _title(ws, st, f"{data.campaign_name}逐项列表通报（{data.period.label}）", n)
    _subtitle(ws, st, stamp + " · 单元格为各旗区完成进度，底色与“绿/蓝/红”为亮灯", n, 2)
    _head(ws, st, (*MATRIX_FIXED, *data.matrix_units))
    names = {light: f"cell:{light.name}" for light in Light}
    widths = (8, 28)
    for row, (values, lights) in enumerate(zip(data.matrix, data.matrix_lights), start=4):
        ws.row_dimensions[row].height = row_height(values[:2], widths)
        cells = [st.cell(values[0], "center"), st.cell(values[1]),
                 st.cell(values[2], names[lights[0]])]
        cells += [st.cell(v, names[light]) if light is not None else st.cell(None)
                  for v, light in zip(values[3:], lights[1:])]
        ws.append(cells)


def _urge(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(URGE_HEADERS)
    _page(ws, "3:3", URGE_WIDTHS, freeze="A4")
    _title(ws, st, f"未报送及超期任务清单（{data.period.label}）", n)
    _subtitle(ws, st, stamp + f" · 共 {len(data.urge_list)} 条，可据此催办", n, 2)
    _head(ws, st, URGE_HEADERS)
    styles = ("center", "text", "center", "center", "center", "text", "center", "center",
              "center", "center")
    for row, values in enumerate(data.urge_list, start=4):
        ws.row_dimensions[row].height = row_height(values, URGE_WIDTHS)
        ws.append([st.cell(v, s) for v, s in zip(values, styles)])
    if data.urge_list:
        ws.auto_filter.ref = f"A3:{get_column_letter(n)}{3 + len(data.urge_list)}"


def _bar_height(n_units: int) -> float:
    """Centimetres for the lights chart: enough for every unit's label."""
    return max(9.0, 0.6 * n_units)


def _charts(ws, data: LedgerData) -> None:
    st = _Styles(ws)
    _page(ws, "", (22, 8, 8, 8, 2, 16, 10, 10), freeze=None)
    _head(ws, st, ("单位", "绿灯", "蓝灯", "红灯", None, "旗区", "完成水平", "时序进度"))
    rows = max(len(data.unit_lights), len(data.water))
    for i in range(rows):
        left = data.unit_lights[i] if i < len(data.unit_lights) else (None,) * 4
        right = data.water[i] if i < len(data.water) else (None,) * 3
        ws.append([st.cell(left[0]), *(st.cell(v, "center") for v in left[1:]), None,
                   st.cell(right[0]), *(st.cell(v, "pct1") for v in right[1:])])
    n_units, n_water = len(data.unit_lights), len(data.water)
    if n_units:
        bar = BarChart()
        bar.type, bar.grouping, bar.overlap = "bar", "stacked", 100
        bar.title = f"各单位亮灯情况（{data.period.label}）"
        bar.y_axis.title = "责任分工数"
        bar.add_data(Reference(ws, min_col=2, max_col=4, min_row=1, max_row=1 + n_units),
                     titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + n_units))
        for series, light in zip(bar.series, (Light.GREEN, Light.BLUE, Light.RED)):
            series.graphicalProperties = GraphicalProperties(
                solidFill=LIGHT_COLORS[light].lstrip("#").upper())
        bar.height, bar.width, bar.gapWidth = _bar_height(n_units), 18, 40
        bar.y_axis.delete = bar.x_axis.delete = False
        bar.x_axis.scaling.orientation = "maxMin"  # first unit on top, as listed
        ws.add_chart(bar, "J2")
    if n_water:
        level = BarChart()
        level.title = f"水位图 · 各旗区完成水平与时序进度（{data.period.label}）"
        level.add_data(Reference(ws, min_col=7, min_row=1, max_row=1 + n_water),
                       titles_from_data=True)
        cats = Reference(ws, min_col=6, min_row=2, max_row=1 + n_water)
        level.set_categories(cats)
        level.series[0].graphicalProperties = GraphicalProperties(solidFill="4F9BD9")
        level.y_axis.scaling.min, level.y_axis.scaling.max = 0, 1
        level.y_axis.number_format = "0%"
        level.y_axis.title = "完成水平"
        line = LineChart()
        line.add_data(Reference(ws, min_col=8, min_row=1, max_row=1 + n_water),
                      titles_from_data=True)
        line.set_categories(cats)
        line.series[0].graphicalProperties.line.solidFill = "D93636"
        line.series[0].graphicalProperties.line.width = 28575
        level += line
        level.y_axis.delete = level.x_axis.delete = False
        level.height, level.width = 9, max(18, 0.9 * n_water)
        # Below the lights chart: default rows are about half a centimetre high.
        anchor_row = 4 + int(_bar_height(n_units) / 0.5) if n_units else 2
        ws.add_chart(level, f"J{anchor_row}")


def dump_bare(data: LedgerData, path: Path) -> Path:
    """The benchmark baseline: the same cell values, write-only, no formatting at all."""
    wb = Workbook(write_only=True)
    for name, rows in sheet_values(data).items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    save_with(path, wb.save)
    return Path(path)


def sheet_values(data: LedgerData) -> dict[str, list[tuple]]:
    """Every value the ledger writes, sheet by sheet (titles, headers, body)."""
    stamp = f"{data.as_of} {data.scope}"
    return {
        SHEETS[0]: [(data.title,), (stamp,), ("一、总体情况", "", "数值"),
                    *((label, "", value) for label, value in data.kpi_rows),
                    ("二、旗区排名",), RANK_HEADERS, *data.ranking, (data.ranking_rule,)],
        SHEETS[1]: [(data.title,), (stamp,), LEDGER_HEADERS, *data.ledger],
        SHEETS[2]: [(data.title,), (stamp,), (*MATRIX_FIXED, *data.matrix_units), *data.matrix],
        SHEETS[3]: [(data.title,), (stamp,), URGE_HEADERS, *data.urge_list],
        SHEETS[4]: [("单位", "绿灯", "蓝灯", "红灯", None, "旗区", "完成水平", "时序进度"),
                    *((*a, None, *b) for a, b in zip(data.unit_lights, data.water))],
    }
