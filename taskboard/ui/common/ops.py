"""Run one user action as one transaction, route its errors, broadcast what changed.

Every GUI operation goes through ``run_op`` so errors look the same everywhere and the
views refresh themselves from the change news.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import Session

from taskboard.core.errors import AccountChanged, ConflictError, ServiceError
from taskboard.ui.common.context import AppContext

T = TypeVar("T")


class OpFailed(Exception):
    """Raised to the caller after the user has been told; nothing was stored."""


def run_op(parent: Optional[QWidget], ctx: AppContext, work: Callable[[Session], T],
           changes: Iterable[str] = (), *, title: str = "操作失败",
           quiet: bool = False) -> T:
    """Run ``work(session)`` in one transaction; on failure tell the user and raise OpFailed."""
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        with ctx.db.Session.begin() as session:
            result = work(session)
    except ConflictError:
        raise  # the caller shows what changed and offers reload or overwrite
    except StaleDataError as exc:
        raise ConflictError("该记录已被其他人修改，请重新加载后再试。") from exc
    except AccountChanged as exc:
        _tell(parent, title, str(exc), quiet)
        ctx.changes.accountChanged.emit(str(exc))
        raise OpFailed(str(exc)) from exc
    except ServiceError as exc:
        _tell(parent, title, str(exc), quiet)
        raise OpFailed(str(exc)) from exc
    except DBAPIError as exc:
        if not _connection_trouble(exc):
            raise
        msg = f"{UNSAVED}\n（{_first_line(exc)}）"
        # The banner should not wait for the next poll to say the connection is gone.
        ctx.changes.trouble.emit(msg)
        _tell(parent, title, msg, quiet)
        raise OpFailed(msg) from exc
    finally:
        QGuiApplication.restoreOverrideCursor()
    changes = tuple(changes)
    if changes:
        ctx.changes.announce(*changes)
    return result


# What the user typed stays in the dialog: every dialog returns early on OpFailed and stays open.
UNSAVED = ("无法写入数据库（连接中断或数据库忙），本次修改没有保存。\n"
           "您填写的内容仍保留在窗口中：等窗口顶部的断线提示消失后，再提交一次即可。")


def _connection_trouble(exc: DBAPIError) -> bool:
    # A dropped connection surfaces as OperationalError, or as InterfaceError when the
    # driver finds the socket already closed; SQLAlchemy flags both as invalidated.
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


def _tell(parent: Optional[QWidget], title: str, message: str, quiet: bool) -> None:
    if not quiet:
        QMessageBox.warning(parent, title, message)


def read(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """A read-only query in its own short session."""
    try:
        with ctx.db.session() as session:
            return work(session)
    except DBAPIError as exc:
        if _connection_trouble(exc):  # at least the banner tells the user at once
            ctx.changes.trouble.emit(_first_line(exc))
        raise


def tell_done(widget: Optional[QWidget], text: str, timeout_ms: int = 15000) -> None:
    """Name what was just done in the main window's status bar (the action confirms itself)."""
    w = widget
    while w is not None and not isinstance(w, QMainWindow):
        w = w.parentWidget()
    if w is not None:
        w.statusBar().showMessage(text, timeout_ms)
        # Painted now: the views reload right after, and the user must not wait to see it.
        w.statusBar().repaint()


def announce_busy(ctx: AppContext, *changes: str) -> None:
    """Broadcast a change with the busy cursor up while the views reload."""
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        ctx.changes.announce(*changes)
    finally:
        QGuiApplication.restoreOverrideCursor()


def ask(parent: Optional[QWidget], title: str, question: str) -> bool:
    return QMessageBox.question(parent, title, question) == QMessageBox.Yes


__all__ = ["OpFailed", "run_op", "read", "ask", "tell_done", "announce_busy", "Any"]
