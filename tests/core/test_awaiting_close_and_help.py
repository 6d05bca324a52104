"""待销号 on the board and in search; the 帮助 texts (database location, rules with the
current settings' numbers)."""
import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.core.about import database_location, rules_sections
from taskboard.core.board import load_board
from taskboard.core.detail import load_detail
from taskboard.core.models import Assignment
from taskboard.core.periods import Period
from taskboard.core.rules import DueState
from taskboard.core.search import SearchCriteria, filter_rows
from taskboard.core.services import closeout, tasks
from taskboard.core.services.reports import submit_report
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

NOV = Period(2026, 11)


def _task(db, actor, code, deadline):
    with db.Session.begin() as s:
        tid = tasks.create_task(s, actor, tasks.TaskInput(
            campaign_id=1, code=code, title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=deadline, unit_ids=(1, 2)))
        return tid, s.scalars(select(Assignment.id).where(Assignment.task_id == tid)
                              .order_by(Assignment.unit_id)).all()


def _board(db):
    with db.session() as s:
        return load_board(s, 1, NOV, TODAY, WorkCalendar())


def test_finished_but_not_closed_is_awaiting_close(demo_db, dispatcher):
    late, (l1, l2) = _task(demo_db, dispatcher, "99.1", dt.date(2026, 8, 31))
    due, (d1, d2) = _task(demo_db, dispatcher, "99.2", dt.date(2026, 12, 31))
    with demo_db.Session.begin() as s:
        for aid in (l1, l2, d1):
            submit_report(s, dispatcher, aid, NOV, text="已完成", progress=100, today=TODAY)
        submit_report(s, dispatcher, d2, NOV, text="推进中", progress=60, today=TODAY)
    rows = {r.task_id: r for r in _board(demo_db).rows}
    assert rows[late].due_state is DueState.OVERDUE  # the rule itself is unchanged
    assert (rows[late].awaiting_close, rows[late].due_text) == (True, "超期·待销号")
    assert (rows[due].awaiting_close, rows[due].due_text) == (False, "正常")
    board = _board(demo_db)
    assert [a.due_text for a in board.assignments[due]] == ["待销号", "正常"]

    # One unit closed out, the other at 100 %: still only the close-out of the rest missing.
    with demo_db.Session.begin() as s:
        closeout.close_assignment(s, dispatcher, d2, "协调解决", TODAY, today=TODAY)
    row = next(r for r in _board(demo_db).rows if r.task_id == due)
    assert (row.awaiting_close, row.due_text) == (True, "待销号")
    with demo_db.session() as s:
        d = load_detail(s, due, NOV, TODAY, WorkCalendar())
    assert d.awaiting_close and [a.awaiting_close for a in d.assignments] == [True, False]

    with demo_db.Session.begin() as s:
        closeout.close_task(s, dispatcher, late, "协调解决", TODAY, today=TODAY)
    row = next(r for r in _board(demo_db).rows if r.task_id == late)
    assert (row.awaiting_close, row.due_text) == (False, "已完成")

    rows = _board(demo_db).rows
    found = filter_rows(rows, SearchCriteria(awaiting_close=True))
    assert due in {r.task_id for r in found} and all(r.awaiting_close for r in found)
    both = filter_rows(rows, SearchCriteria(awaiting_close=True,
                                            due_states=frozenset({DueState.ONGOING})))
    assert {r.task_id for r in both} == {r.task_id for r in rows
                                         if r.awaiting_close or r.due_state is DueState.ONGOING}


def test_demo_task_with_every_unit_at_100_is_awaiting_close(demo_db):
    rows = [r for r in _board(demo_db).rows if r.awaiting_close]
    assert rows and all(not r.closed and r.progress == 100 for r in rows)


@pytest.mark.parametrize("url,expected", [
    ("sqlite:////data/taskboard.sqlite", "本机文件：/data/taskboard.sqlite"),
    ("postgresql+psycopg://dd:s3cret@10.0.0.5:5432/taskboard",
     "PostgreSQL 服务器：dd@10.0.0.5:5432，数据库 taskboard"),
])
def test_database_location_never_shows_the_password(url, expected):
    assert database_location(url) == expected
    assert "s3cret" not in database_location(url)


def test_rules_text_uses_the_current_settings():
    text = "\n".join(line for _, lines in rules_sections(
        BoardSettings(near_due_workdays=7, report_day=20), WorkCalendar(), TODAY)
        for line in lines)
    assert "不超过 7 个工作日" in text and "每月 20 日前" in text
    assert "2026年11月的报送截止日：2026年11月20日" in text
    default = "\n".join(line for _, lines in rules_sections(BoardSettings(), WorkCalendar(),
                                                            TODAY) for line in lines)
    assert "不超过 5 个工作日" in default and "2026年11月25日" in default
    for word in ("绿灯", "蓝灯", "红灯", "超期", "临期", "时序进度", "滞后", "待销号"):
        assert word in default
