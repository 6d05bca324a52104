"""专项工作: add, edit and archive campaigns (an archived campaign leaves the selector)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import Campaign, Task


@dataclass(frozen=True)
class CampaignInput:
    name: str
    start_date: dt.date
    end_date: Optional[dt.date] = None
    description: str = ""


@dataclass(frozen=True)
class CampaignRow:
    campaign_id: int
    name: str
    start_date: dt.date
    end_date: Optional[dt.date]
    description: str
    archived: bool
    task_count: int


def _validate(session: Session, data: CampaignInput, campaign_id: Optional[int] = None
              ) -> CampaignInput:
    data = CampaignInput(data.name.strip(), data.start_date, data.end_date,
                         data.description.strip())
    if not data.name:
        raise ValidationError("请填写专项工作名称。")
    if len(data.name) > 200:
        raise ValidationError("专项工作名称过长（最多 200 个字）。")
    if data.start_date is None:
        raise ValidationError("请填写开始日期。")
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationError("结束日期不能早于开始日期。")
    if session.scalar(select(Campaign.id).where(
            Campaign.name == data.name, *([Campaign.id != campaign_id] if campaign_id else []))):
        raise ValidationError(f"专项工作“{data.name}”已存在。")
    return data


def _snap(c: Campaign) -> dict:
    return {"name": c.name, "start_date": c.start_date, "end_date": c.end_date,
            "description": c.description, "archived": c.archived}


def _load(session: Session, campaign_id: int) -> Campaign:
    c = session.get(Campaign, campaign_id)
    if c is None:
        raise NotFound(f"专项工作不存在（编号 {campaign_id}）。")
    return c


def add_campaign(session: Session, actor: Actor, data: CampaignInput) -> int:
    permissions.require(actor, "campaign.manage")
    data = _validate(session, data)
    c = Campaign(name=data.name, start_date=data.start_date, end_date=data.end_date,
                 description=data.description)
    session.add(c)
    session.flush()
    audit.record(session, actor, "campaign.create", "campaign", c.id,
                 summary=f"新建专项工作 {c.name}", after=_snap(c))
    return c.id


def update_campaign(session: Session, actor: Actor, campaign_id: int,
                    data: CampaignInput) -> None:
    permissions.require(actor, "campaign.manage")
    c = _load(session, campaign_id)
    data = _validate(session, data, campaign_id)
    before = _snap(c)
    c.name, c.start_date, c.end_date, c.description = (
        data.name, data.start_date, data.end_date, data.description)
    after = _snap(c)
    changed = {k for k in after if after[k] != before[k]}
    audit.record(session, actor, "campaign.update", "campaign", c.id,
                 summary=f"修改专项工作 {c.name}", before={k: before[k] for k in changed},
                 after={k: after[k] for k in changed})


def set_archived(session: Session, actor: Actor, campaign_id: int, archived: bool) -> None:
    permissions.require(actor, "campaign.manage")
    c = _load(session, campaign_id)
    if c.archived == archived:
        return
    c.archived = archived
    audit.record(session, actor, "campaign.archive" if archived else "campaign.unarchive",
                 "campaign", c.id, summary=f"{'归档' if archived else '恢复'}专项工作 {c.name}",
                 before={"archived": not archived}, after={"archived": archived})


def list_campaigns(session: Session) -> list[CampaignRow]:
    counts = dict(session.execute(select(Task.campaign_id, func.count())
                                  .where(Task.deleted.is_(False))
                                  .group_by(Task.campaign_id)).all())
    return [CampaignRow(c.id, c.name, c.start_date, c.end_date, c.description, c.archived,
                        counts.get(c.id, 0))
            for c in session.scalars(select(Campaign).order_by(Campaign.archived,
                                                              Campaign.start_date.desc()))]
