"""The ledger's benchmark steps for ``taskboard bench``.

The formatted ledger is timed against a bare openpyxl write-only dump of exactly the same cell
values (``ledger_writer.dump_bare``) and, when pandas is installed, ``DataFrame.to_excel`` of
those values; xlsxwriter's bare dumps of the same cells show why the ledger uses it. Runs alternate between the two so that a busy machine slows both alike.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from taskboard.core.periods import Period
from taskboard.core.stopwatch import alternating_medians
from taskboard.excel.ledger import ledger_data
from taskboard.excel.ledger_writer import (
    dump_bare, dump_bare_xlsxwriter, sheet_values, write_ledger,
)

TARGET_RATIO = 1.5
WHOLE_TARGET = 2.0


def _pandas_dump(data, path: Path) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, rows in sheet_values(data).items():
            width = max((len(r) for r in rows), default=0)
            frame = pd.DataFrame([tuple(r) + (None,) * (width - len(r)) for r in rows])
            frame.to_excel(writer, sheet_name=name, index=False, header=False)


def _whole(db, campaign_id: int, period: Period, today: dt.date, path: Path) -> None:
    with db.session() as s:
        write_ledger(ledger_data(s, campaign_id, period, today), path)


def measure_whole(db, campaign_id: int, period: Period, today: dt.date, repeat: int
                  ) -> list[dict]:
    """What a user waits for: values and workbook, against the bare dump of the same cells;
    and the two streaming writers on those cells."""
    with db.session() as s:
        data = ledger_data(s, campaign_id, period, today)
    steps = []
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        ledger, bare = Path(tmp) / "whole.xlsx", Path(tmp) / "bare.xlsx"
        mine, base = alternating_medians(lambda: _whole(db, campaign_id, period, today, ledger),
                                lambda: dump_bare(data, bare), repeat)
        ratio = mine / base if base else None
        steps.append(dict(
            name="whole ledger export, values included", median_ms=mine,
            baseline_name="openpyxl write-only dump of the same cells", baseline_ms=base,
            target=f"≤ {WHOLE_TARGET:g}×", ratio=ratio,
            ok=None if ratio is None else ratio <= WHOLE_TARGET))
        # The writer choice: each of xlsxwriter's two modes against openpyxl write-only.
        other = Path(tmp) / "xlsxwriter.xlsx"
        for streamed, name, note in (
                (True, "xlsxwriter constant-memory dump of the same cells", "inline strings"),
                (False, "xlsxwriter dump of the same cells, shared strings",
                 "the ledger's writer")):
            xw, op = alternating_medians(
                lambda: dump_bare_xlsxwriter(data, other, constant_memory=streamed),
                lambda: dump_bare(data, bare), repeat)
            steps.append(dict(
                name=name, median_ms=xw,
                baseline_name="openpyxl write-only dump of the same cells", baseline_ms=op,
                target="report", ratio=xw / op if op else None, note=note))
    return steps


def measure(db, campaign_id: int, period: Period, today: dt.date, repeat: int) -> list[dict]:
    with db.session() as s:
        t0 = time.perf_counter()
        data = ledger_data(s, campaign_id, period, today)
        values_ms = (time.perf_counter() - t0) * 1000
    steps = []
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        ledger, bare = Path(tmp) / "ledger.xlsx", Path(tmp) / "bare.xlsx"
        mine, base = alternating_medians(lambda: write_ledger(data, ledger), lambda: dump_bare(data, bare),
                                repeat)
        ratio = mine / base if base else None
        cells = sum(len(r) for rows in sheet_values(data).values() for r in rows)
        steps.append(dict(
            name="monthly ledger export", median_ms=mine,
            baseline_name="openpyxl write-only dump of the same values", baseline_ms=base,
            target=f"≤ {TARGET_RATIO}×", ratio=ratio,
            ok=None if ratio is None else ratio <= TARGET_RATIO,
            note=f"{cells:,} cells; building the values took {values_ms:,.0f} ms"))
        try:
            import pandas  # noqa: F401
        except ImportError:
            steps.append(dict(name="monthly ledger export vs pandas", median_ms=mine,
                              note="pandas not installed"))
        else:
            frame = Path(tmp) / "pandas.xlsx"
            mine, pd_ms = alternating_medians(lambda: write_ledger(data, ledger),
                                     lambda: _pandas_dump(data, frame), repeat)
            steps.append(dict(name="monthly ledger export vs pandas", median_ms=mine,
                              baseline_name="pandas DataFrame.to_excel of the same values",
                              baseline_ms=pd_ms, target="faster", ratio=mine / pd_ms,
                              ok=mine < pd_ms))
    return steps
