"""What read-only openpyxl does not tell: hidden columns and rows and merged ranges.

Read-only mode (needed for big workbooks) ignores ``hidden`` and returns nothing for the lower
cells of a merged range, so the sheet's own XML is read once, streaming, for those three things.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.xml.functions import iterparse

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass
class SheetLayout:
    hidden_cols: set[int] = field(default_factory=set)  # 0-based column indexes
    hidden_rows: set[int] = field(default_factory=set)  # 1-based row numbers
    # (min_row, min_col, max_row, max_col), 1-based as in the sheet
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def _true(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def read_layout(ws, max_cols: int = 60) -> SheetLayout:
    layout = SheetLayout()
    source = getattr(ws, "_get_source", None)
    if source is None:  # a normally opened sheet knows it all already
        for letter, dim in ws.column_dimensions.items():
            if dim.hidden:
                for c in range(dim.min or column_index_from_string(letter),
                               (dim.max or column_index_from_string(letter)) + 1):
                    layout.hidden_cols.add(c - 1)
        layout.hidden_rows = {n for n, dim in ws.row_dimensions.items() if dim.hidden}
        layout.merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells]
        return layout
    with source() as fh:
        for _, el in iterparse(fh, events=("end",)):
            tag = el.tag
            if tag == f"{_NS}row":
                if _true(el.get("hidden", "0")) and el.get("r"):
                    layout.hidden_rows.add(int(el.get("r")))
                el.clear()
            elif tag == f"{_NS}col":
                if _true(el.get("hidden", "0")):
                    lo, hi = int(el.get("min", 1)), int(el.get("max", 1))
                    layout.hidden_cols.update(range(lo - 1, min(hi, max_cols)))
            elif tag == f"{_NS}mergeCell" and el.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(el.get("ref"))
                layout.merges.append((min_row, min_col, max_row, max_col))
    return layout


def fill_merges(rows: dict[int, list], merges, max_cols: int = 60) -> set[tuple[int, int]]:
    """Carry each vertically merged value down its range (first column of the range only).

    Returns the (row, 0-based column) cells that were filled, so callers know a value was
    carried and not typed. Ranges within one row are left alone: those are headings or titles
    written across the sheet.
    """
    filled = set()
    for min_row, min_col, max_row, max_col in merges:
        if max_row <= min_row or min_col > max_cols:
            continue
        top = rows.get(min_row)
        c = min_col - 1
        value = top[c] if top is not None and c < len(top) else None
        if value is None:
            continue
        for r in range(min_row + 1, max_row + 1):
            row = rows.setdefault(r, [])
            if len(row) <= c:
                row.extend([None] * (c + 1 - len(row)))
            if row[c] is None:
                row[c] = value
                filled.add((r, c))
    return filled
