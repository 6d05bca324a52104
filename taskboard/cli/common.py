"""What every command shares: errors that exit 2, opening databases, the throwaway demo, and
signing in (``actor = sign_in(args, db)``)."""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import getpass
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy import func, select

from taskboard.core import auth
from taskboard.core.actor import Actor, load_actor
from taskboard.core.db import Database, DatabaseError, open_database
from taskboard.core.models import User
from taskboard.core.periods import Period
from taskboard.core.paths import ENV_USER
from taskboard.cli.failures import CliError  # noqa: F401 (every command raises it from here)


def period_arg(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# The command's options, for open_db: on a PostgreSQL address without a user name, opening
# the database is signing in (--user and the password), and every command opens it the same way.
_command_args: Optional[argparse.Namespace] = None


def use_args(args: Optional[argparse.Namespace]) -> None:
    global _command_args
    _command_args = args


def open_db(url: Optional[str], must_exist: bool = True) -> Database:
    """Open a database for a command; a SQLite file that is not there is refused.

    Only the commands that create databases on purpose (the window's first start, ``demo``)
    pass ``must_exist=False``: for everything else a mistyped path is an error, not a new,
    empty database.
    """
    from taskboard.core.db import resolve_url
    from taskboard.core.server_login import signs_in_as_own_role

    try:
        if signs_in_as_own_role(resolve_url(url)):
            return open_as_own_role(resolve_url(url))
        return open_database(url, must_exist=must_exist)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None


def open_as_own_role(url: str) -> Database:
    from taskboard.core.server_login import SignInRefused, open_as_account

    args = _command_args if _command_args is not None else argparse.Namespace()
    username = (getattr(args, "user", None) or os.environ.get(ENV_USER, "")).strip()
    if not username:
        raise CliError("这个数据库由每个账号以本人的用户名和密码登录：" + HOW_TO_SIGN_IN)
    password = read_password(args, f"{username} 的密码：")
    try:
        return open_as_account(url, username, password)
    except SignInRefused as exc:
        raise CliError(f"登录失败：{exc}") from None


_DEMO_FOLDERS: list[tuple[Path, Database]] = []


def remove_demo_folders() -> None:
    """Delete the throwaway demo databases; run at exit, after the window (if any) closed."""
    while _DEMO_FOLDERS:
        folder, db = _DEMO_FOLDERS.pop()
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(remove_demo_folders)


def open_demo_db(scale: str = "demo", today: Optional[dt.date] = None) -> Database:
    from taskboard.core import demo

    folder = Path(tempfile.mkdtemp(prefix="taskboard-demo-"))
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
    _DEMO_FOLDERS.append((folder, db))
    with db.Session.begin() as s:
        demo.generate(s, scale, today=today or dt.date.today())
    return db


# --- signing in -----------------------------------------------------------------------------

ENV_PASSWORD = "TASKBOARD_PASSWORD"
ENV_PASSWORD_FILE = "TASKBOARD_PASSWORD_FILE"
DEMO_USER = "admin"
# Who acts on a database that has no accounts at all yet: its very first start.
FIRST_START = Actor(None, "", "首次启动（尚无账号）", "admin")

# Writing needs someone the audit trail can name.
NO_ACCOUNTS = ("数据库中还没有管理员，也没有其他账号。请先创建管理员："
               "taskboard users add 用户名 --role admin --db …")
HOW_TO_SIGN_IN = ("用 --user 用户名（或环境变量 TASKBOARD_USER）指定账号；密码在终端中输入，"
                  "或用 --password-stdin 从标准输入读取，或由环境变量 TASKBOARD_PASSWORD、"
                  "TASKBOARD_PASSWORD_FILE（仅本人可读的密码文件）提供。")


def sign_in(args, db: Database, *, read_only: Optional[bool] = None,
            allow_one_time: bool = False) -> Actor:
    """The account a command acts as, signed in with its password (same lockout as the window).

    Only the throwaway ``--demo`` database and a database without any account yet need no
    password; on the latter only reading is possible (FIRST_START), since every write must
    name its author. ``read_only`` (default: the command's ``--dry-run``) also leaves the
    sign-in out of the audit trail, so that a command that must write nothing writes nothing.
    Connected as an account's own PostgreSQL role, the server has checked the password: that
    role is who acts, unless its password is a one-time one still to be changed
    (``allow_one_time`` only for the command that changes it).
    """
    if read_only is None:
        read_only = bool(getattr(args, "dry_run", False))
    username = (getattr(args, "user", None) or os.environ.get(ENV_USER, "")).strip()
    if getattr(args, "demo", False):
        with db.session() as s:
            try:
                return load_actor(s, username or DEMO_USER)
            except LookupError as exc:
                raise CliError(str(exc)) from None
    account = server_account(db, username)
    if account is not None:
        if account.must_change_password and not allow_one_time:
            from taskboard.core.server_login import MUST_CHANGE, address_for_accounts

            raise CliError(MUST_CHANGE.format(user=account.actor.username,
                                              db=address_for_accounts(db.url)))
        return account.actor
    with db.session() as s:
        if not s.scalar(select(func.count()).select_from(User)):
            if read_only:
                return FIRST_START
            raise CliError(NO_ACCOUNTS)
    if not username:
        raise CliError("请先登录：" + HOW_TO_SIGN_IN)
    password = read_password(args, f"{username} 的密码：")
    try:
        return auth.sign_in(db.Session, username, password, record=not read_only)
    except auth.AuthError as exc:
        raise CliError(f"登录失败：{exc}") from None


def server_account(db: Database, username: str):
    """The account a PostgreSQL connection is by itself (core/server_login.py), else None."""
    from taskboard.core.server_login import SignInRefused, account_of

    try:
        account = db.account if db.account is not None else account_of(db)
    except SignInRefused as exc:
        raise CliError(f"登录失败：{exc}") from None
    if account is not None and username and username != account.actor.username:
        raise CliError(f"已以数据库用户“{account.actor.username}”连接，不能再以“{username}”登录："
                       "请去掉 --user，或在数据库地址中换成该用户。")
    return account


def read_password(args, prompt: str) -> str:
    """The sign-in password: --password-stdin, TASKBOARD_PASSWORD, the password file, or a
    prompt on the terminal, in that order."""
    if getattr(args, "password_stdin", False):
        return stdin_line("--password-stdin")
    if ENV_PASSWORD in os.environ:
        return os.environ[ENV_PASSWORD]
    if os.environ.get(ENV_PASSWORD_FILE):
        return read_password_file(Path(os.environ[ENV_PASSWORD_FILE]).expanduser())
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise CliError("没有终端可以输入密码。" + HOW_TO_SIGN_IN)


def stdin_line(option: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise CliError(f"{option}：标准输入中没有密码（应为一行）。")
    return line.rstrip("\r\n")


def read_password_file(path: Path, *, windows: Optional[bool] = None) -> str:
    """A scheduled job's password, from a file nobody else can read."""
    windows = os.name == "nt" if windows is None else windows
    try:
        st = path.stat()
    except OSError:
        raise CliError(f"密码文件不存在或无法读取：{path}（环境变量 {ENV_PASSWORD_FILE}）") from None
    if not stat.S_ISREG(st.st_mode):
        raise CliError(f"密码文件应为普通文件：{path}")
    if windows:
        # Windows has no file modes to check: a file in one's own profile folder is one that
        # other (non-administrator) users cannot read.
        home = Path(os.environ.get("USERPROFILE") or Path.home()).resolve()
        real = path.resolve()
        if real != home and home not in real.parents:
            raise CliError(f"在 Windows 上，密码文件必须放在本人的用户文件夹（{home}）之内，"
                           f"那里的文件其他用户无权读取；{path} 不在其中。")
    else:
        if st.st_mode & 0o077:
            raise CliError(f"密码文件 {path} 的权限为 {stat.S_IMODE(st.st_mode):o}，其他用户也能读取，"
                           f"已拒绝使用。请执行 chmod 600 {path} 后重试。")
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise CliError(f"密码文件 {path} 不属于当前用户，已拒绝使用。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"无法读取密码文件 {path}：{exc}") from None
    password = text.splitlines()[0] if text.strip() else ""
    if not password:
        raise CliError(f"密码文件 {path} 是空的。")
    return password
