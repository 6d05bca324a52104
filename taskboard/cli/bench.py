"""`taskboard bench`: measure the hot paths against baselines taken in the same run.

Machines are noisy, so each target is a ratio against a baseline measured seconds apart on
the same machine, and every step reports the median of several runs.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

import platformdirs
from sqlalchemy import event, func, select

from taskboard.core.board import load_board
from taskboard.core.db import Database
from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.settings import load_calendar, load_settings


@dataclass
class Step:
    name: str
    median_ms: Optional[float]
    baseline_name: str = ""
    baseline_ms: Optional[float] = None
    target: str = ""
    ratio: Optional[float] = None
    ok: Optional[bool] = None
    note: str = ""


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_db_path(scale: str) -> Path:
    return Path(platformdirs.user_cache_dir("taskboard", appauthor=False)) / f"bench-{scale}.sqlite"


def prepare_db(scale: str, url: Optional[str], log=print) -> Database:
    """Open the benchmark database, generating it with the demo generator when empty."""
    if url is None:
        path = bench_db_path(scale)
        url = f"sqlite:///{path}"
    db = Database(url)
    with db.session() as s:
        has_data = s.scalar(select(func.count()).select_from(Campaign)) > 0
    if not has_data:
        from taskboard.core import demo

        log(f"生成 {scale} 规模的测试数据库（首次运行需要一些时间）…")
        t0 = time.perf_counter()
        with db.Session.begin() as s:
            demo.generate(s, scale, today=dt.date.today())
        log(f"  用时 {time.perf_counter() - t0:.1f} 秒：{url}")
    return db


class _StatementRecorder:
    """Captures the SQL a piece of code runs, so a raw DB-API baseline can replay it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _capture(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._capture)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._capture)


def step_main_list(db: Database, campaign_id: int, period: Period, today: dt.date,
                   repeat: int) -> Step:
    def load():
        with db.session() as s:
            return load_board(s, campaign_id, period, today, load_calendar(s), load_settings(s))

    load()  # warm caches on both sides alike
    with _StatementRecorder(db.engine) as rec:
        load()
    raw = db.engine.raw_connection()
    try:
        def raw_fetch():
            cur = raw.cursor()
            for statement, params in rec.statements:
                cur.execute(statement, params)
                cur.fetchall()
            cur.close()

        baseline = median_ms(raw_fetch, repeat)
    finally:
        raw.close()
    ours = median_ms(load, repeat)
    ratio = ours / baseline
    return Step("load main list (query + rows)", ours, "raw DB-API fetch of the same SQL",
                baseline, "≤ 2×", ratio, ratio <= 2.0)


def bench_actor(db: Database):
    """The window is measured as the demo dispatcher the generator made (never created here)."""
    from taskboard.cli.common import CliError
    from taskboard.core.actor import load_actor
    from taskboard.core.demo import DEMO_DISPATCHER

    with db.session() as s:
        try:
            return load_actor(s, DEMO_DISPATCHER)
        except LookupError:
            raise CliError("bench 只在演示数据上运行（需要演示账号 "
                           f"{DEMO_DISPATCHER}）：不加 --db，或用 taskboard demo 生成的数据库。") from None


def gui_steps(db: Database, campaign_id: int, period: Period, today: dt.date,
              repeat: int) -> list[Step]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from taskboard.core.search import SearchCriteria
    from taskboard.ui.app import ensure_app, make_window

    app = ensure_app()
    state = QSettings(str(Path(tempfile.mkdtemp()) / "ui.ini"), QSettings.IniFormat)
    actor = bench_actor(db)
    window = make_window(db, actor, state, today=lambda: today)
    window.show()
    app.processEvents()
    steps = []

    view = window.tasks_view
    words = ["政", "政务", "政务服", "政务服务", "政务服", "政务", "政", ""]

    def keystrokes():
        for w in words:
            view.set_criteria(SearchCriteria(keyword=w))
            app.processEvents()

    per_key = median_ms(keystrokes, repeat) / len(words)
    steps.append(Step("one search keystroke on the full list", per_key, target="≤ 30 ms",
                      ok=per_key <= 30))

    periods = [period.previous(), period]
    i = [0]

    def switch():
        i[0] += 1
        window.set_period(periods[i[0] % 2])
        app.processEvents()

    switch_ms = median_ms(switch, repeat)
    steps.append(Step("switch period (lights recomputed, view updated)", switch_ms,
                      target="≤ 300 ms", ok=switch_ms <= 300))

    dashboard = getattr(window, "dashboard_view", None)
    if dashboard is not None and hasattr(dashboard, "show_board"):
        # On show, so the redraw includes rendering the chart, as a user sees it.
        window.tabs.setCurrentWidget(dashboard)
        app.processEvents()
        board = window.board

        def redraw():
            dashboard.show_board(board)
            app.processEvents()

        redraw()
        ms = median_ms(redraw, repeat)
        steps.append(Step("battle map full redraw", ms, target="≤ 400 ms", ok=ms <= 400))
    else:
        steps.append(Step("battle map full redraw", None, note="battle map not available"))
    window.close()
    QApplication.processEvents()
    return steps


# Runs the program in the child and reports the child's own peak memory. VmHWM belongs to the
# process image after exec; getrusage's maxrss would still carry the benchmark process's size
# from the fork that started the child.
_CHILD = """
import sys, runpy
sys.argv = ["taskboard"] + sys.argv[1:]
code = 0
try:
    runpy.run_module("taskboard", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
try:
    with open("/proc/self/status") as f:
        kb = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
except OSError:
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("TASKBOARD_PEAK_KB=%d" % kb, file=sys.stderr)
sys.exit(code)
"""


def step_cold_start(url: str, repeat: int) -> tuple[Step, Step]:
    """Start a separate process to the first painted main window; also its peak memory."""
    out = Path(tempfile.mkdtemp()) / "start.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    base_cmd = [sys.executable, "-c", "import PySide6.QtWidgets"]
    app_cmd = [sys.executable, "-c", _CHILD, "--db", url, "--screenshot", str(out)]
    peaks: list[float] = []

    def run(cmd):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip()[-500:])
        for line in proc.stderr.splitlines():
            if line.startswith("TASKBOARD_PEAK_KB="):
                peaks.append(int(line.split("=", 1)[1]) / 1024)

    runs = max(1, min(repeat, 3))
    baseline = median_ms(lambda: run(base_cmd), runs)
    ours = median_ms(lambda: run(app_cmd), runs)
    start = Step("cold start to first painted main window", ours,
                 "python -c 'import PySide6.QtWidgets'", baseline, "report", ours / baseline)
    if peaks:
        peak_mb = max(peaks)
        memory = Step("peak memory with the database open (MB)", peak_mb, target="≤ 500 MB",
                      ok=peak_mb <= 500)
    else:
        memory = Step("peak memory with the database open (MB)", None, note="not measurable here")
    return start, memory


def run_bench(scale: str, url: Optional[str], repeat: int, log=print,
              today: Optional[dt.date] = None) -> list[Step]:
    db = prepare_db(scale, url, log)
    today = today or dt.date.today()
    period = Period.of(today)
    with db.session() as s:
        campaign_id = s.scalar(select(Campaign.id).order_by(Campaign.id))
    steps = [step_main_list(db, campaign_id, period, today, repeat)]
    steps += gui_steps(db, campaign_id, period, today, repeat)
    steps += extra_steps(db, campaign_id, period, today, repeat)
    steps += list(step_cold_start(db.url, repeat))
    db.dispose()
    return steps


def extra_steps(db: Database, campaign_id: int, period: Period, today: dt.date,
                repeat: int) -> list[Step]:
    """Steps owned by optional features (the ledger export), when they are present."""
    try:
        from taskboard.excel import bench_ledger
    except ImportError:
        return [Step("monthly ledger export", None, note="ledger export not available")]
    return [Step(**d) for d in bench_ledger.measure(db, campaign_id, period, today, repeat)]


def format_table(steps: list[Step]) -> str:
    def ms(v):
        return "—" if v is None else f"{v:,.1f}"

    lines = ["| step | median (ms) | baseline | baseline (ms) | ratio | target | ok |",
             "|---|---:|---|---:|---:|---|---|"]
    for s in steps:
        ratio = "—" if s.ratio is None else f"{s.ratio:.2f}×"
        ok = "" if s.ok is None else ("yes" if s.ok else "NO")
        name = s.name + (f" ({s.note})" if s.note else "")
        lines.append(f"| {name} | {ms(s.median_ms)} | {s.baseline_name or '—'} | "
                     f"{ms(s.baseline_ms)} | {ratio} | {s.target or '—'} | {ok} |")
    return "\n".join(lines)


def cmd_bench(args) -> int:
    from taskboard.cli.common import CliError

    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    try:
        steps = run_bench(args.scale, args.db, args.repeat, log)
    except RuntimeError as exc:
        raise CliError(f"性能测试失败：{exc}") from None
    if args.json:
        print(json.dumps([asdict(s) for s in steps], ensure_ascii=False, indent=2))
    else:
        print(format_table(steps))
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common],
                       help="性能测试：加载、搜索、切换月份、重绘、导出和启动用时")
    p.add_argument("--scale", choices=["city", "province"], default="city",
                   help="测试数据规模（--db 未指定时在缓存目录中生成，默认 city）")
    p.add_argument("--repeat", type=int, default=5, metavar="N",
                   help="每步运行次数，报告中位数（默认 5）")
    p.add_argument("--json", action="store_true", help="以 JSON 格式输出")
    p.set_defaults(func=cmd_bench)
