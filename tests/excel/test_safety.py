"""Hostile and malformed files: a clear Chinese message each, and the database untouched."""
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from taskboard.core.models import Task
from taskboard.excel import safety
from taskboard.excel.safety import ExcelInputError, open_workbook, set_text
from taskboard.excel.task_import import preview_import
from tests.conftest import TODAY
from tests.excel import workbooks as W

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def _refused(demo_db, path, match):
    with demo_db.session() as s:
        before = s.scalar(select(func.count()).select_from(Task))
        with pytest.raises(ExcelInputError, match=match) as info:
            preview_import(s, path, today=TODAY)
        assert s.scalar(select(func.count()).select_from(Task)) == before
    return str(info.value)


def test_old_xls_asks_for_xlsx(demo_db, tmp_path):
    (tmp_path / "清单.xls").write_bytes(OLE2)
    msg = _refused(demo_db, tmp_path / "清单.xls", "旧版")
    assert "清单.xls" in msg and "另存为" in msg


def test_password_protected_xlsx_is_named_as_such(demo_db, tmp_path):
    # Excel stores an encrypted .xlsx inside an OLE2 container with an EncryptionInfo stream.
    W.ole2_file(tmp_path / "加密.xlsx", ("EncryptionInfo", "EncryptedPackage"))
    assert "密码" in _refused(demo_db, tmp_path / "加密.xlsx", "加密")


def test_an_old_xls_renamed_xlsx_is_called_an_old_xls_not_encrypted(demo_db, tmp_path):
    W.ole2_file(tmp_path / "改名的旧表.xlsx", ("Workbook", "SummaryInformation"))
    msg = _refused(demo_db, tmp_path / "改名的旧表.xlsx", "这是旧版 .xls 文件，请另存为 .xlsx")
    assert "密码" not in msg and "加密" not in msg
    # and an encrypted workbook that someone named .xls is still called encrypted
    W.ole2_file(tmp_path / "加密.xls", ("EncryptionInfo", "EncryptedPackage"))
    assert "旧版" not in _refused(demo_db, tmp_path / "加密.xls", "设置了打开密码")


def test_the_directory_of_an_ole2_file_is_read(tmp_path):
    path = W.ole2_file(tmp_path / "x.xls", ("Workbook", "EncryptionInfo"))
    assert safety.ole2_stream_names(path) == ["Root Entry", "Workbook", "EncryptionInfo"]


def _with_huge_shared_strings(source, target, megabytes: int):
    """``source`` with a shared-strings part of ``megabytes`` MB of text that compresses to
    a few hundred KB: small on disk, huge to parse."""
    si = "<si><t>营商环境优化提升专项任务</t></si>"
    body = si * (megabytes * 1024 * 1024 // len(si.encode()))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"{body}</sst>")
    with zipfile.ZipFile(source) as src, \
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != safety.SHARED_STRINGS:
                dst.writestr(info, src.read(info.filename))
        dst.writestr(safety.SHARED_STRINGS, xml)
    return target


def test_oversized_shared_strings_are_refused_from_the_central_directory(demo_db, tmp_path):
    import tracemalloc

    plan = W.standard_plan(tmp_path / "plan.xlsx")
    path = _with_huge_shared_strings(plan, tmp_path / "巨大.xlsx", 40)
    assert path.stat().st_size < safety.MAX_FILE_BYTES // 10
    tracemalloc.start()
    try:
        msg = _refused(demo_db, path, "共享文本.*超过 16 MB 的上限")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "巨大.xlsx" in msg
    # Nothing was unpacked: the refusal cost far less memory than the 40 MB of text.
    assert peak < 4 * 1024 * 1024


def test_csv_is_refused_with_advice(demo_db, tmp_path):
    (tmp_path / "清单.csv").write_text("序号,任务名称\n1,测试\n", encoding="utf-8")
    _refused(demo_db, tmp_path / "清单.csv", "CSV")
    (tmp_path / "改了扩展名.xlsx").write_text("序号,任务名称\n1,测试\n", encoding="utf-8")
    _refused(demo_db, tmp_path / "改了扩展名.xlsx", "不是有效的 Excel")


def test_broken_and_truncated_zips(demo_db, tmp_path):
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    _refused(demo_db, tmp_path / "坏.xlsx", "损坏")
    good = W.standard_plan(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "半截.xlsx").write_bytes(good[: len(good) // 2])
    _refused(demo_db, tmp_path / "半截.xlsx", "损坏")


def test_a_zip_that_is_not_a_workbook(demo_db, tmp_path):
    with zipfile.ZipFile(tmp_path / "文档.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    _refused(demo_db, tmp_path / "文档.xlsx", "不是 Excel 工作簿")


def test_unpacked_size_cap(demo_db, tmp_path, monkeypatch):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * 3_000_000)  # compresses to a few KB
    monkeypatch.setattr(safety, "MAX_UNPACKED_BYTES", 2_000_000)
    _refused(demo_db, path, "解压后.*超过 1 MB 的上限")


def test_xml_bomb_is_refused_quickly(demo_db, tmp_path):
    path = W.standard_plan(tmp_path / "plan.xlsx")
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                      for i in range(1, 10))
            + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
              '</sheetData></worksheet>')
    src = zipfile.ZipFile(path)
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = bomb.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            zf.writestr(info, data)
    src.close()
    _refused(demo_db, out, "无法解析|不安全")


def test_row_cap(demo_db, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_ROWS", 10)
    msg = _refused(demo_db, W.big_plan(tmp_path / "big.xlsx", 20), "超过 10 行")
    assert "拆分" in msg


def test_defusedxml_is_in_use():
    assert safety.DEFUSEDXML is True
    safety.require_defusedxml()


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=x", "\r=x",
                                  '=HYPERLINK("http://evil","点我")'])
def test_formula_like_text_comes_back_as_text(tmp_path, text):
    wb = Workbook()
    set_text(wb.active["A1"], text)
    wb.save(tmp_path / "x.xlsx")
    cell = load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_control_characters_are_dropped_and_long_text_is_cut(tmp_path):
    wb = Workbook()
    set_text(wb.active["A1"], "进展\x00\x07正常")
    set_text(wb.active["A2"], "长" * 40_000)
    wb.save(tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx").active
    assert ws["A1"].value == "进展正常"
    assert len(ws["A2"].value) <= 32_767 and ws["A2"].value.endswith("已截断）")


def test_open_workbook_is_read_only(tmp_path):
    wb = open_workbook(W.standard_plan(tmp_path / "plan.xlsx"))
    assert wb.read_only
    wb.close()
