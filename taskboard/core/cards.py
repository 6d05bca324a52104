"""Graded warnings (亮牌) per assignment and unit, read off the board's own figures.

* 红牌 (red): the work is overdue (the board's due state 超期).
* 黄牌 (yellow): lagging (the board's 滞后), or a poor report this period: the period's
  latest report was returned, or it has no substance (see ``no_substance``).
* 蓝牌 (blue): the deadline is near (the board's due state 临期).

An assignment shows its most severe card only; closed-out work shows none. A unit's card is
the worst of its assignments'. In scoring every second yellow card of a unit in a period makes
a 督办 and every red card a 约谈 (``taskboard.core.scoring``).
"""
from __future__ import annotations

from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core.board import AssignmentRow, Board
from taskboard.core.card_rule import Card, no_substance_text
from taskboard.core.models import Assignment, Report, Task
from taskboard.core.periods import Period
from taskboard.core.rules import DueState


CARD_COLORS = {Card.BLUE: "#2b6cd4", Card.YELLOW: "#e0a800", Card.RED: "#d93636"}

CARD_RULE = ("亮牌规则：超期亮红牌；滞后、本期报送被退回或无实质内容亮黄牌；临期亮蓝牌。"
             "每项任务只亮最重的一张，已办结的不亮牌。单位的牌取其各项任务中最重的一张。"
             "考评中，一个单位一期内每两张黄牌记一次督办，每张红牌记一次约谈。")


def no_substance(a: AssignmentRow, previous_text: str, min_chars: int) -> bool:
    """A counted report of this period whose progress text says nothing new.

    No substance: the text, without surrounding spaces, is shorter than ``min_chars``
    characters, or the same as the assignment's latest counted report of the previous period.
    A returned report is not counted here (it already counts as returned).
    """
    return no_substance_text(a.closed, a.report_status, a.report_text, previous_text, min_chars)


def poor_report(a: AssignmentRow, previous_text: str, min_chars: int) -> bool:
    return (not a.closed and a.report_status == "returned") or \
        no_substance(a, previous_text, min_chars)


def assignment_card(a: AssignmentRow, poor: bool) -> Card:
    if a.closed or a.due_state is DueState.DONE:
        return Card.NONE
    if a.due_state is DueState.OVERDUE:
        return Card.RED
    if a.lagging or poor:
        return Card.YELLOW
    if a.due_state is DueState.NEAR_DUE:
        return Card.BLUE
    return Card.NONE


def worst_card(cards: Iterable[Card]) -> Card:
    return max(cards, default=Card.NONE)


def board_cards(assignments: Mapping[int, list[AssignmentRow]],
                previous_text: Mapping[int, str], min_chars: int) -> dict[int, Card]:
    """The card of every assignment on a board (assignment id -> card)."""
    return {a.assignment_id: assignment_card(
                a, poor_report(a, previous_text.get(a.assignment_id, ""), min_chars))
            for rows in assignments.values() for a in rows}


def previous_texts(session: Session, campaign_id: int, period: Period) -> dict[int, str]:
    """The previous month's latest counted (not returned) report text per assignment."""
    rows = session.execute(
        select(Report.assignment_id, Report.text)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.campaign_id == campaign_id, Report.period == str(period.previous()),
               Report.status != "returned")
        .order_by(Report.id)).all()
    return {aid: text or "" for aid, text in rows}


def load_cards(session: Session, board: Board, min_chars: int) -> dict[int, Card]:
    """Every assignment's card on ``board``, kept in the board's memo for the views.

    A board loaded with ``cards=True`` has them already (graded in its own pass over the
    rows); any other board is graded here from its rows.
    """
    if board.memo.get("cards_min_chars") == min_chars:
        return board.memo["cards"]
    previous = previous_texts(session, board.campaign_id, board.period)
    cards = board.memo["cards"] = board_cards(board.assignments, previous, min_chars)
    board.memo.pop("task_cards", None)  # worked out again from these cards when asked
    return cards


def task_cards(board: Board) -> dict[int, Card]:
    """Each task's worst card (needs ``load_cards`` first; no cards without it)."""
    cards = board.memo.get("cards")
    if not cards:
        return {}
    if "task_cards" not in board.memo:
        board.memo["task_cards"] = {
            tid: worst_card(cards.get(a.assignment_id, Card.NONE) for a in rows)
            for tid, rows in board.assignments.items()}
    return board.memo["task_cards"]
