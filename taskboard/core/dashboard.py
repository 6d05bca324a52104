"""The numbers behind the battle map (挂图作战), computed from one loaded Board.

Completion level (完成水平) has two precise definitions, and every chart says which:

* ``Measure.MEAN_PROGRESS`` — 平均完成进度: the mean progress % of the assignments
  (a closed-out assignment counts 100). Its time line (时序进度) is the mean time progress of
  the same assignments; an assignment without a deadline (长期) has no time progress and
  counts its own progress on both sides, so ongoing work never makes a tank lag or lead.
* ``Measure.SHARE_CLOSED`` — 办结率: the share of assignments closed out (办结). Its time line
  is the share that should be closed by now: assignments whose deadline has passed.

A tank lags (滞后) when its level, rounded to 0.1 as shown, is below its time line.
Definitions shared with every other screen and export are in ``core.figures``.
Multi-period figures (trends, the previous period's ranks) come from
``core.dashboard_history``; this module only needs the board.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional, Sequence

from taskboard.core.board import AssignmentRow, Board
from taskboard.core.figures import level_lagging, rank_change_text, rank_key
from taskboard.core.rules import DueState, Light


class Measure(enum.Enum):
    MEAN_PROGRESS = "mean_progress"
    SHARE_CLOSED = "share_closed"

    @property
    def word(self) -> str:
        return MEASURE_WORDS[self]

    @property
    def time_word(self) -> str:
        return TIME_LINE_WORDS[self]


MEASURE_WORDS = {Measure.MEAN_PROGRESS: "平均完成进度", Measure.SHARE_CLOSED: "办结率"}
TIME_LINE_WORDS = {Measure.MEAN_PROGRESS: "时序进度", Measure.SHARE_CLOSED: "时序应办结率"}


class Group(enum.Enum):
    DISTRICT = "district"
    UNIT = "unit"
    TASK = "task"

    @property
    def word(self) -> str:
        return GROUP_WORDS[self]


GROUP_WORDS = {Group.DISTRICT: "旗区", Group.UNIT: "单位", Group.TASK: "任务"}


@dataclass(frozen=True)
class Tank:
    """One tank of the water-level chart: a unit (district or any unit) or a task."""

    key: int  # unit id, or task id when grouped by task
    label: str
    level: float  # 0–100, per the chart's measure
    time_line: float  # 0–100
    lagging: bool
    assignments: int
    closed: int
    mean_progress: float


@dataclass(frozen=True)
class WaterLevel:
    group: Group
    measure: Measure
    period_label: str
    tanks: tuple[Tank, ...]

    @property
    def title(self) -> str:
        return (f"水位图 · 各{self.group.word}完成水平（{self.measure.word}）"
                f"与{self.measure.time_word} · {self.period_label}")

    @property
    def lagging_count(self) -> int:
        return sum(t.lagging for t in self.tanks)


@dataclass(frozen=True)
class LightBar:
    unit_id: int
    unit_name: str
    green: int
    blue: int
    red: int

    @property
    def total(self) -> int:
        return self.green + self.blue + self.red


@dataclass(frozen=True)
class Kpis:
    tasks: int
    closed: int  # 已办结: task closed out, or every assignment closed
    all_units_done: int  # 各单位均完成
    half_units_done: int  # 半数以上单位完成 (includes all_units_done)
    green: int
    blue: int
    red: int
    near_due: int
    overdue: int
    lagging: int


@dataclass(frozen=True)
class UnitMetrics:
    """What the district ranking compares, for one unit and one period."""

    unit_id: int
    unit_name: str
    level: float
    on_time_rate: Optional[float]  # None when no report was due
    overdue: int
    urges: int


@dataclass(frozen=True)
class RankRow:
    rank: int
    change: Optional[int]  # positive = moved up; None = no rank last period
    metrics: UnitMetrics

    @property
    def change_text(self) -> str:
        return rank_change_text(self.change)


@dataclass(frozen=True)
class TaskRankRow:
    rank: int
    unit_id: int
    unit_name: str
    progress: int
    time_progress: Optional[float]
    lagging: bool
    closed: bool
    light: Light


RANKING_RULE = (
    "排名规则：按完成水平（{measure}）从高到低排列；相同时依次比较按时报送率（高者在前）、"
    "超期任务数（少者在前）、本期被催办次数（少者在前）。各项均相同者并列同一名次，"
    "其后名次顺延（如 1、2、2、4）。数值按显示精度（0.1）比较。"
    "名次变化与上一期相比：↑ 上升，↓ 下降，— 不变，“新”表示上期无名次。"
)


def ranking_rule(measure: Measure) -> str:
    return RANKING_RULE.format(measure=measure.word)


# --- water level ----------------------------------------------------------------------------

def _tank(key: int, label: str, rows: Sequence[AssignmentRow], measure: Measure,
          deadline_of: dict[int, Optional[dt.date]], as_of: dt.date) -> Tank:
    n = len(rows)
    closed = sum(a.closed for a in rows)
    mean_progress = sum(a.progress for a in rows) / n if n else 0.0
    if measure is Measure.MEAN_PROGRESS:
        level = mean_progress
        # Ongoing work (no time progress) counts its own progress: neither ahead nor behind.
        time_line = (sum(a.progress if a.time_progress is None else a.time_progress
                         for a in rows) / n) if n else 0.0
    else:
        level = closed / n * 100 if n else 0.0
        # Due to be closed: the deadline is past, the same test that makes open work 超期.
        due = sum(1 for a in rows
                  if deadline_of.get(a.task_id) is not None and as_of > deadline_of[a.task_id])
        time_line = due / n * 100 if n else 0.0
    return Tank(key=key, label=label, level=level, time_line=time_line,
                lagging=level_lagging(level, time_line), assignments=n, closed=closed,
                mean_progress=mean_progress)


def assignments_by_unit(board: Board, districts_only: bool) -> dict[int, list[AssignmentRow]]:
    """Assignment rows per unit, units in display order (districts first, then by id)."""
    key = ("assignments_by_unit", districts_only)
    if key not in board.memo:
        board.memo[key] = _assignments_by_unit(board, districts_only)
    return board.memo[key]


def _assignments_by_unit(board: Board, districts_only: bool) -> dict[int, list[AssignmentRow]]:
    by_unit: dict[int, list[AssignmentRow]] = defaultdict(list)
    kinds: dict[int, str] = {}
    for rows in board.assignments.values():
        for a in rows:
            if districts_only and a.unit_kind != "district":
                continue
            by_unit[a.unit_id].append(a)
            kinds[a.unit_id] = a.unit_kind
    # Unit ids follow the configured unit order in practice; AssignmentRow carries no
    # sort_order, and a second query per redraw is not worth it.
    order = sorted(by_unit, key=lambda uid: (kinds[uid] != "district", uid))
    return {uid: by_unit[uid] for uid in order}


def water_level(board: Board, group: Group, measure: Measure) -> WaterLevel:
    """Tanks in unit order (districts first), or in task-code order when grouped by task."""
    deadline_of = {r.task_id: r.deadline for r in board.rows}
    tanks: list[Tank] = []
    if group is Group.TASK:
        for row in board.rows:
            arows = board.assignments.get(row.task_id, [])
            if arows:
                tanks.append(_tank(row.task_id, row.code, arows, measure, deadline_of,
                                   board.as_of))
    else:
        for uid, arows in assignments_by_unit(board, group is Group.DISTRICT).items():
            tanks.append(_tank(uid, arows[0].unit_name, arows, measure, deadline_of,
                               board.as_of))
    return WaterLevel(group=group, measure=measure, period_label=board.period.label,
                      tanks=tuple(tanks))


# --- coloured bars, KPI tiles -----------------------------------------------------------------

def light_bars(board: Board, districts_only: bool) -> list[LightBar]:
    """Green/blue/red assignments per unit this period, worst first (most red, then blue)."""
    bars = []
    for uid, arows in assignments_by_unit(board, districts_only).items():
        lights = [a.light for a in arows]
        bars.append(LightBar(unit_id=uid, unit_name=arows[0].unit_name,
                             green=lights.count(Light.GREEN), blue=lights.count(Light.BLUE),
                             red=lights.count(Light.RED)))
    # sorted() is stable, so equal units keep the unit order.
    return sorted(bars, key=lambda b: (-b.red, -b.blue))


def assignment_done(a: AssignmentRow) -> bool:
    """A unit has completed its part: closed out, or reported 100 %."""
    return a.closed or a.progress >= 100


def kpis(board: Board) -> Kpis:
    counts = board.counts()
    all_done = half_done = closed = 0
    for row in board.rows:
        arows = board.assignments.get(row.task_id, [])
        closed += row.closed
        if not arows:
            continue
        done = sum(assignment_done(a) for a in arows)
        all_done += done == len(arows)
        half_done += done * 2 >= len(arows)
    return Kpis(tasks=counts["tasks"], closed=closed, all_units_done=all_done,
                half_units_done=half_done, green=counts["green"], blue=counts["blue"],
                red=counts["red"], near_due=counts["near_due"], overdue=counts["overdue"],
                lagging=counts["lagging"])


# --- rankings ---------------------------------------------------------------------------------

def _rank_key(m: UnitMetrics) -> tuple:
    return rank_key(m.level, m.on_time_rate, m.overdue, m.urges)


def rank_units(current: Sequence[UnitMetrics],
               previous: Sequence[UnitMetrics] = ()) -> list[RankRow]:
    """Competition ranking (1, 2, 2, 4) by the rule in RANKING_RULE, with change vs previous."""
    prev_rank = {uid: rank for uid, rank in _ranks(previous)}
    out = []
    ranked = _ranks(current)
    by_id = {m.unit_id: m for m in current}
    for uid, rank in ranked:
        before = prev_rank.get(uid)
        out.append(RankRow(rank=rank, change=None if before is None else before - rank,
                           metrics=by_id[uid]))
    return out


def _ranks(metrics: Sequence[UnitMetrics]) -> list[tuple[int, int]]:
    ordered = sorted(metrics, key=lambda m: (_rank_key(m), m.unit_id))
    out: list[tuple[int, int]] = []
    last_key = None
    rank = 0
    for i, m in enumerate(ordered, start=1):
        key = _rank_key(m)
        if key != last_key:
            rank, last_key = i, key
        out.append((m.unit_id, rank))
    return out


def board_unit_metrics(board: Board, measure: Measure, on_time: dict[int, Optional[float]],
                       urges: dict[int, int]) -> list[UnitMetrics]:
    """The districts' metrics for the board's period; on-time rates and urges come from history."""
    levels = {t.key: t for t in water_level(board, Group.DISTRICT, measure).tanks}
    out = []
    for uid, arows in assignments_by_unit(board, True).items():
        out.append(UnitMetrics(
            unit_id=uid, unit_name=arows[0].unit_name, level=levels[uid].level,
            on_time_rate=on_time.get(uid),
            overdue=sum(a.due_state is DueState.OVERDUE for a in arows),
            urges=urges.get(uid, 0)))
    return out


def task_ranking(board: Board, task_id: int, districts_only: bool = True) -> list[TaskRankRow]:
    """One task's districts (or all its units) ranked by progress, ties sharing a rank."""
    arows = [a for a in board.assignments.get(task_id, [])
             if not districts_only or a.unit_kind == "district"]
    ordered = sorted(arows, key=lambda a: (-a.progress, a.unit_id))
    out, rank, last = [], 0, None
    for i, a in enumerate(ordered, start=1):
        if a.progress != last:
            rank, last = i, a.progress
        out.append(TaskRankRow(rank=rank, unit_id=a.unit_id, unit_name=a.unit_name,
                               progress=a.progress, time_progress=a.time_progress,
                               lagging=a.lagging, closed=a.closed, light=a.light))
    return out
