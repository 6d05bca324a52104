"""督办提醒 digests: one group message per unit with all of its near-due, overdue, unreported
and returned work across the open campaigns, and one to the office's own group with the totals.

A digest is a reminder, not an urge: it issues no notice, logs no urge and does not restart the
quiet period. It replaces a flood of single messages with one a unit a run.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.core.models import Campaign, Unit
from taskboard.core.periods import Period
from taskboard.core.services import robot_channels as channels
from taskboard.core.services import urging
from taskboard.core.settings import load_settings
from taskboard.notify import robots, templates
from taskboard.notify.robot_delivery import RobotResult, contact_line, send_to_robot

KINDS = ("overdue", "near_due", "unreported", "returned")
KIND_WORDS = {"overdue": "超期", "near_due": "临期", "unreported": "未报送", "returned": "已退回"}


@dataclass(frozen=True)
class DigestItem:
    campaign: str
    code: str
    title: str
    deadline: str
    kinds: tuple[str, ...]
    days_text: str


@dataclass(frozen=True)
class UnitDigest:
    unit_id: int
    unit_name: str
    phone: str
    items: tuple[DigestItem, ...]

    def count(self, kind: str) -> int:
        return sum(kind in i.kinds for i in self.items)


def kinds_of(row: urging.ScreenRow) -> tuple[str, ...]:
    return tuple(k for k in KINDS if k in row.categories)


def collect(db: Database, actor: Actor, period: Period, today: dt.date) -> list[UnitDigest]:
    """Every unit with something to do, in the units' order; closed work is never listed."""
    per_unit: dict[int, list[tuple[int, urging.ScreenRow, str]]] = defaultdict(list)
    with db.session() as s:
        campaigns = s.execute(select(Campaign.id, Campaign.name)
                              .where(Campaign.archived.is_(False)).order_by(Campaign.id)).all()
        for cid, name in campaigns:
            for r in urging.screen(s, actor, cid, period, today):
                if kinds_of(r):
                    per_unit[r.unit_id].append((cid, r, name))
        units = {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_(list(per_unit))))}
    out = []
    for unit_id, found in per_unit.items():
        found.sort(key=lambda x: (x[0], x[1].sort_key))
        unit = units[unit_id]
        out.append(UnitDigest(unit_id, unit.name, unit.phone, tuple(
            DigestItem(name, r.code, r.title, r.deadline_text, kinds_of(r), r.days_text)
            for _, r, name in found)))
    out.sort(key=lambda d: (units[d.unit_id].sort_order, d.unit_id))
    return out


def _counts(d) -> str:
    return "，".join(f"{KIND_WORDS[k]} {d.count(k)} 项" for k in KINDS if d.count(k))


def unit_draft(d: UnitDigest, period: Period, today: dt.date, office: dict) -> robots.Draft:
    head = (f"致{d.unit_name}：截至 {templates.chinese_date(today)}，{period.label}共有 "
            f"{len(d.items)} 项任务需要抓紧办理（{_counts(d)}）。",)
    items = tuple(f"【{i.campaign}】{i.code} {i.title}（完成时限 {i.deadline}）："
                  f"{'、'.join(KIND_WORDS[k] for k in i.kinds)}，{i.days_text}"
                  for i in d.items)
    return robots.Draft(title=f"{office['office'] or '督查办'}督办提醒", head=head, items=items,
                        tail=("请及时在系统中报送进展。", contact_line(office)),
                        summary=lambda n: f"……另有 {n} 项，请在系统中查看。")


def office_draft(digests: list[UnitDigest], period: Period, today: dt.date,
                 office: dict, unreached: list[str]) -> robots.Draft:
    total = Counter()
    for d in digests:
        for k in KINDS:
            total[k] += d.count(k)
    items = sum(len(d.items) for d in digests)
    head = (f"截至 {templates.chinese_date(today)}，{period.label}共 {len(digests)} 个单位 "
            f"{items} 项任务待办：" + "，".join(f"{KIND_WORDS[k]} {total[k]} 项" for k in KINDS)
            + "。",)
    lines = tuple(f"{d.unit_name}：{len(d.items)} 项（{_counts(d)}）" for d in digests)
    tail = (f"未设置群机器人、未收到提醒的单位：{'、'.join(unreached)}。",) if unreached else ()
    return robots.Draft(title="督办提醒汇总", head=head, items=lines, tail=tail,
                        summary=lambda n: f"……另有 {n} 个单位，请在系统中查看。")


def send_digest(db: Database, actor: Actor, period: Period, today: dt.date, *,
                sender: Optional[robots.RobotSender] = None, dry_run: bool = False,
                ) -> tuple[list[UnitDigest], list[RobotResult], list[str]]:
    """(digests, results, units without a robot); nothing is posted on a dry run."""
    sender = sender or robots.default_sender()
    digests = collect(db, actor, period, today)
    with db.session() as s:
        settings = load_settings(s)
        unit_robots = channels.list_robots(s, [d.unit_id for d in digests])
        office_robots = channels.list_robots(s, office=True)
    office = {"office": settings.office_name, "contact": settings.office_contact,
              "phone": settings.office_phone}
    by_unit = defaultdict(list)
    for r in unit_robots:
        by_unit[r.unit_id].append(r)
    unreached = [d.unit_name for d in digests if not by_unit[d.unit_id]]
    results = []
    jobs = [(r, unit_draft(d, period, today, office), d.phone, d.unit_name)
            for d in digests for r in by_unit[d.unit_id]]
    if digests:
        jobs += [(r, office_draft(digests, period, today, office, unreached),
                  settings.office_phone, channels.OFFICE_WORD) for r in office_robots]
    for robot, draft, phone, name in jobs:
        bodies = robots.messages(robot.kind, draft, phone)
        if dry_run:
            results.append(RobotResult(None, draft.title, name, robot.label, True,
                                       f"将发送 {len(bodies)} 条消息", 0))
            continue
        ok, message, tries = send_to_robot(db, actor, sender, robot, bodies, notice_id=None,
                                           purpose="digest")
        results.append(RobotResult(None, draft.title, name, robot.label, ok, message, tries))
    return digests, results, unreached
