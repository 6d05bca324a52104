"""任务反馈: a dispatcher's remark to a unit on an assignment; the unit replies or it is resolved.

Feedback is open until it has a reply or is marked resolved; the board counts the open ones.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, NotFound, ValidationError
from taskboard.core.models import Feedback, Unit, local_now
from taskboard.core.services.reports import load_assignment

MAX_BODY = 2000


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{what}。")
    if len(value) > MAX_BODY:
        raise ValidationError(f"{what}过长（最多 {MAX_BODY} 字）。")
    return value


def write_feedback(session: Session, actor: Actor, assignment_id: int, body: str) -> int:
    permissions.require(actor, "feedback.write")
    body = _text(body, "反馈内容")
    a = load_assignment(session, assignment_id)
    if a.archived:
        raise IllegalTransition("该单位已不再承担此任务，不能再反馈。")
    fb = Feedback(assignment_id=a.id, author_id=actor.user_id, body=body)
    session.add(fb)
    session.flush()
    unit = session.get(Unit, a.unit_id).name
    audit.record(session, actor, "feedback.write", "feedback", fb.id, task_id=a.task_id,
                 summary=f"向{unit}反馈：{body[:60]}", after={"body": body, "unit": unit})
    return fb.id


def _load(session: Session, feedback_id: int) -> Feedback:
    fb = session.get(Feedback, feedback_id)
    if fb is None:
        raise NotFound(f"反馈不存在（编号 {feedback_id}）。")
    return fb


def reply_feedback(session: Session, actor: Actor, feedback_id: int, reply: str) -> None:
    fb = _load(session, feedback_id)
    a = load_assignment(session, fb.assignment_id)
    permissions.require(actor, "feedback.answer", a.unit_id)
    reply = _text(reply, "回复内容")
    if fb.resolved:
        raise IllegalTransition("该反馈已办结，不能再回复。")
    before = {"reply": fb.reply}
    fb.reply, fb.replied_by_id, fb.replied_at = reply, actor.user_id, local_now()
    unit = session.get(Unit, a.unit_id).name
    audit.record(session, actor, "feedback.reply", "feedback", fb.id, task_id=a.task_id,
                 summary=f"{unit}回复反馈：{reply[:60]}", before=before, after={"reply": reply})


def resolve_feedback(session: Session, actor: Actor, feedback_id: int) -> None:
    fb = _load(session, feedback_id)
    a = load_assignment(session, fb.assignment_id)
    permissions.require(actor, "feedback.answer", a.unit_id)
    if fb.resolved:
        raise IllegalTransition("该反馈已办结，无需重复办结。")
    fb.resolved = True
    unit = session.get(Unit, a.unit_id).name
    audit.record(session, actor, "feedback.resolve", "feedback", fb.id, task_id=a.task_id,
                 summary=f"{unit}的反馈已办结", before={"resolved": False},
                 after={"resolved": True})
