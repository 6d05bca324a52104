"""`taskboard bench` steps that drive the real window: what a user waits for.

Every step has a baseline measured in the same run: the UI thread's stall after change news
against the same 5 ms event-loop probe on an idle loop; a period switch against a raw replay of
the SQL it runs; the battle map against a bare matplotlib render of the same bars and tanks.
"""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from taskboard.cli.bench_steps import Step, StatementRecorder
from taskboard.core.db import Database
from taskboard.core.periods import Period
from taskboard.core.stopwatch import alternating_medians

PROBE_MS = 5
STALL_TARGET_MS = 100.0
SWITCH_TARGET = 1.5
REDRAW_TARGET = 2.0
ACTION_TARGET_MS = 300.0
QUIET_TICKS = 20  # after the loads land, ~100 ms more for lazy paints and chart builds


class StallProbe:
    """A 5 ms timer on the UI thread; the largest gap between its ticks is the worst stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.loop = QEventLoop()
        self.max_gap = 0.0
        self._last = 0.0
        self._done: Callable[[], bool] = lambda: True
        self._quiet = 0
        self._deadline = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, (now - self._last) * 1000)
        self._last = now
        if now > self._deadline:
            self.loop.quit()
        elif self._done():
            self._quiet += 1
            if self._quiet >= QUIET_TICKS:
                self.loop.quit()
        else:
            self._quiet = 0

    def run(self, trigger: Callable[[], object], done: Callable[[], bool],
            timeout_s: float = 300.0) -> float:
        """Trigger, then serve the event loop until ``done`` holds; returns the worst gap (ms)."""
        self.max_gap, self._quiet, self._done = 0.0, 0, done
        self._deadline = time.perf_counter() + timeout_s
        self._last = time.perf_counter()
        self.timer.start()
        trigger()
        self.loop.exec()
        self.timer.stop()
        return self.max_gap


def _idle() -> bool:
    from taskboard.ui.common.loader import all_idle

    return all_idle()


def _settle() -> None:
    from taskboard.ui.app import wait_loaded

    wait_loaded()


def step_stalls(window, write_change: Callable[[], None], repeat: int) -> list[Step]:
    """Per main tab: a change written elsewhere, its news, and the UI thread's worst stall."""
    probe = StallProbe()
    idle = statistics.median(probe.run(lambda: None, lambda: True) for _ in range(3))
    steps = []
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        _settle()
        gaps = []
        for _ in range(repeat):
            write_change()
            gaps.append(probe.run(lambda: window.ctx.changes.announce("reports", "tasks"), _idle))
        worst = statistics.median(gaps)
        steps.append(Step(f"largest UI-thread stall after change news — {window.tabs.tabText(i)}",
                          worst, f"idle event loop, same {PROBE_MS} ms probe", idle,
                          f"≤ {STALL_TARGET_MS:.0f} ms", worst / idle if idle else None,
                          worst <= STALL_TARGET_MS))
    window.tabs.setCurrentIndex(0)
    _settle()
    return steps


def step_period_switch(window, db: Database, campaign_id: int, period: Period,
                       today: dt.date, repeat: int) -> Step:
    """Choosing another month until the list shows it, against the raw fetch of its SQL."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    periods = [period.previous(), period]
    i = [0]

    def switch():
        i[0] += 1
        window.set_period(periods[i[0] % 2])
        _settle()
        app.processEvents()

    switch()
    # The baseline replays what the switches themselves ran (the board and its cards, in
    # the loader's worker), recorded on the engine during one switch each way, and it runs
    # in turns with the switches.
    with StatementRecorder(db.engine) as rec:
        switch()
        switch()
    ours, baseline = _with_raw_replay(db, rec.statements, switch, repeat)
    ratio = ours / baseline
    return Step("switch period (board loaded in the background, list shown)", ours,
                "raw DB-API fetch of the same SQL", baseline, f"≤ {SWITCH_TARGET:g}×", ratio,
                ratio <= SWITCH_TARGET)


def _with_raw_replay(db: Database, statements, switch, repeat: int) -> tuple[float, float]:
    """Medians of one switch and of one switch's share of the recorded SQL (two switches' worth,
    replayed raw, halved)."""
    raw = db.engine.raw_connection()
    try:
        def fetch():
            cur = raw.cursor()
            for statement, params in statements:
                cur.execute(statement, params)
                cur.fetchall()
            cur.close()

        fetch()
        ours, both = alternating_medians(switch, fetch, repeat)
        return ours, both / 2
    finally:
        raw.close()


def _bare_render(board, view) -> None:
    """The same tanks and light bars with plain matplotlib calls, rendered with Agg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from taskboard.core import dashboard as dash

    group, measure = view.group_combo.currentData(), view.measure_combo.currentData()
    wl = dash.water_level(board, group, measure)
    bars = dash.light_bars(board, group is dash.Group.DISTRICT)
    for canvas, draw in ((view.water, "tanks"), (view.bars, "bars")):
        fig = Figure(figsize=canvas.figure.get_size_inches(), dpi=canvas.figure.dpi)
        ax = fig.add_subplot()
        if draw == "tanks":
            xs = range(len(wl.tanks))
            ax.bar(xs, [t.level for t in wl.tanks], color="#4a90d9")
            ax.scatter(xs, [t.time_line for t in wl.tanks], marker="_", color="#c62828")
            ax.set_xticks(list(xs), [t.label for t in wl.tanks], rotation=90, fontsize=7)
        else:
            ys = range(len(bars))
            left = [0] * len(bars)
            for name, colour in (("red", "#c62828"), ("blue", "#1565c0"), ("green", "#2e7d32")):
                values = [getattr(b, name) for b in bars]
                ax.barh(ys, values, left=left, color=colour)
                left = [a + b for a, b in zip(left, values)]
            ax.set_yticks(list(ys), [b.unit_name for b in bars], fontsize=7)
        FigureCanvasAgg(fig).draw()


def step_battle_map(window, repeat: int) -> Step:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    tab = window.dashboard_tab
    window.tabs.setCurrentWidget(tab)
    _settle()
    view = tab.view()
    board = window.board

    def redraw():
        view.show_board(board)  # figures, chart build, render of the chart on show
        view.bars.draw_now()
        app.processEvents()

    redraw()
    ours, baseline = alternating_medians(redraw, lambda: _bare_render(board, view), repeat)
    window.tabs.setCurrentIndex(0)
    _settle()
    ratio = ours / baseline
    return Step("battle map redraw (water level + light bars)", ours,
                "bare matplotlib render of the same bars and tanks", baseline,
                f"≤ {REDRAW_TARGET:g}×", ratio, ratio <= REDRAW_TARGET)


def step_actions(today: dt.date, repeat: int) -> list[Step]:
    """Approve, return, close-out and feedback at demo scale, each from the GUI action until
    every view shows the result."""
    from PySide6.QtCore import QSettings

    from taskboard.core import demo
    from taskboard.core.actor import load_actor
    from taskboard.ui.app import ensure_app, make_window

    ensure_app()
    folder = Path(tempfile.mkdtemp(prefix="taskboard-bench-actions-"))
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
    with db.Session.begin() as s:
        demo.generate(s, "demo", today=today)
    with db.session() as s:
        actor = load_actor(s, "dispatcher")
    window = make_window(db, actor, QSettings(str(folder / "ui.ini"), QSettings.IniFormat),
                         today=lambda: today)
    window.resize(1400, 860)
    window.show()
    _settle()
    actions = window.task_actions
    times: dict[str, list[float]] = {"approve": [], "return": [], "close-out": [],
                                     "feedback": []}

    def timed(name: str, click: Callable[[], None]) -> None:
        t0 = time.perf_counter()
        click()
        _settle()
        times[name].append((time.perf_counter() - t0) * 1000)

    def drive_queue(dialog):
        dialog.show()
        _settle()
        for _ in range(repeat):
            timed("approve", dialog.approve_button.click)
            dialog.comment.setPlainText("请补充佐证材料")
            timed("return", dialog.return_button.click)
        dialog.close()
        return 0

    actions.run_dialog = drive_queue
    actions.review_action.trigger()
    open_rows = [r for r in window.board.rows if not r.closed]
    for row in open_rows[:repeat]:
        window.tasks_view.select_task(row.task_id)

        def drive_close(dialog):
            dialog.show()
            dialog.one.setChecked(True)
            dialog.note.setPlainText("已按期完成")
            timed("close-out", dialog.close_button.click)
            return dialog.result()

        def drive_feedback(dialog):
            dialog.show()
            _settle()
            dialog.body.setPlainText("进度偏慢，请加快推进并补充佐证")
            timed("feedback", dialog.send_button.click)
            dialog.close()
            return 0

        actions.run_dialog = drive_feedback
        actions.feedback_action.trigger()
        actions.run_dialog = drive_close
        actions.close_action.trigger()
    window.close()
    db.dispose()
    steps = []
    for name, values in times.items():
        if not values:
            steps.append(Step(f"{name} through the GUI action (demo scale)", None,
                              note="nothing to act on"))
            continue
        ms = statistics.median(values)
        steps.append(Step(f"{name} through the GUI action, until every view shows it "
                          "(demo scale)", ms, target=f"≤ {ACTION_TARGET_MS:.0f} ms",
                          ok=ms <= ACTION_TARGET_MS))
    return steps
