"""Notices as their readers see them: the office's list, a unit's inbox, a leader's copies,
reading and answering, and the urge ledger (who was urged, when, how, answered or not)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import Assignment, Task, Unit, UrgeNotice, UrgeRecord, User
from taskboard.core.services.urging import KIND_WORDS, MAX_TEXT, METHOD_WORDS, number_text

# "" is a notice delivered in the app only: 未使用, so it does not read like a failure.
EMAIL_WORDS = {"": "未使用", "sent": "已发送", "failed": "失败"}


@dataclass(frozen=True)
class NoticeRow:
    notice_id: int
    number_text: str
    kind: str
    unit_id: int
    unit_name: str
    period: str
    issued_at: dt.datetime
    issued_by: str
    reply_by: Optional[dt.date]
    task_count: int
    email_status: str
    email_error: str
    delivered_at: Optional[dt.datetime]
    read_at: Optional[dt.datetime]
    answer: str
    answered_at: Optional[dt.datetime]
    cc: tuple[str, ...]
    printed_at: Optional[dt.datetime] = None

    @property
    def state_word(self) -> str:
        if self.answered_at:
            return "已回复"
        if self.read_at:
            return "已阅"
        return "未读"


def delivery_words(row: NoticeRow) -> list[str]:
    """How the notice reached its unit, channel by channel, in the words the list shows:
    系统内已送达 2026-11-20 10:31 · 已打印 · 邮件：未使用 / 已发送 / 失败."""
    words = [f"系统内已送达 {row.issued_at:%Y-%m-%d %H:%M}"]
    if row.printed_at is not None:
        words.append("已打印")
    words.append(f"邮件：{EMAIL_WORDS.get(row.email_status, row.email_status)}")
    return words


@dataclass(frozen=True)
class LedgerRow:
    urged_at: dt.datetime
    unit_name: str
    code: str
    title: str
    method: str
    notice: str
    urged_by: str
    contact: str
    note: str
    override_reason: str
    reply: str
    replied_at: Optional[dt.datetime]

    @property
    def method_word(self) -> str:
        return METHOD_WORDS.get(self.method, self.method)

    @property
    def answered(self) -> bool:
        return bool(self.reply)


def can_see(actor: Actor, notice: UrgeNotice) -> bool:
    """Office sees all; a reporter their unit's; a leader the 督办 copied to them."""
    if actor.role in permissions.OFFICE:
        return True
    if actor.role == permissions.REPORTER:
        return actor.unit_id == notice.unit_id
    if actor.role == permissions.LEADER and notice.kind == "supervise":
        return not actor.leader_name or actor.leader_name in _cc(notice.body)
    return False


def _cc(body: str) -> tuple[str, ...]:
    try:
        return tuple(json.loads(body or "{}").get("cc", ()))
    except ValueError:
        return ()


def list_notices(session: Session, actor: Actor, *, period: Optional[str] = None,
                 unit_id: Optional[int] = None, failed_only: bool = False) -> list[NoticeRow]:
    """Newest first, limited to what ``actor`` may see."""
    permissions.require(actor, "board.view")
    issuer = aliased(User)
    counts = (select(UrgeRecord.notice_id, func.count().label("n"))
              .group_by(UrgeRecord.notice_id).subquery())
    q = (select(UrgeNotice, Unit.name, issuer.display_name, counts.c.n)
         .join(Unit, Unit.id == UrgeNotice.unit_id)
         .outerjoin(issuer, issuer.id == UrgeNotice.issued_by_id)
         .outerjoin(counts, counts.c.notice_id == UrgeNotice.id)
         .order_by(UrgeNotice.issued_at.desc(), UrgeNotice.id.desc()))
    if period:
        q = q.where(UrgeNotice.period == period)
    if unit_id is not None:
        q = q.where(UrgeNotice.unit_id == unit_id)
    if actor.role == permissions.REPORTER:
        q = q.where(UrgeNotice.unit_id == actor.unit_id)
    elif actor.role == permissions.LEADER:
        q = q.where(UrgeNotice.kind == "supervise")
    if failed_only:
        q = q.where(UrgeNotice.email_status == "failed", UrgeNotice.delivered_at.is_(None))
    out = []
    for n, unit_name, issued_by, count in session.execute(q):
        if not can_see(actor, n):
            continue
        out.append(NoticeRow(
            notice_id=n.id, number_text=number_text(n.kind, n.year, n.number), kind=n.kind,
            unit_id=n.unit_id, unit_name=unit_name, period=n.period, issued_at=n.issued_at,
            issued_by=issued_by or "", reply_by=n.reply_by, task_count=count or 0,
            email_status=n.email_status, email_error=n.email_error,
            delivered_at=n.delivered_at, read_at=n.read_at, answer=n.answer,
            answered_at=n.answered_at, cc=_cc(n.body), printed_at=n.printed_at))
    return out


def _own_notice(session: Session, actor: Actor, notice_id: int) -> UrgeNotice:
    notice = session.get(UrgeNotice, notice_id)
    if notice is None:
        raise NotFound("催办通知单不存在，可能已被删除。")
    permissions.require(actor, "urge.answer", notice.unit_id)
    return notice


def mark_read(session: Session, actor: Actor, notice_id: int,
              now: Optional[dt.datetime] = None) -> bool:
    """The unit has read the notice; True when this call marked it (first reading only)."""
    notice = _own_notice(session, actor, notice_id)
    if notice.read_at is not None:
        return False
    notice.read_at = now or dt.datetime.now().replace(microsecond=0)
    audit.record(session, actor, "urge.read", "urge_notice", notice.id,
                 summary=f"{number_text(notice.kind, notice.year, notice.number)} 已阅",
                 after={"read_at": notice.read_at})
    return True


def answer_notice(session: Session, actor: Actor, notice_id: int, text: str,
                  now: Optional[dt.datetime] = None) -> None:
    """The unit's answer; it also becomes the reply of every urge the notice carried."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("回复内容不能为空。")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"回复内容不能超过 {MAX_TEXT} 字（现有 {len(text)} 字）。")
    notice = _own_notice(session, actor, notice_id)
    now = now or dt.datetime.now().replace(microsecond=0)
    before = {"answer": notice.answer, "answered_at": notice.answered_at}
    notice.answer, notice.answered_at = text, now
    if notice.read_at is None:
        notice.read_at = now
    for rec in session.scalars(select(UrgeRecord).where(UrgeRecord.notice_id == notice.id)):
        rec.reply, rec.replied_at = text, now
    audit.record(session, actor, "urge.answer", "urge_notice", notice.id,
                 summary=f"回复{number_text(notice.kind, notice.year, notice.number)}",
                 before=before, after={"answer": text, "answered_at": now})


def ledger_rows(session: Session, actor: Actor, campaign_id: Optional[int] = None, *,
                date_from: Optional[dt.date] = None,
                date_to: Optional[dt.date] = None) -> list[LedgerRow]:
    """催办台账: every urge in time order (optionally one campaign and a date range)."""
    permissions.require(actor, "export")
    urger = aliased(User)
    q = (select(UrgeRecord, Unit.name, Task.code, Task.title, urger.display_name,
                UrgeNotice.kind, UrgeNotice.year, UrgeNotice.number)
         .join(Assignment, Assignment.id == UrgeRecord.assignment_id)
         .join(Task, Task.id == Assignment.task_id)
         .join(Unit, Unit.id == Assignment.unit_id)
         .outerjoin(urger, urger.id == UrgeRecord.urged_by_id)
         .outerjoin(UrgeNotice, UrgeNotice.id == UrgeRecord.notice_id)
         .where(Task.deleted.is_(False))
         .order_by(UrgeRecord.urged_at, UrgeRecord.id))
    if campaign_id is not None:
        q = q.where(Task.campaign_id == campaign_id)
    if date_from is not None:
        q = q.where(UrgeRecord.urged_at >= dt.datetime.combine(date_from, dt.time.min))
    if date_to is not None:
        q = q.where(UrgeRecord.urged_at <= dt.datetime.combine(date_to, dt.time.max))
    return [LedgerRow(
        urged_at=r.urged_at, unit_name=unit, code=code, title=title, method=r.method,
        notice=number_text(kind, year, num) if kind in KIND_WORDS else "",
        urged_by=by or "", contact=r.contact, note=r.note, override_reason=r.override_reason,
        reply=r.reply, replied_at=r.replied_at)
        for r, unit, code, title, by, kind, year, num in session.execute(q)]
