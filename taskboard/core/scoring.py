"""考评: points per unit and period under the office's rule, from the board's figures.

Every item is counted on the board of the period (``core.board``: closed, due state, lagging,
the period's latest report) and the board of the month before; nothing here re-derives a
light or a due state. Per unit and month:

* 完成任务 — an assignment closed out by the month's end that was not closed at the previous
  month's end.
* 超期任务 — an assignment overdue at the month's as-of date (each month it stays overdue).
* 报送被退回 — every report of the month that was returned.
* 未报送 — an open assignment of a task started by the month's end with no report for the
  month, once the month's report day has passed.
* 报送无实质内容 — see ``core.cards.no_substance`` (shorter than ``score_min_chars`` or
  unchanged from the previous month).
* 通报表扬 / 通报批评 — named on the red / black list of a 通报 issued in the month (of
  several issued for the same span, the latest).
* 黄牌督办 — every second yellow card of the unit in the month; 红牌约谈 — every red card.

The task items (完成任务, 超期任务) count in full for the task's lead unit and at
``score_support_pct`` per cent for a supporting unit. The score of a month is the base plus
its items; of a quarter or of the campaign so far, the base plus the items of all its months.
Every active unit is listed; one without work in the span keeps the base and is not ranked.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from taskboard.core.board import Board, load_board
from taskboard.core.cards import Card, board_cards, no_substance, previous_texts
from taskboard.core.figures import rank_change_text
from taskboard.core.models import Assignment, Bulletin, Campaign, Report, Task, Unit
from taskboard.core.periods import Period, period_range
from taskboard.core.rules import DueState, report_day
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar

# (key, word, settings field with its points)
ITEMS: tuple[tuple[str, str, str], ...] = (
    ("completed", "完成任务", "score_completed"),
    ("overdue", "超期任务", "score_overdue"),
    ("returned", "报送被退回", "score_returned"),
    ("missing", "未报送", "score_missing"),
    ("no_substance", "报送无实质内容", "score_no_substance"),
    ("praise", "通报表扬", "score_praise"),
    ("criticism", "通报批评", "score_criticism"),
    ("supervise", "黄牌督办", "score_two_yellow"),
    ("interview", "红牌约谈", "score_red_card"),
)
ITEM_WORDS = {key: word for key, word, _ in ITEMS}
TRACK_WORDS = {"district": "旗区", "department": "部门"}


@dataclass(frozen=True)
class ScoreItem:
    key: str
    word: str
    count: float  # weighted: a supporting unit's task counts score_support_pct / 100
    points: int
    subtotal: float


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_name: str
    kind: str
    # "district", "department", or None: not ranked (no work in the span, or a unit of kind
    # "other" when other_units_track is "none")
    track: Optional[str]
    base: int
    items: tuple[ScoreItem, ...]
    total: float
    cards: tuple[int, int, int]  # blue, yellow, red cards in the span
    card: Card  # the unit's worst card in the span's last month
    interviews: tuple[str, ...]  # task codes with a red card (约谈)

    def item(self, key: str) -> ScoreItem:
        return next(i for i in self.items if i.key == key)

    def breakdown(self) -> str:
        """One line per item that scored, for tooltips and the command line."""
        lines = [f"基础分 {self.base}"]
        for i in self.items:
            if i.count:
                lines.append(f"{i.word} {fmt(i.count)} × {i.points:+d} = {fmt(i.subtotal, True)}")
        lines.append(f"合计 {fmt(self.total)}")
        return "\n".join(lines)


def fmt(value: float, signed: bool = False) -> str:
    """1 → "1", 0.5 → "0.5", signed: "+1" / "-0.5"."""
    value = round(value, 1) + 0.0  # no "-0"
    text = f"{value:+.1f}" if signed and value else f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def track_of(kind: str, settings: BoardSettings) -> Optional[str]:
    if kind == "district":
        return "district"
    if kind == "department":
        return "department"
    return "department" if settings.other_units_track == "department" else None


@dataclass
class _Counts:
    name: str
    kind: str
    counts: Counter
    cards: Counter
    last_card: Card = Card.NONE
    interviews: tuple[str, ...] = ()


class Scorer:
    """Scores for one campaign; boards are loaded once per month and reused."""

    def __init__(self, session: Session, campaign_id: int, today: dt.date, cal: WorkCalendar,
                 settings: BoardSettings) -> None:
        self.session, self.campaign_id, self.today = session, campaign_id, today
        self.cal, self.settings = cal, settings
        self._boards: dict[Period, Board] = {}
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise LookupError(f"专项工作不存在：{campaign_id}")
        self.first = Period.of(campaign.start_date)

    def board(self, period: Period) -> Board:
        if period not in self._boards:
            self._boards[period] = load_board(self.session, self.campaign_id, period,
                                              self.today, self.cal, self.settings)
        return self._boards[period]

    def use_board(self, board: Board) -> None:
        """A board the caller already has (the battle map's) saves loading it again."""
        self._boards[board.period] = board

    # --- per month --------------------------------------------------------------------

    def previous_texts(self, period: Period) -> dict[int, str]:
        return previous_texts(self.session, self.campaign_id, period)

    def cards(self, period: Period) -> dict[int, Card]:
        return board_cards(self.board(period).assignments, self.previous_texts(period),
                           self.settings.score_min_chars)

    def _returned(self, period: Period) -> dict[int, int]:
        return dict(self.session.execute(
            select(Report.assignment_id, func.count())
            .join(Assignment, Assignment.id == Report.assignment_id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.campaign_id == self.campaign_id, Report.period == str(period),
                   Report.status == "returned")
            .group_by(Report.assignment_id)).all())

    def _bulletin_marks(self, period: Period) -> tuple[Counter, Counter]:
        """Red- and black-list mentions in 通报 issued during the month; a bulletin issued
        again for the same span (a corrected one) replaces the earlier one."""
        latest: dict[str, tuple[str, str]] = {}
        for span, p_ids, c_ids in self.session.execute(
                select(Bulletin.span, Bulletin.praised, Bulletin.criticised)
                .where(Bulletin.campaign_id == self.campaign_id,
                       Bulletin.issued_on >= period.first_day,
                       Bulletin.issued_on <= period.last_day)
                .order_by(Bulletin.issued_on, Bulletin.id)):
            latest[span] = (p_ids, c_ids)
        praised, criticised = Counter(), Counter()
        for p_ids, c_ids in latest.values():
            praised.update(int(x) for x in p_ids.split(",") if x)
            criticised.update(int(x) for x in c_ids.split(",") if x)
        return praised, criticised

    def month_counts(self, period: Period) -> dict[int, _Counts]:
        st = self.settings
        board = self.board(period)
        before = self.board(period.previous()) if period > self.first else None
        closed_before = set() if before is None else {
            a.assignment_id for rows in before.assignments.values() for a in rows if a.closed}
        prev_text = self.previous_texts(period)
        returned = self._returned(period)
        praised, criticised = self._bulletin_marks(period)
        report_due_passed = board.as_of > report_day(period, self.cal, st.report_day)
        cards = board_cards(board.assignments, prev_text, st.score_min_chars)
        support = st.score_support_pct / 100
        out: dict[int, _Counts] = {}
        interviews: dict[int, list[str]] = defaultdict(list)
        for row in board.rows:
            started = row.start_date <= period.last_day
            for a in board.assignments.get(row.task_id, []):
                u = out.get(a.unit_id)
                if u is None:
                    u = out[a.unit_id] = _Counts(a.unit_name, a.unit_kind, Counter(), Counter())
                weight = 1.0 if row.lead_unit_id == a.unit_id else support
                if a.closed and a.assignment_id not in closed_before:
                    u.counts["completed"] += weight
                if a.due_state is DueState.OVERDUE:
                    u.counts["overdue"] += weight
                u.counts["returned"] += returned.get(a.assignment_id, 0)
                if (report_due_passed and started and not a.closed
                        and a.report_status is None):
                    u.counts["missing"] += 1
                if no_substance(a, prev_text.get(a.assignment_id, ""), st.score_min_chars):
                    u.counts["no_substance"] += 1
                card = cards[a.assignment_id]
                if card is not Card.NONE:
                    u.cards[card] += 1
                    u.last_card = max(u.last_card, card)
                if card is Card.RED:
                    interviews[a.unit_id].append(row.code)
        for uid, u in out.items():
            u.counts["praise"] += praised.get(uid, 0)
            u.counts["criticism"] += criticised.get(uid, 0)
            u.counts["supervise"] += u.cards[Card.YELLOW] // 2
            u.counts["interview"] += u.cards[Card.RED]
            u.interviews = tuple(interviews.get(uid, ()))
        return out

    # --- spans ------------------------------------------------------------------------

    def scores(self, periods: Sequence[Period]) -> list[UnitScore]:
        """Base plus the items of every month in ``periods`` (a month, a quarter, …)."""
        st = self.settings
        months = [p for p in periods if p >= self.first]
        merged: dict[int, _Counts] = {}
        for p in months:
            for uid, c in self.month_counts(p).items():
                m = merged.get(uid)
                if m is None:
                    m = merged[uid] = _Counts(c.name, c.kind, Counter(), Counter())
                m.counts.update(c.counts)
                m.cards.update(c.cards)
                if p == months[-1]:
                    m.last_card, m.interviews = c.last_card, c.interviews
        # Active units without work in the span are listed too, with the base and no rank.
        idle = set()
        for uid, name, kind in self.session.execute(
                select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True))):
            if uid not in merged:
                merged[uid] = _Counts(name, kind, Counter(), Counter())
                idle.add(uid)
        order = sorted(merged, key=lambda uid: (uid in idle, merged[uid].kind != "district",
                                                merged[uid].kind != "department", uid))
        out = []
        for uid in order:
            c = merged[uid]
            items = tuple(
                ScoreItem(key, word, float(c.counts.get(key, 0)), getattr(st, field),
                          float(c.counts.get(key, 0)) * getattr(st, field) + 0.0)  # no -0.0
                for key, word, field in ITEMS)
            out.append(UnitScore(
                unit_id=uid, unit_name=c.name, kind=c.kind,
                track=None if uid in idle else track_of(c.kind, st),
                base=st.score_base, items=items,
                total=st.score_base + sum(i.subtotal for i in items),
                cards=(c.cards[Card.BLUE], c.cards[Card.YELLOW], c.cards[Card.RED]),
                card=c.last_card, interviews=c.interviews))
        return out

    def cumulative(self, until: Period) -> list[UnitScore]:
        return self.scores(period_range(self.first, until))


# --- ranking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreRank:
    rank: int
    change: Optional[int]  # positive = moved up; None = no rank in the previous span
    score: UnitScore

    @property
    def change_text(self) -> str:
        return rank_change_text(self.change)


SCORE_RANKING_RULE = ("考评排名：按考评得分从高到低排列，得分相同者并列同一名次，其后名次顺延"
                      "（如 1、2、2、4）。旗区、部门分别排名。名次变化与上一期相比。")


def _ranks(scores: Sequence[UnitScore]) -> dict[int, int]:
    ordered = sorted(scores, key=lambda s: (-round(s.total, 1), s.unit_id))
    out, rank, last = {}, 0, None
    for i, s in enumerate(ordered, start=1):
        key = round(s.total, 1)
        if key != last:
            rank, last = i, key
        out[s.unit_id] = rank
    return out


def rank_track(scores: Iterable[UnitScore], track: str,
               previous: Iterable[UnitScore] = ()) -> list[ScoreRank]:
    """One track's units ranked by total, with the change against ``previous``."""
    current = [s for s in scores if s.track == track]
    before = _ranks([s for s in previous if s.track == track])
    ranks = _ranks(current)
    rows = [ScoreRank(ranks[s.unit_id],
                      None if s.unit_id not in before else before[s.unit_id] - ranks[s.unit_id],
                      s) for s in current]
    return sorted(rows, key=lambda r: (r.rank, r.score.unit_id))


@dataclass(frozen=True)
class Lists:
    red: tuple[ScoreRank, ...]
    black: tuple[ScoreRank, ...]  # worst first
    exempted: tuple[tuple[ScoreRank, str], ...]  # would be on the black list; the reason


def red_black(ranked: Sequence[ScoreRank], target: float, n_red: int, n_black: int,
              exempt: Mapping[int, str] = {}) -> Lists:
    """Red: score at least ``target`` and ranked in the top ``n_red``; black: below the target
    and among the last ``n_black`` places. An exempted unit is named with its reason instead."""
    red = tuple(r for r in ranked if r.rank <= n_red and r.score.total >= target)
    n = len(ranked)
    bottom = [r for i, r in enumerate(ranked) if n - i <= n_black and r.score.total < target]
    bottom.reverse()
    black = tuple(r for r in bottom if r.score.unit_id not in exempt)
    exempted = tuple((r, exempt[r.score.unit_id]) for r in bottom if r.score.unit_id in exempt)
    return Lists(red, black, exempted)


def list_sizes(settings: BoardSettings, track: str) -> tuple[int, int]:
    if track == "district":
        return settings.red_list_districts, settings.black_list_districts
    return settings.red_list_departments, settings.black_list_departments
