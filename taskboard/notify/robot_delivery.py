"""Notices to the units' group robots: what a notice says in a group, and the record of every
post on the notice. Each post runs outside any transaction and each attempt is stored in its
own short one, so an interrupted run leaves exactly the undelivered parts for a retry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from sqlalchemy import select

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.core.models import Unit, UrgeNotice
from taskboard.core.services import robot_channels as channels
from taskboard.core.settings import BoardSettings
from taskboard.notify import documents, robot_secrets, robots, templates
from taskboard.notify.delivery import snapshot

NO_KEYS = ("本机没有该群机器人的密钥（地址末尾 …{hint}），消息未发出：请在单位管理中重新填写机器人"
           "地址，或在设置它的电脑上发送。")


@dataclass(frozen=True)
class RobotResult:
    notice_id: Optional[int]
    number_text: str  # the notice's number, or what the message was (督办提醒)
    unit_name: str
    robot_label: str
    ok: bool
    message: str
    attempts: int


def contact_line(snap: dict) -> str:
    office = snap.get("office") or "办公室"
    return (f"联系人：{snap.get('contact') or '—'}，联系电话：{snap.get('phone') or '—'}"
            f"（{office}）")


def notice_draft(snap: dict, settings: BoardSettings) -> robots.Draft:
    """The notice as a group message: its number, each task with why it is urged, the reply
    date and the office's contact."""
    sections = templates.sections_of(snap, settings)
    rows = documents.table_rows(snap, sections)
    items = tuple(f"{code} {title}（完成时限 {deadline}）：{why}"
                  for _, code, title, deadline, _, _, why, _ in rows)
    head = (f"致{snap['unit']}：{snap['period_label']}有 {len(rows)} 项任务需要抓紧办理。",)
    tail = (f"请于 {templates.chinese_date(snap['reply_by'])} 前在系统中回复。",
            contact_line(snap))
    return robots.Draft(title=f"{snap['number_text']} {snap['kind_word']}通知",
                        head=head, items=items, tail=tail,
                        summary=lambda n: f"……另有 {n} 项，详见{snap['number_text']}通知单。")


def send_to_robot(db: Database, actor: Actor, sender: robots.RobotSender,
                  robot: channels.RobotRow, bodies: list[dict], *, notice_id: Optional[int],
                  purpose: str, done: frozenset[int] = frozenset()) -> tuple[bool, str, int]:
    """Post ``bodies`` (skipping part indexes in ``done``), recording every attempt."""
    keys = robot_secrets.get(robot.ref)
    parts = len(bodies)
    if keys is None:
        message = NO_KEYS.format(hint=robot.token_hint or "？")
        with db.Session.begin() as s:
            for k in range(parts):
                if k not in done:
                    channels.record_attempt(s, actor, robot.robot_id, notice_id=notice_id,
                                            purpose=purpose, part=k + 1, parts=parts,
                                            attempt=1, ok=False, errcode=None, message=message)
        return False, message, 0
    token, secret = keys
    target = robots.Target(robot.ref, robot.kind, robot.endpoint, token,
                           secret if robot.signed else "")
    tries = [0]
    last = [""]

    def on_attempt(index: int, attempt: int, outcome: robots.Outcome) -> None:
        tries[0] += 1
        if not outcome.ok:
            last[0] = outcome.message
        with db.Session.begin() as s:
            channels.record_attempt(s, actor, robot.robot_id, notice_id=notice_id,
                                    purpose=purpose, part=index + 1, parts=parts,
                                    attempt=attempt, ok=outcome.ok, errcode=outcome.errcode,
                                    message=outcome.message)

    ok = sender.send(target, bodies, on_attempt, skip=done)
    if ok:
        retried = tries[0] - (parts - len(done))
        return True, "已送达" + (f"（限流后重试 {retried} 次）" if retried > 0 else ""), tries[0]
    return False, last[0], tries[0]


def robot_notices(db: Database, actor: Actor, notice_ids: Iterable[int], *,
                  sender: Optional[robots.RobotSender] = None,
                  progress: Optional[Callable[[int, int], None]] = None) -> list[RobotResult]:
    """Post each notice to every robot of its unit; parts already delivered are not repeated,
    so the same call retries failed ones."""
    ids = list(notice_ids)
    sender = sender or robots.default_sender()
    results = []
    for k, notice_id in enumerate(ids):
        if progress is not None:
            progress(k, len(ids))
        snap, settings = snapshot(db, actor, notice_id)
        with db.session() as s:
            unit_id = s.scalar(select(UrgeNotice.unit_id).where(UrgeNotice.id == notice_id))
            phone = s.scalar(select(Unit.phone).where(Unit.id == unit_id)) or ""
            unit_robots = channels.list_robots(s, [unit_id])
            done = {r.robot_id: channels.delivered_parts(s, notice_id, r.robot_id)
                    for r in unit_robots}
        draft = notice_draft(snap, settings)
        for robot in unit_robots:
            bodies = robots.messages(robot.kind, draft, phone)
            skip = frozenset(p - 1 for p in done[robot.robot_id])
            if len(skip) >= len(bodies):
                results.append(RobotResult(notice_id, snap["number_text"], snap["unit"],
                                           robot.label, True, "此前已送达", 0))
                continue
            ok, message, tries = send_to_robot(db, actor, sender, robot, bodies,
                                               notice_id=notice_id, purpose="notice",
                                               done=skip)
            results.append(RobotResult(notice_id, snap["number_text"], snap["unit"],
                                       robot.label, ok, message, tries))
    return results


def failed_notice_ids(db: Database, actor: Actor) -> list[int]:
    with db.session() as s:
        return channels.failed_notice_ids(s, actor)
