"""Signing in where PostgreSQL enforces the roles: the server, not the program, checks passwords.

A server address without a user name means that every account connects as its own login role
with its own password. The program's password hashes and lockout are then not used: a
reporter's role could not read them anyway, and the server slows guessing itself
(``auth_delay``, ``pg_hba.conf``). An address with a user name keeps the old way: connected as
the schema owner (upgrades, setting up), the program's own sign-in follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from taskboard.core.actor import Actor
from taskboard.core.db import Database, explain_open_error
from taskboard.core.errors import ServiceError

# One message for an unknown user and a wrong password: which one it was is nobody's business.
BAD_CREDENTIALS = "用户名或密码错误。"
DEACTIVATED = "账号“{user}”已停用，不能登录。如需恢复，请联系管理员。"
NOT_UPGRADED = ("数据库还没有升级到本程序的版本，账号暂时不能登录。请管理员先以数据表所有者的身份"
                "连接一次（地址中带所有者的用户名），程序会自动升级。")
OWNER_NEEDS_ADDRESS = ("“{user}”是数据表所有者，只用于升级和设置，不是登录账号。请用带用户名的地址连接"
                       "（postgresql://{user}@服务器/数据库），再以管理员账号登录。")
NOT_AN_ACCOUNT = "数据库用户“{user}”不是 taskboard 的账号，不能登录。请联系管理员。"
MUST_CHANGE = ("账号“{user}”的密码是管理员发的一次性密码，必须先设置新密码：请运行 "
               "taskboard password --db {db} --user {user}（或在窗口中登录，按提示修改），"
               "然后再执行其他命令。")


class SignInRefused(Exception):
    """The server did not let the account in; the message is fit for the user."""


@dataclass(frozen=True)
class ServerAccount:
    """Who a connection as an account's own role is: the server already checked the password."""

    actor: Actor
    must_change_password: bool = False


def signs_in_as_own_role(url: str) -> bool:
    """A PostgreSQL address without a user name: each account brings its own role."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "postgresql" and not parsed.username


def address_for_accounts(url: str) -> str:
    """The address without user and password: the one every account signs in with."""
    u = make_url(url)
    query = {k: v for k, v in u.query.items() if k != "connect_timeout"}
    return URL.create(u.drivername.split("+")[0], host=u.host, port=u.port,
                      database=u.database, query=query).render_as_string()


def with_login(url: str, username: str, password: Optional[str]) -> str:
    parsed = make_url(url).set(username=username)
    if password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


def _refusal(exc: BaseException, url: str, username: str) -> str:
    from taskboard.core.connections import _kind

    detail = str(getattr(exc, "orig", None) or exc)
    # The server says so only after the password was right, so saying it tells nothing new.
    if "not permitted to log in" in detail.lower() or "不允许登录" in detail:
        return DEACTIVATED.format(user=username)
    # pg_hba.conf lines for the taskboard groups ("+taskboard_reporter") turn an unknown
    # name away before any password is asked: answered like a wrong password, so that the
    # answer does not tell which names exist.
    if _kind(detail) in ("password", "role", "no_password", "hba"):
        return BAD_CREDENTIALS
    return explain_open_error(exc, url)


def _check_connection(full: str, username: str) -> None:
    """Connect once: the password, then whether this role is an account and the schema usable."""
    from taskboard.core import pg_roles
    from taskboard.core.connections import SCHEMA_NOTES, schema_state

    engine = create_engine(full, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            state = schema_state(conn)
            with Session(bind=conn) as s:
                kind = pg_roles.connection_kind(s) if state == "current" else \
                    _owner_or_other(conn)
    except Exception as exc:
        raise SignInRefused(_refusal(exc, full, username)) from None
    finally:
        engine.dispose()
    if state in ("newer", "foreign"):
        raise SignInRefused(SCHEMA_NOTES[state])
    if kind == "owner":
        raise SignInRefused(OWNER_NEEDS_ADDRESS.format(user=username))
    if state != "current":
        raise SignInRefused(NOT_UPGRADED)
    if kind != "account":
        raise SignInRefused(NOT_AN_ACCOUNT.format(user=username))


def _owner_or_other(conn) -> str:
    """Before the upgrade the group roles may not exist yet: only ownership can be asked."""
    row = conn.execute(text(
        "SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = "
        "current_schema() AND t.tableowner = session_user) FROM pg_roles r "
        "WHERE r.rolname = session_user")).scalar()
    return "owner" if row else "other"


def open_as_account(url: str, username: str, password: str) -> Database:
    """The database opened as ``username``'s own role; ``db.account`` says who that is."""
    username = username.strip()
    if not username:
        raise SignInRefused("请输入用户名。")
    if not password:
        raise SignInRefused("请输入密码。")
    full = with_login(url, username, password)
    _check_connection(full, username)
    try:
        db = Database(full)  # at head already: nothing to migrate, nothing an account may not do
    except Exception as exc:
        raise SignInRefused(_refusal(exc, full, username)) from None
    try:
        db.account = account_of(db)
        if db.account is None:
            raise SignInRefused(NOT_AN_ACCOUNT.format(user=username))
    except BaseException:
        db.dispose()
        raise
    return db


def account_of(db: Database) -> Optional[ServerAccount]:
    """The account a PostgreSQL connection signs in as by itself, or None when the program's
    own sign-in applies (SQLite, the schema owner, a database that does not enforce roles)."""
    if db.is_sqlite:
        return None
    from taskboard.core import pg_roles

    with db.session() as s:
        if not pg_roles.enforced(s) or pg_roles.connection_kind(s) != "account":
            return None
        try:
            actor = pg_roles.account_actor(s)
        except ServiceError as exc:
            raise SignInRefused(str(exc)) from None
        must = pg_roles.must_change_password(s, actor.username)
    return ServerAccount(actor, must)


def check_password(db: Database, password: str) -> None:
    """Whether ``password`` is the signed-in role's password now (unlocking a locked window)."""
    login = make_url(db.url).username or ""
    full = with_login(db.url, login, password)
    engine = create_engine(full, poolclass=NullPool)
    try:
        with engine.connect():
            pass
    except Exception as exc:
        raise SignInRefused(_refusal(exc, full, login)) from None
    finally:
        engine.dispose()


def change_own_password(db: Database, actor: Actor, old_password: str,
                        new_password: str) -> None:
    """The role's own new password (the server checks the old one, auth.change_password
    audits it); the open window keeps working with the new one."""
    from taskboard.core import auth

    with db.Session.begin() as s:
        auth.change_password(s, actor, old_password, new_password)
    db.use_password(new_password)
    if db.account is not None:
        db.account = ServerAccount(db.account.actor, False)


def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def password_list(rows: list[tuple[str, str, str, str]]) -> str:
    """User name, display name, role and one-time password in aligned columns (a Chinese
    character is two columns wide on a terminal and in a fixed-width font)."""
    table = [("用户名", "显示名称", "角色", "一次性密码"), *rows]
    widths = [max(_columns(r[i]) for r in table) + 2 for i in range(3)]
    return "\n".join(
        "".join(cell + " " * (widths[i] - _columns(cell)) for i, cell in enumerate(r[:3])) + r[3]
        for r in table) + "\n"


def issued_rows(session, issued: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The one-time passwords just given out, with who they are for, in user-name order."""
    from sqlalchemy import select

    from taskboard.core.models import User
    from taskboard.core.services.users import ROLE_WORDS

    people = {u.username: (u.display_name, ROLE_WORDS.get(u.role, u.role)) for u in
              session.scalars(select(User).where(User.username.in_(list(issued))))}
    return [(name, *people.get(name, ("", "")), issued[name]) for name in sorted(issued)]
