"""Sign-in: memory-hard password hashes, lockout after wrong tries, password changes.

Hashes are scrypt with OWASP's parameters (n=2**17, r=8, p=1), stored as
``scrypt$n$r$p$salt$hash`` so that stronger parameters later do not break old hashes.
Neither passwords nor hashes ever reach the audit trail, logs or exports.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from typing import Callable, Optional

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from taskboard.core import audit
from taskboard.core.actor import Actor
from taskboard.core.errors import ServiceError, ValidationError
from taskboard.core.models import User, local_now

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 17, 8, 1
# scrypt needs 128 * n * r bytes (128 MiB here); hashlib's default cap is 32 MiB.
SCRYPT_MAXMEM = 160 * 1024 * 1024
SALT_BYTES, KEY_BYTES = 16, 32
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8


class AuthError(ServiceError):
    """Sign-in refused; the message never tells whether the user name exists."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: Optional[int] = None, r: Optional[int] = None,
                  p: Optional[int] = None) -> str:
    n, r, p = n or SCRYPT_N, r or SCRYPT_R, p or SCRYPT_P
    salt = os.urandom(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                         maxmem=max(SCRYPT_MAXMEM, 130 * n * r), dklen=KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: Optional[str]) -> bool:
    """True when ``password`` matches ``stored``, using the parameters stored with it."""
    if not stored:
        return False
    try:
        scheme, n_s, r_s, p_s, salt_s, key_s = stored.split("$")
        if scheme != "scrypt":
            return False
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt, key = base64.b64decode(salt_s), base64.b64decode(key_s)
        got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                             maxmem=max(SCRYPT_MAXMEM, 130 * n * r), dklen=len(key))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, key)


def hash_parameters(stored: str) -> dict[str, int]:
    _scheme, n, r, p, _salt, _key = stored.split("$")
    return {"n": int(n), "r": int(r), "p": int(p)}


def check_password_strength(password: str, username: str = "") -> None:
    """Raise ValidationError with the reason when a new password is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    if username and password.lower() == username.lower():
        raise ValidationError("密码不能与用户名相同。")
    kinds = sum((any(c.isalpha() for c in password), any(c.isdigit() for c in password),
                 any(not c.isalnum() for c in password)))
    if kinds < 2:
        raise ValidationError("密码需包含字母、数字、符号中的至少两类。")


# --- sign-in ---------------------------------------------------------------------------------

def _find(session: Session, username: str) -> Optional[User]:
    return session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).one_or_none()


def authenticate(session: Session, username: str, password: str,
                 now: Optional[dt.datetime] = None, *, record: bool = True) -> Actor:
    """Check a sign-in; count failures and lock the account after five in a row.

    The caller must commit even when AuthError is raised, so that the failure count is
    kept: use ``sign_in`` unless a transaction is already open. ``record=False`` leaves out
    the audit event of a successful sign-in (for read-only commands, which write nothing).
    """
    now = now or local_now()
    user = _find(session, username)
    wrong = AuthError("用户名或密码错误。")
    if user is None:
        # Spend the same time as a real check so that timing does not reveal user names.
        verify_password(password, _dummy_hash())
        audit.record(session, None, "login.failed", "user", None,
                     summary=f"登录失败：用户名 {username.strip()[:50]} 不存在")
        raise wrong
    if not user.active:
        raise AuthError("该账号已停用，请联系管理员。")
    if user.locked_until is not None and user.locked_until > now:
        raise _locked_error(user.locked_until, now)
    if not user.password_hash:
        raise AuthError("该账号尚未设置密码，请联系管理员重置密码。")
    right = verify_password(password, user.password_hash)
    if not right:
        failures, locked_until = _count_failure(session, user.id, now)
        actor = Actor.from_user(user)
        if locked_until is not None and locked_until > now:
            if failures == MAX_FAILED_LOGINS:  # this very try set the lock: say so once
                audit.record(session, actor, "user.locked", "user", user.id,
                             summary=f"{user.username} 密码连续输错 {MAX_FAILED_LOGINS} 次，"
                                     f"锁定 {LOCK_MINUTES} 分钟")
            else:
                audit.record(session, actor, "login.failed", "user", user.id,
                             summary=f"{user.username} 密码错误（第 {failures} 次，账号已锁定）")
            raise AuthError(f"密码连续输错 {MAX_FAILED_LOGINS} 次，账号已锁定 "
                            f"{LOCK_MINUTES} 分钟。")
        audit.record(session, actor, "login.failed", "user", user.id,
                     summary=f"{user.username} 密码错误（第 {failures} 次）")
        left = MAX_FAILED_LOGINS - failures
        raise AuthError(f"用户名或密码错误。再错 {left} 次账号将被锁定 {LOCK_MINUTES} 分钟。")
    _clear_failures(session, user, now)
    actor = Actor.from_user(user)
    if record:
        audit.record(session, actor, "login", "user", user.id, summary=f"{user.username} 登录")
    return actor


def _count_failure(session: Session, user_id: int, now: dt.datetime
                   ) -> tuple[int, Optional[dt.datetime]]:
    """Add one failure in a single UPDATE … RETURNING, so parallel guesses all count.

    Reading the counter, adding one in Python and writing it back loses updates when several
    sign-ins run at once; here the database adds one under its row lock. A lock that has run
    out starts the count afresh.
    """
    expired = and_(User.locked_until.is_not(None), User.locked_until <= now)
    counted = case((expired, 1), else_=func.coalesce(User.failed_logins, 0) + 1)
    until = now + dt.timedelta(minutes=LOCK_MINUTES)
    stmt = (update(User).where(User.id == user_id)
            .values(failed_logins=counted,
                    locked_until=case((counted >= MAX_FAILED_LOGINS,
                                       case((and_(User.locked_until.is_not(None),
                                                  User.locked_until > now),
                                             User.locked_until), else_=until)),
                                      else_=None))
            .returning(User.failed_logins, User.locked_until)
            .execution_options(synchronize_session=False))
    failures, locked_until = session.execute(stmt).one()
    return failures, locked_until


def _clear_failures(session: Session, user: User, now: dt.datetime) -> None:
    """A right password: start the count afresh, unless parallel failures locked the account
    after this sign-in looked.

    Nothing is written when there is nothing to clear, so a read-only command's sign-in
    leaves the database file as it was.
    """
    fresh = session.execute(select(User.failed_logins, User.locked_until)
                            .where(User.id == user.id)).one()
    if fresh.locked_until is not None and fresh.locked_until > now:
        raise _locked_error(fresh.locked_until, now)
    if not fresh.failed_logins and fresh.locked_until is None:
        return
    cleared = session.execute(
        update(User).where(User.id == user.id,
                           or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=0, locked_until=None).returning(User.id)
        .execution_options(synchronize_session=False)).first()
    if cleared is None:
        locked = session.scalar(select(User.locked_until).where(User.id == user.id))
        raise _locked_error(locked or now, now)


def _locked_error(until: dt.datetime, now: dt.datetime) -> AuthError:
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return AuthError(f"密码连续输错 {MAX_FAILED_LOGINS} 次，账号已锁定，"
                     f"请 {minutes} 分钟后再试，或请管理员解锁。")


def sign_in(session_factory: Callable[[], Session], username: str, password: str,
            now: Optional[dt.datetime] = None, *, record: bool = True) -> Actor:
    """``authenticate`` in its own transaction, committed whether or not it succeeds."""
    with session_factory() as session:
        try:
            actor = authenticate(session, username, password, now, record=record)
        except AuthError:
            session.commit()
            raise
        session.commit()
        return actor


# --- first start, own password, admin reset ---------------------------------------------------

def needs_first_admin(session: Session) -> bool:
    """True until some active administrator can sign in with a password.

    Never on a connection made with an account's own login: the server authenticated it.
    """
    from taskboard.core import pg_roles

    if pg_roles.managed(session):
        return False
    return session.scalar(
        select(func.count()).select_from(User).where(
            User.role == "admin", User.active.is_(True), User.password_hash.is_not(None))
    ) == 0


def create_first_admin(session: Session, username: str, display_name: str,
                       password: str) -> Actor:
    """Create the administrator on a database nobody can sign in to yet."""
    if not needs_first_admin(session):
        raise ValidationError("数据库已有管理员，请直接登录。")
    username, display_name = username.strip(), display_name.strip()
    if not username:
        raise ValidationError("请填写用户名。")
    if not display_name:
        raise ValidationError("请填写显示名称。")
    check_password_strength(password, username)
    user = _find(session, username)
    if user is not None and user.role != "admin":
        raise ValidationError(f"用户名“{username}”已被其他账号使用。")
    if user is None:
        user = User(username=username, display_name=display_name, role="admin")
        session.add(user)
    user.display_name, user.active = display_name, True
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    actor = Actor.from_user(user)
    audit.record(session, actor, "user.create_admin", "user", user.id,
                 summary=f"首次启动，创建管理员 {username}",
                 after={"username": username, "display_name": display_name, "role": "admin"})
    return actor


def change_password(session: Session, actor: Actor, old_password: str,
                    new_password: str) -> None:
    from taskboard.core import pg_roles

    if pg_roles.managed(session):
        _change_own_login_password(session, actor, old_password, new_password)
        return
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise AuthError("账号不存在或已停用。")
    if not verify_password(old_password, user.password_hash):
        raise AuthError("原密码不正确。")
    if old_password == new_password:
        raise ValidationError("新密码不能与原密码相同。")
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    audit.record(session, actor, "user.password_changed", "user", user.id,
                 summary=f"{user.username} 修改了自己的密码")


def _change_own_login_password(session: Session, actor: Actor, old_password: str,
                               new_password: str) -> None:
    """On a managed PostgreSQL server the server checks the old password and keeps the new."""
    from taskboard.core import pg_roles

    if not pg_roles.check_own_password(session, old_password):
        raise AuthError("原密码不正确。")
    if old_password == new_password:
        raise ValidationError("新密码不能与原密码相同。")
    check_password_strength(new_password, actor.username)
    pg_roles.change_own_password(session, new_password)
    audit.record(session, actor, "user.password_changed", "user", actor.user_id,
                 summary=f"{actor.username} 修改了自己的密码")


def set_password(session: Session, actor: Actor, user: User, new_password: str) -> None:
    """An administrator's reset; also lifts a lockout. Callers check user.manage first.

    On a managed PostgreSQL server the login role gets the password and the account must
    change it at its next sign-in.
    """
    from taskboard.core import pg_roles

    check_password_strength(new_password, user.username)
    if pg_roles.managed(session):
        pg_roles.sync_login(session, user.username, new_password)
        user.must_change_password = True
    else:
        user.password_hash = hash_password(new_password)
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor, "user.password_reset", "user", user.id,
                 summary=f"重置 {user.username} 的密码")


_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """Checked when the user name is unknown; its password is random and thrown away."""
    if SCRYPT_N not in _dummy_hashes:
        _dummy_hashes[SCRYPT_N] = hash_password(_b64(os.urandom(12)))
    return _dummy_hashes[SCRYPT_N]
