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
# openpyxl holds every shared string in memory, even in read-only mode, and parsing them is
# the slow part of a hostile workbook: 16 MB of text is some 100,000 table cells of Chinese.
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"
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
               max_file: int = MAX_FILE_BYTES,
               max_shared_strings: int = MAX_SHARED_STRINGS_BYTES) -> None:
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
        # Both an old .xls and a password-protected .xlsx are OLE2 containers; only the
        # latter holds an EncryptionInfo stream. The name on the file says neither.
        if ole2_is_encrypted(path):
            raise ExcelInputError(
                f"{name} 设置了打开密码（已加密），无法读取。"
                "请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再导入。")
        raise ExcelInputError(
            f"{name}：这是旧版 .xls 文件，请另存为 .xlsx（Excel 97-2003 格式无法读取："
            "在 Excel 或 WPS 中打开后“另存为” .xlsx 格式，再导入）。")
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
    # Declared sizes come from the central directory, read without unpacking anything; a bomb
    # lying about them fails its CRC check instead (zipfile stops at the declared size).
    strings = sum(i.file_size for i in infos if i.filename == SHARED_STRINGS)
    if strings > max_shared_strings:
        raise ExcelInputError(
            f"{name} 的共享文本部分（{SHARED_STRINGS}）解压后约 {strings / 1048576:.0f} MB，"
            f"超过 {max_shared_strings // 1048576} MB 的上限，为安全起见拒绝读取。"
            "任务清单和报送表不会有这么多文字：请检查文件来源，或删除无关内容后再导入。")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        raise ExcelInputError(
            f"{name} 解压后约 {unpacked / 1048576:.0f} MB，超过 {max_unpacked // 1048576} MB 的上限，"
            "为安全起见拒绝读取。请删除无关工作表或拆分后再导入。")


# --- OLE2 (Compound File Binary): old .xls and encrypted OOXML ----------------------------------

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_ENCRYPTION_STREAMS = ("EncryptionInfo", "EncryptedPackage")


def ole2_stream_names(path: Path, *, limit: int = 4096) -> list[str]:
    """The names in an OLE2 file's directory (MS-CFB), read sector by sector.

    Raises ValueError when the container is malformed.
    """
    import struct

    with path.open("rb") as fh:
        header = fh.read(512)
        if len(header) < 512 or header[:8] != _OLE2_MAGIC:
            raise ValueError("not OLE2")
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            raise ValueError("bad sector size")
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", header, 44)
        first_difat, n_difat = struct.unpack_from("<II", header, 68)
        fat_sectors = [x for x in struct.unpack_from("<109I", header, 76) if x not in (_FREE, _END)]

        def sector(n: int) -> bytes:
            fh.seek((n + 1) * size)
            data = fh.read(size)
            if len(data) < size:
                raise ValueError("truncated")
            return data

        nxt, seen = first_difat, 0
        while nxt not in (_FREE, _END) and seen < min(n_difat, limit):
            block = struct.unpack(f"<{size // 4}I", sector(nxt))
            fat_sectors += [x for x in block[:-1] if x not in (_FREE, _END)]
            nxt, seen = block[-1], seen + 1
        fat: list[int] = []
        for n in fat_sectors[: max(n_fat, 1)]:
            fat += struct.unpack(f"<{size // 4}I", sector(n))
        names, current, steps = [], first_dir, 0
        while current not in (_FREE, _END):
            steps += 1
            if steps > limit or current >= len(fat):
                raise ValueError("directory chain")
            data = sector(current)
            for off in range(0, size, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64 and data[off + 66] in (1, 2, 5):
                    names.append(data[off:off + length - 2].decode("utf-16-le", "replace"))
            current = fat[current]
    return names


def ole2_is_encrypted(path: Path) -> bool:
    try:
        names = ole2_stream_names(path)
    except (ValueError, OSError):
        # A damaged directory: look for the stream name itself, as stored (UTF-16LE).
        try:
            data = path.read_bytes()
        except OSError:
            return False
        return _ENCRYPTION_STREAMS[0].encode("utf-16-le") in data
    return any(n in _ENCRYPTION_STREAMS for n in names)


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
