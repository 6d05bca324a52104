"""The cards worked out from the board's row facts are the cards of its assignment rows."""
from collections import Counter

from sqlalchemy import select

from taskboard.core.board import load_board
from taskboard.core.cards import (
    Card, board_cards, load_cards, previous_texts, task_cards, worst_card,
)
from taskboard.core.models import Report
from taskboard.core.periods import Period
from taskboard.core.services.review import review_report
from taskboard.core.settings import load_calendar, load_settings
from tests.conftest import TODAY


def _both(db, period):
    with db.session() as s:
        cal, settings = load_calendar(s), load_settings(s)
        quick = load_board(s, 1, period, TODAY, cal, settings)
        fast = load_cards(s, quick, settings.score_min_chars)
        graded = load_board(s, 1, period, TODAY, cal, settings, cards=True)
        in_pass = graded.memo["cards"]
        board = load_board(s, 1, period, TODAY, cal, settings)
        rows = {tid: board.assignments[tid] for tid in board.assignments}  # every row built
        slow = board_cards(rows, previous_texts(s, 1, period), settings.score_min_chars)
        slow_tasks = {tid: worst_card(slow[a.assignment_id] for a in arows)
                      for tid, arows in rows.items()}
    assert task_cards(quick) == slow_tasks
    assert in_pass == slow and task_cards(graded) == slow_tasks
    assert load_cards(None, graded, settings.score_min_chars) is in_pass  # no second query
    assert set(slow_tasks.values()) != {Card.NONE}
    return fast, slow


def test_cards_from_facts_equal_cards_from_rows(demo_db):
    seen = Counter()
    for period in (Period.of(TODAY), Period.of(TODAY).previous(), Period(2026, 6)):
        fast, slow = _both(demo_db, period)
        assert fast == slow, period
        seen.update(fast.values())
    # The demo shows every kind of card, so each branch of the rule is compared.
    assert {Card.NONE, Card.BLUE, Card.YELLOW, Card.RED} <= set(seen)


def test_a_returned_report_turns_the_card_yellow_both_ways(demo_db, dispatcher):
    period = Period.of(TODAY)
    with demo_db.session() as s:
        rid = s.scalar(select(Report.id).where(Report.period == str(period),
                                               Report.status == "pending").order_by(Report.id))
        aid = s.get(Report, rid).assignment_id
    with demo_db.Session.begin() as s:
        review_report(s, dispatcher, rid, approve=False, comment="请补充具体数据")
    fast, slow = _both(demo_db, period)
    assert fast == slow
    assert fast[aid] in (Card.YELLOW, Card.RED)
