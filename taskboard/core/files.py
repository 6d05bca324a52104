"""Writing a user's file: to a temp file beside the target, then os.replace() into place.

A half-written document never replaces a good one, and a file held open by Word or WPS on
Windows (os.replace raises PermissionError) keeps its old content with a clear message.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class FileWriteError(Exception):
    """A Chinese explanation of why the file could not be written."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temp file in the target's folder; returns the temp file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileWriteError(f"文件夹不存在：{path.parent}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix + ".part",
                                   dir=path.parent)
        # mkstemp makes the file private; a document should read like any other file.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise FileWriteError(f"无法写入 {path}：{exc.strerror or exc}") from None
    return Path(tmp)


def commit(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        if isinstance(exc, PermissionError):
            raise FileWriteError(f"文件正被其他程序打开，请关闭后重试：{path}") from None
        raise FileWriteError(f"无法写入 {path}：{exc.strerror or exc}") from None


def discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_atomic(path: Path, data: bytes) -> None:
    commit(stage(path, data), Path(path))
