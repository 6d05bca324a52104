"""Load a view's data off the UI thread; only the final swap runs on it.

Every view that reads the database for display owns one ``Loader``:

* ``request()`` asks the view (on the UI thread) what to load — a ``work(session)`` closure
  that captures the current campaign, period, filters — and runs it in a worker thread with
  its own database session. Each request bumps a generation counter; a result whose
  generation is no longer the latest is dropped, so a slow stale load never overwrites a
  newer one. A queued request that went stale before it started is never run at all.
* ``news(what)`` is the change-news entry: news arriving within a short window is coalesced
  into one reload, and a view that is hidden (another tab) reloads only when it is shown.
* While a load runs the view keeps showing the old data; ``busyChanged`` drives a small
  ``BusyIndicator``.
* ``KeyedLoads`` runs one-off reads by name (scores, a bulletin preview) as loader requests.

Workers share one small thread pool: the machine may have only two cores, and a database
session per worker keeps them apart.
"""
from __future__ import annotations

import gc
import threading
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget
from sqlalchemy.exc import DBAPIError

from taskboard.core.errors import ServiceError

# What a view hands the worker: runs there with a fresh session, returns plain data.
Work = Callable[[Any], Any]
# Called on the UI thread at request time; None means nothing to load now.
MakeWork = Callable[[], Optional[Work]]

COALESCE_MS = 50  # change news closer together than this makes one reload (one op may
# announce several times; polled news from other workstations comes seconds apart)

_pool: Optional[QThreadPool] = None
_active: set["Loader"] = set()  # loaders with a load running or a reload pending


class _CollectorPause:
    """The cyclic garbage collector paused from a load's start until its result is applied.

    A province board is a few hundred thousand objects; a full collection triggered while a
    worker builds one holds the interpreter lock for a large part of a second, and the UI
    thread waits that long. Once applied, the result is moved out of the collector's way
    (``gc.freeze``): its objects are freed by reference counting when replaced, and later
    collections only look at young objects.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    def hold(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1

    def release(self, freeze: bool = False) -> None:
        with self._lock:
            if freeze:
                gc.freeze()
            self._holders -= 1
            if self._holders == 0 and self._was_enabled:
                gc.enable()


_collector = _CollectorPause()


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        # Two workers: a long board load does not hold up a quick detail read behind it.
        _pool.setMaxThreadCount(2)
        _pool.setExpiryTimeout(30_000)
    return _pool


def all_idle() -> bool:
    """True when no loader has a load running or a coalesced reload pending (tests wait on it)."""
    return not _active


class _Relay(QObject):
    # generation, result, error text (None on success)
    done = Signal(int, object, object)


class _Job(QRunnable):
    def __init__(self, loader: "Loader", generation: int, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.relay = loader._relay
        self.latest = loader._latest  # [latest generation, view gone?]
        self.db = loader.db
        self.generation = generation
        self.work = work

    def run(self) -> None:
        if self.latest[0] != self.generation:  # superseded while queued: skip the work
            self._emit(None, None)
            return
        result, error = None, None
        try:
            if self.db is None:
                result = self.work(None)
            else:
                with self.db.session() as session:
                    result = self.work(session)
        except ServiceError as exc:  # a rule said no: the message is for the user
            error = str(exc)
        except DBAPIError as exc:
            error = _first_line(exc)
        except Exception as exc:  # shown to the user; the view keeps its old data
            error = str(exc) or type(exc).__name__
            traceback.print_exc()
        self._emit(result, error)

    def _emit(self, result, error) -> None:
        try:
            self.relay.done.emit(self.generation, result, error)
        except RuntimeError:  # the view was closed while its load ran
            if not self.latest[1]:
                _collector.release()


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


class Loader(QObject):
    """One view's background loads: generation-checked, coalesced, deferred while hidden."""

    busyChanged = Signal(bool)
    loaded = Signal(int)  # generation applied
    failed = Signal(str)

    def __init__(self, db, widget: QWidget, make_work: MakeWork,
                 apply: Callable[[Any], None], *, coalesce_ms: int = COALESCE_MS,
                 only_when_shown: bool = True) -> None:
        super().__init__(widget)
        self.db = db
        self.widget = widget
        self.make_work = make_work
        self.apply = apply
        self.generation = 0
        self.applied = 0  # generation of the data on show
        self.pending_news: frozenset = frozenset()
        self.only_when_shown = only_when_shown
        # Shared with the jobs: the latest generation (read in the worker to skip stale work)
        # and whether the view is gone (its pending holds on the collector were released).
        self._latest = [0, False]
        self._running = 0
        self._dirty = False  # news arrived while hidden
        self._show_pending = False  # shown while dirty: the load starts on the next turn
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._timer = QTimer(self, singleShot=True, interval=coalesce_ms)
        self._timer.timeout.connect(self._news_due)
        widget.installEventFilter(self)
        widget.destroyed.connect(self._forget)

    # --- requests -----------------------------------------------------------------------
    def request(self) -> int:
        """Load now (whether shown or not); returns the request's generation."""
        work = self.make_work()
        self.generation += 1
        self._latest[0] = self.generation
        self._dirty = False
        if work is None:
            self._update_active()
            return self.generation
        self._running += 1
        self._update_active()
        if self._running == 1:
            self.busyChanged.emit(True)
        _collector.hold()  # released once the result is applied (or dropped)
        pool().start(_Job(self, self.generation, work))
        return self.generation

    def news(self, what=frozenset()) -> None:
        """Change news: reload once after the burst, and only when the view is shown."""
        self.pending_news = self.pending_news | frozenset(what)
        self._timer.start()
        self._update_active()

    def reload_when_shown(self) -> None:
        """Reload now if shown, else on the next show."""
        if self.widget.isVisible() or not self.only_when_shown:
            self.request()
        else:
            self._dirty = True

    @property
    def busy(self) -> bool:
        return self._running > 0

    # --- internals ----------------------------------------------------------------------
    def _news_due(self) -> None:
        self.pending_news = frozenset()
        self.reload_when_shown()
        self._update_active()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget and event.type() == QEvent.Show and self._dirty \
                and not self._show_pending:
            # After the show has been processed, so the view is laid out when data lands.
            self._show_pending = True
            self._update_active()
            QTimer.singleShot(0, self, self._show_due)
        return False

    def _show_due(self) -> None:
        self._show_pending = False
        if self._dirty and self.widget.isVisible():
            self.request()
        self._update_active()

    def _finished(self, generation: int, result, error) -> None:
        self._running -= 1
        applied = False
        try:
            if generation == self.generation:  # stale results are dropped unseen
                if error is not None:
                    self.failed.emit(error)
                else:
                    self.apply(result)
                    applied = True
                    self.applied = generation
                    self.loaded.emit(generation)
        finally:
            del result
            _collector.release(freeze=applied)
            if self._running == 0:
                self.busyChanged.emit(False)
            self._update_active()

    def _update_active(self) -> None:
        if self._running or self._timer.isActive() or self._show_pending:
            _active.add(self)
        else:
            _active.discard(self)

    def _forget(self, *_args) -> None:
        _active.discard(self)
        self._latest[0] = -1  # queued jobs of a closed view skip their work
        if not self._latest[1]:
            self._latest[1] = True
            for _ in range(self._running):  # their results will never be applied
                _collector.release()
            self._running = 0


class KeyedLoads(QObject):
    """One-off reads by name (考评 scores, a bulletin's preview) on the same workers.

    ``run(key, work, done, failed)`` is a ``Loader`` request per key: only the latest request
    of a key is delivered (a quick period switch never shows stale scores), ``all_idle`` waits
    for them like for any view's load, and ``failed`` gets the error as an exception whose text
    is the message.
    """

    def __init__(self, ctx, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._parent = parent
        self._loads: dict[str, Loader] = {}
        self._calls: dict[str, tuple[Work, Callable[[Any], None], Callable]] = {}
        # Running work finishes before the window (and maybe the database) goes away.
        parent.installEventFilter(self)

    def run(self, key: str, work: Work, done: Callable[[Any], None],
            failed: Callable[[Exception], None] = lambda exc: None) -> None:
        self._calls[key] = (work, done, failed)
        loader = self._loads.get(key)
        if loader is None:
            loader = self._loads[key] = Loader(
                self.ctx.db, self._parent, lambda: self._calls[key][0],
                lambda result: self._calls[key][1](result), only_when_shown=False)
            loader.failed.connect(lambda message: self._calls[key][2](RuntimeError(message)))
        loader.request()

    def busy(self, key: str) -> bool:
        loader = self._loads.get(key)
        return loader is not None and loader.busy

    def wait(self) -> None:
        """Let queued work finish (its results are delivered on the next event turns)."""
        pool().waitForDone()

    def eventFilter(self, watched, event) -> bool:
        if watched is self._parent and event.type() == QEvent.Close:
            for loader in self._loads.values():
                loader.generation += 1  # what is still running is not delivered
            pool().waitForDone()
        return False


class BusyIndicator(QWidget):
    """A small "正在更新…" with a running bar; the view keeps its old data meanwhile."""

    def __init__(self, text: str = "正在更新…", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("busyIndicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        bar = QProgressBar()
        bar.setRange(0, 0)  # indeterminate
        bar.setTextVisible(False)
        bar.setFixedSize(60, 10)
        self.label = QLabel(text)
        self.label.setStyleSheet("color: #4a5563;")
        layout.addWidget(bar)
        layout.addWidget(self.label)
        self.hide()

    def follow(self, loader: Loader) -> "BusyIndicator":
        loader.busyChanged.connect(self.setVisible)
        return self


__all__ = ["Loader", "KeyedLoads", "BusyIndicator", "all_idle", "pool", "COALESCE_MS"]
