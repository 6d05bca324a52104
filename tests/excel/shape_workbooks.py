"""Task lists shaped like the ones offices circulate, one builder per shape.

Each builder writes a small list whose every field the tests know (``rows`` = None) or a
realistic long list of ``rows`` tasks in the same shape. Unit names are the demo's where a test
needs them known; invented ones (marked 虚构) where the import must offer them for mapping.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Optional

from openpyxl import Workbook

DEPTS = ["市发展和改革委员会", "市财政局", "市交通运输局", "市自然资源局", "市商务局", "市司法局",
         "市公安局", "市生态环境局", "市交通运输局", "市金融工作办公室", "市工业和信息化局", "市住房和城乡建设局"]
DISTRICTS = ["东胜区", "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "乌审旗", "杭锦旗",
             "鄂托克旗", "鄂托克前旗"]
DEADLINES = ["2026年12月底前", "2026年6月30日", "长期坚持", "每季度", "2026年底前", "每月"]


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _dept(i: int) -> str:
    return DEPTS[i % len(DEPTS)]


def several_unit_columns(path: Path, rows: Optional[int] = None) -> Path:
    """牵头单位 + 责任单位 + 配合单位 + 协办单位 + 参与单位: every column read."""
    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    ws.append(["序号", "重点任务", "牵头单位", "责任单位", "配合单位", "协办单位", "参与单位",
               "完成时限"])
    if rows is None:
        ws.append([1, "建立企业诉求直通车", "市发展和改革委员会", "东胜区", "市财政局", "市商务局",
                   "市司法局", "2026年12月底前"])
        ws.append([2, "压减审批环节", "市自然资源局", None, "市发展和改革委员会、市财政局", None,
                   None, "2026年6月30日"])
        ws.append([3, "公开涉企收费清单", "市财政局", "市交通运输局", None, None, "康巴什区", "长期坚持"])
        return _save(wb, path)
    for i in range(rows):
        ws.append([i + 1, f"重点任务第{i + 1}项", _dept(i), DISTRICTS[i % 9], _dept(i + 1),
                   _dept(i + 2) if i % 2 else None, DISTRICTS[(i + 3) % 9] if i % 3 else None,
                   DEADLINES[i % len(DEADLINES)]])
    return _save(wb, path)


def two_row_header(path: Path, rows: Optional[int] = None) -> Path:
    """An inspection-rectification 三个清单 ledger: group row above the field names."""
    wb = Workbook()
    ws = wb.active
    ws.append(["巡察反馈问题整改“三个清单”台账"])
    ws.merge_cells("A1:J1")
    ws.append(["序号", "问题清单", None, "任务清单", None, "责任清单", None, None, "完成时限",
               "督导组"])
    ws.append([None, "反馈问题", "问题类型", "整改任务", "整改目标", "责任领导", "牵头单位",
               "责任单位", None, None])
    for rng in ("A2:A3", "B2:C2", "D2:E2", "F2:H2", "I2:I3", "J2:J3"):
        ws.merge_cells(rng)
    if rows is None:
        ws.append([1, "政务服务事项办理时限偏长", "作风", "全面压减办理时限", "平均压减50%",
                   "副市长甲", "市政务服务与数据管理局", "东胜区、康巴什区", "立行立改", "第一组"])
        ws.append([2, "涉企检查多头重复", "作风", "推行综合查一次", "年内检查次数减少30%",
                   "副市长乙", "市市场监督管理局", "市公安局", "2026年12月底前", None])
        return _save(wb, path)
    for i in range(rows):
        ws.append([i + 1, f"反馈问题{i + 1}", "作风" if i % 2 else "制度", f"整改任务{i + 1}",
                   f"整改目标{i + 1}", "副市长甲", _dept(i), DISTRICTS[i % 9],
                   "立行立改" if i % 4 == 0 else DEADLINES[i % len(DEADLINES)],
                   f"第{i % 3 + 1}组" if i % 5 == 0 else None])
    return _save(wb, path)


def hidden_columns_rows(path: Path, rows: Optional[int] = None) -> Path:
    """An old 牵头单位 hidden beside the visible 调整后牵头单位; a withdrawn task's row hidden."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "牵头单位", "调整后牵头单位", "责任单位", "完成时限"])
    ws.column_dimensions["C"].hidden = True
    if rows is None:
        ws.append([1, "优化水电气报装", "市住房和城乡建设局", "市工业和信息化局", "市金融工作办公室",
                   "2026年9月底前"])
        ws.append([2, "撤回的任务", "市商务局", "市商务局", "东胜区", "2026年12月底前"])
        ws.row_dimensions[3].hidden = True
        ws.append([3, "推行告知承诺制", "市司法局", "市司法局", "市公安局", "2026年10月31日"])
        return _save(wb, path)
    for i in range(rows):
        ws.append([i + 1, f"任务{i + 1}", "旧牵头单位（虚构）", _dept(i), DISTRICTS[i % 9],
                   DEADLINES[i % len(DEADLINES)]])
        if i % 10 == 9:
            ws.row_dimensions[i + 2].hidden = True
    return _save(wb, path)


LEAD_MARKER_CELLS = [
    "市财政局、市交通运输局（牵头）",
    "市财政局、市交通运输局*",
    "*市交通运输局、市财政局",
    "牵头单位：市交通运输局\n配合单位：市财政局、东胜区",
    "市交通运输局牵头，市财政局、东胜区配合",
    "市财政局、市交通运输局",
]


def lead_markers(path: Path, rows: Optional[int] = None) -> Path:
    """A 责任清单 without a lead column: who leads is marked inside the unit cell."""
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "工作任务", "责任单位", "完成时限"])
    cells = LEAD_MARKER_CELLS if rows is None else [LEAD_MARKER_CELLS[i % 6] for i in range(rows)]
    for i, cell in enumerate(cells):
        ws.append([i + 1, f"落实责任{i + 1}", cell, "2026年12月31日"])
    return _save(wb, path)


def separators(path: Path, rows: Optional[int] = None) -> Path:
    """Names with brackets and inner 、, separators of every kind, collective phrases."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    cells = ["自治区党委宣传部（自治区新闻出版局、电影局）、市交通运输局",
             "市财政局/市商务局；市司法局\n市公安局",
             "各旗县（市、区）教育局",
             "各盟行政公署、市人民政府",
             "各旗区人民政府"]
    if rows is None:
        for i, cell in enumerate(cells):
            ws.append([i + 1, f"任务{i + 1}", "市发展和改革委员会", cell, "2026年12月底前"])
        return _save(wb, path)
    for i in range(rows):
        ws.append([i + 1, f"任务{i + 1}", _dept(i), cells[i % len(cells)],
                   DEADLINES[i % len(DEADLINES)]])
    return _save(wb, path)


def category_rows(path: Path, rows: Optional[int] = None) -> Path:
    """A rectification list with 一、 and （一） headings in different columns and parent rows."""
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "整改事项", "牵头单位", "责任单位", "完成时限"])
    if rows is None:
        ws.append([None, "一、优化政务服务", None, None, None])
        ws.append(["（一）提升办事效率", None, None, None, None])
        ws.append(["1", "压减办理时限", None, None, None])
        ws.append(["1.1", "压减审批时限", "市司法局", "东胜区", "2026年6月30日"])
        ws.append(["1.2", "压减验收时限", "市自然资源局", "康巴什区", "2026年9月30日"])
        ws.append([None, "推行帮办代办", "市商务局", "东胜区", "2026年12月31日"])
        ws.append(["1.1.1", "编号与自动编号相同的任务", "市财政局", None, "2026年12月31日"])
        ws.append(["二、强化要素保障", None, None, None, None])
        ws.append(["2", "保障用地", "市自然资源局", "达拉特旗", "2026年12月31日"])
        return _save(wb, path)
    n = 0
    for part in range(1, 7):
        ws.append([None, f"{'一二三四五六'[part - 1]}、第{part}部分", None, None, None])
        ws.append([str(part), f"第{part}部分的总任务", None, None, None])
        for k in range(1, 12):
            n += 1
            ws.append([f"{part}.{k}", f"子任务{part}.{k}", _dept(n), DISTRICTS[n % 9],
                       DEADLINES[n % len(DEADLINES)]])
            if rows and n >= rows:
                return _save(wb, path)
    return _save(wb, path)


def merged_cells(path: Path, rows: Optional[int] = None) -> Path:
    """A next-year 落实举措清单: 重点任务 and its code merged over its 具体举措 rows."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2027年落实举措清单"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "重点任务", "具体举措", "牵头单位", "完成时限"])
    if rows is None:
        ws.append([1, "提升开办企业便利度", "推行一网通办", "市市场监督管理局", "12月底前"])
        ws.append([None, None, "推行电子营业执照", "市政务服务与数据管理局", "6月底前"])
        ws.append([None, None, "压减开办时间", "市市场监督管理局", "每季度"])
        ws.merge_cells("A3:A5")
        ws.merge_cells("B3:B5")
        ws.append([2, "优化纳税服务", "推行非接触式办税", "市税务局", "2027.06"])
        ws.append(["注：未标年份的均为2027年。"])
        return _save(wb, path)
    r = 3
    for i in range(0, rows, 3):
        group = min(3, rows - i)
        for k in range(group):
            ws.append([i // 3 + 1 if k == 0 else None, f"重点任务{i // 3 + 1}" if k == 0 else None,
                       f"举措{i + k + 1}", _dept(i + k), ["12月底前", "6月底前", "每季度"][k]])
        if group > 1:
            ws.merge_cells(f"A{r}:A{r + group - 1}")
            ws.merge_cells(f"B{r}:B{r + group - 1}")
        r += group
    return _save(wb, path)


def deadlines(path: Path, rows: Optional[int] = None) -> Path:
    """Every new deadline form: 立行立改, a number 2026.12, 每学期, and the recurrences."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "牵头单位", "完成时限"])
    cells = ["立行立改", 2026.12, "每学期", "每月", "每季度", "每半年", "每年", "2026年每季度"]
    cells = cells if rows is None else [cells[i % len(cells)] for i in range(rows)]
    for i, cell in enumerate(cells):
        ws.append([i + 1, f"任务{i + 1}", _dept(i), cell])
    return _save(wb, path)


def wps_like(path: Path, rows: Optional[int] = None) -> Path:
    """Saved the way WPS 表格 saves: its application properties, a custom KSO property, a
    dimension that claims one cell, dates as serial numbers and 2026.12 as numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["任务分解表"])
    ws.append(["序号", "工作任务", "牵头单位", "责任单位", "完成时限", "备注"])
    if rows is None:
        ws.append([1, "推进数据共享", "市政务服务与数据管理局", "东胜区", 46387, None])
        ws.append([2, "完善信用体系", "市发展和改革委员会", "康巴什区", 2026.06, "试点"])
    else:
        for i in range(rows):
            ws.append([i + 1, f"工作任务{i + 1}", _dept(i), DISTRICTS[i % 9],
                       46387 if i % 2 else 2026.06, "试点" if i % 7 == 0 else None])
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "WPS_1700000000"
    wb.save(path)
    _wps_rewrite(path)
    return path


def _wps_rewrite(path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = re.sub(rb"<Application>.*?</Application>",
                              "<Application>WPS 表格</Application>".encode(), data)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            if item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdKso" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/custom-properties" '
                    b'Target="docProps/custom.xml"/></Relationships>'))
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>'))
            dst.writestr(item, data)
        dst.writestr("docProps/custom.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            '2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" '
            'pid="2" name="KSOProductBuildVer"><vt:lpwstr>2052-12.1.0.16120</vt:lpwstr>'
            '</property></Properties>'))
    tmp.replace(path)


SHAPES = {
    "several_unit_columns": several_unit_columns,
    "two_row_header": two_row_header,
    "hidden_columns_rows": hidden_columns_rows,
    "lead_markers": lead_markers,
    "separators": separators,
    "category_rows": category_rows,
    "merged_cells": merged_cells,
    "deadlines": deadlines,
    "wps_like": wps_like,
}


def combined_list(path: Path, tasks: int = 66):
    """A 双减 任务分解表 with every shape at once, and what each task must read as.

    Title with the year, a two-row header with groups, 一、 headings, 重点任务 merged over
    its 具体举措, lead markers in the 责任单位 cell beside a 配合单位 column, a hidden old
    column, a hidden withdrawn row and 每学期 / 立行立改 / 12月底前 deadlines. Returns
    (path, expected) with expected = one tuple per task as the preview must show it.
    """
    wb = Workbook()
    ws = wb.active
    ws.append(["2027年“双减”工作任务分解表"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "任务清单", None, "责任清单", None, None, "完成时限", "备注"])
    ws.append([None, "重点任务", "具体举措", "原责任单位", "责任单位", "配合单位", None, None])
    for rng in ("A2:A3", "B2:C2", "D2:F2", "G2:G3", "H2:H3"):
        ws.merge_cells(rng)
    ws.column_dimensions["D"].hidden = True
    deadline_cells = [("每学期", None, "每学期", "semester"),
                      ("立行立改", D_TODAY, "立行立改", ""),
                      ("12月底前", dt.date(2027, 12, 31), "", ""),
                      ("2027年6月30日", dt.date(2027, 6, 30), "", "")]
    expected = []
    r, n, part = 4, 0, 0
    while n < tasks:
        part += 1
        heading = f"{'一二三四五六七八九十'[part - 1]}、第{part}方面"
        ws.append([heading])
        ws.merge_cells(f"A{r}:H{r}")
        r += 1
        for group in range(1, 5):
            if n >= tasks:
                break
            size = min(3, tasks - n)
            top = r
            for k in range(1, size + 1):
                n += 1
                lead, other = DISTRICTS[n % 9], _dept(n)
                support = _dept(n + 5)
                cell, date, note, rec = deadline_cells[n % 4]
                unit_cell = [f"{lead}（牵头）、{other}", f"{other}、{lead}*",
                             f"牵头单位：{lead}\n责任单位：{other}", f"{lead}牵头，{other}"][n % 4]
                ws.append([f"{part}.{group}" if k == 1 else None,
                           f"重点任务{part}.{group}" if k == 1 else None,
                           f"举措{n}", "原单位（虚构）", unit_cell, support, cell,
                           "纳入考核" if n % 5 == 0 else None])
                expected.append((f"{part}.{group}.{k}", f"举措{n}", f"重点任务{part}.{group}", lead,
                                 (other,), (support,) if support != other else (), "", date,
                                 note, rec, "备注：纳入考核" if n % 5 == 0 else "", ""))
                r += 1
            if size > 1:
                ws.merge_cells(f"A{top}:A{top + size - 1}")
                ws.merge_cells(f"B{top}:B{top + size - 1}")
        ws.append(["x", "已撤销的重点任务", "已撤销的举措", "原单位（虚构）", "东胜区", None,
                   "12月底前", None])
        ws.row_dimensions[r].hidden = True
        r += 1
    ws.append(["注：完成时限未标年份的均为2027年；标*或（牵头）的为牵头单位。"])
    wb.save(path)
    return path, expected


D_TODAY = dt.date(2026, 11, 23)
