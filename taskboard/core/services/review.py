"""审核: approve a pending report (green) or return it with a comment (red).

The status change is a guarded UPDATE (``WHERE status = 'pending'``), so two dispatchers
reviewing the same report at once cannot both succeed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, NotFound, ValidationError
from taskboard.core.models import Assignment, Evidence, Report, Task, Unit, User, local_now
from taskboard.core.periods import Period

STATUS_WORDS = {"pending": "待审核", "approved": "已通过", "returned": "已退回"}


def review_report(session: Session, actor: Actor, report_id: int, approve: bool,
                  comment: str = "") -> None:
    permissions.require(actor, "report.review")
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"报送不存在（编号 {report_id}）。")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError("退回报送时必须填写退回意见，告诉单位需要补充或修改什么。")
    if report.status != "pending":
        raise IllegalTransition(
            f"该报送已审核（{STATUS_WORDS.get(report.status, report.status)}），不能重复审核。")
    status = "approved" if approve else "returned"
    done = session.execute(
        update(Report).where(Report.id == report_id, Report.status == "pending")
        .values(status=status, reviewer_id=actor.user_id, reviewed_at=local_now(),
                review_comment=comment)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise IllegalTransition("该报送刚刚已被其他人审核，不能重复审核。")
    session.refresh(report)
    a = session.get(Assignment, report.assignment_id)
    if not approve:
        # Assignment.progress is the latest progress not returned; fall back to the one before.
        a.progress = session.scalar(
            select(Report.progress).where(Report.assignment_id == a.id,
                                          Report.status != "returned")
            .order_by(Report.period.desc(), Report.id.desc()).limit(1)) or 0
    unit = session.get(Unit, a.unit_id).name
    word = "通过" if approve else "退回"
    audit.record(session, actor, "report.approve" if approve else "report.return", "report",
                 report_id, task_id=a.task_id,
                 summary=f"审核{word}：{unit} {Period.parse(report.period).label}报送"
                         + (f"，意见：{comment}" if comment else ""),
                 before={"status": "pending"},
                 after={"status": status, "review_comment": comment})


@dataclass(frozen=True)
class PendingReport:
    """One row of the review queue."""

    report_id: int
    assignment_id: int
    task_id: int
    code: str
    sort_key: str
    title: str
    unit_name: str
    period: str
    text: str
    progress: int
    problems: str
    next_steps: str
    submitted_at: dt.datetime
    submitted_by: str
    on_behalf: bool
    late: bool
    evidence_count: int


def pending_reports(session: Session, campaign_id: int, period: Optional[Period] = None, *,
                    up_to: Optional[Period] = None) -> list[PendingReport]:
    """Reports awaiting review, oldest period first, then in task-code order.

    ``period``: that period only; ``up_to``: that period and every earlier one (a report
    left pending last month still needs a verdict); neither: all periods.
    """
    n_evidence = (select(func.count()).where(Evidence.report_id == Report.id)
                  .correlate(Report).scalar_subquery())
    q = (select(Report.id, Report.assignment_id, Task.id, Task.code, Task.sort_key, Task.title,
                Unit.name, Report.period, Report.text, Report.progress, Report.problems,
                Report.next_steps, Report.submitted_at, User.display_name, Report.on_behalf,
                Report.late, n_evidence)
         .join(Assignment, Assignment.id == Report.assignment_id)
         .join(Task, Task.id == Assignment.task_id)
         .join(Unit, Unit.id == Assignment.unit_id)
         .outerjoin(User, User.id == Report.submitted_by_id)
         .where(Task.campaign_id == campaign_id, Task.deleted.is_(False),
                Assignment.archived.is_(False), Report.status == "pending"))
    if period is not None:
        q = q.where(Report.period == str(period))
    if up_to is not None:
        q = q.where(Report.period <= str(up_to))
    rows = [PendingReport(*r[:13], r[13] or "", *r[14:]) for r in session.execute(q)]
    rows.sort(key=lambda r: (r.period, r.sort_key, r.unit_name))
    return rows
