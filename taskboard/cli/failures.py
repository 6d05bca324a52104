"""What a command says when it fails: always Chinese, always exit 2, never a traceback.

A command can meet a lost connection, a server restarted mid-import, a database locked by
another program, a full disk, a file open in Excel. Each is named so the user knows whether to
wait, free space, close a file or call the administrator; nothing half-done was stored, because
every write runs in one transaction.
"""
from __future__ import annotations

import errno
import os
from typing import Optional

from taskboard.core.errors import ServiceError

ENV_DEBUG = "TASKBOARD_DEBUG"
NOT_STORED = "本次操作没有保存任何改动"


class CliError(Exception):
    """A failure to report on stderr with exit status 2."""


def explain_failure(exc: BaseException) -> Optional[str]:
    """The message for ``exc``, or None when it must propagate (exit requests, debugging)."""
    # Imported here: the window's start paints its first dialog before SQLAlchemy is loaded.
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, (SystemExit, GeneratorExit)):
        return None
    if isinstance(exc, (CliError, ServiceError)):
        return str(exc)
    if os.environ.get(ENV_DEBUG):
        return None
    if isinstance(exc, DBAPIError):
        return explain_database_error(exc)
    if isinstance(exc, SQLAlchemyError):
        return f"数据库操作失败（{type(exc).__name__}），{NOT_STORED}。"
    if isinstance(exc, OSError):
        return explain_os_error(exc)
    if isinstance(exc, MemoryError):
        return f"内存不足，{NOT_STORED}。请关闭其他程序后重试。"
    return (f"程序内部错误（{type(exc).__name__}：{_first_line(exc)}），{NOT_STORED}。"
            f"请把这条信息告诉系统管理员；设置环境变量 {ENV_DEBUG}=1 可看到详细信息。")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:200]


_LOST = ("server closed the connection", "terminating connection", "connection refused",
         "could not connect", "connection reset", "broken pipe", "ssl syscall",
         "connection timed out", "no connection to the server", "connection is closed",
         "consuming input failed", "the connection is lost", "server conn crashed",
         "connection to server", "admin_shutdown", "cannot connect now",
         "the database system is shutting down", "the database system is starting up")


def explain_database_error(exc) -> str:
    """``exc`` is a SQLAlchemy DBAPIError."""
    low = _first_line(exc).lower()
    full = str(getattr(exc, "orig", None) or exc).lower()
    if "database is locked" in low or "database is busy" in low or "database table is locked" in low:
        return (f"数据库正被其他程序锁定（例如另一台电脑或另一个窗口正在写入），{NOT_STORED}。"
                "请稍后重试。")
    if "disk is full" in low or "no space left" in full or "disk full" in full:
        return f"磁盘空间已满，数据库无法写入，{NOT_STORED}。请清理磁盘后重试。"
    if "readonly database" in low or "read-only" in low:
        return f"数据库文件或其文件夹是只读的，{NOT_STORED}。"
    if "disk i/o error" in low:
        return f"读写数据库文件时出现磁盘错误，{NOT_STORED}。请检查磁盘或网络盘后重试。"
    if exc.connection_invalidated or any(word in full for word in _LOST):
        return (f"与数据库服务器的连接中断（服务器可能已重启或网络断开），{NOT_STORED}。"
                "请稍后重试。")
    if "malformed" in low or "not a database" in low:
        return f"数据库文件已损坏，{NOT_STORED}。请用 taskboard check 检查，或从备份恢复。"
    return f"数据库出错（{_first_line(exc)}），{NOT_STORED}。"


def explain_os_error(exc: OSError) -> str:
    where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间已满，无法写入{where}。请清理磁盘后重试。"
    if isinstance(exc, PermissionError):
        return f"没有权限读写{where or '所需的文件'}。"
    if isinstance(exc, FileNotFoundError):
        return f"文件或文件夹不存在：{where.strip() or _first_line(exc)}"
    if exc.errno == errno.EROFS:
        return f"磁盘为只读，无法写入{where}。"
    return f"文件读写失败{where}：{exc.strerror or _first_line(exc)}"
