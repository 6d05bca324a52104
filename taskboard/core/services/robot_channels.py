"""Group robots (群机器人) per unit and the record of every post to them.

A robot is a WeCom (企业微信/政务微信) group webhook or a DingTalk (钉钉/浙政钉) custom robot.
Only the address without its token is stored here; the token and the signing secret stay in
the sending workstation's key file (notify.robot_secrets), named by ``ref``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import RobotDelivery, Unit, UnitRobot

WECOM, DINGTALK = "wecom", "dingtalk"
KIND_WORDS = {WECOM: "企业微信", DINGTALK: "钉钉"}
TOKEN_PARAM = {WECOM: "key", DINGTALK: "access_token"}
OFFICE_WORD = "办公室"


@dataclass(frozen=True)
class RobotRow:
    robot_id: int
    unit_id: Optional[int]
    unit_name: str
    kind: str
    endpoint: str
    token_hint: str
    signed: bool
    ref: str

    @property
    def kind_word(self) -> str:
        return KIND_WORDS[self.kind]

    @property
    def label(self) -> str:
        """How the robot is shown: its kind and the token's last characters, never the token."""
        sign = "，已加签" if self.signed else ""
        return f"{self.kind_word}群机器人（…{self.token_hint}{sign}）"


def parse_webhook(kind: str, url: str) -> tuple[str, str]:
    """(address without the token, token) of a webhook URL, or a ValidationError in Chinese."""
    if kind not in KIND_WORDS:
        raise ValidationError(f"未知的机器人类型：{kind}（应为 wecom 或 dingtalk）")
    word, param = KIND_WORDS[kind], TOKEN_PARAM[kind]
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{word}机器人地址应以 https:// 开头，收到：{_masked(url)}")
    token = (parse_qs(parts.query).get(param) or [""])[0].strip()
    if not token:
        example = ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…" if kind == WECOM
                   else "https://oapi.dingtalk.com/robot/send?access_token=…")
        raise ValidationError(f"{word}机器人地址中缺少 {param}=…，应形如 {example}")
    endpoint = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if len(endpoint) > 300 or len(token) > 200:
        raise ValidationError(f"{word}机器人地址过长。")
    return endpoint, token


def _masked(url: str) -> str:
    return url.split("?", 1)[0][:120] + ("?…" if "?" in url else "")


def token_hint(token: str) -> str:
    return token[-4:] if len(token) > 8 else ""


def _unit_name(session: Session, unit_id: Optional[int]) -> str:
    if unit_id is None:
        return OFFICE_WORD
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"单位不存在（编号 {unit_id}）。")
    return unit.name


def _active(session: Session, unit_id: Optional[int], kind: str) -> Optional[UnitRobot]:
    where = UnitRobot.unit_id.is_(None) if unit_id is None else UnitRobot.unit_id == unit_id
    return session.scalars(select(UnitRobot).where(where, UnitRobot.kind == kind,
                                                   UnitRobot.active.is_(True))).first()


def active_ref(session: Session, unit_id: Optional[int], kind: str) -> Optional[str]:
    """The key-file name of the robot that setting or removing ``kind`` would retire."""
    old = _active(session, unit_id, kind)
    return old.ref if old is not None else None


def set_robot(session: Session, actor: Actor, unit_id: Optional[int], kind: str, *,
              endpoint: str, hint: str, signed: bool, ref: str) -> int:
    """Point a unit's (or, with None, the office's) robot of ``kind`` at a new address."""
    permissions.require(actor, "unit.manage")
    if kind not in KIND_WORDS:
        raise ValidationError(f"未知的机器人类型：{kind}")
    name = _unit_name(session, unit_id)
    old = _active(session, unit_id, kind)
    before = None
    if old is not None:
        before = {"endpoint": old.endpoint, "token_hint": old.token_hint, "signed": old.signed}
        old.active = False  # attempts keep pointing at the robot they went to
    robot = UnitRobot(unit_id=unit_id, kind=kind, endpoint=endpoint, token_hint=hint,
                      signed=signed, ref=ref)
    session.add(robot)
    session.flush()
    audit.record(session, actor, "unit.robot", "unit_robot", robot.id,
                 summary=f"设置{name}的{KIND_WORDS[kind]}群机器人", before=before,
                 after={"endpoint": endpoint, "token_hint": hint, "signed": signed})
    return robot.id


def remove_robot(session: Session, actor: Actor, unit_id: Optional[int], kind: str) -> bool:
    permissions.require(actor, "unit.manage")
    name = _unit_name(session, unit_id)
    old = _active(session, unit_id, kind)
    if old is None:
        return False
    old.active = False
    audit.record(session, actor, "unit.robot", "unit_robot", old.id,
                 summary=f"取消{name}的{KIND_WORDS[kind]}群机器人",
                 before={"endpoint": old.endpoint, "token_hint": old.token_hint})
    return True


def list_robots(session: Session, unit_ids: Optional[Iterable[int]] = None, *,
                office: bool = False) -> list[RobotRow]:
    """Active robots of the given units (all units when None); the office's with office=True."""
    q = (select(UnitRobot, Unit.name).outerjoin(Unit, Unit.id == UnitRobot.unit_id)
         .where(UnitRobot.active.is_(True)))
    if office:
        q = q.where(UnitRobot.unit_id.is_(None))
    elif unit_ids is not None:
        q = q.where(UnitRobot.unit_id.in_(list(unit_ids)))
    else:
        q = q.where(UnitRobot.unit_id.is_not(None))
    rows = session.execute(q.order_by(UnitRobot.unit_id, UnitRobot.kind)).all()
    return [RobotRow(r.id, r.unit_id, name or OFFICE_WORD, r.kind, r.endpoint, r.token_hint,
                     r.signed, r.ref) for r, name in rows]


def robot(session: Session, robot_id: int) -> RobotRow:
    found = session.execute(select(UnitRobot, Unit.name).outerjoin(Unit, Unit.id == UnitRobot.unit_id)
                            .where(UnitRobot.id == robot_id)).first()
    if found is None:
        raise NotFound(f"群机器人不存在（编号 {robot_id}）。")
    r, name = found
    return RobotRow(r.id, r.unit_id, name or OFFICE_WORD, r.kind, r.endpoint, r.token_hint,
                    r.signed, r.ref)


# --- attempts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    at: dt.datetime
    robot_id: int
    robot_label: str
    part: int
    parts: int
    attempt: int
    ok: bool
    errcode: Optional[int]
    message: str


def record_attempt(session: Session, actor: Actor, robot_id: int, *, notice_id: Optional[int],
                   purpose: str, part: int, parts: int, attempt: int, ok: bool,
                   errcode: Optional[int], message: str,
                   at: Optional[dt.datetime] = None) -> None:
    permissions.require(actor, "urge.send")
    at = at or dt.datetime.now().replace(microsecond=0)
    session.add(RobotDelivery(notice_id=notice_id, robot_id=robot_id, purpose=purpose,
                              part=part, parts=parts, attempt=attempt, at=at, ok=ok,
                              errcode=errcode, message=message[:2000]))
    audit.record(session, actor, "urge.robot", "urge_notice" if notice_id else "unit_robot",
                 notice_id or robot_id,
                 summary=(f"群机器人第 {part}/{parts} 段"
                          + ("已送达" if ok else f"发送失败：{message}"))[:200],
                 after={"robot_id": robot_id, "attempt": attempt, "ok": ok, "errcode": errcode})


def delivered_parts(session: Session, notice_id: int, robot_id: int) -> set[int]:
    return set(session.scalars(select(RobotDelivery.part).where(
        RobotDelivery.notice_id == notice_id, RobotDelivery.robot_id == robot_id,
        RobotDelivery.ok.is_(True))))


def attempts(session: Session, notice_id: int) -> list[Attempt]:
    """Every post of a notice to a robot, oldest first."""
    out = []
    for d in session.scalars(select(RobotDelivery).where(RobotDelivery.notice_id == notice_id)
                             .order_by(RobotDelivery.id)):
        out.append(Attempt(d.at, d.robot_id, robot(session, d.robot_id).label, d.part, d.parts,
                           d.attempt, d.ok, d.errcode, d.message))
    return out


def robot_states(session: Session, notice_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Per notice: ("sent" | "failed", last failure) over the robots it was posted to.

    A notice is failed while some part sent to one of its unit's current robots has no
    successful attempt; a robot since replaced or removed has nothing left to retry."""
    ids = list(notice_ids)
    if not ids:
        return {}
    parts: dict[tuple[int, int], dict[int, bool]] = {}
    last_error: dict[int, str] = {}
    for nid, rid, part, ok, message in session.execute(
            select(RobotDelivery.notice_id, RobotDelivery.robot_id, RobotDelivery.part,
                   RobotDelivery.ok, RobotDelivery.message)
            .join(UnitRobot, UnitRobot.id == RobotDelivery.robot_id)
            .where(RobotDelivery.notice_id.in_(ids), UnitRobot.active.is_(True))
            .order_by(RobotDelivery.id)):
        seen = parts.setdefault((nid, rid), {})
        seen[part] = seen.get(part, False) or ok
        if not ok:
            last_error[nid] = message
    out: dict[int, tuple[str, str]] = {}
    for (nid, _), seen in parts.items():
        failed = not all(seen.values()) or out.get(nid, ("", ""))[0] == "failed"
        out[nid] = ("failed", last_error.get(nid, "")) if failed else ("sent", "")
    return out


def failed_notice_ids(session: Session, actor: Actor) -> list[int]:
    """Notices with a robot post still undelivered, oldest first."""
    permissions.require(actor, "urge.send")
    ids = list(session.scalars(select(RobotDelivery.notice_id).where(
        RobotDelivery.notice_id.is_not(None), RobotDelivery.ok.is_(False)).distinct()))
    states = robot_states(session, ids)
    return sorted(nid for nid, (state, _) in states.items() if state == "failed")
