"""`taskboard bench`: measure the hot paths against baselines taken in the same run.

Machines are noisy, so each target is a ratio against a baseline measured seconds apart on
the same machine, and every step reports the median of several runs.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from taskboard.cli.bench_steps import Step, StatementRecorder, prepare_db
from taskboard.core.board import load_board
from taskboard.core.db import Database
from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.settings import load_calendar, load_settings
from taskboard.core.stopwatch import alternating_medians, median_ms


LIST_TARGET = 1.2


def step_main_list(db: Database, campaign_id: int, period: Period, today: dt.date,
                   repeat: int) -> Step:
    def load():
        with db.session() as s:
            return load_board(s, campaign_id, period, today, load_calendar(s), load_settings(s))

    load()  # warm caches on both sides alike
    with StatementRecorder(db.engine) as rec:
        load()
    raw = db.engine.raw_connection()
    try:
        def raw_fetch():
            cur = raw.cursor()
            for statement, params in rec.statements:
                cur.execute(statement, params)
                cur.fetchall()
            cur.close()

        raw_fetch()
        ours, baseline = alternating_medians(load, raw_fetch, repeat)
    finally:
        raw.close()
    ratio = ours / baseline
    return Step("load main list (query + rows)", ours, "raw DB-API fetch of the same SQL",
                baseline, f"≤ {LIST_TARGET:g}×", ratio, ratio <= LIST_TARGET)


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

    from taskboard.cli import bench_gui
    from taskboard.core.search import SearchCriteria
    from taskboard.ui.app import ensure_app, make_window, wait_loaded

    app = ensure_app()
    state = QSettings(str(Path(tempfile.mkdtemp()) / "ui.ini"), QSettings.IniFormat)
    actor = bench_actor(db)
    window = make_window(db, actor, state, today=lambda: today)
    window.resize(1400, 860)
    window.show()
    wait_loaded()
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
    steps.append(bench_gui.step_period_switch(window, db, campaign_id, period, today, repeat))
    steps.append(bench_gui.step_battle_map(window, repeat))
    steps += bench_gui.step_stalls(window, _change_writer(db, campaign_id, period, today),
                                   repeat)
    window.close()
    QApplication.processEvents()
    return steps


def _change_writer(db: Database, campaign_id: int, period: Period, today: dt.date):
    """Another workstation's change: a unit's report for this period, in its own session."""
    from taskboard.core.actor import Actor
    from taskboard.core.models import Assignment, Task, User
    from taskboard.core.services.reports import submit_report

    with db.session() as s:
        admin = Actor.from_user(s.scalars(select(User).where(User.role == "admin")
                                          .order_by(User.id)).first())
        open_ids = s.scalars(
            select(Assignment.id).join(Task)
            .where(Task.campaign_id == campaign_id, Task.deleted.is_(False),
                   Task.closed_on.is_(None), Assignment.closed_on.is_(None),
                   Assignment.archived.is_(False)).order_by(Assignment.id).limit(200)).all()
    n = [0]

    def write() -> None:
        aid = open_ids[n[0] % len(open_ids)]
        n[0] += 1
        with db.Session.begin() as s:
            submit_report(s, admin, aid, period, text="本月按计划推进", progress=n[0] % 100,
                          today=today)
    return write


def _scratch_copy(db: Database, url: Optional[str]) -> tuple[Database, Optional[Path]]:
    """The steps that write (change news, actions) work on a copy of the cached database."""
    if url is not None or db.engine.dialect.name != "sqlite":
        return db, None
    source = Path(db.engine.url.database)
    db.dispose()  # folds the WAL back into the file
    folder = Path(tempfile.mkdtemp(prefix="taskboard-bench-"))
    shutil.copyfile(source, folder / source.name)
    return Database(f"sqlite:///{folder / source.name}"), folder


def _drain_workers() -> None:
    """Let the loaders' workers finish before the interpreter shuts down around them."""
    from PySide6.QtWidgets import QApplication

    from taskboard.ui.common.loader import pool

    pool().waitForDone(60_000)
    app = QApplication.instance()
    if app is not None:
        for widget in app.topLevelWidgets():
            widget.deleteLater()
        app.processEvents()


# Groups of steps that --only may pick (every group when none is given).
GROUPS = ("list", "ledger", "start", "window", "actions")


def run_bench(scale: str, url: Optional[str], repeat: int, log=print,
              today: Optional[dt.date] = None, growth: bool = False,
              growth_double: bool = False, only: Optional[list[str]] = None) -> list[Step]:
    from taskboard.cli import bench_gui, bench_start

    chosen = set(only or GROUPS)
    db = prepare_db(scale, url, log)
    today = today or dt.date.today()
    period = Period.of(today)
    with db.session() as s:
        campaign_id = s.scalar(select(Campaign.id).order_by(Campaign.id))
    steps = []
    if "list" in chosen:
        steps.append(step_main_list(db, campaign_id, period, today, repeat))
    if "ledger" in chosen:
        steps += extra_steps(db, campaign_id, period, today, repeat)
    if "start" in chosen:
        steps += bench_start.step_cold_start(db.url, repeat)
    if "window" in chosen:
        scratch, folder = _scratch_copy(db, url)
        try:
            steps += gui_steps(scratch, campaign_id, period, today, repeat)
        finally:
            scratch.dispose()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    if "actions" in chosen:
        steps += bench_gui.step_actions(today, repeat)
    if chosen & {"window", "actions"}:
        _drain_workers()
    db.dispose()
    if growth or growth_double:
        scales = bench_start.growth_scales(growth_double)
        steps += bench_start.step_growth(
            scales, lambda sc: url if sc == scale and url else None, today, repeat, log)
    return steps


def extra_steps(db: Database, campaign_id: int, period: Period, today: dt.date,
                repeat: int) -> list[Step]:
    """Steps owned by optional features (the ledger export), when they are present."""
    try:
        from taskboard.excel import bench_ledger
    except ImportError:
        return [Step("monthly ledger export", None, note="ledger export not available")]
    return [Step(**d) for d in bench_ledger.measure(db, campaign_id, period, today, repeat)
            + bench_ledger.measure_whole(db, campaign_id, period, today, repeat)]


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
        steps = run_bench(args.scale, args.db, args.repeat, log, growth=args.growth,
                          growth_double=args.growth_2x, only=args.only)
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
    p.add_argument("--scale", choices=["city", "province", "province2x"], default="city",
                   help="测试数据规模（--db 未指定时在缓存目录中生成，默认 city）")
    p.add_argument("--repeat", type=int, default=5, metavar="N",
                   help="每步运行次数，报告中位数（默认 5）")
    p.add_argument("--json", action="store_true", help="以 JSON 格式输出")
    p.add_argument("--only", action="append", choices=GROUPS, metavar="组",
                   help="只测其中几组（可重复）：list 主列表，ledger 台账导出，start 冷启动，"
                        "window 窗口内搜索、切换月份、重绘和变更后的卡顿，actions 界面操作；默认全部")
    p.add_argument("--growth", action="store_true",
                   help="另测城市级到省级规模的增长（首次运行需生成两个测试数据库）")
    p.add_argument("--growth-2x", action="store_true",
                   help="增长测试再加两倍省级规模（生成需要数分钟）")
    p.set_defaults(func=cmd_bench)
