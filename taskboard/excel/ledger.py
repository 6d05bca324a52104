"""月度台账: the values of the monthly ledger workbook, taken from the board.

``ledger_data`` builds every cell value (plain Python values in plain rows) from
``core.board.load_board`` and ``core.dashboard``, so the ledger shows the same lights, due
states, levels and ranks as the screen. ``ledger_writer.write_ledger`` then lays them out;
``ledger_writer.dump_bare`` writes the same values without any formatting, the baseline the
benchmark compares against.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from taskboard.core.board import Board, TaskRow, load_board
from taskboard.core.dashboard import (
    Group, Measure, board_unit_metrics, kpis, light_bars, rank_units, ranking_rule, water_level,
)
from taskboard.core.figures import report_counts, report_rate
from taskboard.core.gc_pause import collector_paused
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, Light, days_overdue
from taskboard.core.settings import load_calendar, load_settings

LEDGER_HEADERS = ("序号", "任务编号", "任务名称", "类别", "牵头单位", "责任单位", "分管领导",
                  "完成时限", "本月进展", "完成进度", "亮灯", "审核意见", "存在问题", "下步计划",
                  "催办次数", "备注")
URGE_HEADERS = ("序号", "责任单位", "联系人", "联系电话", "任务编号", "任务名称", "完成时限",
                "情况", "超期天数", "累计催办次数")
RANK_HEADERS = ("名次", "旗区", "完成水平", "时序进度", "按时报送率", "超期任务", "本期被催办",
                "绿灯", "蓝灯", "红灯")
MATRIX_FIXED = ("任务编号", "任务名称", "整体进度")
STATUS_WORDS = {"approved": "通过", "pending": "待审核", "returned": "退回"}


@dataclass(frozen=True)
class LedgerData:
    """Every value the ledger shows; rows are tuples of str, int, float, date or None."""

    campaign_name: str
    period: Period
    as_of: dt.date
    scope: str  # 全部任务 / 当前筛选的 N 项任务
    kpi_rows: list[tuple[str, Any]]
    ranking: list[tuple]
    ranking_rule: str
    ledger: list[tuple]
    ledger_lights: list[Light]
    matrix_units: list[str]
    matrix: list[tuple]  # code, title, overall progress, then one fraction or None per unit
    matrix_lights: list[tuple[Optional[Light], ...]]
    urge_list: list[tuple]
    unit_lights: list[tuple[str, int, int, int]]
    water: list[tuple[str, float, float]]  # district, level, time line (fractions)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def title(self) -> str:
        return f"{self.campaign_name}月度工作台账（{self.period.label}）"


def _labelled(parts: list[tuple[str, str]], many: bool) -> str:
    return "\n".join(f"【{u}】{t}" if many else t for u, t in parts if t)


def _report_details(session: Session, campaign_id: int, period: Period) -> dict[int, tuple]:
    """The period's latest report per assignment: (status, text, problems, next, comment)."""
    out: dict[int, tuple] = {}
    rows = session.connection().execute(
        select(Report.assignment_id, Report.status, Report.text, Report.problems,
               Report.next_steps, Report.review_comment)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Report.period == str(period), Task.campaign_id == campaign_id)
        .order_by(Report.id))
    for aid, *rest in rows:
        out[aid] = tuple(rest)
    return out


def ledger_data(session: Session, campaign_id: int, period: Period, today: dt.date, *,
                board: Optional[Board] = None,
                rows: Optional[Sequence[TaskRow]] = None) -> LedgerData:
    """The ledger of a campaign and period; ``rows`` limits it to those tasks (a filter)."""
    with collector_paused():  # see core.gc_pause: a ledger reads as much as a board
        return _ledger_data(session, campaign_id, period, today, board, rows)


def _ledger_data(session: Session, campaign_id: int, period: Period, today: dt.date,
                 board: Optional[Board], rows: Optional[Sequence[TaskRow]]) -> LedgerData:
    cal, settings = load_calendar(session), load_settings(session)
    if board is None:
        board, month = _board_and_month(session, campaign_id, period, today, cal, settings)
    else:
        month = _month_reports(session, campaign_id, period, today, cal, settings)
    scope = "全部任务"
    if rows is not None:
        # The board's own rows, in the caller's order: rows shown for another period must
        # not carry that period's lights into this ledger.
        by_id = {r.task_id: r for r in board.rows}
        kept = [by_id[r.task_id] for r in rows if r.task_id in by_id]
        keep = {r.task_id for r in kept}
        if len(keep) != len(board.rows):
            scope = f"当前筛选的 {len(keep)} 项任务（共 {len(board.rows)} 项）"
        board = Board(board.campaign_id, board.period, board.as_of, kept,
                      {tid: a for tid, a in board.assignments.items() if tid in keep})
    campaign = session.get(Campaign, campaign_id)
    (on_time, urges), details = month
    outcomes = dict(session.execute(select(Task.id, Task.close_outcome)
                                    .where(Task.campaign_id == campaign_id)).all())
    units = {u.id: u for u in session.execute(
        select(Unit.id, Unit.name, Unit.contact_person, Unit.phone, Unit.sort_order, Unit.kind))}
    at = board.as_of

    ledger, ledger_lights = [], []
    for i, r in enumerate(board.rows, start=1):
        arows = board.assignments.get(r.task_id, [])
        reported = [(a.unit_name, details[a.assignment_id]) for a in arows
                    if a.assignment_id in details]
        many = len(arows) > 1
        progress = _labelled([(u, d[1]) for u, d in reported if d[0] != "returned"], many)
        statuses = [d[0] for _, d in reported]
        review = "，".join(f"{STATUS_WORDS[s]} {statuses.count(s)} 个" for s in
                          ("approved", "pending", "returned") if s in statuses)
        returned = _labelled([(u, f"退回：{d[4]}" if d[4] else "退回") for u, d in reported
                              if d[0] == "returned"], True)
        review = "\n".join(x for x in (review, returned) if x)
        problems = _labelled([(u, d[2]) for u, d in reported if d[0] != "returned"], many)
        next_steps = _labelled([(u, d[3]) for u, d in reported if d[0] != "returned"], many)
        remarks = []
        if r.closed:
            outcome = outcomes.get(r.task_id) or ""
            remarks.append(f"已办结（{outcome}）" if outcome else "已办结")
        elif r.due_state is DueState.OVERDUE:
            remarks.append(f"超期 {days_overdue(r.deadline, at)} 天")
        elif r.due_state is DueState.NEAR_DUE:
            remarks.append("临期")
        if r.lagging:
            remarks.append("进度滞后于时序进度")
        missing = r.light_counts[2]
        if missing and not r.closed:
            remarks.append(f"{missing} 个单位未报送或被退回")
        if r.open_feedback:
            remarks.append(f"{r.open_feedback} 条反馈待回复")
        ledger.append((i, r.code, r.title, r.category, r.lead_unit, r.units_text, r.leader,
                       r.deadline_text, progress, round(r.progress) / 100,
                       f"{r.light.word}\n{r.light.meaning}", review, problems, next_steps,
                       r.urge_count, "；".join(remarks)))
        ledger_lights.append(r.light)

    # 逐项列表通报: task × district.
    district_ids = sorted({a.unit_id for arows in board.assignments.values() for a in arows
                           if a.unit_kind == "district"},
                          key=lambda uid: (units[uid].sort_order, uid))
    col = {uid: i for i, uid in enumerate(district_ids)}
    matrix, matrix_lights = [], []
    for r in board.rows:
        values: list[Any] = [None] * len(district_ids)
        lights: list[Optional[Light]] = [None] * len(district_ids)
        for a in board.assignments.get(r.task_id, []):
            if a.unit_id in col:
                values[col[a.unit_id]] = a.progress / 100
                lights[col[a.unit_id]] = a.light
        matrix.append((r.code, r.title, round(r.progress) / 100, *values))
        matrix_lights.append((r.light, *lights))

    # 未报送及超期: one row per unit and task, ready for urging.
    pending = []
    for r in board.rows:
        for a in board.assignments.get(r.task_id, []):
            overdue = a.due_state is DueState.OVERDUE
            if a.closed or not (a.light is Light.RED or overdue):
                continue
            why = []
            if a.light is Light.RED:
                why.append("已退回" if a.report_status == "returned" else "未报送")
            if overdue:
                why.append("超期")
            u = units[a.unit_id]
            pending.append(((u.sort_order, u.id, r.sort_key), (
                u.name, u.contact_person, u.phone, r.code, r.title, r.deadline_text,
                "、".join(why), days_overdue(r.deadline, at) if overdue else None, a.urge_count)))
    pending.sort(key=lambda p: p[0])
    urge_list = [(i, *values) for i, (_, values) in enumerate(pending, start=1)]

    k = kpis(board)
    # Both counts over the same assignments: those owing this month's report (core.figures).
    open_a, reported = report_counts(a for arows in board.assignments.values() for a in arows)
    rate = report_rate(open_a, reported)
    kpi_rows = [
        ("任务总数", k.tasks), ("已办结", k.closed), ("各责任单位均已完成", k.all_units_done),
        ("半数以上单位完成", k.half_units_done),
        (f"绿灯（{Light.GREEN.meaning}）", k.green), ("蓝灯（待审核）", k.blue), ("红灯（未报送）", k.red),
        ("临期", k.near_due), ("超期", k.overdue), ("滞后于时序进度", k.lagging),
        ("本期应报送（未办结的责任分工）", open_a), ("本期已报送（含待审核）", reported),
        ("本期报送率", None if rate is None else round(rate, 3)),
    ]

    measure = Measure.MEAN_PROGRESS
    ranks = rank_units(board_unit_metrics(board, measure, on_time, urges))
    bars = {b.unit_id: b for b in light_bars(board, False)}
    wl = water_level(board, Group.DISTRICT, measure)
    tanks = {t.key: t for t in wl.tanks}
    ranking = []
    for rr in ranks:
        m, b, t = rr.metrics, bars.get(rr.metrics.unit_id), tanks[rr.metrics.unit_id]
        ranking.append((rr.rank, m.unit_name, round(m.level, 1) / 100, round(t.time_line, 1) / 100,
                        None if m.on_time_rate is None else round(m.on_time_rate, 1) / 100,
                        m.overdue, m.urges, b.green if b else 0, b.blue if b else 0,
                        b.red if b else 0))
    ordered_bars = sorted(bars.values(), key=lambda b: (units[b.unit_id].kind != "district",
                                                        units[b.unit_id].sort_order, b.unit_id))
    unit_lights = [(b.unit_name, b.green, b.blue, b.red) for b in ordered_bars]
    water = [(t.label, round(t.level, 1) / 100, round(t.time_line, 1) / 100) for t in wl.tanks]
    return LedgerData(
        campaign_name=campaign.name, period=period, as_of=at, scope=scope, kpi_rows=kpi_rows,
        ranking=ranking, ranking_rule=ranking_rule(measure), ledger=ledger,
        ledger_lights=ledger_lights, matrix_units=[units[u].name for u in district_ids],
        matrix=matrix, matrix_lights=matrix_lights, urge_list=urge_list,
        unit_lights=unit_lights, water=water)


def _board_and_month(session: Session, campaign_id: int, period: Period, today: dt.date, cal,
                     settings) -> tuple[Board, tuple]:
    """The board and the month's reports: two independent reads, taken side by side.

    The month's reports are read on a connection of their own meanwhile: the database drivers
    let go of the interpreter while the database works, so on a province's ledger the two
    together took about 780 ms instead of 1,070 ms one after the other.
    """
    engine = session.get_bind()
    if not _reaches_same_data(engine):
        return (load_board(session, campaign_id, period, today, cal, settings),
                _month_reports(session, campaign_id, period, today, cal, settings))

    def month():
        with Session(engine) as other:
            return _month_reports(other, campaign_id, period, today, cal, settings)

    with ThreadPoolExecutor(1, thread_name_prefix="ledger-month") as pool:
        future = pool.submit(month)
        board = load_board(session, campaign_id, period, today, cal, settings)
        return board, future.result()


def _reaches_same_data(bind) -> bool:
    """Whether a second session on ``bind``, in another thread, reads the same database: not
    for a session bound to one connection, nor for an in-memory SQLite database (each thread
    would open an empty one of its own)."""
    if not isinstance(bind, Engine):
        return False
    url = bind.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _month_reports(session, campaign_id, period, today, cal, settings):
    """The districts' on-time rates and urges for the period, as the battle map ranks them,
    and the period's latest report per assignment, from one read of the month's reports."""
    columns = (Report.status, Report.text, Report.problems, Report.next_steps,
               Report.review_comment)
    try:
        from taskboard.core.dashboard_history import month_figures_with
    except ImportError:  # numpy missing: rank without the on-time rate
        return ({}, {}), _report_details(session, campaign_id, period)
    figures, rows = month_figures_with(session, campaign_id, period, today, cal, settings,
                                       columns)
    return figures, {aid: tuple(rest) for aid, *rest in rows}  # in id order: the latest wins
