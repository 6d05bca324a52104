"""Issuing a 通报: its number from a gap-free per-year counter, and its record.

The number is taken inside the caller's transaction: when writing the document fails the
transaction rolls back and the number is not used up (the same rule as urge notices).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import ValidationError
from taskboard.core.models import Bulletin, CardAction, NoticeCounter, Unit
from taskboard.core.settings import BoardSettings

KIND = "bulletin"


def parse_exemptions(session: Session, lines) -> dict[int, str]:
    """"单位=理由" (or 单位：理由) per line → {unit id: reason}; blank lines are skipped."""
    out = {}
    for text in lines:
        text = text.strip()
        if not text:
            continue
        for sep in ("=", "：", ":"):
            name, found, reason = text.partition(sep)
            if found:
                break
        name, reason = name.strip(), reason.strip()
        if not found or not name or not reason:
            raise ValidationError(f"免于列入黑榜应写成 单位=理由，收到：{text}")
        if len(reason) > 200:
            raise ValidationError(f"{name} 的理由不能超过 200 字。")
        uid = session.scalar(select(Unit.id).where(Unit.name == name))
        if uid is None:
            raise ValidationError(f"没有这个单位：{name}")
        out[uid] = reason
    return out


def number_text(word: str, year: int, number: int) -> str:
    return f"{word}〔{year}〕{number}号"


def _next_number(session: Session, year: int) -> int:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # A write takes SQLite's database lock at once, so two issuers cannot read one number.
        session.execute(update(NoticeCounter).where(NoticeCounter.year == -1)
                        .values(last_number=NoticeCounter.last_number))
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(NoticeCounter).values(year=year, kind=KIND, last_number=0)
                        .on_conflict_do_nothing())
        session.execute(select(NoticeCounter).where(NoticeCounter.year == year,
                                                    NoticeCounter.kind == KIND)
                        .with_for_update()).all()
    counter = session.get(NoticeCounter, (year, KIND))
    if counter is None:
        counter = NoticeCounter(year=year, kind=KIND, last_number=0)
        session.add(counter)
    counter.last_number += 1
    session.flush()
    return counter.last_number


def stamp(facts: dict, settings: BoardSettings, issued_on: dt.date,
          number: Optional[int]) -> dict:
    """The facts with the document's number, issuer and date (a preview has no number yet)."""
    out = dict(facts)
    out["office"] = settings.office_name
    out["issued_on"] = issued_on.isoformat()
    out["number"] = number
    out["number_text"] = (number_text(settings.bulletin_word, issued_on.year, number)
                          if number is not None
                          else number_text(settings.bulletin_word, issued_on.year, 0)
                          .replace("0号", "□号"))
    return out


def issue(session: Session, actor: Actor, facts: dict, settings: BoardSettings,
          issued_on: dt.date) -> dict:
    """Number and record a bulletin; returns the stamped snapshot to render."""
    permissions.require(actor, "bulletin.issue")
    number = _next_number(session, issued_on.year)
    snap = stamp(facts, settings, issued_on, number)
    praised = [r["unit_id"] for t in snap["tracks"].values() for r in t["red"]]
    criticised = [r["unit_id"] for t in snap["tracks"].values() for r in t["black"]]
    row = Bulletin(year=issued_on.year, number=number, campaign_id=facts["campaign_id"],
                   span=facts["span"], issued_on=issued_on, issued_by_id=actor.user_id,
                   praised=",".join(map(str, praised)), criticised=",".join(map(str, criticised)),
                   snapshot=json.dumps(snap, ensure_ascii=False))
    session.add(row)
    session.flush()
    # The 督办 and 约谈 the bulletin announces, one record per unit and kind.
    for e in snap.get("escalations", []):
        for kind in ("supervise", "interview"):
            if e[kind]:
                session.add(CardAction(bulletin_id=row.id, unit_id=e["unit_id"], kind=kind,
                                       count=int(e[kind]),
                                       tasks="、".join(e["tasks"]) if kind == "interview" else ""))
    audit.record(session, actor, "bulletin.issue", "bulletin", row.id,
                 summary=f"印发通报 {snap['number_text']}（{facts['span_label']}）",
                 after={"number": snap["number_text"], "span": facts["span"],
                        "praised": praised, "criticised": criticised})
    return snap
