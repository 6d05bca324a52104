"""Who is acting: the signed-in user as a plain value passed to every service."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from taskboard.core.models import User


@dataclass(frozen=True)
class Actor:
    user_id: int
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
