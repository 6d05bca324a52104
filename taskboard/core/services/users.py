"""User accounts: administrators create, edit, deactivate, unlock and reset passwords."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from taskboard.core import audit, auth, pg_roles
from taskboard.core.actor import Actor, ensure_current
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import ROLES, Unit, User, local_now
from taskboard.core.permissions import REPORTER, require

ROLE_WORDS = {"admin": "管理员", "dispatcher": "调度人员", "reporter": "报送员", "leader": "领导"}


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    unit_id: Optional[int]
    unit_name: str
    leader_name: str
    limit_to_own_tasks: bool
    active: bool
    has_password: bool
    locked_until: Optional[dt.datetime]
    failed_logins: int

    @property
    def role_word(self) -> str:
        return ROLE_WORDS.get(self.role, self.role)

    def locked(self, now: Optional[dt.datetime] = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or local_now())


@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    role: str
    unit_id: Optional[int] = None
    leader_name: str = ""
    limit_to_own_tasks: bool = False
    active: bool = True


def _snapshot(u: User) -> dict:
    # Never the hash: audit strips it anyway, but it should not even be offered.
    return {"username": u.username, "display_name": u.display_name, "role": u.role,
            "unit_id": u.unit_id, "leader_name": u.leader_name,
            "limit_to_own_tasks": u.limit_to_own_tasks, "active": u.active}


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, "user.manage")
    rows = session.execute(
        select(User, Unit.name).outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.id)).all()
    # On a server that enforces the roles an account signs in with its login role's
    # password (or, on the owner's connection, with the program's own): either counts.
    logins = pg_roles.login_names(session) if pg_roles.enforced(session) else set()
    return [UserRow(u.id, u.username, u.display_name, u.role, u.unit_id, unit_name or "",
                    u.leader_name, u.limit_to_own_tasks, u.active,
                    bool(u.password_hash) or u.username in logins,
                    u.locked_until, u.failed_logins or 0) for u, unit_name in rows]


def _validate(session: Session, data: UserInput, user_id: Optional[int]) -> UserInput:
    username, display = data.username.strip(), data.display_name.strip()
    if not username:
        raise ValidationError("请填写用户名。")
    if len(username) > 50 or any(c.isspace() for c in username):
        raise ValidationError("用户名不能含空格，且不超过 50 个字符。")
    if not display:
        raise ValidationError("请填写显示名称（如“综合科”）。")
    if data.role not in ROLES:
        raise ValidationError(f"未知的角色：{data.role}")
    clash = session.scalar(select(User.id).where(
        func.lower(User.username) == username.lower(), User.id != (user_id or -1)))
    if clash is not None:
        raise ValidationError(f"用户名“{username}”已被使用。")
    unit_id = data.unit_id
    if data.role == REPORTER:
        if unit_id is None:
            raise ValidationError("报送员必须绑定一个单位。")
        if session.get(Unit, unit_id) is None:
            raise ValidationError("所选单位不存在。")
    else:
        unit_id = None  # only reporters act for a unit
    limit = data.limit_to_own_tasks if data.role == "leader" else False
    if limit and not data.leader_name.strip():
        raise ValidationError("限定为本人分管的任务时，请填写分管领导的称谓（与任务中的一致）。")
    return UserInput(username, display, data.role, unit_id, data.leader_name.strip(), limit,
                     data.active)


def create_user(session: Session, actor: Actor, data: UserInput,
                password: Optional[str] = None) -> int:
    require(actor, "user.manage")
    ensure_current(session, actor)  # before a login-role sync flushes (see update_user)
    data = _validate(session, data, None)
    user = User(username=data.username, display_name=data.display_name, role=data.role,
                unit_id=data.unit_id, leader_name=data.leader_name,
                limit_to_own_tasks=data.limit_to_own_tasks, active=data.active)
    managed = pg_roles.managed(session)
    if password:
        auth.check_password_strength(password, data.username)
        if not managed:  # on a managed server the login role holds the password
            user.password_hash = auth.hash_password(password)
        else:
            # The administrator knows it: a one-time password, as after a reset.
            user.must_change_password = True
    session.add(user)
    session.flush()
    if managed:
        pg_roles.sync_login(session, user.username, password or None)
    audit.record(session, actor, "user.create", "user", user.id,
                 summary=f"新建用户 {user.username}（{ROLE_WORDS[user.role]}）",
                 after=_snapshot(user))
    return user.id


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在，可能已被删除。")
    return user


def _active_admins(session: Session, excluding: int) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != excluding))


def update_user(session: Session, actor: Actor, user_id: int, data: UserInput) -> None:
    require(actor, "user.manage")
    # Judged before any change: a login-role sync flushes, and the audit trail would then
    # see the account as changed (an administrator editing itself).
    ensure_current(session, actor)
    user = _get(session, user_id)
    data = _validate(session, data, user_id)
    losing_admin = user.role == "admin" and (data.role != "admin" or not data.active)
    if losing_admin and _active_admins(session, user_id) == 0:
        raise ValidationError("至少要保留一个启用的管理员账号。")
    before = _snapshot(user)
    user.username, user.display_name, user.role = data.username, data.display_name, data.role
    user.unit_id, user.leader_name = data.unit_id, data.leader_name
    user.limit_to_own_tasks, user.active = data.limit_to_own_tasks, data.active
    after = _snapshot(user)
    if before != after and pg_roles.managed(session):
        # Role DDL is transactional: a later failure undoes the rename and the grants too.
        pg_roles.rename_login(session, before["username"], user.username)
        pg_roles.sync_login(session, user.username)
    if before != after:
        audit.record(session, actor, "user.update", "user", user.id,
                     summary=f"修改用户 {user.username}", before=before, after=after)


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    require(actor, "user.manage")
    ensure_current(session, actor)  # before a login-role sync flushes (see update_user)
    user = _get(session, user_id)
    if not active and user.id == actor.user_id:
        raise ValidationError("不能停用当前登录的账号。")
    if not active and user.role == "admin" and _active_admins(session, user_id) == 0:
        raise ValidationError("至少要保留一个启用的管理员账号。")
    if user.active == active:
        return
    user.active = active
    if pg_roles.managed(session):
        pg_roles.sync_login(session, user.username)
    audit.record(session, actor, "user.activate" if active else "user.deactivate", "user",
                 user.id, summary=f"{'启用' if active else '停用'}用户 {user.username}",
                 before={"active": not active}, after={"active": active})


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    require(actor, "user.manage")
    ensure_current(session, actor)  # before a login-role sync flushes (see update_user)
    auth.set_password(session, actor, _get(session, user_id), new_password)


def unlock(session: Session, actor: Actor, user_id: int) -> None:
    require(actor, "user.manage")
    user = _get(session, user_id)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor, "user.unlock", "user", user.id,
                 summary=f"解锁用户 {user.username}", before=before,
                 after={"failed_logins": 0, "locked_until": None})
