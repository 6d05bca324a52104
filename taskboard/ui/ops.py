"""Run one user action as one transaction, route its errors, broadcast what changed.

Every GUI operation goes through ``run_op`` so errors look the same everywhere and the
views refresh themselves from the change news.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import Session

from taskboard.core.errors import ConflictError, ServiceError
from taskboard.ui.context import AppContext

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
    except ServiceError as exc:
        _tell(parent, title, str(exc), quiet)
        raise OpFailed(str(exc)) from exc
    except OperationalError as exc:
        msg = f"数据库连接失败或数据库忙，操作未保存。\n{exc.orig}"
        _tell(parent, title, msg, quiet)
        raise OpFailed(msg) from exc
    finally:
        QGuiApplication.restoreOverrideCursor()
    changes = tuple(changes)
    if changes:
        ctx.changes.announce(*changes)
    return result


def _tell(parent: Optional[QWidget], title: str, message: str, quiet: bool) -> None:
    if not quiet:
        QMessageBox.warning(parent, title, message)


def read(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """A read-only query in its own short session."""
    with ctx.db.session() as session:
        return work(session)


def ask(parent: Optional[QWidget], title: str, question: str) -> bool:
    return QMessageBox.question(parent, title, question) == QMessageBox.Yes


__all__ = ["OpFailed", "run_op", "read", "ask", "Any"]
