"""Writing a file so that it is either the old file or the complete new one, never half.

Every file the program writes (ledgers, report forms, notices, audit exports, bulletins) goes
through ``atomic_write``: the bytes go to a temporary file beside the target (same folder, so
the same file system), are flushed and fsync'ed, and only then ``os.replace`` the target. A
crash, a full disk or a kill at any moment leaves the previous file as it was.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional

from taskboard.core.errors import ServiceError

OPEN_ELSEWHERE = "文件正被其他程序打开，请关闭后重试"
_WINDOWS = os.name == "nt"


class FileWriteError(ServiceError, OSError):
    """A file could not be written; the message says why in Chinese, the old file is kept.

    Also an OSError, so callers that already handle OSError keep working.
    """


def explain(exc: OSError, target: Path) -> str:
    """Why writing ``target`` failed, in words a dispatcher can act on."""
    name = target.name
    if isinstance(exc, PermissionError) and _WINDOWS:
        # Windows: Excel and WPS keep the files they show open, and such a file cannot be
        # replaced.
        return f"无法写入 {name}：{OPEN_ELSEWHERE}（原文件未改动）。"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"无法写入 {name}：磁盘空间已满，请清理后重试（原文件未改动）。"
    if isinstance(exc, PermissionError):
        return f"无法写入 {name}：没有写入该文件或其所在文件夹的权限（原文件未改动）。"
    if isinstance(exc, FileNotFoundError):
        return f"无法写入 {name}：文件夹不存在：{target.parent}"
    if exc.errno == errno.EROFS:
        return f"无法写入 {name}：该磁盘为只读（原文件未改动）。"
    return f"无法写入 {name}：{exc.strerror or exc}（原文件未改动）。"


def _temp_beside(target: Path) -> tuple[int, Path]:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise FileWriteError(explain(exc, target)) from exc
    return fd, Path(tmp)


def _set_mode(tmp: Path, target: Path, mode: Optional[int]) -> None:
    if os.name != "posix":
        return
    # mkstemp makes 0600 files; an export is an ordinary document (a replaced file keeps the
    # mode it had).
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
    os.chmod(tmp, mode)


def discard(tmp: Path) -> None:
    """Remove a staged file that will not be committed."""
    with contextlib.suppress(OSError):
        Path(tmp).unlink()


def commit(tmp: Path, target: Path | str) -> None:
    """Put a staged file in place of ``target`` in one step (the old file until then)."""
    target = Path(target)
    try:
        os.replace(tmp, target)
    except OSError as exc:
        discard(tmp)
        raise FileWriteError(explain(exc, target)) from exc
    _sync_folder(target.parent)


def stage(target: Path | str, data: bytes, *, mode: Optional[int] = None) -> Path:
    """Write ``data`` completely beside ``target`` and return the temporary file.

    For writes that must wait for something else to succeed first (a bulletin's number is
    committed in the database, then its file replaces the old one): ``commit`` or ``discard``
    it afterwards.
    """
    target = Path(target)
    fd, tmp = _temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _set_mode(tmp, target, mode)
    except OSError as exc:
        discard(tmp)
        raise FileWriteError(explain(exc, target)) from exc
    return tmp


@contextlib.contextmanager
def atomic_write(target: Path | str, *, mode: Optional[int] = None) -> Iterator[BinaryIO]:
    """Yield a binary file to write; on a clean exit it replaces ``target`` in one step.

    ``mode`` (POSIX) fixes the new file's permissions, e.g. 0o600 for a password file; by
    default a replaced file keeps its mode and a new one gets 0o644.

    On any failure the temporary file is removed, ``target`` is left untouched and the error
    is raised as FileWriteError (OSError) or passed on as is (anything else).
    """
    target = Path(target)
    fd, tmp = _temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        _set_mode(tmp, target, mode)
    except BaseException as exc:
        discard(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, FileWriteError):
            raise FileWriteError(explain(exc, target)) from exc
        raise
    commit(tmp, target)


def _sync_folder(folder: Path) -> None:
    # The rename itself reaches the disk only when the folder is synced (POSIX only).
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_write(target) as fh:
        fh.write(data)
    return Path(target)


def save_with(target: Path | str, save: Callable[[BinaryIO], object]) -> Path:
    """``save(file)`` writes the document, e.g. ``lambda f: workbook.save(f)``."""
    with atomic_write(target) as fh:
        save(fh)
    return Path(target)
