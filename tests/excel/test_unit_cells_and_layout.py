"""Unit cells (markers, separators, collective phrases), the sheet layout read from the XML,
and the new deadline forms."""
import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from taskboard.excel.deadlines import parse_deadline, year_from_text
from taskboard.excel.sheet_layout import fill_merges, read_layout
from taskboard.excel.unit_cells import LEAD, SUPPORT, expand_collective, parse_unit_cell

D = dt.date


@pytest.mark.parametrize("cell, expected", [
    ("甲局（牵头）、乙局", [("甲局", LEAD), ("乙局", None)]),
    ("甲局(牵头)，乙局（配合）", [("甲局", LEAD), ("乙局", SUPPORT)]),
    ("乙局、甲局*", [("乙局", None), ("甲局", LEAD)]),
    ("*甲局、乙局", [("甲局", LEAD), ("乙局", None)]),
    ("甲局＊；乙局", [("甲局", LEAD), ("乙局", None)]),
    ("牵头单位：甲局\n配合单位：乙局、丙局", [("甲局", LEAD), ("乙局", SUPPORT), ("丙局", SUPPORT)]),
    ("牵头单位：甲局\n责任单位：乙局", [("甲局", LEAD), ("乙局", None)]),
    ("甲局牵头，乙局、丙局配合", [("甲局", LEAD), ("乙局", SUPPORT), ("丙局", SUPPORT)]),
    ("甲局负责，乙局协办", [("甲局", LEAD), ("乙局", SUPPORT)]),
    ("自治区党委宣传部（自治区新闻出版局、电影局）、甲局",
     [("自治区党委宣传部（自治区新闻出版局、电影局）", None), ("甲局", None)]),
    ("各旗县（市、区）教育局", [("各旗县（市、区）教育局", None)]),
    ("各旗县（市、区）教育局、甲局", [("各旗县（市、区）教育局", None), ("甲局", None)]),
    ("各盟行政公署、市人民政府", [("各盟行政公署、市人民政府", None)]),
    ("各旗县（市、区）人民政府", [("各旗区", None)]),
    ("甲局/乙局；丙局\n丁局 戊局", [("甲局", None), ("乙局", None), ("丙局", None), ("丁局", None),
                             ("戊局", None)]),
    ("甲局、甲局（牵头）", [("甲局", LEAD)]),
    ("", []),
    (None, []),
])
def test_unit_cells(cell, expected):
    assert parse_unit_cell(cell) == expected


def test_collectives_expand_to_matching_units_only():
    units = [(1, "东胜区", "district"), (2, "康巴什区", "district"), (3, "东胜区教育局", "department"),
             (4, "康巴什区教育局", "department"), (5, "市教育局", "department"),
             (6, "乌海市人民政府", "other"), (7, "阿拉善盟行政公署", "other"),
             (8, "东胜区人民政府", "other")]
    assert expand_collective("各旗区", units) == (1, 2)
    assert expand_collective("各旗县（市、区）教育局", units) == (3, 4)
    assert expand_collective("各盟行政公署、市人民政府", units) == (6, 7)
    assert expand_collective("各有关部门", units) == ()


def _layout_book(path):
    wb = Workbook()
    ws = wb.active
    for r in range(1, 7):
        ws.append([f"A{r}", f"B{r}" if r in (1, 2, 5) else None, f"C{r}", f"D{r}"])
    ws.merge_cells("B2:B4")  # vertical: carried down
    ws.merge_cells("C6:D6")  # within one row: left alone
    ws.column_dimensions["D"].hidden = True
    ws.row_dimensions[5].hidden = True
    wb.save(path)
    return path


def test_layout_from_the_sheet_xml_matches_a_normal_open(tmp_path):
    path = _layout_book(tmp_path / "l.xlsx")
    fast = load_workbook(path, read_only=True)
    slow = load_workbook(path)
    try:
        a, b = read_layout(fast.active), read_layout(slow.active)
    finally:
        fast.close()
    assert (a.hidden_cols, a.hidden_rows, sorted(a.merges)) == ({3}, {5}, [(2, 2, 4, 2),
                                                                        (6, 3, 6, 4)])
    assert (b.hidden_cols, b.hidden_rows, sorted(b.merges)) == (a.hidden_cols, a.hidden_rows,
                                                                sorted(a.merges))
    rows = {n: list(r) for n, r in enumerate(fast_rows(path), start=1)}
    filled = fill_merges(rows, a.merges)
    assert filled == {(3, 1), (4, 1)}
    assert [rows[n][1] for n in range(1, 7)] == ["B1", "B2", "B2", "B2", "B5", None]
    assert rows[6][3] is None


def fast_rows(path):
    wb = load_workbook(path, read_only=True)
    try:
        return [r for r in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


@pytest.mark.parametrize("value, expected", [
    ("立行立改", (D(2026, 11, 23), "立行立改", "")),
    ("立即整改", (D(2026, 11, 23), "立即整改", "")),
    (2026.12, (D(2026, 12, 31), "", "")),
    (2026.06, (D(2026, 6, 30), "", "")),
    ("2026.12", (D(2026, 12, 31), "", "")),
    (2026, (D(2026, 12, 31), "2026", "")),
    ("每学期", (None, "每学期", "semester")),
    ("每月", (None, "每月", "monthly")),
    ("每季度", (None, "每季度", "quarterly")),
    ("按季度报送", (None, "按季度报送", "quarterly")),
    ("每半年", (None, "每半年", "half_yearly")),
    ("每年", (None, "每年", "yearly")),
    ("2027年底前，每季度", (D(2027, 12, 31), "2027年底前，每季度", "quarterly")),
    ("长期坚持", (None, "长期坚持", "")),
    ("每周", (None, "每周", "")),
])
def test_new_deadline_forms(value, expected):
    d = parse_deadline(value, 2026, today=D(2026, 11, 23))
    assert (d.date, d.note, d.recurrence) == expected and d.error == ""


def test_a_number_whose_month_ends_in_zero_is_read_with_a_warning():
    d = parse_deadline(2026.1, 2026)
    assert d.date == D(2026, 1, 31)
    assert "如指 10 月" in d.warning
    assert parse_deadline(2026.13, 2026).error == "无法识别的完成时限：2026.13"


def test_year_from_a_title():
    assert year_from_text("2027年落实举措清单") == 2027
    assert year_from_text("2027年度重点任务分解表") == 2027
    assert year_from_text("重点任务清单") is None
