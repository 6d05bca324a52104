"""The background loader: the UI thread keeps ticking while a load runs, stale results are
dropped, change news is coalesced and hidden views wait until shown."""
import gc
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTabWidget

from taskboard.ui.app import ensure_app
from taskboard.ui.common.loader import BusyIndicator, Loader, all_idle


class Gate:
    """A fake load that blocks in the worker until the test opens its gate."""

    def __init__(self, value):
        self.value = value
        self.opened = threading.Event()
        self.started = threading.Event()
        self.thread = None

    def __call__(self, _session):
        self.thread = threading.current_thread()
        self.started.set()
        assert self.opened.wait(60), "the test never opened the gate"
        return self.value


class Probe:
    """A widget whose loads are scripted: each request takes the next queued work."""

    def __init__(self, qtbot, db=None, coalesce_ms=30, owned=True):
        ensure_app()
        self.widget = QLabel("旧数据")
        if owned:
            qtbot.addWidget(self.widget)
        self.works = []
        self.requests = 0
        self.applied = []
        self.loader = Loader(db, self.widget, self._next, self.applied.append,
                             coalesce_ms=coalesce_ms)

    def _next(self):
        self.requests += 1
        return self.works.pop(0) if self.works else (lambda _s: self.requests)


@pytest.fixture
def probe(qtbot):
    p = Probe(qtbot)
    yield p
    for w in p.works:
        if isinstance(w, Gate):
            w.opened.set()


def test_event_loop_keeps_ticking_while_a_slow_load_runs(qtbot, probe):
    gate = Gate("新数据")
    probe.works.append(gate)
    busy = BusyIndicator().follow(probe.loader)
    qtbot.addWidget(busy)
    probe.widget.show()
    probe.loader.request()
    assert gate.started.wait(30)
    ticks = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    # The load is still blocked in its worker, yet the UI thread serves 20 timer ticks.
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=30_000)
    assert not gate.opened.is_set() and probe.applied == []
    assert probe.loader.busy and not busy.isHidden()
    assert gate.thread is not threading.main_thread()
    assert probe.widget.text() == "旧数据"  # the old data stays on show meanwhile
    assert not gc.isenabled()  # no full collection while the worker builds the result
    gate.opened.set()
    qtbot.waitUntil(lambda: probe.applied == ["新数据"])
    timer.stop()
    assert not probe.loader.busy and all_idle()
    assert gc.isenabled()


def test_busy_indicator_follows_the_load(qtbot, probe):
    gate = Gate(1)
    probe.works.append(gate)
    busy = BusyIndicator()
    qtbot.addWidget(busy)
    busy.follow(probe.loader)
    seen = []
    probe.loader.busyChanged.connect(seen.append)
    probe.loader.request()
    assert seen == [True] and not busy.isHidden()
    gate.opened.set()
    qtbot.waitUntil(lambda: seen == [True, False])
    assert busy.isHidden()


def test_a_stale_result_never_overwrites_a_newer_one(qtbot, probe):
    slow, fast = Gate("旧请求"), Gate("新请求")
    probe.works += [slow, fast]
    probe.loader.request()
    assert slow.started.wait(30)
    second = probe.loader.request()
    fast.opened.set()
    qtbot.waitUntil(lambda: probe.applied == ["新请求"])
    assert probe.loader.applied == second
    slow.opened.set()  # the older load finishes last ...
    qtbot.waitUntil(lambda: not probe.loader.busy)
    assert probe.applied == ["新请求"]  # ... and is dropped
    assert probe.loader.applied == second


def test_a_request_gone_stale_in_the_queue_is_never_run(qtbot, probe):
    blockers = [Gate(0), Gate(0)]
    from taskboard.ui.common.loader import pool

    # Fill both workers so the next request has to wait in the queue.
    others = [Probe(qtbot) for _ in blockers]
    for other, gate in zip(others, blockers):
        other.works.append(gate)
        other.loader.request()
    for gate in blockers:
        assert gate.started.wait(30)
    ran = []
    probe.works += [lambda _s: ran.append("first") or "first",
                    lambda _s: ran.append("second") or "second"]
    probe.loader.request()
    probe.loader.request()
    assert pool().activeThreadCount() == 2
    for gate in blockers:
        gate.opened.set()
    qtbot.waitUntil(lambda: probe.applied == ["second"])
    qtbot.waitUntil(all_idle)
    assert ran == ["second"]


def test_a_burst_of_news_makes_one_reload(qtbot, probe):
    probe.widget.show()
    for what in ("reports", "tasks", "reports", "urges", "units"):
        probe.loader.news({what})
    assert probe.requests == 0  # nothing yet: the window is still open
    qtbot.waitUntil(lambda: len(probe.applied) == 1)
    qtbot.waitUntil(all_idle)
    assert probe.requests == 1 and probe.applied == [1]


def test_hidden_views_reload_only_when_shown(qtbot):
    ensure_app()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    front, back = Probe(qtbot, owned=False), Probe(qtbot, owned=False)
    tabs.addTab(front.widget, "前")
    tabs.addTab(back.widget, "后")
    tabs.show()
    qtbot.waitExposed(tabs)
    for p in (front, back):
        p.loader.news({"reports"})
        p.loader.news({"tasks"})
    qtbot.waitUntil(lambda: front.applied == [1])
    qtbot.waitUntil(all_idle)
    assert back.requests == 0 and back.applied == []
    tabs.setCurrentWidget(back.widget)
    qtbot.waitUntil(lambda: back.applied == [1])
    assert back.requests == 1


def test_failure_keeps_the_old_data_and_says_why(qtbot, probe):
    from taskboard.core.errors import ValidationError

    def broken(_s):
        raise ValidationError("数据有误")

    probe.works.append(broken)
    told = []
    probe.loader.failed.connect(told.append)
    probe.loader.request()
    qtbot.waitUntil(lambda: told == ["数据有误"])
    assert probe.applied == [] and probe.widget.text() == "旧数据"


def test_real_loads_use_their_own_session(qtbot, demo_db):
    from sqlalchemy import func, select

    from taskboard.core.models import Task

    p = Probe(qtbot, db=demo_db)
    seen = []

    def count(session):
        seen.append(threading.current_thread())
        return session.scalar(select(func.count()).select_from(Task))

    p.works.append(count)
    p.loader.request()
    qtbot.waitUntil(lambda: p.applied != [])
    with demo_db.session() as s:
        assert p.applied == [s.scalar(select(func.count()).select_from(Task))]
    assert seen[0] is not threading.main_thread()


def test_closing_a_view_mid_load_gives_the_collector_back(qtbot):
    p = Probe(qtbot, owned=False)
    gate = Gate("晚到的数据")
    p.works.append(gate)
    p.loader.request()
    assert gate.started.wait(30) and not gc.isenabled()
    p.widget.deleteLater()
    qtbot.waitUntil(lambda: gc.isenabled())
    gate.opened.set()
    qtbot.waitUntil(all_idle)
    assert gc.isenabled() and p.applied == []
