"""A month that has ended never changes because of work added later (core.figures).

The demo was generated for 2026-11-23; the commands below run on the real date, so every
month before the current one has ended for them.
"""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.cli.main import main
from taskboard.core.models import Task
from taskboard.core.periods import Period, period_range
from taskboard.core.services import tasks as task_service
from taskboard.core.services import urging
from taskboard.core.services.tasks import TaskInput
from tests.excel import workbooks as W


def _stats(capsys, url: str, period: Period, *extra: str) -> str:
    assert main(["stats", "--db", url, "--period", str(period), *extra]) == 0
    return capsys.readouterr().out



@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

def test_stats_of_past_months_are_byte_identical_after_creating_and_importing_today(
        demo_db, dispatcher, capsys, tmp_path):
    today = dt.date.today()
    url = demo_db.engine.url.render_as_string(hide_password=False)
    current = Period.of(today)
    past = period_range(Period(2026, 2), current.previous())
    before = {(p, fmt): _stats(capsys, url, p, *fmt) for p in past for fmt in ((), ("--json",))}
    now_before = _stats(capsys, url, current, "--json")

    # One task typed in today, starting today, and a task list imported today.
    with demo_db.Session.begin() as s:
        created = task_service.create_task(s, dispatcher, TaskInput(
            campaign_id=1, code="99.1", title="今日新建的任务", start_date=today,
            deadline=today + dt.timedelta(days=40), unit_ids=(1, 2, 3), lead_unit_id=10))
    plan = W.standard_plan(tmp_path / "plan.xlsx")
    assert main(["import-tasks", str(plan), "--db", url]) == 0
    capsys.readouterr()
    with demo_db.session() as s:
        new_ids = set(s.scalars(select(Task.id).where(Task.id >= created)))
        assert len(new_ids) == 9  # the typed task and the eight of the plan

    after = {(p, fmt): _stats(capsys, url, p, *fmt) for p in past for fmt in ((), ("--json",))}
    assert after == before
    # The current month does take them in (the comparison above could fail).
    assert _stats(capsys, url, current, "--json") != now_before

    # The last month's urge screening lists nothing created later.
    with demo_db.session() as s:
        rows = urging.screen(s, dispatcher, 1, current.previous(), today)
        assert rows and not {r.task_id for r in rows} & new_ids
        now_rows = urging.screen(s, dispatcher, 1, current, today)
        assert new_ids <= {r.task_id for r in now_rows}
