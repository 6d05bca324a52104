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
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from taskboard.core.atomic import save_with
from taskboard.core.rules import LIGHT_COLORS, Light
from taskboard.excel import ledger_charts
from taskboard.excel.ledger import (
    LEDGER_HEADERS, MATRIX_FIXED, RANK_HEADERS, URGE_HEADERS, LedgerData,
)
from taskboard.excel.safety import clean_text, is_formula_like, set_text

SHEETS = ("汇总", "台账", "逐项通报", "未报送及超期", "图表")
# Column plans for A4 landscape. A column unit prints at about 1.94 mm in LibreOffice and
# Excel (Calibri's digit width plus the cell's padding), so the 277 mm between the margins hold
# about 143 units at 100 % and 165 at the 85 % that printed 10 pt text may shrink to at most.
# Four-character headers need 8 units; the long texts get the rest of the width.
LEDGER_WIDTHS = (4, 8, 16, 6.5, 9, 11, 8, 9, 23, 8, 7, 10, 13, 13, 8, 9)
URGE_WIDTHS = (5, 16, 9, 13, 8, 34, 11, 12, 8, 12)
RANK_WIDTHS = (6, 26, 10, 10, 11, 10, 11, 7, 7, 7)
PRINT_UNITS = 165  # widest sheet that still prints at 85 % or more
PAGE_UNITS = 140  # what a page holds at 100 %
# 10 pt CJK text as LibreOffice and Excel set it: a character takes 1.8 units of column width
# and a wrapped line about 15 pt (the CJK fonts' ascent and descent are 1.45 em).
CHAR_UNITS = 1.8
LINE_PT = 15.0
PAD_PT = 5.0
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
        # name -> (template, its index in the workbook's styles), looked up once per name.
        self._pairs: dict[str, tuple[Any, int]] = {}

    def get(self, name: str):
        if name not in self._cache:
            self._cache[name] = self._make(name)
        return self._cache[name]

    def _make(self, name: str):
        c = Cell(self.ws, row=1, column=1)
        base, _, extra = name.partition(":")
        c.font = Font(name=FONT, size=10)
        c.alignment = Alignment(vertical="center", wrap_text=True)
        if base not in ("title", "note", "section"):
            c.border = BORDER
        if base == "section":
            c.font = Font(name=FONT, size=12, bold=True)
            c.alignment = Alignment(horizontal="left", vertical="center")
        elif base == "title":
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
        pair = self._pairs.get(name)
        if pair is None:
            template = self.get(name)
            pair = self._pairs[name] = (template, self.ws.parent._cell_styles.add(template))
        template, style_id = pair
        kind = value.__class__
        if kind is str:
            if is_formula_like(value):
                c = Cell(self.ws, row=1, column=1)
                c._style = copy(template)
                set_text(c, value)
                return c
            # clean_text already drops what openpyxl's own value check would refuse.
            return _bare_cell(self.ws, template, style_id, clean_text(value), "s")
        if kind is int or kind is float or value is None:
            return _bare_cell(self.ws, template, style_id, value, "n")
        c = Cell(self.ws, row=1, column=1)
        c._style = template
        c.value = value
        return c


class _StyledCell(Cell):
    """A cell whose style index is known when it is made.

    openpyxl's ``style_id`` looks the cell's style array up in the workbook's list of styles
    for every cell it writes (hashing the array each time); a ledger cell's template is
    registered once, so the index is stored on the cell instead.
    """

    __slots__ = ("style_id", "has_style")


_new_cell = Cell.__new__


def _bare_cell(ws, style, style_id: int, value, data_type: str) -> Cell:
    """A cell without Cell.__init__'s per-cell style array and value checks.

    The ledger writes about a hundred thousand cells on a province database; building them
    directly keeps the formatted export close to a bare dump of the same values.
    """
    c = _new_cell(_StyledCell)
    c.parent, c._style, c._hyperlink, c._comment = ws, style, None, None
    c.row = c.column = 1
    c._value, c.data_type = value, data_type
    c.style_id, c.has_style = style_id, True
    return c


def _set_height(ws, row: int, points: float) -> None:
    """A row's height as the write-only writer reads it: the attribute pairs of its row tag.

    A ``RowDimension`` per row costs a score of descriptor checks to make and to read back;
    the streaming writer only turns it into these two attributes
    (``attrs.update(row_dimensions.get(row, {}))``).
    """
    ws.row_dimensions[row] = (("ht", safe_string(points)), ("customHeight", "1"))


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


def _text_ems(text: str) -> float:
    """Width in 10 pt CJK characters: a Latin letter or digit takes about half of one."""
    # UTF-8 length is computed in C: a CJK character takes three bytes, so this counts them
    # without a Python loop over the characters.
    wide = (len(text.encode("utf-8")) - len(text)) / 2
    return wide + 0.55 * (len(text) - wide)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell ``width`` units wide needs for ``text``."""
    per_line = max(1, int((width - 0.5) / CHAR_UNITS))
    return sum(max(1, -(-int(_text_ems(part) * 100 - 1) // (per_line * 100)))
               for part in text.split("\n"))


def row_height(values: Iterable[Any], widths: Iterable[float], line: float = LINE_PT) -> float:
    """Points needed to show wrapped text in full, with padding above and below.

    Neither Excel nor LibreOffice reliably fits row heights on opening a generated file, so
    the ledger sets them from the text and the column widths.
    """
    lines = 1
    for value, width in zip(values, widths):
        if value.__class__ is not str or not value:
            continue
        # Most cells fit on one line: a CJK character is the widest case.
        if len(value) * CHAR_UNITS <= width - 0.5 and "\n" not in value:
            continue
        lines = max(lines, wrapped_lines(value, width))
    return min(409.0, lines * line + PAD_PT)


def _page(ws, title_rows: str, widths: Iterable[float], *, freeze: Optional[str]) -> None:
    """A4 landscape, as the export dialog promises, for every sheet.

    A sheet that fits ``PRINT_UNITS`` is fitted to the page width (never below 85 %); a wider
    one (the 逐项 matrix of a province's many districts) prints at 100 % across several pages
    with its first columns repeated, rather than shrinking everything.
    """
    widths = list(widths)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    if sum(widths) <= PRINT_UNITS:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.page_setup.scale = 100
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _first_page_columns(widths: Iterable[float]) -> int:
    """How many columns an A4 landscape page holds at 100 %."""
    total, k = 0.0, 0
    for k, w in enumerate(widths):
        total += w
        if total > PAGE_UNITS:
            return max(1, k)
    return k + 1


def _title(ws, st: _Styles, text: str, ncols: int, row: int = 1) -> None:
    _set_height(ws, row, 30)
    ws.append([st.cell(text, "title")])
    if ncols > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(ncols)}{row}")


def _note(ws, st: _Styles, text: str, widths: Iterable[float], row: int) -> None:
    """A note merged across the sheet, as tall as its wrapped text.

    Write-only sheets keep a row height only when it is set before the row is appended.
    """
    widths = list(widths)
    _set_height(ws, row, row_height([text], [sum(widths)]))
    ws.append([st.cell(text, "note")])
    if len(widths) > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(len(widths))}{row}")


def _head(ws, st: _Styles, headers: Iterable[Any], widths: Iterable[float], row: int) -> None:
    headers = list(headers)
    _set_height(ws, row, row_height(headers, widths))
    ws.append([st.cell(h, "head") if h is not None else None for h in headers])


def write_ledger(data: LedgerData, path: Path) -> Path:
    wb = Workbook(write_only=True)
    stamp = (f"统计截至 {data.as_of:%Y年%m月%d日} · 范围：{data.scope} · "
             f"生成时间 {data.generated_at:%Y-%m-%d %H:%M}")
    _summary(wb.create_sheet(SHEETS[0]), data, stamp)
    _ledger(wb.create_sheet(SHEETS[1]), data, stamp)
    _matrix(wb.create_sheet(SHEETS[2]), data, stamp)
    _urge(wb.create_sheet(SHEETS[3]), data, stamp)
    sheet = wb.create_sheet(SHEETS[4])
    widths = (22, 8, 8, 8, 2, 16, 10, 10)
    _page(sheet, "", widths, freeze=None)
    ledger_charts.write(sheet, _Styles(sheet), data, widths, _head)
    save_with(path, wb.save)
    return Path(path)


def _summary(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(RANK_HEADERS)
    _page(ws, "", RANK_WIDTHS, freeze=None)
    _title(ws, st, data.title, n)
    _note(ws, st, stamp, RANK_WIDTHS, 2)
    ws.append([])
    _set_height(ws, 4, LINE_PT + PAD_PT)
    ws.append([st.cell("一、总体情况", "head"), st.cell("", "head"), st.cell("数值", "head")])
    row = 4
    ws.merged_cells.add(f"A{row}:B{row}")
    for label, value in data.kpi_rows:
        row += 1
        style = "pct1" if isinstance(value, float) else "center"
        _set_height(ws, row, row_height([label], [sum(RANK_WIDTHS[:2])]))
        ws.append([st.cell(label), st.cell(""), st.cell(value, style)])
        ws.merged_cells.add(f"A{row}:B{row}")
    ws.append([])
    row += 2
    # A section heading in its own tall, borderless row: the table's border starts below it.
    _set_height(ws, row, 28)
    ws.append([st.cell("二、旗区排名（完成水平：平均完成进度）", "section")])
    ws.merged_cells.add(f"A{row}:{get_column_letter(n)}{row}")
    row += 1
    _head(ws, st, RANK_HEADERS, RANK_WIDTHS, row)
    for r in data.ranking:
        row += 1
        _set_height(ws, row, row_height(r, RANK_WIDTHS))
        ws.append([st.cell(r[0], "center"), st.cell(r[1]),
                   *(st.cell(v, "pct1") for v in r[2:5]),
                   *(st.cell(v, "center") for v in r[5:])])
    ws.append([])
    _note(ws, st, data.ranking_rule, RANK_WIDTHS, row + 2)


def _ledger(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(LEDGER_HEADERS)
    _page(ws, "3:3", LEDGER_WIDTHS, freeze="D4")
    _title(ws, st, data.title, n)
    _note(ws, st, stamp, LEDGER_WIDTHS, 2)
    _head(ws, st, LEDGER_HEADERS, LEDGER_WIDTHS, 3)
    styles = ("center", "center", "text", "center", "text", "text", "text", "center", "text",
              "pct", None, "text", "text", "text", "center", "text")
    light_styles = {light: f"light:{light.name}" for light in Light}
    for row, (values, light) in enumerate(zip(data.ledger, data.ledger_lights), start=4):
        _set_height(ws, row, row_height(values, LEDGER_WIDTHS))
        ws.append([st.cell(v, s or light_styles[light]) for v, s in zip(values, styles)])
    ws.auto_filter.ref = f"A3:{get_column_letter(n)}{3 + len(data.ledger)}"


def _matrix(ws, data: LedgerData, stamp: str) -> None:
    st = _Styles(ws)
    n = len(MATRIX_FIXED) + len(data.matrix_units)
    widths = (8, 28, 8, *([7] * len(data.matrix_units)))
    _page(ws, "3:3", widths, freeze="D4")
    ws.print_title_cols = "A:B"
    # A matrix printed across pages keeps its title and note on the first page's columns.
    span = n if sum(widths) <= PRINT_UNITS else _first_page_columns(widths)
    _title(ws, st, f"{data.campaign_name}逐项列表通报（{data.period.label}）", span)
    _note(ws, st, stamp + " · 单元格为各旗区完成进度，底色与“绿/蓝/红”为亮灯", widths[:span], 2)
    _head(ws, st, (*MATRIX_FIXED, *data.matrix_units), widths, 3)
    names = {light: f"cell:{light.name}" for light in Light}
    for row, (values, lights) in enumerate(zip(data.matrix, data.matrix_lights), start=4):
        _set_height(ws, row, row_height(values[:2], widths[:2]))
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
    _note(ws, st, stamp + f" · 共 {len(data.urge_list)} 条，可据此催办", URGE_WIDTHS, 2)
    _head(ws, st, URGE_HEADERS, URGE_WIDTHS, 3)
    styles = ("center", "text", "center", "center", "center", "text", "center", "center",
              "center", "center")
    for row, values in enumerate(data.urge_list, start=4):
        _set_height(ws, row, row_height(values, URGE_WIDTHS))
        ws.append([st.cell(v, s) for v, s in zip(values, styles)])
    if data.urge_list:
        ws.auto_filter.ref = f"A3:{get_column_letter(n)}{3 + len(data.urge_list)}"


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
