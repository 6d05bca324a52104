"""Task-list workbooks shaped like the ones plans arrive in, built for the import tests."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def standard_plan(path: Path) -> Path:
    """Merged title rows, a header on row 3, section headings, every deadline form, notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点任务清单"
    ws.append(["鄂尔多斯市优化营商环境3.0行动方案重点任务清单"])
    ws.merge_cells("A1:G1")
    ws.append(["（2026年度）"])
    ws.merge_cells("A2:G2")
    ws.append(["序号", "重点任务", "牵头单位", "责任\n单位", "分管领导", "完成时限", "备注"])
    ws.append(["一、开办企业"])
    ws.merge_cells("A4:G4")
    rows = [
        (1, "推行企业开办“一网通办”", "市市场监督管理局", "东胜区、康巴什区", "副市长（分管政务服务）",
         "2026年12月底前", None),
        (2, "免费发放企业开办“大礼包”", "市政务服务与数据管理局", "达拉特旗，准格尔旗\n伊金霍洛旗",
         "副市长（分管政务服务）", "2026年6月30日", "试点先行"),
        (3, "推进“证照分离”改革全覆盖", "市市场监督管理局", "各旗区", "常务副市长",
         "2026.6.30", None),
        (None, None, None, None, None, None, None),  # an empty row
        (4, "压缩企业注销办理时间", "市税务局", "市市场监督管理局；东胜区", "常务副市长",
         "2026-06-30", None),
    ]
    for r in rows:
        ws.append(list(r))
    ws.append(["二、获得电力"])
    ws.append([5, "低压小微企业用电报装“零上门”", "市发展和改革委员会", "东胜区", "常务副市长",
               dt.datetime(2026, 9, 30), None])
    ws.append([6, "优化用电营商环境长效机制", "市发展和改革委员会", "东胜区、乌审旗", "常务副市长",
               "长期坚持", None])
    ws.append([7, "定期通报用电报装指标", "市发展和改革委员会", "东胜区", "常务副市长", "每季度",
               None])
    ws.append([8, "供电可靠性提升行动", "市发展和改革委员会", "杭锦旗", "常务副市长", "6月底前", None])
    ws.append([])
    ws.append(["注：1.完成时限为最迟时间；2.各牵头单位每月25日前报送进展。"])
    ws.merge_cells(f"A{ws.max_row}:G{ws.max_row}")
    return _save(wb, path)


def problems_plan(path: Path) -> Path:
    """Unknown units, a duplicate code, a bad deadline, a row without a title."""
    wb = Workbook()
    ws = wb.active
    ws.append(["任务编号", "任务内容", "主责单位", "配合单位", "完成时间"])
    ws.append(["1.1", "第一项", "市发改委", "东胜区", "2026年12月底前"])
    ws.append(["1.2", "第二项", "市发展和改革委员会", "东胜区、新设园区管委会", "2026年12月底前"])
    ws.append(["1.2", "重复编号的任务", "市财政局", "", "2026年12月底前"])
    ws.append(["1.3", "时限写错", "市财政局", "", "尽快"])
    ws.append(["1.4", None, "市财政局", "", "2026年12月底前"])
    return _save(wb, path)


def restarting_codes_plan(path: Path) -> Path:
    """Numbers restart in each section and sub-section: 一、（一）1. → 1.1.1."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "责任单位", "时限"])
    ws.append(["一、", "数字政府建设", None, None])
    ws.append(["（一）", "政务服务一网通办", None, None])
    ws.append(["1.", "建设统一受理平台", "市政务服务与数据管理局（牵头）、市财政局", "2026年12月底"])
    ws.append(["2.", "推行电子证照", "市政务服务与数据管理局", "2026年10月底"])
    ws.append(["（二）", "数据共享", None, None])
    ws.append(["1.", "建设数据共享交换平台", "市政务服务与数据管理局", "2026年11月底"])
    ws.append(["二、", "公平竞争", None, None])
    ws.append(["1.", "开展公平竞争审查", "市市场监督管理局", "长期"])
    return _save(wb, path)


def two_row_header_plan(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "责任单位", None, "完成时限"])
    ws.merge_cells("C1:D1")
    ws.append([None, None, "牵头单位", "配合单位", None])
    ws.append([1, "推进项目审批提速", "市住房和城乡建设局", "市自然资源局、东胜区", "2026年12月底前"])
    return _save(wb, path)


def big_plan(path: Path, rows: int) -> Path:
    from openpyxl import Workbook as WB

    wb = WB(write_only=True)
    ws = wb.create_sheet("清单")
    ws.append(["大规模任务清单"])
    ws.append(["序号", "任务名称", "类别", "牵头单位", "责任单位", "分管领导", "完成时限"])
    districts = ["东胜区", "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "乌审旗"]
    for i in range(1, rows + 1):
        ws.append([f"{i // 100 + 1}.{i % 100 + 1}.{i}", f"重点任务第{i}项", f"类别{i % 7}",
                   "市发展和改革委员会", "、".join(districts[: 1 + i % 6]),
                   "常务副市长", f"2026年{1 + i % 12}月底前"])
    wb.save(path)
    return path


def numbered_plan(path: Path, *, code_first: bool = False) -> Path:
    """序号 and 任务编号 side by side, as nearly every real list has them; a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws.append(["2026年优化营商环境重点任务清单"])
    head = ["序号", "任务编号"]
    ws.append([*(reversed(head) if code_first else head), "重点任务", "牵头单位", "责任单位",
               "完成时限"])
    rows = [
        (1, "1.1", "推行新开办企业全程网办", "市市场监督管理局", "东胜区、康巴什区", "2026年12月底前"),
        (2, "1.2", "持续优化纳税服务", "市税务局", "各旗区", "长期坚持"),
        (3, "1.3", "压缩工程审批时限", "市住房和城乡建设局", "达拉特旗", "6月底前"),
        (4, "1.4", "推进信用修复", "市信用办（虚构）", "东胜区", "2027年3月31日"),
        (5, "1.2", "重复编号的任务", "市税务局", "东胜区", "2026-12-31"),
        (6, "1.5", "时限写错的任务", "市税务局", "东胜区", "2026年13月底前"),
    ]
    for seq, code, *rest in rows:
        ws.append([*((code, seq) if code_first else (seq, code)), *rest])
    wb.create_sheet("说明").append(["填表说明：完成时限写到月底。"])
    return _save(wb, path)


def ole2_file(path: Path, streams: tuple[str, ...]) -> Path:
    """A minimal OLE2 (MS-CFB v3) container whose directory names ``streams``: with
    Workbook it looks like an old .xls, with EncryptionInfo/EncryptedPackage like the
    container Excel writes for a password-protected .xlsx."""
    import struct

    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector; directory at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, end, *([free] * 126))

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le")
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw) + 2, kind, 1)
        struct.pack_into("<III", e, 68, free, right, child)
        struct.pack_into("<IQ", e, 116, end, 0)
        return bytes(e)

    entries = [entry("Root Entry", 5, child=1 if streams else free)]
    for i, name in enumerate(streams):
        entries.append(entry(name, 2, right=i + 2 if i + 1 < len(streams) else free))
    directory = b"".join(entries).ljust(512, b"\0")
    path.write_bytes(bytes(header) + fat + directory)
    return path
