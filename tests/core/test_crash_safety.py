"""A workstation killed mid-write loses nothing it confirmed and leaves a sound database.

A child process submits reports in a stream, one transaction each, and writes a line to a
pipe after each commit returns. The parent reads a varying number of those lines, kills the
child with SIGKILL, and checks the database. Repeated many times in one test.
"""
import datetime as dt
import os
import random
import signal
import subprocess
import sys

import pytest
from sqlalchemy import insert, select, text

from taskboard.core.backup import integrity_problems
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit, User

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

STRIDE = 400  # assignments reserved per round: more than a child can submit before the kill

CHILD = r"""
import sys
from taskboard.core.actor import load_actor
from taskboard.core.db import Database
from taskboard.core.periods import Period
from taskboard.core.services.reports import submit_report
import datetime as dt

url, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = Database(url)
with db.session() as s:
    actor = load_actor(s, "crashunit")
period = Period.of(dt.date.today())
out = sys.stdout
for aid in range(first, first + count):
    with db.Session.begin() as s:
        rid = submit_report(s, actor, aid, period, text=f"crash {aid}", progress=aid % 101)
    out.write(f"{rid} {aid}\n")
    out.flush()
"""


def _seed(db, rounds: int) -> None:
    n = rounds * STRIDE
    today = dt.date.today()
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="崩溃测试", start_date=today.replace(day=1)))
        s.add(Unit(id=1, name="综合科"))
        s.flush()
        s.add(User(username="crashunit", display_name="综合科报送员", role="reporter",
                   unit_id=1))
        s.execute(insert(Task), [dict(id=i, campaign_id=1, code=str(i), sort_key=str(i),
                                      title=f"任务{i}", start_date=today.replace(day=1),
                                      version=1) for i in range(1, n + 1)])
        s.execute(insert(Assignment), [dict(id=i, task_id=i, unit_id=1, version=1)
                                       for i in range(1, n + 1)])
        from taskboard.core.pg import sync_sequences
        sync_sequences(s)


def _one_round(db, first: int, stop_after: int) -> list[tuple[int, int]]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, db.url, str(first), str(STRIDE)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acked = []
    try:
        while len(acked) < stop_after:
            line = child.stdout.readline()
            if not line:
                raise AssertionError(f"child ended early: {child.stderr.read()[-2000:]}")
            acked.append(tuple(map(int, line.split())))
        os.kill(child.pid, signal.SIGKILL)
        # Lines written before the kill were acknowledged too.
        for line in child.stdout.read().splitlines(keepends=True):
            if line.endswith("\n"):
                acked.append(tuple(map(int, line.split())))
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return acked


def test_sigkill_during_report_stream_loses_nothing_acknowledged(db):
    rounds = 12 if db.is_sqlite else 6
    _seed(db, rounds)
    rng = random.Random(7)
    all_acked: list[tuple[int, int]] = []
    for r in range(rounds):
        acked = _one_round(db, 1 + r * STRIDE, rng.randint(1, 40))
        assert acked, "the child acknowledged nothing"
        all_acked += acked
        if db.is_sqlite:
            assert integrity_problems(db.sqlite_path) == []
        db.engine.dispose()  # a fresh connection sees the database as a restart would
        with db.session() as s:
            stored = dict(s.execute(select(Report.id, Report.text)).all())
        missing = [(rid, aid) for rid, aid in all_acked if stored.get(rid) != f"crash {aid}"]
        assert missing == []
        # Nothing half-written: every stored report is a complete, attributed row.
        with db.session() as s:
            bad = s.scalar(select(text("count(*)")).select_from(Report).where(
                (Report.text == "") | Report.submitted_by_id.is_(None)))
        assert bad == 0
    assert len(all_acked) >= rounds
