"""Read-only work off the UI thread: ``work(session)`` in a worker with its own session, the
result handed back on the UI thread.

For figures that take longer than a frame at province scale (cards of every assignment, 考评
scores, a bulletin's figures). Only the latest request per key is delivered: a result that a
newer request has overtaken is dropped, so a quick period switch never shows stale figures.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QRunnable, QThreadPool, Signal, Slot
from sqlalchemy.orm import Session


class _Job(QRunnable):
    def __init__(self, runner: "Background", key: str, serial: int, work) -> None:
        super().__init__()
        self.runner, self.key, self.serial, self.work = runner, key, serial, work

    def run(self) -> None:
        try:
            with self.runner.ctx.db.session() as session:
                result = self.work(session)
        except Exception as exc:  # shown by the caller; a worker must never take the app down
            self.runner.finished.emit(self.key, self.serial, False, exc)
        else:
            self.runner.finished.emit(self.key, self.serial, True, result)


class Background(QObject):
    # Emitted from the worker; the receiving slot runs on the UI thread (queued connection).
    finished = Signal(str, int, bool, object)

    def __init__(self, ctx, parent: QObject) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one reader at a time: the work is mostly Python
        self._serial = itertools.count(1)
        self._latest: dict[str, tuple[int, Callable, Callable]] = {}
        self.finished.connect(self._deliver)
        # Wait for running work before the window (and maybe the database) goes away.
        parent.installEventFilter(self)

    def run(self, key: str, work: Callable[[Session], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] = lambda exc: None) -> None:
        serial = next(self._serial)
        self._latest[key] = (serial, done, failed)
        self.pool.start(_Job(self, key, serial, work))

    def busy(self, key: str) -> bool:
        return key in self._latest

    def wait(self) -> None:
        """Finish queued work and deliver its results (tests, closing)."""
        self.pool.waitForDone()

    @Slot(str, int, bool, object)
    def _deliver(self, key: str, serial: int, ok: bool, result: Any) -> None:
        latest = self._latest.get(key)
        if latest is None or latest[0] != serial:
            return  # overtaken by a newer request
        del self._latest[key]
        (latest[1] if ok else latest[2])(result)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Close:
            self._latest.clear()
            self.pool.waitForDone()
        return False
