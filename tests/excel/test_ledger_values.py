"""The ledger's values read side by side (board and month's reports) equal the one-by-one read."""
import dataclasses
import threading

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from taskboard.core.board import load_board
from taskboard.core.periods import Period
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel import ledger
from tests.conftest import TODAY

NOV = Period(2026, 11)


def _fields(data):
    return {f.name: getattr(data, f.name) for f in dataclasses.fields(data)
            if f.name != "generated_at"}


def test_side_by_side_values_equal_the_sequential_read(demo_db, monkeypatch):
    threads = []
    month_reports = ledger._month_reports

    def recording(session, *args):
        threads.append(threading.current_thread().name)
        return month_reports(session, *args)

    monkeypatch.setattr(ledger, "_month_reports", recording)
    with demo_db.session() as s:
        side_by_side = ledger.ledger_data(s, 1, NOV, TODAY)
        board = load_board(s, 1, NOV, TODAY, load_calendar(s), load_settings(s))
        one_by_one = ledger.ledger_data(s, 1, NOV, TODAY, board=board)
    # The first read took the month's reports on the ledger's own worker thread, the second
    # (a board given) in the caller's.
    assert threads[0].startswith("ledger-month") and threads[1] == threading.current_thread().name
    assert _fields(side_by_side) == _fields(one_by_one)
    assert len(side_by_side.ledger) > 50 and side_by_side.urge_list


def test_a_session_on_one_connection_or_in_memory_reads_in_its_own_thread(demo_db):
    with demo_db.engine.connect() as conn:
        assert not ledger._reaches_same_data(Session(bind=conn).get_bind())
    assert not ledger._reaches_same_data(create_engine("sqlite://"))
    assert ledger._reaches_same_data(demo_db.engine)
