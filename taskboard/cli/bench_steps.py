"""What every benchmark step reports, and the helpers the steps share."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import datetime as dt
from pathlib import Path

import platformdirs
from sqlalchemy import event, func, select

from taskboard.core.db import Database
from taskboard.core.models import Campaign


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


class StatementRecorder:
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
