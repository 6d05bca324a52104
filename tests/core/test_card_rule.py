"""The board grades a task's rows in bulk (``grade_rows``); it must give ``card_of``'s card
for every row, whatever the facts."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from taskboard.core.card_rule import Card, card_of, grade_rows
from taskboard.core.rules import DueState, is_lagging

TEXTS = st.sampled_from(["", " ", "　", "按计划推进", " 按计划推进 ", "完成", "已完成全部工作内容",
                         "按计划推进　"])
ROW = st.tuples(st.booleans(), st.sampled_from([0, 30, 50, 99, 100]),
                st.sampled_from([None, "pending", "approved", "returned"]),
                TEXTS, st.one_of(st.none(), TEXTS))


@settings(max_examples=400, deadline=None)
@given(due=st.sampled_from(list(DueState)),
       tprog=st.one_of(st.sampled_from([None, 0.0, 30.0, 50.0, 99.5, 100.0]),
                     st.floats(0, 100, allow_nan=False)),
       min_chars=st.integers(0, 8), rows=st.lists(ROW, max_size=8))
def test_bulk_grading_gives_each_rows_own_card(due, tprog, min_chars, rows):
    naive = [Card.NONE if closed else card_of(False, due, is_lagging(progress, tprog, False),
                                              status, text, previous or "", min_chars)
             for closed, progress, status, text, previous in rows]
    columns = tuple(zip(*rows)) or ((),) * 5
    assert grade_rows(due, tprog, min_chars, *columns) == naive


def test_bulk_grading_examples():
    # Overdue: red unless closed; near due and on time: blue; a repeated text: yellow.
    assert grade_rows(DueState.OVERDUE, 50.0, 5, (0, 1), (10, 100), (None, None), ("", ""),
                      (None, None)) == [Card.RED, Card.NONE]
    assert grade_rows(DueState.NEAR_DUE, 50.0, 2, (0,), (60,), ("approved",), ("按计划推进",),
                      ("其他内容",)) == [Card.BLUE]
    assert grade_rows(DueState.ONGOING, 50.0, 2, (0,), (60,), ("pending",), ("按计划推进 ",),
                      (" 按计划推进",)) == [Card.YELLOW]
    assert grade_rows(DueState.ONGOING, 50.0, 2, (0,), (40,), ("approved",), ("很好的内容",),
                      (None,)) == [Card.YELLOW]  # lagging
    assert grade_rows(DueState.ONGOING, 50.0, 2, (0,), (50,), ("approved",), ("很好的内容",),
                      (None,)) == [Card.NONE]  # exactly on time is not lagging
