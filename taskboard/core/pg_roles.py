"""Login roles on PostgreSQL: one per account, kept in step with the account row.

The server authenticates: a password travels only as its SCRAM-SHA-256 verifier, computed
here, and the database functions of core.pg_security (SECURITY DEFINER, owned by the schema
owner) create, rename and alter the roles. Nothing here applies to SQLite.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stringprep
import unicodedata
from typing import Optional

from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import ServiceError
from taskboard.core.models import User
from taskboard.core.pg_security import GROUPS

GROUP_ROLES: dict[str, str] = dict(GROUPS)
SCRAM_ITERATIONS = 4096
# Letters, digits and a few signs every keyboard has; no look-alikes (0/O, 1/l/I).
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_SIGNS = "-_.!@#%+="


class LoginRoleError(ServiceError):
    """The server refused a login-role change; the message is the database's own (Chinese)."""


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def enforced(session: Session) -> bool:
    """PostgreSQL with the 0008 objects installed (the group roles and their functions)."""
    if not _is_pg(session):
        return False
    return bool(session.scalar(text(
        "SELECT to_regprocedure('taskboard_sync_login(text, text)') IS NOT NULL")))


def connection_kind(session: Session) -> str:
    """"owner" (the tables' owner or a superuser), "account" (a login member of a taskboard
    group) or "other"."""
    if not _is_pg(session):
        return "owner"
    row = session.execute(text(
        "SELECT r.rolsuper, pg_get_userbyid(c.relowner) = session_user, "
        "  EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "          WHERE m.member = r.oid AND g.rolname = ANY(:groups)) "
        "FROM pg_roles r, pg_class c WHERE r.rolname = session_user "
        "AND c.oid = to_regclass('task')"), {"groups": list(GROUP_ROLES.values())}).one_or_none()
    if row is None:
        return "other"
    superuser, owner, member = row
    if superuser or owner:
        return "owner"
    return "account" if member else "other"


def managed(session: Session) -> bool:
    """Accounts' passwords live on the server: enforced, and connected as an account.

    Connected as the owner (a migration, the first start after the upgrade, a superuser's
    maintenance) the program's own password hashes still apply, as on SQLite.
    """
    # Asking must not flush the caller's pending changes: the audit trail judges the
    # actor by the account as stored (core.actor.account_change).
    with session.no_autoflush:
        return enforced(session) and connection_kind(session) == "account"


# --- SCRAM-SHA-256 (RFC 5802, RFC 7677), as PostgreSQL stores it ------------------------------

def saslprep(password: str) -> str:
    """RFC 4013 SASLprep, as libpq applies it before hashing; the password unchanged when it
    is not a valid SASLprep string (libpq then uses the raw bytes too)."""
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password
                     if not stringprep.in_table_b1(c))
    normal = unicodedata.normalize("NFKC", mapped)
    prohibited = (stringprep.in_table_c12, stringprep.in_table_c21_c22, stringprep.in_table_c3,
                  stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6,
                  stringprep.in_table_c7, stringprep.in_table_c8, stringprep.in_table_c9)
    if any(check(c) for c in normal for check in prohibited):
        return password
    if any(stringprep.in_table_d1(c) for c in normal):
        if any(stringprep.in_table_d2(c) for c in normal) or not (
                stringprep.in_table_d1(normal[0]) and stringprep.in_table_d1(normal[-1])):
            return password
    return normal


def scram_verifier(password: str, *, salt: Optional[bytes] = None,
                   iterations: int = SCRAM_ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``, all base64."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _call(session: Session, sql: str, params: dict) -> None:
    """Run a login-role function in a savepoint, so a refusal leaves the transaction usable."""
    try:
        with session.begin_nested():
            session.execute(text(sql), params)
    except DBAPIError as exc:
        raise LoginRoleError(_server_message(exc)) from None


def _server_message(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    message = primary or str(exc.orig).splitlines()[0]
    # Our own functions raise in Chinese; anything else is the server's English, which a
    # dispatcher should not see alone.
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return f"数据库服务器拒绝了登录角色的修改（{message}）。请把这句话告诉数据库管理员。"
    return message


def sync_login(session: Session, username: str, password: Optional[str] = None) -> None:
    """Make the login role match the account row (LOGIN while active, its one group role,
    CONNECT here), with ``password`` when given. Call after the row is flushed."""
    session.flush()
    _call(session, "SELECT taskboard_sync_login(:u, :v)",
          {"u": username, "v": scram_verifier(password) if password else None})


def rename_login(session: Session, old: str, new: str) -> None:
    session.flush()
    _call(session, "SELECT taskboard_rename_login(:o, :n)", {"o": old, "n": new})


def change_own_password(session: Session, new_password: str) -> None:
    """The signed-in role's own password; also clears must_change_password."""
    _call(session, "SELECT taskboard_change_own_password(:v)",
          {"v": scram_verifier(new_password)})


def check_own_password(session: Session, password: str) -> bool:
    """Whether the server accepts ``password`` for the connected role (a fresh connection)."""
    import psycopg

    url = session.get_bind().engine.url
    user = session.scalar(text("SELECT session_user"))
    try:
        psycopg.connect(host=url.host or "localhost", port=url.port or 5432, user=user,
                        password=password, dbname=url.database, connect_timeout=10,
                        **{k: v for k, v in url.query.items() if isinstance(v, str)}).close()
    except psycopg.OperationalError:
        return False
    return True


_ACCOUNT_COLUMNS = (User.id, User.username, User.display_name, User.role, User.unit_id,
                    User.leader_name, User.limit_to_own_tasks, User.active)


def account_actor(session: Session) -> Actor:
    """The account the connection signed in as (found by session_user)."""
    name = session.scalar(text("SELECT session_user"))
    row = session.execute(select(*_ACCOUNT_COLUMNS).where(User.username == name)).one_or_none()
    if row is None:
        raise ServiceError(f"数据库登录角色“{name}”没有对应的 taskboard 账号，请联系管理员。")
    if not row.active:
        raise ServiceError("该账号已停用，请联系管理员。")
    return Actor(row.id, row.username, row.display_name, row.role, row.unit_id,
                 row.leader_name, row.limit_to_own_tasks)


def must_change_password(session: Session, username: str) -> bool:
    return bool(session.scalar(select(User.must_change_password)
                               .where(User.username == username)))


def accounts_without_login(session: Session) -> list[str]:
    """Active accounts with no login role of this database yet (first start after 0008)."""
    if not enforced(session):
        return []
    return list(session.scalars(text(
        "SELECT u.username FROM user_account u WHERE u.active AND NOT EXISTS ("
        " SELECT 1 FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r"
        " ON r.oid = a.grantee WHERE d.datname = current_database()"
        " AND r.rolname = u.username) ORDER BY u.id")))


def login_names(session: Session) -> set[str]:
    """The login roles of this database (granted CONNECT here by name, able to log in)."""
    return set(session.scalars(text(
        "SELECT r.rolname FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r "
        "ON r.oid = a.grantee WHERE d.datname = current_database() AND r.rolcanlogin")))


def one_time_password() -> str:
    """16 characters from letters, digits and signs; always all three kinds."""
    while True:
        chars = [secrets.choice(_ALPHABET + _SIGNS) for _ in range(16)]
        pw = "".join(chars)
        if (any(c.isalpha() for c in pw) and any(c.isdigit() for c in pw)
                and any(c in _SIGNS for c in pw)):
            return pw


def issue_one_time_passwords(session: Session, actor: Actor) -> dict[str, str]:
    """Give every active account without a login role one: a random password, to be shown
    once and changed at the first sign-in. Returns username → password."""
    permissions.require(actor, "user.manage")
    out: dict[str, str] = {}
    for username in accounts_without_login(session):
        password = one_time_password()
        sync_login(session, username, password)
        user_id = session.scalar(select(User.id).where(User.username == username))
        session.execute(update(User).where(User.id == user_id)
                        .values(must_change_password=True)
                        .execution_options(synchronize_session=False))
        audit.record(session, actor, "user.login_created", "user", user_id,
                     summary=f"为 {username} 建立数据库登录角色并发放一次性密码")
        out[username] = password
    return out

