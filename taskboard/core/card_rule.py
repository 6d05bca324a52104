"""The 亮牌 rule for one assignment, from the facts its board row has (see ``core.cards``).

Kept apart from ``core.cards`` so that the board can grade every assignment in its own pass
over the rows: ``core.cards`` reads boards, and the board must not import it back.
"""
from __future__ import annotations

import enum
from typing import Optional

from taskboard.core.rules import DueState


class Card(enum.IntEnum):
    """Ordered by severity so that ``max`` gives the worst."""

    NONE = 0
    BLUE = 1
    YELLOW = 2
    RED = 3

    @property
    def word(self) -> str:
        return CARD_WORDS[self]

    @property
    def meaning(self) -> str:
        return CARD_MEANINGS[self]


CARD_WORDS = {Card.NONE: "", Card.BLUE: "蓝牌", Card.YELLOW: "黄牌", Card.RED: "红牌"}
CARD_MEANINGS = {Card.NONE: "", Card.BLUE: "临期", Card.YELLOW: "滞后或报送质量差",
                 Card.RED: "超期"}


def no_substance_text(closed: bool, status: Optional[str], text: str, previous_text: str,
                      min_chars: int) -> bool:
    """A counted report whose text is shorter than ``min_chars`` or repeats last month's."""
    if closed or status not in ("pending", "approved"):
        return False
    text = text.strip()
    return len(text) < min_chars or (bool(previous_text.strip())
                                     and text == previous_text.strip())


def card_of(closed: bool, due: DueState, lagging: bool, status: Optional[str], text: str,
            previous_text: str, min_chars: int) -> Card:
    """The card of an assignment row with these facts (``core.cards.assignment_card``)."""
    if closed or due is DueState.DONE:
        return Card.NONE
    if due is DueState.OVERDUE:
        return Card.RED
    if lagging or status == "returned" or no_substance_text(closed, status, text,
                                                            previous_text, min_chars):
        return Card.YELLOW
    if due is DueState.NEAR_DUE:
        return Card.BLUE
    return Card.NONE


def grade_rows(due: DueState, tprogress: Optional[float], min_chars: int, closeds, progresses,
               statuses, texts, previous_texts) -> list[Card]:
    """``card_of`` for each of a task's rows, given as columns: the rows share the task's due
    state and time progress. The board grades twenty thousand rows on every period switch;
    a call of ``card_of`` per row cost as much as the rest of the board's Python."""
    if due is DueState.DONE:
        return [Card.NONE] * len(closeds)
    if due is DueState.OVERDUE:
        return [Card.NONE if closed else Card.RED for closed in closeds]
    calm = Card.BLUE if due is DueState.NEAR_DUE else Card.NONE
    none, yellow = Card.NONE, Card.YELLOW
    out = []
    for closed, progress, status, text, previous in zip(closeds, progresses, statuses, texts,
                                                         previous_texts):
        if closed:
            out.append(none)
        elif status == "returned" or (tprogress is not None and progress < tprogress):
            out.append(yellow)
        elif status == "pending" or status == "approved":
            text = text.strip()
            previous = previous.strip() if previous else ""
            out.append(yellow if len(text) < min_chars or (previous and text == previous)
                       else calm)
        else:
            out.append(calm)
    return out
