"""Opening workbooks that come from outside, and writing user text into cells safely.

Everything imported arrives from other offices by e-mail or USB stick: it may be an old .xls,
a CSV renamed, a password-protected file, a broken download or a deliberately hostile zip.
Each case gets a message a dispatcher can act on, and nothing is read past the caps.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.xml import DEFUSEDXML

from taskboard.core.errors import ValidationError

MAX_ROWS = 50_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
# Text that spreadsheet programs would evaluate (OWASP formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's own limit for one cell.
MAX_CELL_CHARS = 32_767

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


class ExcelInputError(ValidationError):
    """A workbook that cannot be read; the message names the file and what to do."""


def require_defusedxml() -> None:
    # openpyxl only parses through defusedxml when it is importable; refuse to run without it.
    if not DEFUSEDXML:
        raise ExcelInputError("缺少 defusedxml 组件，出于安全原因不能读取外来的 Excel 文件。")


def check_file(path: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES,
               max_file: int = MAX_FILE_BYTES) -> None:
    """Refuse anything that is not a plain, unencrypted .xlsx before openpyxl sees it."""
    name = path.name
    if not path.exists():
        raise ExcelInputError(f"文件不存在：{path}")
    if path.is_dir():
        raise ExcelInputError(f"{name} 是文件夹，不是 Excel 文件。")
    size = path.stat().st_size
    if size == 0:
        raise ExcelInputError(f"{name} 是空文件。")
    if size > max_file:
        raise ExcelInputError(
            f"{name} 大小为 {size / 1048576:.1f} MB，超过 {max_file // 1048576} MB 的上限。")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head == _OLE2_MAGIC:
        if suffix == ".xls" or suffix not in (".xlsx", ".xlsm"):
            raise ExcelInputError(
                f"{name} 是旧版 Excel 97-2003（.xls）格式，无法读取。"
                "请在 Excel 或 WPS 中“另存为” .xlsx 格式后再导入。")
        raise ExcelInputError(
            f"{name} 设置了打开密码（已加密），无法读取。"
            "请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再导入。")
    if suffix == ".xls":
        raise ExcelInputError(
            f"{name} 是旧版 .xls 文件，无法读取。请另存为 .xlsx 格式后再导入。")
    if suffix in (".csv", ".txt", ".tsv"):
        raise ExcelInputError(
            f"{name} 是 CSV 文本文件，不是 Excel 工作簿。"
            "请在 Excel 或 WPS 中打开后“另存为” .xlsx 格式再导入。")
    if head[:4] != _ZIP_MAGIC:
        raise ExcelInputError(
            f"{name} 不是有效的 Excel 工作簿（.xlsx）。如果是 CSV 或其他格式，"
            "请在 Excel 或 WPS 中另存为 .xlsx 后再导入。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExcelInputError(f"{name} 已损坏（压缩包不完整），无法读取。请重新获取该文件。") from None
    if "xl/workbook.xml" not in names:
        raise ExcelInputError(f"{name} 不是 Excel 工作簿（缺少 xl/workbook.xml）。")
    # Declared sizes are what the archive claims; a bomb lying about them fails CRC later.
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        raise ExcelInputError(
            f"{name} 解压后约 {unpacked / 1048576:.0f} MB，超过 {max_unpacked // 1048576} MB 的上限，"
            "为安全起见拒绝读取。请删除无关工作表或拆分后再导入。")


def open_workbook(path: Path, *, max_unpacked: Optional[int] = None):
    """A read-only, values-only workbook, or ExcelInputError with a clear message."""
    require_defusedxml()
    path = Path(path)
    check_file(path, max_unpacked=max_unpacked or MAX_UNPACKED_BYTES)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except ExcelInputError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        raise ExcelInputError(f"{path.name} 已损坏，无法读取。请重新获取该文件。") from None
    except Exception as exc:  # defusedxml and malformed XML raise many different types
        raise ExcelInputError(f"{path.name} 无法解析：{type(exc).__name__}。"
                              "文件可能已损坏或含有不安全的内容。") from None


def iter_rows(ws, *, file_name: str, max_rows: Optional[int] = None,
              max_cols: int = 60) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) for each row, refusing sheets longer than ``max_rows``.

    Columns past ``max_cols`` are ignored: a sheet's dimension claims cannot be trusted.
    """
    max_rows = max_rows or MAX_ROWS
    n = 0
    if getattr(ws, "reset_dimensions", None):
        # WPS and some generators write a <dimension> of A1 whatever the sheet holds; read-only
        # mode would stop there. The row cap above bounds the read instead.
        ws.reset_dimensions()
    try:
        for n, row in enumerate(ws.iter_rows(values_only=True, max_col=max_cols), start=1):
            if n > max_rows:
                raise ExcelInputError(
                    f"{file_name} 的工作表「{ws.title}」超过 {max_rows} 行的上限，"
                    "请拆分后分批导入。")
            yield n, row
    except ExcelInputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise ExcelInputError(f"{file_name} 已损坏（第 {n} 行附近），无法读取。") from None
    except Exception as exc:
        raise ExcelInputError(f"{file_name} 的工作表「{ws.title}」第 {n + 1} 行附近无法解析："
                              f"{type(exc).__name__}。") from None


# --- writing ---------------------------------------------------------------------------------

def clean_text(value: Optional[str]) -> str:
    """User text fit for a cell: control characters dropped, cut to Excel's cell limit."""
    if not value:
        return ""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 20] + "…（内容过长已截断）"
    return text


def is_formula_like(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def set_text(cell, value: Optional[str]) -> None:
    """Put user text into a cell so that no spreadsheet program ever evaluates it.

    The text is kept exactly; it is stored as a string with Excel's quote prefix (what Excel
    itself does when someone types a leading apostrophe), so editing the cell later does not
    turn it into a formula either.
    """
    text = clean_text(value)
    cell.value = text
    if is_formula_like(text):
        cell.data_type = "s"
        cell.quotePrefix = True


_CODE_RE = re.compile(r"\s+")


def squash(text: Any) -> str:
    """Cell value as trimmed single-spaced text ("" for None)."""
    if text is None:
        return ""
    return _CODE_RE.sub(" ", str(text)).strip()
