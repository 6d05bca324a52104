"""`taskboard bench`: cold start in a fresh process, and growth from city to province scale."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from taskboard.cli.bench_steps import Step
from taskboard.core.paths import sqlite_file
from taskboard.core.stopwatch import alternating_medians, median_ms

START_TARGET = 4.0

# Ends the process once the first top-level window has been painted. The baseline and the
# program's own start run under the same watcher, so both pay for it alike.
_FIRST_PAINT = """
import os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and obj.isWidgetType() and obj.isWindow():
            print("TASKBOARD_FIRST_WINDOW=" + type(obj).__name__, file=sys.stderr)
            sys.stderr.flush()
            QTimer.singleShot(0, lambda: os._exit(0))
        return False
watcher = FirstPaint()
app.installEventFilter(watcher)
"""

# A bare PySide6 main window with a table, shown until painted.
_BARE = _FIRST_PAINT + """
from PySide6.QtWidgets import QMainWindow, QTableView
w = QMainWindow()
w.setCentralWidget(QTableView())
w.resize(1400, 860)
w.show()
app.exec()
"""

# The program as a user starts it, `taskboard --db FILE`, until its first window (the
# sign-in dialog) is painted; the database opens behind it.
_PROGRAM = _FIRST_PAINT + """
from taskboard.cli.main import main
main(["--db", sys.argv[1]])
os._exit(3)
"""

# The program's window on the database, to its first paint (and, with "full", until the
# background loads have filled it). Reports its own peak memory.
_OURS = """
import os, sys
from PySide6.QtCore import QSettings
from taskboard.cli.bench import bench_actor
from taskboard.core.db import Database
from taskboard.ui.app import ensure_app, make_window, wait_loaded
url, ini, mode = sys.argv[1:4]
db = Database(url)
actor = bench_actor(db)
app = ensure_app()
w = make_window(db, actor, QSettings(ini, QSettings.IniFormat))
w.show()
app.processEvents()
w.grab()
if mode == "full":
    wait_loaded()
    w.grab()
try:
    with open("/proc/self/status") as f:
        kb = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
except OSError:
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("TASKBOARD_PEAK_KB=%d" % kb, "matplotlib" in sys.modules, file=sys.stderr)
sys.stderr.flush()
os._exit(0)
"""


def step_cold_start(url: str, repeat: int) -> list[Step]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    ini = str(Path(tempfile.mkdtemp()) / "ui.ini")
    peaks: list[float] = []
    charts_loaded: list[bool] = []
    first_windows: set[str] = set()

    def run(cmd, windows=None):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip()[-500:])
        for line in proc.stderr.splitlines():
            if line.startswith("TASKBOARD_PEAK_KB="):
                kb, mpl = line.split("=", 1)[1].split()
                peaks.append(int(kb) / 1024)
                charts_loaded.append(mpl == "True")
            elif line.startswith("TASKBOARD_FIRST_WINDOW=") and windows is not None:
                windows.add(line.split("=", 1)[1])

    runs = max(1, min(repeat, 3))

    def bare_start():
        run([sys.executable, "-c", _BARE])

    steps = []
    path = sqlite_file(url)
    if path is None:  # a server start signs in before it opens anything
        bare = median_ms(bare_start, runs)
    else:
        start, bare = alternating_medians(
            lambda: run([sys.executable, "-c", _PROGRAM, str(path)], first_windows),
            bare_start, runs)
        ratio = start / bare
        steps.append(Step(
            "cold start to the first painted window, `taskboard --db FILE` (fresh process)",
            start, "bare PySide6 window shown in a fresh process", bare,
            f"≤ {START_TARGET:.0f}×", ratio, ratio <= START_TARGET,
            note=f"first window: {', '.join(sorted(first_windows)) or '?'}; the file is "
                 "checked and opened behind it"))
    first = median_ms(lambda: run([sys.executable, "-c", _OURS, url, ini, "first"]), runs)
    full = median_ms(lambda: run([sys.executable, "-c", _OURS, url, ini, "full"]), runs)
    steps += [
        Step("cold start to the painted main window, signed in already (fresh process)", first,
             "bare PySide6 window shown in a fresh process", bare, "report", first / bare,
             note="matplotlib imported at start" if any(charts_loaded) else
             "matplotlib and the battle map load on first show"),
        Step("cold start until the task list is filled (fresh process)", full,
             "bare PySide6 window shown in a fresh process", bare, "report", full / bare),
    ]
    if peaks:
        peak = max(peaks)
        steps.append(Step("peak memory with the database open (MB)", peak, target="≤ 500 MB",
                          ok=peak <= 500))
    return steps


def _growth_figures(db, today: dt.date, repeat: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from taskboard.core.board import load_board
    from taskboard.core.dashboard_history import load_history
    from taskboard.core.history_cache import HistoryCache
    from taskboard.core.models import Assignment, Campaign, Report
    from taskboard.core.periods import Period
    from taskboard.core.settings import load_calendar, load_settings
    from taskboard.excel.ledger import ledger_data

    period = Period.of(today)
    last = period.next()
    with db.session() as s:
        cid = s.scalar(select(Campaign.id).order_by(Campaign.id))
        cal, settings = load_calendar(s), load_settings(s)
        size = {"assignments": s.scalar(select(func.count()).select_from(Assignment)),
                "reports": s.scalar(select(func.count()).select_from(Report))}
    cache = HistoryCache()

    def timed(fn) -> float:
        with db.session() as s:
            return median_ms(lambda: fn(s), repeat)

    out = dict(size)
    out["list load"] = timed(lambda s: load_board(s, cid, period, today, cal, settings))
    out["history from scratch"] = timed(lambda s: load_history(s, cid, last, today, cal,
                                                                settings))
    with db.session() as s:
        cache.load(s, cid, last, today, cal, settings)
        # What the cache does after one approval: the touched month is read again.
        entry = cache._entries[cid]
        entry.months.pop(period, None)
        t0 = time.perf_counter()
        cache.load(s, cid, last, today, cal, settings)
        out["history after one month's change"] = (time.perf_counter() - t0) * 1000
    out["ledger values"] = timed(lambda s: ledger_data(s, cid, period, today))
    return out


def step_growth(scales: list[str], url_for, today: dt.date, repeat: int, log=print
                ) -> list[Step]:
    """The same core steps at each scale; each scale's time per assignment against the
    first's says whether a step grows linearly."""
    from taskboard.cli.bench_steps import prepare_db

    figures: dict[str, dict[str, float]] = {}
    for scale in scales:
        db = prepare_db(scale, url_for(scale), log)
        try:
            figures[scale] = _growth_figures(db, today, max(1, min(repeat, 3)))
        finally:
            db.dispose()
    steps = []
    first = scales[0]
    # What each step's work grows with.
    for name, size in (("list load", "assignments"), ("history from scratch", "reports"),
                       ("history after one month's change", "assignments"),
                       ("ledger values", "assignments")):
        base = figures[first]
        for scale in scales[1:]:
            cur = figures[scale]
            size_ratio = cur[size] / base[size]
            time_ratio = cur[name] / base[name] if base[name] else None
            # Linear: time grows no faster than the data (a quarter's slack for noise).
            linear = time_ratio is not None and time_ratio <= size_ratio * 1.25
            steps.append(Step(
                f"growth {first} → {scale}: {name}", cur[name], f"{first}", base[name],
                "linear", time_ratio, linear,
                note=f"{size_ratio:.1f}× the {size} ({base[size]:,} → {cur[size]:,}); "
                     + ("linear or better" if linear else "faster than linear")))
    return steps


def growth_scales(include_double: bool) -> list[str]:
    return ["city", "province"] + (["province2x"] if include_double else [])


__all__ = ["step_cold_start", "step_growth", "growth_scales"]
