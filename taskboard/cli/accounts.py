"""One's own password, and the database login roles of the accounts on PostgreSQL.

``taskboard password`` changes the signed-in account's password (on a server where each account
is a database role, that role's password). ``taskboard admin create-roles`` gives every account
that has no login role yet (a database made before the roles were enforced) one, with a
one-time password shown only this once.
"""
from __future__ import annotations

import getpass
import sys

from sqlalchemy.engine import make_url

from taskboard.cli.common import (
    ENV_USER, CliError, open_db, read_password, server_account, sign_in, stdin_line,
)
from taskboard.core import auth
from taskboard.core.errors import ServiceError

ONE_TIME_WARNING = ("这些一次性密码只显示这一次，程序和数据库都不保存明文：请现在抄下或打印，"
                    "分别当面交给本人。每人首次登录时必须改成只有自己知道的密码。")


def _new_password(args) -> str:
    if args.new_password_stdin:
        return stdin_line("--new-password-stdin")
    if sys.stdin is None or not sys.stdin.isatty():
        raise CliError("请在终端中输入新密码，或用 --new-password-stdin 从标准输入读取。")
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise CliError("两次输入的新密码不一致。")
    return first


def cmd_password(args) -> int:
    import os

    from taskboard.core import server_login

    if args.demo:
        raise CliError("演示数据库是临时的，不能修改其中的密码。")
    db = open_db(args.db)
    try:
        username = (args.user or os.environ.get(ENV_USER, "")).strip()
        account = server_account(db, username)
        try:
            if account is not None:  # the password the server just accepted is the old one
                new = _new_password(args)
                server_login.change_own_password(db, account.actor,
                                                 make_url(db.url).password or "", new)
                who = account.actor.username
            else:
                if not username:
                    sign_in(args, db)  # says how to name the account
                old = read_password(args, f"{username} 的原密码：")
                try:
                    actor = auth.sign_in(db.Session, username, old)
                except auth.AuthError as exc:
                    raise CliError(f"登录失败：{exc}") from None
                new = _new_password(args)
                with db.Session.begin() as s:
                    auth.change_password(s, actor, old, new)
                who = actor.username
        except server_login.SignInRefused as exc:
            raise CliError(str(exc)) from None
        except ServiceError as exc:
            raise CliError(str(exc)) from None
    finally:
        db.dispose()
    print(f"已修改 {who} 的密码，下次登录请使用新密码。")
    return 0


def cmd_create_roles(args) -> int:
    from taskboard.core import pg_roles, server_login

    if args.demo:
        raise CliError("演示数据库是临时的本机文件，没有数据库登录角色。")
    db = open_db(args.db)
    try:
        if db.is_sqlite:
            raise CliError("数据库登录角色只用于 PostgreSQL；本机数据库（SQLite）由程序自己核对密码。")
        actor = sign_in(args, db, read_only=args.dry_run)
        if actor.role != "admin":
            raise CliError("只有管理员可以建立数据库登录角色。")
        with db.session() as s:
            missing = pg_roles.accounts_without_login(s)
        if not missing:
            print("所有账号都已有数据库登录角色，无需建立。")
            return 0
        if args.dry_run:
            print(f"以下 {len(missing)} 个账号还没有数据库登录角色（未作任何改动）：")
            print("、".join(missing))
            return 0
        with db.Session.begin() as s:
            issued = pg_roles.issue_one_time_passwords(s, actor)
        with db.session() as s:
            rows = server_login.issued_rows(s, issued)
    finally:
        db.dispose()
    print(f"已为 {len(issued)} 个账号建立数据库登录角色，并各发一个一次性密码。")
    print(ONE_TIME_WARNING)
    print()
    print(server_login.password_list(rows), end="")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("password", parents=[common], help="修改本人的登录密码（首次登录用一次性密码时必须先改）")
    p.add_argument("--new-password-stdin", action="store_true",
                   help="从标准输入读取新密码（一行；与 --password-stdin 同用时为第二行）")
    p.set_defaults(func=cmd_password)

    p = sub.add_parser("admin", parents=[common], help="PostgreSQL 数据库的管理操作")
    ad = p.add_subparsers(dest="admin_command", metavar="ACTION", required=True, title="操作")
    cr = ad.add_parser("create-roles", parents=[common],
                       help="为还没有数据库登录角色的账号建立角色，并发一次性密码（只显示一次）")
    cr.add_argument("--dry-run", action="store_true", help="只列出缺少登录角色的账号，不作改动")
    cr.set_defaults(func=cmd_create_roles)
