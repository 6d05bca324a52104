"""The demo must show every state a newcomer should see."""
from sqlalchemy import func, select

from taskboard.core.board import load_board
from taskboard.core.models import Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, Light
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY


def test_demo_has_ordos_districts_departments_and_tasks(demo_db):
    with demo_db.session() as s:
        districts = s.scalars(select(Unit.name).where(Unit.kind == "district")
                              .order_by(Unit.sort_order)).all()
        departments = s.scalar(select(func.count()).where(Unit.kind == "department"))
        tasks = s.scalar(select(func.count()).select_from(Task))
    assert districts == ["东胜区", "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "乌审旗",
                         "杭锦旗", "鄂托克旗", "鄂托克前旗"]
    assert departments >= 15
    assert tasks >= 60


def test_demo_shows_every_light_due_state_and_case(demo_db):
    with demo_db.session() as s:
        board = load_board(s, 1, Period.of(TODAY), TODAY, WorkCalendar())
        returned = s.scalar(select(func.count()).where(Report.status == "returned"))
    assert {r.light for r in board.rows} == set(Light)
    assert {r.due_state for r in board.rows} == set(DueState)
    assert any(r.lagging for r in board.rows)
    assert any(r.closed for r in board.rows)
    assert returned > 0
    assignment_lights = {a.light for rows in board.assignments.values() for a in rows}
    assert assignment_lights == set(Light)
    assert any(a.report_status == "returned" for rows in board.assignments.values() for a in rows)


def test_demo_reports_are_never_in_the_future(demo_db):
    with demo_db.session() as s:
        latest = s.scalar(select(func.max(Report.submitted_at)))
        latest_period = s.scalar(select(func.max(Report.period)))
    assert latest.date() <= TODAY
    assert latest_period == str(Period.of(TODAY))
