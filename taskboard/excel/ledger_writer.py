"""Laying out the monthly ledger workbook, as an office prints and files it.

Written with xlsxwriter, which ``taskboard bench`` found faster than openpyxl's write-only mode
on the same cells (``dump_bare`` is the benchmark's baseline, ``dump_bare_xlsxwriter`` the
other writer's bare dump). Rows are written top to bottom, each row's height with its cells.
Every string goes through ``safety.clean_text``; text a spreadsheet would read as a formula is
stored as a string with the quote prefix.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Optional

import xlsxwriter
from openpyxl import Workbook as BareWorkbook

from taskboard.core.atomic import save_with
from taskboard.core.rules import LIGHT_COLORS, Light
from taskboard.excel import ledger_charts
from taskboard.excel.ledger import (
    LEDGER_HEADERS, MATRIX_FIXED, RANK_HEADERS, URGE_HEADERS, LedgerData,
)
from taskboard.excel.safety import FORMULA_TRIGGERS, clean_text, is_formula_like

SHEETS = ("汇总", "台账", "逐项通报", "未报送及超期", "图表")
# Column plans for A4 landscape. A column unit prints at about 1.94 mm in LibreOffice and
# Excel (Calibri's digit width plus the cell's padding), so the 277 mm between the margins hold
# about 143 units at 100 % and 165 at the 85 % that printed 10 pt text may shrink to at most.
# Four-character headers need 8 units; the long texts get the rest of the width.
LEDGER_WIDTHS = (4, 8, 16, 6.5, 9, 11, 8, 9, 23, 8, 7, 10, 13, 13, 8, 9)
URGE_WIDTHS = (5, 16, 9, 13, 8, 34, 11, 12, 8, 12)
RANK_WIDTHS = (6, 26, 10, 10, 11, 10, 11, 7, 7, 7)
CHART_WIDTHS = (22, 8, 8, 8, 2, 16, 10, 10)
PRINT_UNITS = 165  # widest sheet that still prints at 85 % or more
PAGE_UNITS = 140  # what a page holds at 100 %
# 10 pt CJK text as LibreOffice and Excel set it: a character takes 1.8 units of column width
# and a wrapped line about 15 pt (the CJK fonts' ascent and descent are 1.45 em).
CHAR_UNITS = 1.8
LINE_PT = 15.0
PAD_PT = 5.0
# Light tints keep black progress figures readable; the saturated colours mark the 亮灯 column.
TINTS = {Light.GREEN: "#C6EFCE", Light.BLUE: "#BDD7EE", Light.RED: "#FFC7CE"}
SHORT = {Light.GREEN: "绿", Light.BLUE: "蓝", Light.RED: "红"}
FONT = "宋体"
# The file's column width is in units of Calibri 11's digit (7 px) with the cell padding
# included, as the column plans are; xlsxwriter's character widths would add the padding again.
DIGIT_PX = 7
_CENTER = {"align": "center", "valign": "vcenter"}
# Text stays text: no number, formula or link is read into a string the ledger writes.
XLSX_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False}


def _style(name: str) -> dict:
    """The format behind a style name such as ``"head"`` or ``"light:RED"``."""
    base, _, extra = name.partition(":")
    props: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "vcenter",
                             "text_wrap": True}
    if base not in ("title", "note", "section"):
        props.update(border=1, border_color="#808080")
    if base == "section":
        props.update(font_size=12, bold=True, align="left", text_wrap=False)
    elif base == "title":
        props.update(font_size=16, bold=True, align="center", text_wrap=False)
    elif base == "note":
        props.update(font_color="#404040", valign="top")
    elif base == "head":
        props.update(_CENTER, bold=True, pattern=1, bg_color="#D9E1F2")
    elif base == "center":
        props.update(_CENTER)
    elif base in ("pct", "pct1"):
        props.update(_CENTER, num_format="0%" if base == "pct" else "0.0%", text_wrap=False)
    elif base == "date":
        props.update(_CENTER, num_format="yyyy-mm-dd")
    elif base == "light":
        light = Light[extra]
        props.update(_CENTER, bold=True, font_color="#FFFFFF", pattern=1,
                     bg_color=LIGHT_COLORS[light].upper())
    elif base == "cell":
        # Progress with the light's word, so black-and-white prints keep the signal.
        light = Light[extra]
        props.update(_CENTER, pattern=1, bg_color=TINTS[light],
                     num_format=f'0%" {SHORT[light]}"', text_wrap=False)
    return props


class _Sheet:
    """One worksheet, written row after row; ``row`` is the next row's 1-based number."""

    def __init__(self, book: "_Book", name: str) -> None:
        self.book, self.name = book, name
        self.ws = book.wb.add_worksheet(name)
        self.row = 1

    def formats(self, names: Iterable[Optional[str]]) -> list:
        return [self.book.format(n) if n is not None else None for n in names]

    def values(self, values: Iterable[Any], formats: list,
               height: Optional[float] = None) -> None:
        """A row: each value with the format beside it (None leaves the cell out).

        The ledger writes about a hundred thousand cells on a province database, so this loop
        does no more than pick the write for the value's type.
        """
        row, ws, book = self.row - 1, self.ws, self.book
        if height is not None:
            ws.set_row(row, height)
        for col, (value, fmt) in enumerate(zip(values, formats)):
            if fmt is None:
                continue
            kind = value.__class__
            if kind is str:
                text = clean_text(value)
                if not text:
                    ws.write_blank(row, col, None, fmt)
                elif text[0] in FORMULA_TRIGGERS:
                    ws.write_string(row, col, text, book.quoted(fmt))
                else:
                    ws.write_string(row, col, text, fmt)
            elif kind is int or kind is float:
                ws.write_number(row, col, value, fmt)
            elif value is None:
                ws.write_blank(row, col, None, fmt)
            elif kind is bool:
                ws.write_boolean(row, col, value, fmt)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(row, col, value, book.format("date"))
            else:
                ws.write_string(row, col, clean_text(str(value)), fmt)
        self.row += 1

    def append(self, cells: Iterable[Optional[tuple[Any, str]]],
               height: Optional[float] = None) -> None:
        """A row of (value, style name) pairs; None leaves a cell out."""
        cells = [c or (None, None) for c in cells]
        self.values([v for v, _ in cells], self.formats([n for _, n in cells]), height)

    def merged(self, value: Any, name: str, last_col: int, first_col: int = 0) -> None:
        """A value across columns ``first_col``..``last_col`` of the current row (0-based)."""
        text = clean_text(value) if isinstance(value, str) else value
        fmt = self.book.format(name)
        if isinstance(text, str) and is_formula_like(text):
            fmt = self.book.quoted(fmt)
        # The workbook takes strings as strings (strings_to_formulas off), so neither write
        # reads a leading "=" as a formula.
        if last_col <= first_col:
            self.ws.write(self.row - 1, first_col, text, fmt)
        else:
            self.ws.merge_range(self.row - 1, first_col, self.row - 1, last_col, text, fmt)

    def skip(self) -> None:
        self.row += 1


class _Book:
    """The workbook and its formats, each made once and shared by every sheet."""

    def __init__(self, fh) -> None:
        # Shared strings, not constant-memory mode: the ledger repeats its unit names and
        # states thousands of times, and writing each once made a province's ledger about a
        # quarter faster and smaller, for some 13 MB held until the file is closed. The parts
        # are assembled in memory too, so nothing but the target's own temporary file is
        # written (and none is left behind by a crash).
        self.wb = xlsxwriter.Workbook(fh, {**XLSX_OPTIONS, "in_memory": True})
        self._formats: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self._quoted: dict[int, Any] = {}

    def format(self, name: str):
        fmt = self._formats.get(name)
        if fmt is None:
            fmt = self._formats[name] = self.wb.add_format(_style(name))
            self._names[id(fmt)] = name
        return fmt

    def quoted(self, fmt):
        """The same format with Excel's quote prefix, for text that reads like a formula."""
        twin = self._quoted.get(id(fmt))
        if twin is None:
            props = _style(self._names[id(fmt)])
            props["quote_prefix"] = True
            twin = self._quoted[id(fmt)] = self.wb.add_format(props)
        return twin

    def sheet(self, name: str) -> _Sheet:
        return _Sheet(self, name)


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
        # A character takes at most one of a line's places, so this many lines always
        # suffice: a cell that cannot need more than the row has already is not measured.
        if len(value) // max(1, int((width - 0.5) / CHAR_UNITS)) + value.count("\n") < lines:
            continue
        lines = max(lines, wrapped_lines(value, width))
    return min(409.0, lines * line + PAD_PT)


def _page(sheet: _Sheet, title_row: Optional[int], widths: Iterable[float], *,
          freeze: Optional[str]) -> None:
    """A4 landscape, as the export dialog promises, for every sheet.

    A sheet that fits ``PRINT_UNITS`` is fitted to the page width (never below 85 %); a wider
    one (the 逐项 matrix of a province's many districts) prints at 100 % across several pages
    with its first columns repeated, rather than shrinking everything.
    """
    ws, widths = sheet.ws, list(widths)
    for i, w in enumerate(widths):
        ws.set_column_pixels(i, i, round(w * DIGIT_PX))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if sum(widths) <= PRINT_UNITS:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(100)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    if title_row:
        ws.repeat_rows(title_row - 1)
    if freeze:
        ws.freeze_panes(freeze)
    ws.set_footer("&C&9第 &P 页，共 &N 页", {"margin": 0.5})


def _first_page_columns(widths: Iterable[float]) -> int:
    """How many columns an A4 landscape page holds at 100 %."""
    total, k = 0.0, 0
    for k, w in enumerate(widths):
        total += w
        if total > PAGE_UNITS:
            return max(1, k)
    return k + 1


def _title(sheet: _Sheet, text: str, ncols: int) -> None:
    sheet.ws.set_row(sheet.row - 1, 30)
    sheet.merged(text, "title", ncols - 1)
    sheet.skip()


def _note(sheet: _Sheet, text: str, widths: Iterable[float]) -> None:
    """A note merged across the sheet, as tall as its wrapped text."""
    widths = list(widths)
    sheet.ws.set_row(sheet.row - 1, row_height([text], [sum(widths)]))
    sheet.merged(text, "note", len(widths) - 1)
    sheet.skip()


def _head(sheet: _Sheet, headers: Iterable[Any], widths: Iterable[float]) -> None:
    headers = list(headers)
    sheet.append([(h, "head") if h is not None else None for h in headers],
                 row_height(headers, widths))


def write_ledger(data: LedgerData, path: Path) -> Path:
    save_with(path, lambda fh: _write(data, fh))
    return Path(path)


def _write(data: LedgerData, fh) -> None:
    book = _Book(fh)
    stamp = (f"统计截至 {data.as_of:%Y年%m月%d日} · 范围：{data.scope} · "
             f"生成时间 {data.generated_at:%Y-%m-%d %H:%M}")
    _summary(book.sheet(SHEETS[0]), data, stamp)
    _ledger(book.sheet(SHEETS[1]), data, stamp)
    _matrix(book.sheet(SHEETS[2]), data, stamp)
    _urge(book.sheet(SHEETS[3]), data, stamp)
    sheet = book.sheet(SHEETS[4])
    _page(sheet, None, CHART_WIDTHS, freeze=None)
    ledger_charts.write(sheet, data, CHART_WIDTHS, _head)
    book.wb.close()


def _summary(sheet: _Sheet, data: LedgerData, stamp: str) -> None:
    n = len(RANK_HEADERS)
    _page(sheet, None, RANK_WIDTHS, freeze=None)
    _title(sheet, data.title, n)
    _note(sheet, stamp, RANK_WIDTHS)
    sheet.skip()
    sheet.ws.set_row(sheet.row - 1, LINE_PT + PAD_PT)
    sheet.merged("一、总体情况", "head", 1)
    sheet.append([None, None, ("数值", "head")])
    label_width = sum(RANK_WIDTHS[:2])
    for label, value in data.kpi_rows:
        sheet.ws.set_row(sheet.row - 1, row_height([label], [label_width]))
        sheet.merged(label, "text", 1)
        sheet.append([None, None, (value, "pct1" if isinstance(value, float) else "center")])
    sheet.skip()
    # A section heading in its own tall, borderless row: the table's border starts below it.
    sheet.ws.set_row(sheet.row - 1, 28)
    sheet.merged("二、旗区排名（完成水平：平均完成进度）", "section", n - 1)
    sheet.skip()
    _head(sheet, RANK_HEADERS, RANK_WIDTHS)
    formats = sheet.formats(("center", "text", "pct1", "pct1", "pct1",
                             *(["center"] * (len(RANK_HEADERS) - 5))))
    for r in data.ranking:
        sheet.values(r, formats, row_height(r, RANK_WIDTHS))
    sheet.skip()
    _note(sheet, data.ranking_rule, RANK_WIDTHS)


def _ledger(sheet: _Sheet, data: LedgerData, stamp: str) -> None:
    n = len(LEDGER_HEADERS)
    _page(sheet, 3, LEDGER_WIDTHS, freeze="D4")
    _title(sheet, data.title, n)
    _note(sheet, stamp, LEDGER_WIDTHS)
    _head(sheet, LEDGER_HEADERS, LEDGER_WIDTHS)
    styles = ("center", "center", "text", "center", "text", "text", "text", "center", "text",
              "pct", "light", "text", "text", "text", "center", "text")
    # One list of formats per light: the 亮灯 column takes the light's colour.
    formats = {light: sheet.formats(f"light:{light.name}" if s == "light" else s for s in styles)
               for light in Light}
    for values, light in zip(data.ledger, data.ledger_lights):
        sheet.values(values, formats[light], row_height(values, LEDGER_WIDTHS))
    sheet.ws.autofilter(2, 0, 2 + len(data.ledger), n - 1)


def _matrix(sheet: _Sheet, data: LedgerData, stamp: str) -> None:
    n = len(MATRIX_FIXED) + len(data.matrix_units)
    widths = (8, 28, 8, *([7] * len(data.matrix_units)))
    _page(sheet, 3, widths, freeze="D4")
    sheet.ws.repeat_columns(0, 1)
    # A matrix printed across pages keeps its title and note on the first page's columns.
    span = n if sum(widths) <= PRINT_UNITS else _first_page_columns(widths)
    _title(sheet, f"{data.campaign_name}逐项列表通报（{data.period.label}）", span)
    _note(sheet, stamp + " · 单元格为各旗区完成进度，底色与“绿/蓝/红”为亮灯", widths[:span])
    _head(sheet, (*MATRIX_FIXED, *data.matrix_units), widths)
    cell = {light: sheet.book.format(f"cell:{light.name}") for light in Light}
    cell[None] = sheet.book.format("text")
    first = sheet.formats(("center", "text"))
    for values, lights in zip(data.matrix, data.matrix_lights):
        sheet.values(values, [*first, *(cell[light] for light in lights)],
                     row_height(values[:2], widths[:2]))


def _urge(sheet: _Sheet, data: LedgerData, stamp: str) -> None:
    n = len(URGE_HEADERS)
    _page(sheet, 3, URGE_WIDTHS, freeze="A4")
    _title(sheet, f"未报送及超期任务清单（{data.period.label}）", n)
    _note(sheet, stamp + f" · 共 {len(data.urge_list)} 条，可据此催办", URGE_WIDTHS)
    _head(sheet, URGE_HEADERS, URGE_WIDTHS)
    formats = sheet.formats(("center", "text", "center", "center", "center", "text", "center",
                             "center", "center", "center"))
    for values in data.urge_list:
        sheet.values(values, formats, row_height(values, URGE_WIDTHS))
    if data.urge_list:
        sheet.ws.autofilter(2, 0, 2 + len(data.urge_list), n - 1)


def dump_bare(data: LedgerData, path: Path) -> Path:
    """The benchmark baseline: the same cell values, openpyxl write-only, no formatting."""
    wb = BareWorkbook(write_only=True)
    for name, rows in sheet_values(data).items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    save_with(path, wb.save)
    return Path(path)


def dump_bare_xlsxwriter(data: LedgerData, path: Path, *, constant_memory: bool = False) -> Path:
    """The same cells through xlsxwriter, no formatting; ``constant_memory`` streams each row
    to disk (inline strings) instead of keeping the sheet and a shared string table."""
    def write(fh) -> None:
        # in_memory would turn constant-memory mode off; the ledger itself is built in memory.
        wb = xlsxwriter.Workbook(fh, {**XLSX_OPTIONS, "constant_memory": constant_memory,
                                      "in_memory": not constant_memory})
        for name, rows in sheet_values(data).items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)
        wb.close()

    save_with(path, write)
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
