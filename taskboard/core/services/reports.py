"""报送: a unit's progress report for one period, with evidence files.

A new report turns the assignment blue (pending review). A pending report submitted again
in the same period is revised in place, so the review queue never holds two reports of one
unit for one month. The Excel report-form import calls ``submit_report`` too.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core import evidence as evidence_store
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, NotFound, ValidationError
from taskboard.core.models import Assignment, Evidence, Report, Unit, local_now
from taskboard.core.periods import Period

MAX_TEXT = 5000


def load_assignment(session: Session, assignment_id: int) -> Assignment:
    a = session.get(Assignment, assignment_id)
    if a is None or a.task.deleted:
        raise NotFound(f"责任单位任务不存在（编号 {assignment_id}）。")
    return a


def report_snapshot(r: Report) -> dict:
    return {"period": r.period, "text": r.text, "progress": r.progress,
            "problems": r.problems, "next_steps": r.next_steps, "status": r.status,
            "on_behalf": r.on_behalf, "late": r.late, "source": r.source}


def submit_report(session: Session, actor: Actor, assignment_id: int, period: Period, *,
                  text: str, progress: int, problems: str = "", next_steps: str = "",
                  evidence: Sequence[Path] = (), source: str = "",
                  today: Optional[dt.date] = None) -> int:
    """Submit (or revise the pending) report of an assignment for a period; returns its id."""
    a = load_assignment(session, assignment_id)
    permissions.require(actor, "report.submit", a.unit_id)
    unit_name = session.get(Unit, a.unit_id).name
    task = a.task
    if a.archived:
        raise IllegalTransition(f"{unit_name}已不再承担任务 {task.code}，不能报送。")
    if a.closed_on is not None or task.closed_on is not None:
        raise IllegalTransition(f"任务 {task.code}（{unit_name}）已办结销号，不能再报送。"
                                "如需继续推进，请先重新打开。")
    if isinstance(progress, bool) or not isinstance(progress, int):
        raise ValidationError(f"完成进度应为 0–100 的整数，收到：{progress!r}")
    if not 0 <= progress <= 100:
        raise ValidationError(f"完成进度应在 0–100 之间，收到：{progress}")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写本月进展。")
    for label, value in (("本月进展", text), ("存在问题", problems), ("下步计划", next_steps)):
        if len(value or "") > MAX_TEXT:
            raise ValidationError(f"{label}过长（最多 {MAX_TEXT} 字）。")
    today = today or dt.date.today()
    current = Period.of(today)
    if period > current:
        raise ValidationError(f"{period.label}尚未开始，不能提前报送。")
    files = [Path(p) for p in evidence]
    for path in files:
        evidence_store.check_file(path)

    p = str(period)
    pending = session.scalars(select(Report).where(
        Report.assignment_id == a.id, Report.period == p, Report.status == "pending")
        .order_by(Report.id.desc())).first()
    existing = 0 if pending is None else session.scalar(
        select(func.count()).select_from(Evidence).where(Evidence.report_id == pending.id))
    if existing + len(files) > evidence_store.MAX_FILES_PER_REPORT:
        raise ValidationError(f"每次报送最多 {evidence_store.MAX_FILES_PER_REPORT} 个佐证材料。")

    on_behalf = not (actor.role == permissions.REPORTER and actor.unit_id == a.unit_id)
    values = dict(text=text, progress=progress, problems=(problems or "").strip(),
                  next_steps=(next_steps or "").strip(), submitted_by_id=actor.user_id,
                  submitted_at=local_now(), on_behalf=on_behalf, late=period < current,
                  source=source)
    if pending is not None:
        before = report_snapshot(pending)
        for k, v in values.items():
            setattr(pending, k, v)
        report, action, word = pending, "report.revise", "修改报送"
    else:
        before = None
        report = Report(assignment_id=a.id, period=p, status="pending", **values)
        session.add(report)
        action, word = "report.submit", "报送"
    session.flush()
    names = [path.name for path in files]
    for path in files:
        evidence_store.attach(session, report.id, path)
    a.progress = progress
    after = {**report_snapshot(report), "evidence": names, "unit": unit_name}
    flags = "（代报）" if on_behalf else ""
    flags += "（补报）" if report.late else ""
    audit.record(session, actor, action, "report", report.id, task_id=task.id,
                 summary=f"{unit_name}{word}任务 {task.code} {period.label}进展，"
                         f"完成进度 {progress}%{flags}",
                 before=before, after=after)
    return report.id


def add_evidence(session: Session, actor: Actor, report_id: int, files: Sequence[Path]) -> list[int]:
    """Attach more files to a report that is still pending review."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("报送不存在。")
    a = load_assignment(session, report.assignment_id)
    permissions.require(actor, "report.submit", a.unit_id)
    if report.status != "pending":
        raise IllegalTransition("已审核的报送不能再补充佐证材料，请重新报送。")
    ids = [evidence_store.attach(session, report_id, Path(f)) for f in files]
    audit.record(session, actor, "evidence.add", "report", report_id, task_id=a.task_id,
                 summary=f"补充佐证材料 {len(ids)} 个",
                 after={"evidence": [Path(f).name for f in files]})
    return ids


def counted_progress(session: Session, assignment_ids: Sequence[int], period: Period
                     ) -> dict[int, int]:
    """Each assignment's progress as the board shows it for ``period``: its latest report up
    to that period that was not returned (0 when none). ``Assignment.progress`` is not used:
    it may hold a figure the unit never reported (a close-out sets 100)."""
    out = {aid: 0 for aid in assignment_ids}
    seen: set[int] = set()
    for aid, progress in session.execute(
            select(Report.assignment_id, Report.progress)
            .where(Report.assignment_id.in_(list(assignment_ids)),
                   Report.period <= str(period), Report.status != "returned")
            .order_by(Report.assignment_id, Report.period.desc(), Report.id.desc())):
        if aid not in seen:
            seen.add(aid)
            out[aid] = progress
    return out
