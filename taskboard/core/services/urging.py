"""Urging (催办): screening, numbered notices, restraint and escalation, phone urges, replies.

Restraint (减轻基层负担): an assignment urged on day L may be urged again from the day that is
``urge_quiet_workdays`` working days after L (urged on a Monday with 3 → again from Thursday);
earlier only with a written reason. Escalation: once an assignment has been urged
``supervise_after_urges`` times, its unit's next notice is a 督办 copied to the leaders in charge.
Notice numbers run per year and kind, gap-free, taken under a write lock (see ``_next_number``).
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.board import Board, load_board
from taskboard.core.errors import ValidationError
from taskboard.core.figures import report_category, urge_reasons
from taskboard.core.models import NoticeCounter, Unit, UrgeNotice, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, Light, days_overdue, report_day
from taskboard.core.settings import BoardSettings, load_calendar, load_settings
from taskboard.core.workcalendar import WorkCalendar

KIND_WORDS = {"urge": "催办", "supervise": "督办"}
METHOD_WORDS = {"app": "系统内", "email": "电子邮件", "paper": "纸质", "phone": "电话"}
# Report-state filters combine with OR, due filters with OR, and the two groups with AND.
REPORT_FILTERS = ("unreported", "returned", "reported")
DUE_FILTERS = ("near_due", "overdue", "lagging")
FILTER_WORDS = {"unreported": "未报送", "returned": "已退回", "reported": "已报送",
                "near_due": "临期", "overdue": "超期", "lagging": "滞后"}
# Why an assignment is urged, in the order a notice states them (see ``ScreenRow.reasons``).
REASONS = ("unreported", "returned", "overdue", "near_due", "due_today", "lagging", "other")
MAX_TEXT = 2000


@dataclass(frozen=True)
class ScreenRow:
    """One open assignment as the screening view and the notices see it."""

    assignment_id: int
    task_id: int
    code: str
    sort_key: str
    title: str
    leader: str
    unit_id: int
    unit_name: str
    unit_sort: int
    deadline: Optional[dt.date]
    deadline_text: str
    light: Light
    due_state: DueState
    days_overdue: int
    days_left: Optional[int]
    progress: int
    lagging: bool
    report_status: Optional[str]
    last_report_at: Optional[dt.datetime]
    urge_count: int
    last_urge_at: Optional[dt.datetime]
    quiet_until: Optional[dt.date]  # may be urged again from this day; None: now
    categories: frozenset[str]
    time_progress: Optional[float] = None
    workdays_left: Optional[int] = None  # near-due rows only: working days to the deadline

    @property
    def days_text(self) -> str:
        if self.due_state is DueState.OVERDUE:
            return f"超期{self.days_overdue}天"
        if self.days_left is None:
            return "长期"
        return "今日到期" if self.days_left == 0 else f"剩余{self.days_left}天"

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why this assignment is urged. A report awaiting review is never "unreported", and
        an overdue task is not also called lagging (past its deadline it is behind anyway)."""
        return urge_reasons(self.report_status, self.due_state, self.lagging,
                            self.workdays_left)

    @property
    def early(self) -> bool:
        """Urged only for not having reported: waits for the report day."""
        return (self.report_status is None
                and self.due_state not in (DueState.OVERDUE, DueState.NEAR_DUE))

    @property
    def report_word(self) -> str:
        return {None: "未报送", "pending": "待审核", "approved": "已通过",
                "returned": "已退回"}[self.report_status]


@dataclass(frozen=True)
class NoticePlan:
    """What one unit's notice will say, before it is numbered."""

    unit_id: int
    unit_name: str
    unit_email: str
    kind: str
    rows: tuple[ScreenRow, ...]
    blocked: tuple[ScreenRow, ...]  # urged within the quiet period
    cc: tuple[str, ...]
    report_day: Optional[dt.date] = None

    @property
    def kind_word(self) -> str:
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class IssuedNotice:
    notice_id: int
    kind: str
    year: int
    number: int
    unit_id: int
    unit_name: str
    unit_email: str
    task_count: int

    @property
    def number_text(self) -> str:
        return number_text(self.kind, self.year, self.number)


def number_text(kind: str, year: int, number: int) -> str:
    return f"{KIND_WORDS[kind]}〔{year}〕{number}号"


# --- rules ---------------------------------------------------------------------------------

def quiet_until(last_urged: Optional[dt.date], cal: WorkCalendar, quiet_workdays: int,
                today: dt.date) -> Optional[dt.date]:
    """The first day the assignment may be urged again, or None when it may be urged today."""
    if last_urged is None or quiet_workdays <= 0:
        return None
    free_on = cal.add_workdays(last_urged, quiet_workdays)
    return free_on if today < free_on else None


def escalates(prior_urges: int, supervise_after: int) -> bool:
    """督办 once an assignment has already been urged ``supervise_after`` times (0: never)."""
    return supervise_after > 0 and prior_urges >= supervise_after


def matches_filters(categories: frozenset[str], filters: Iterable[str]) -> bool:
    filters = set(filters)
    unknown = filters - set(REPORT_FILTERS) - set(DUE_FILTERS)
    if unknown:
        raise ValidationError(f"未知的筛查条件：{'、'.join(sorted(unknown))}")
    report = filters & set(REPORT_FILTERS)
    due = filters & set(DUE_FILTERS)
    if report and not report & categories:
        return False
    if due and not due & categories:
        return False
    return True


def _categories(status: Optional[str], due: DueState, lagging: bool) -> frozenset[str]:
    out = {report_category(status)}
    if due is DueState.NEAR_DUE:
        out.add("near_due")
    elif due is DueState.OVERDUE:
        out.add("overdue")
    if lagging:
        out.add("lagging")
    return frozenset(out)


def report_due(session: Session, period: Period) -> dt.date:
    """The period's report day under the office's settings and calendar."""
    return report_day(period, load_calendar(session), load_settings(session).report_day)


def early_note(due: dt.date, today: dt.date) -> str:
    """The note shown before the report day; empty once it has come."""
    if today >= due:
        return ""
    return f"本期报送截止日为 {due.month}月{due.day}日，尚未到期：未报送的单位仍在报送期内"


def early_rows(rows: Iterable[ScreenRow], due: dt.date, today: dt.date) -> list[ScreenRow]:
    """Rows urged only for a report that is not due yet (asks for confirmation first)."""
    return [r for r in rows if r.early] if today < due else []


# --- screening -------------------------------------------------------------------------------

def screen(session: Session, actor: Actor, campaign_id: int, period: Period, today: dt.date,
           filters: Iterable[str] = ()) -> list[ScreenRow]:
    """This period's open assignments matching ``filters``, ordered by unit then task code."""
    permissions.require(actor, "urge.send")
    board = load_board(session, campaign_id, period, today, load_calendar(session),
                       load_settings(session))
    return rows_from_board(session, actor, board, today, filters)


def rows_from_board(session: Session, actor: Actor, board: Board, today: dt.date,
                    filters: Iterable[str] = ()) -> list[ScreenRow]:
    """``screen`` over a board already loaded (the main window's), adding urge history."""
    permissions.require(actor, "urge.send")
    filters = tuple(filters)
    cal, settings = load_calendar(session), load_settings(session)
    tasks = {r.task_id: r for r in board.rows}
    aids = [a.assignment_id for rows in board.assignments.values() for a in rows]
    urges = _urge_history(session, aids)
    sort_of = dict(session.execute(select(Unit.id, Unit.sort_order)).all())
    out = []
    for task_id, arows in board.assignments.items():
        t = tasks[task_id]
        for a in arows:
            if a.closed:
                continue
            count, last = urges.get(a.assignment_id, (0, None))
            cats = _categories(a.report_status, a.due_state, a.lagging)
            if not matches_filters(cats, filters):
                continue
            left = None if t.deadline is None else max(0, (t.deadline - board.as_of).days)
            workdays = (cal.workdays_after(board.as_of, t.deadline,
                                           limit=settings.near_due_workdays)
                        if a.due_state is DueState.NEAR_DUE else None)
            out.append(ScreenRow(
                assignment_id=a.assignment_id, task_id=task_id, code=t.code,
                sort_key=t.sort_key, title=t.title, leader=t.leader, unit_id=a.unit_id,
                unit_name=a.unit_name, unit_sort=sort_of.get(a.unit_id, 0),
                deadline=t.deadline, deadline_text=t.deadline_text, light=a.light,
                due_state=a.due_state, days_overdue=days_overdue(t.deadline, board.as_of),
                days_left=left, progress=a.progress, lagging=a.lagging,
                report_status=a.report_status, last_report_at=a.last_report_at,
                urge_count=count, last_urge_at=last,
                quiet_until=quiet_until(last.date() if last else None, cal,
                                        settings.urge_quiet_workdays, today),
                categories=cats, time_progress=a.time_progress, workdays_left=workdays,
            ))
    out.sort(key=lambda r: (r.unit_sort, r.unit_id, r.sort_key))
    return out


def _urge_history(session: Session, assignment_ids: list[int]
                  ) -> dict[int, tuple[int, Optional[dt.datetime]]]:
    out: dict[int, tuple[int, Optional[dt.datetime]]] = {}
    for i in range(0, len(assignment_ids), 900):  # SQLite's bound-parameter limit
        chunk = assignment_ids[i:i + 900]
        for aid, n, last in session.execute(
                select(UrgeRecord.assignment_id, func.count(), func.max(UrgeRecord.urged_at))
                .where(UrgeRecord.assignment_id.in_(chunk))
                .group_by(UrgeRecord.assignment_id)):
            out[aid] = (n, last)
    return out


def plan_notices(session: Session, actor: Actor, campaign_id: int, period: Period,
                 today: dt.date, assignment_ids: Iterable[int]) -> list[NoticePlan]:
    """One plan per unit for the chosen assignments; nothing is written."""
    wanted = set(assignment_ids)
    if not wanted:
        raise ValidationError("请先勾选要催办的任务。")
    rows = [r for r in screen(session, actor, campaign_id, period, today)
            if r.assignment_id in wanted]
    missing = wanted - {r.assignment_id for r in rows}
    if missing:
        raise ValidationError(
            f"有 {len(missing)} 项任务已办结、已删除或不属于本专项工作，无法催办；请刷新后重试。")
    settings = load_settings(session)
    by_unit: dict[int, list[ScreenRow]] = defaultdict(list)
    for r in rows:
        by_unit[r.unit_id].append(r)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(by_unit)))}
    due = report_due(session, period)
    plans = []
    for unit_id, urows in by_unit.items():
        supervise = any(escalates(r.urge_count, settings.supervise_after_urges) for r in urows)
        cc = tuple(dict.fromkeys(r.leader for r in urows if r.leader)) if supervise else ()
        plans.append(NoticePlan(
            unit_id=unit_id, unit_name=units[unit_id].name, unit_email=units[unit_id].email,
            kind="supervise" if supervise else "urge", rows=tuple(urows),
            blocked=tuple(r for r in urows if r.quiet_until is not None), cc=cc,
            report_day=due))
    plans.sort(key=lambda p: (p.rows[0].unit_sort, p.unit_id))
    return plans


def default_reply_by(session: Session, today: dt.date) -> dt.date:
    return load_calendar(session).add_workdays(today, load_settings(session).urge_reply_workdays)


def _check_override(blocked: list[ScreenRow], override_reason: str) -> str:
    reason = (override_reason or "").strip()
    if blocked and not reason:
        first = blocked[0]
        raise ValidationError(
            f"有 {len(blocked)} 项任务刚催办过（如 {first.unit_name} {first.code}，"
            f"{first.quiet_until:%Y-%m-%d} 起才可再次催办）。为减轻基层负担，"
            "如确需再次催办，请填写理由。")
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"理由不能超过 {MAX_TEXT} 字。")
    return reason


def _now(today: dt.date) -> dt.datetime:
    # Dates follow the caller's clock (pinned in tests); the time of day is the real one.
    return dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))


# --- numbering --------------------------------------------------------------------------------

def _lock_numbering(session: Session, year: int) -> None:
    """Serialise notice issuing between sessions for the rest of the transaction.

    SQLite: a write statement takes the database write lock (waiting up to the busy
    timeout), so restraint checks and numbers are read by one writer at a time.
    PostgreSQL: both counter rows of the year are created if missing and locked FOR UPDATE.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(update(NoticeCounter).where(NoticeCounter.year == -1)
                        .values(last_number=NoticeCounter.last_number))
        return
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(NoticeCounter).values(
            [{"year": year, "kind": k, "last_number": 0} for k in KIND_WORDS])
            .on_conflict_do_nothing())
    session.execute(select(NoticeCounter).where(NoticeCounter.year == year)
                    .with_for_update()).all()


def _next_number(session: Session, year: int, kind: str) -> int:
    """Take the next number; it is used by the same transaction or rolled back with it."""
    counter = session.get(NoticeCounter, (year, kind))
    if counter is None:
        counter = NoticeCounter(year=year, kind=kind, last_number=0)
        session.add(counter)
    counter.last_number += 1
    session.flush()
    return counter.last_number


# --- issuing ------------------------------------------------------------------------------

def issue_notices(session: Session, actor: Actor, campaign_id: int, period: Period,
                  today: dt.date, assignment_ids: Iterable[int], *,
                  reply_by: Optional[dt.date] = None, method: str = "app",
                  override_reason: str = "", note: str = "",
                  compose: Optional[Callable[[dict], dict]] = None) -> list[IssuedNotice]:
    """Number and store one notice per unit and one urge record per assignment.

    ``compose(snapshot)`` may return the notice's wording, frozen into the notice so that
    later template edits do not change what was sent.
    """
    permissions.require(actor, "urge.send")
    if method not in ("app", "email", "paper"):
        raise ValidationError(f"未知的送达方式：{method}")
    ids = list(assignment_ids)
    _lock_numbering(session, today.year)
    plans = plan_notices(session, actor, campaign_id, period, today, ids)
    reason = _check_override([r for p in plans for r in p.blocked], override_reason)
    reply_by = reply_by or default_reply_by(session, today)
    if reply_by < today:
        raise ValidationError("回复期限不能早于今天。")
    settings = load_settings(session)
    now = _now(today)
    issued = []
    for plan in plans:
        number = _next_number(session, today.year, plan.kind)
        snapshot = notice_snapshot(plan, settings, period, today, reply_by,
                                   number_text(plan.kind, today.year, number))
        if compose is not None:
            snapshot["sections"] = compose(snapshot)
        notice = UrgeNotice(year=today.year, number=number, kind=plan.kind,
                            unit_id=plan.unit_id, period=str(period),
                            issued_by_id=actor.user_id, issued_at=now, reply_by=reply_by,
                            body=json.dumps(snapshot, ensure_ascii=False))
        session.add(notice)
        session.flush()
        for r in plan.rows:
            rec = UrgeRecord(assignment_id=r.assignment_id, notice_id=notice.id, method=method,
                             urged_at=now, urged_by_id=actor.user_id, contact=plan.unit_name,
                             note=note.strip()[:MAX_TEXT],
                             override_reason=reason if r.quiet_until else "")
            session.add(rec)
            session.flush()
            audit.record(session, actor, "urge.record", "urge_record", rec.id,
                         task_id=r.task_id,
                         summary=f"{snapshot['number_text']} 催办 {plan.unit_name} {r.code}",
                         after={"assignment_id": r.assignment_id, "notice_id": notice.id,
                                "method": method, "override_reason": rec.override_reason})
        audit.record(session, actor, "urge.issue", "urge_notice", notice.id,
                     summary=f"发出{snapshot['number_text']}（{plan.unit_name}，"
                             f"{len(plan.rows)} 项任务）",
                     after={"number": snapshot["number_text"], "unit_id": plan.unit_id,
                            "kind": plan.kind, "reply_by": reply_by,
                            "assignments": [r.assignment_id for r in plan.rows],
                            "cc": list(plan.cc)})
        issued.append(IssuedNotice(notice.id, plan.kind, today.year, number, plan.unit_id,
                                   plan.unit_name, plan.unit_email, len(plan.rows)))
    return issued


def notice_snapshot(plan: NoticePlan, settings: BoardSettings, period: Period,
                    today: dt.date, reply_by: dt.date, number: str) -> dict:
    """The facts a notice states, frozen at issue time (its documents are rendered from it)."""
    return {
        "report_day": plan.report_day.isoformat() if plan.report_day else "",
        "kind": plan.kind, "kind_word": plan.kind_word, "number_text": number,
        "unit": plan.unit_name, "period": str(period), "period_label": period.label,
        "issued_on": today.isoformat(), "reply_by": reply_by.isoformat(),
        "office": settings.office_name, "contact": settings.office_contact,
        "phone": settings.office_phone, "cc": list(plan.cc),
        "tasks": [{
            "code": r.code, "title": r.title, "deadline": r.deadline_text,
            "light": r.light.word, "due": r.due_state.word, "days": r.days_text,
            "progress": r.progress, "report": r.report_word,
            "last_report": r.last_report_at.strftime("%Y-%m-%d") if r.last_report_at else "",
            "urges": r.urge_count, "reasons": list(r.reasons), "days_overdue": r.days_overdue,
            "workdays_left": r.workdays_left, "time_progress": _pct_above(r.time_progress),
        } for r in plan.rows],
    }


def _pct_above(value: Optional[float]) -> Optional[float]:
    """A time progress rounded up to 0.1 so that "40% is below 40.1%" never reads "below 40%"."""
    if value is None:
        return None
    up = math.ceil(round(value * 10, 6)) / 10
    return int(up) if up == int(up) else up
