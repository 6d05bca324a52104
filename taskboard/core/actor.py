"""Who is acting: the signed-in user as a plain value passed to every service."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from taskboard.core.models import User


@dataclass(frozen=True)
class Actor:
    user_id: Optional[int]  # None only for the first start, before any account exists
    username: str
    display_name: str
    role: str
    unit_id: Optional[int] = None
    leader_name: str = ""
    limit_to_own_tasks: bool = False

    @classmethod
    def from_user(cls, user: User) -> "Actor":
        return cls(user.id, user.username, user.display_name, user.role, user.unit_id,
                   user.leader_name, user.limit_to_own_tasks)


def load_actor(session: Session, username: str) -> Actor:
    from sqlalchemy import select

    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.active:
        raise LookupError(f"用户不存在或已停用：{username}")
    return Actor.from_user(user)


_ROLE_WORDS = {"admin": "管理员", "dispatcher": "调度人员", "reporter": "报送员",
                        "leader": "领导"}


def account_change(session: Session, actor: Actor) -> Optional[str]:
    """Why ``actor`` no longer holds the rights it signed in with, or None.

    Reads the account as stored (not as changed but unflushed in this session), so an
    administrator editing their own account in this very transaction is judged by the state
    they started from.
    """
    from sqlalchemy import select

    if actor.user_id is None:
        return None
    with session.no_autoflush:
        row = session.execute(select(User.active, User.role, User.unit_id)
                              .where(User.id == actor.user_id)).one_or_none()
    if row is None:
        return "您的账号已被删除"
    if not row.active:
        return "您的账号已被管理员停用"
    if row.role != actor.role:
        return (f"您的账号角色已由管理员改为“{_ROLE_WORDS.get(row.role, row.role)}”")
    if row.unit_id != actor.unit_id:
        return "您的账号所属单位已被管理员更改"
    return None


def ensure_current(session: Session, actor: Optional[Actor]) -> None:
    """Refuse a write by an account that was deactivated or demoted since it signed in.

    Called by the audit trail, which every write passes through; checked once per
    transaction.
    """
    from taskboard.core.errors import AccountChanged

    if actor is None or actor.user_id is None:
        return
    txn = session.get_transaction()
    checked = session.info.get("actors_checked")
    if checked is None or checked[0] is not txn:
        checked = (txn, set())
        session.info["actors_checked"] = checked
    if actor.user_id in checked[1]:
        return
    why = account_change(session, actor)
    if why:
        raise AccountChanged(f"{why}，本次操作未保存。请重新登录。")
    checked[1].add(actor.user_id)
