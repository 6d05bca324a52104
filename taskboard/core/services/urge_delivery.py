"""Delivery of urge notices (e-mail results, paper), phone urges, and reading a notice.

Split from ``urging`` (screening, numbering, issuing); the same restraint rule applies to phone
urges as to notices.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import Assignment, Task, Unit, UrgeNotice, UrgeRecord
from taskboard.core.services.urging import MAX_TEXT, _now, _urge_history, quiet_until
from taskboard.core.settings import load_calendar, load_settings


def _notice(session: Session, notice_id: int) -> UrgeNotice:
    notice = session.get(UrgeNotice, notice_id)
    if notice is None:
        raise NotFound(f"催办通知单不存在（编号 {notice_id}），可能已被删除。")
    return notice


def record_email_result(session: Session, actor: Actor, notice_id: int, ok: bool,
                        error: str = "", now: Optional[dt.datetime] = None) -> None:
    """A failed e-mail leaves the notice undelivered, so it shows up for a retry."""
    permissions.require(actor, "urge.send")
    notice = _notice(session, notice_id)
    before = {"email_status": notice.email_status, "delivered_at": notice.delivered_at}
    notice.email_status = "sent" if ok else "failed"
    notice.email_error = "" if ok else error[:MAX_TEXT]
    if ok and notice.delivered_at is None:
        notice.delivered_at = now or dt.datetime.now().replace(microsecond=0)
    audit.record(session, actor, "urge.email", "urge_notice", notice.id,
                 summary=("邮件已发送" if ok else f"邮件发送失败：{error}")[:200], before=before,
                 after={"email_status": notice.email_status, "delivered_at": notice.delivered_at})


def mark_printed(session: Session, actor: Actor, notice_id: int,
                 now: Optional[dt.datetime] = None) -> None:
    """The paper copy is printed: the first print is kept, and a notice not yet delivered
    counts as delivered on paper."""
    permissions.require(actor, "urge.send")
    notice = _notice(session, notice_id)
    if notice.printed_at is not None:
        return
    before = {"printed_at": None, "delivered_at": notice.delivered_at}
    notice.printed_at = now or dt.datetime.now().replace(microsecond=0)
    if notice.delivered_at is None:
        notice.delivered_at = notice.printed_at
    audit.record(session, actor, "urge.print", "urge_notice", notice.id,
                 summary="纸质通知单已打印", before=before,
                 after={"printed_at": notice.printed_at, "delivered_at": notice.delivered_at})


def log_phone_urge(session: Session, actor: Actor, assignment_ids: Iterable[int],
                   today: dt.date, *, called: str, answered_by: str = "", said: str = "",
                   note: str = "", override_reason: str = "") -> list[int]:
    """电话催办: who was called, who answered, what they said; restraint applies as well."""
    permissions.require(actor, "urge.send")
    called, answered_by, said = called.strip(), answered_by.strip(), said.strip()
    ids = list(dict.fromkeys(assignment_ids))
    if not ids:
        raise ValidationError("请选择电话催办的任务。")
    if not called:
        raise ValidationError("请填写拨打的电话或联系人。")
    if len(answered_by) > 50 or len(called) > 100:
        raise ValidationError("接听人不超过 50 字，拨打对象不超过 100 字。")
    if len(said) > MAX_TEXT or len(note) > MAX_TEXT:
        raise ValidationError(f"通话内容和备注各不超过 {MAX_TEXT} 字。")
    rows = session.execute(
        select(Assignment.id, Assignment.task_id, Task.code, Unit.name)
        .join(Task, Task.id == Assignment.task_id).join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.id.in_(ids))).all()
    if len(rows) != len(ids):
        raise NotFound("所选任务不存在或已被删除，请刷新后重试。")
    cal, settings = load_calendar(session), load_settings(session)
    history = _urge_history(session, ids)
    waits = {aid: quiet_until(last.date() if last else None, cal,
                              settings.urge_quiet_workdays, today)
             for aid, (_, last) in history.items()}
    blocked = [aid for aid, until in waits.items() if until]
    reason = (override_reason or "").strip()
    if blocked and not reason:
        raise ValidationError(
            f"所选任务 {max(waits[a] for a in blocked):%Y-%m-%d} 前刚催办过。为减轻基层负担，"
            "如确需再次催办，请填写理由。")
    now = _now(today)
    out = []
    for aid, task_id, code, unit_name in rows:
        rec = UrgeRecord(assignment_id=aid, method="phone", urged_at=now,
                         urged_by_id=actor.user_id, contact=answered_by or "未接通",
                         note=f"致电 {called}" + (f"；{note.strip()}" if note.strip() else ""),
                         reply=said, replied_at=now if said else None,
                         override_reason=reason if aid in blocked else "")
        session.add(rec)
        session.flush()
        audit.record(session, actor, "urge.phone", "urge_record", rec.id, task_id=task_id,
                     summary=f"电话催办 {unit_name} {code}",
                     after={"called": called, "answered_by": answered_by, "said": said,
                            "override_reason": rec.override_reason})
        out.append(rec.id)
    return out


def load_snapshot(session: Session, actor: Actor, notice_id: int) -> dict:
    """A notice's frozen facts plus its delivery state, for rendering and sending."""
    notice = _notice(session, notice_id)
    _require_can_see(session, actor, notice)
    snap = json.loads(notice.body or "{}")
    unit = session.get(Unit, notice.unit_id)
    snap.update(notice_id=notice.id, unit_email=unit.email if unit else "",
                email_status=notice.email_status, email_error=notice.email_error,
                delivered_at=notice.delivered_at.isoformat() if notice.delivered_at else "",
                answer=notice.answer)
    return snap


def _require_can_see(session: Session, actor: Actor, notice: UrgeNotice) -> None:
    from taskboard.core.services.urge_inbox import can_see

    if not can_see(actor, notice):
        permissions.require(actor, "urge.answer", notice.unit_id)

