"""Administration on the command line: backup, restore, integrity check, user accounts."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import make_url

from taskboard.core import auth, backup
from taskboard.core.actor import Actor
from taskboard.core.db import resolve_url
from taskboard.core.errors import ServiceError
from taskboard.core.migrate import alembic_config
from taskboard.core.models import ROLES, User
from taskboard.core.services import users
from taskboard.core.settings import load_settings

PG_ADVICE = ("PostgreSQL 数据库请用服务器自带的工具备份与恢复（pg_dump / pg_restore），"
             "见 README。")


def _cli():
    # Imported late: cli imports this module while building its parser.
    from taskboard import cli

    return cli


def _sqlite_path(args) -> Path:
    url = make_url(resolve_url(args.db))
    if url.get_backend_name() != "sqlite":
        raise _cli().CliError(PG_ADVICE)
    if not url.database or url.database == ":memory:":
        raise _cli().CliError("内存数据库无法备份。")
    return Path(url.database)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def cmd_backup(args) -> int:
    path = _sqlite_path(args)
    if not path.is_file():
        raise _cli().CliError(f"数据库文件不存在：{path}")
    keep = args.keep_days
    if keep is None:
        db = _cli().open_db(args.db)
        with db.session() as s:
            keep = load_settings(s).backup_keep_days
        db.dispose()
    try:
        made = backup.backup(path, args.to)
        removed = backup.prune(made.parent, keep)
    except backup.BackupError as exc:
        raise _cli().CliError(str(exc)) from None
    print(f"已备份到 {made}")
    if removed:
        print(f"按保留 {keep} 天的设置删除了 {len(removed)} 个旧备份")
    return 0


def cmd_restore(args) -> int:
    path = _sqlite_path(args)
    source = Path(args.file)
    if not args.yes:
        if not sys.stdin.isatty():
            raise _cli().CliError("恢复会覆盖当前数据库；请加 --yes 确认。")
        answer = input(f"用 {source} 覆盖 {path}？当前数据会先另存一份备份。[y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("已取消。")
            return 1
    try:
        safety = backup.restore(source, path, known_revisions=_known_revisions())
    except backup.BackupError as exc:
        raise _cli().CliError(str(exc)) from None
    print(f"已从 {source} 恢复。")
    if safety is not None:
        print(f"恢复前的数据库已另存为 {safety}")
    return 0


def cmd_check(args) -> int:
    path = _sqlite_path(args)
    problems = backup.integrity_problems(path)
    if problems:
        raise _cli().CliError(f"完整性检查未通过：{'; '.join(problems[:10])}")
    print(f"完整性检查通过：{path}")
    return 0


# --- users ------------------------------------------------------------------------------------

def _read_password(args, prompt: str = "密码：") -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise _cli().CliError("请在终端中输入密码，或用 --password-stdin 从标准输入读取。")
    first = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != first:
        raise _cli().CliError("两次输入的密码不一致。")
    return first


def _admin_actor(session) -> Optional[Actor]:
    """Whoever holds the database file acts as its first active administrator."""
    user = session.scalars(select(User).where(User.role == "admin", User.active.is_(True))
                           .order_by(User.id)).first()
    return Actor.from_user(user) if user else None


def _find_user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise _cli().CliError(f"用户不存在：{username}")
    return user


def cmd_users(args) -> int:
    cli = _cli()
    db = cli.open_demo_db() if args.demo else cli.open_db(args.db)
    try:
        with db.Session.begin() as s:
            actor = _admin_actor(s)
            if args.users_command == "list":
                if actor is None:
                    print("数据库中还没有管理员。用 taskboard users add NAME --role admin 创建。")
                    return 0
                for r in users.list_users(s, actor):
                    state = "停用" if not r.active else "锁定" if r.locked() else "正常"
                    print(f"{r.id:>4}  {r.username:<12} {r.display_name:<16} {r.role_word:<6}"
                          f" {r.unit_name:<14} {'有密码' if r.has_password else '无密码'}"
                          f"  {state}")
            elif args.users_command == "add":
                password = _read_password(args)
                if actor is None or auth.needs_first_admin(s) and args.role == "admin":
                    if args.role != "admin":
                        raise cli.CliError("请先创建管理员：--role admin。")
                    auth.create_first_admin(s, args.username, args.display_name or "系统管理员",
                                            password)
                else:
                    users.create_user(s, actor, users.UserInput(
                        args.username, args.display_name or args.username, args.role,
                        args.unit), password)
                print(f"已创建用户 {args.username}")
            elif args.users_command == "passwd":
                target = _find_user(s, args.username)
                password = _read_password(args, "新密码：")
                if actor is None:
                    raise cli.CliError("数据库中还没有管理员。")
                users.reset_password(s, actor, target.id, password)
                print(f"已重置 {args.username} 的密码并解除锁定")
            elif args.users_command == "unlock":
                target = _find_user(s, args.username)
                if actor is None:
                    raise cli.CliError("数据库中还没有管理员。")
                users.unlock(s, actor, target.id)
                print(f"已解锁 {args.username}")
    except ServiceError as exc:
        raise cli.CliError(str(exc)) from None
    finally:
        db.dispose()
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("backup", parents=[common],
                       help="back up the SQLite database now (online copy)")
    p.add_argument("--to", type=Path, metavar="DIR",
                   help="folder for the copy (default: backups/ beside the database)")
    p.add_argument("--keep-days", type=int, metavar="N",
                   help="delete backups older than N days (default: the database setting)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="replace the SQLite database with a backup that passes the check")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("check", parents=[common], help="integrity check of the SQLite database")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("users", parents=[common], help="list and manage user accounts")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    us.add_parser("list", parents=[common], help="list accounts")
    add = us.add_parser("add", parents=[common], help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", default="")
    add.add_argument("--unit", type=int, metavar="UNIT_ID", help="a reporter's unit")
    add.add_argument("--password-stdin", action="store_true")
    pw = us.add_parser("passwd", parents=[common], help="reset a password (lifts a lockout)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    ul = us.add_parser("unlock", parents=[common], help="lift a lockout")
    ul.add_argument("username")
    p.set_defaults(func=cmd_users)


# --- start-up of the window -------------------------------------------------------------------

def check_before_open(url_arg: Optional[str], gui: bool = True) -> None:
    """Integrity check of an existing SQLite file before migrations touch it."""
    url = make_url(resolve_url(url_arg))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    if not path.is_file():
        return
    try:
        backup.check_at_start(path)
    except backup.BackupError as exc:
        if gui:
            from PySide6.QtWidgets import QMessageBox

            from taskboard.ui.app import ensure_app

            ensure_app()
            QMessageBox.critical(None, "数据库损坏", str(exc))
        raise _cli().CliError(str(exc)) from None


def backup_at_start(db) -> Optional[Path]:
    """The start-up copy of a SQLite database; a failure is reported, never fatal."""
    path = db.sqlite_path
    if path is None or not path.is_file():
        return None
    try:
        with db.session() as s:
            keep = load_settings(s).backup_keep_days
        return backup.daily_backup(path, keep, force=True)
    except (backup.BackupError, OSError) as exc:
        print(f"taskboard: 警告：启动备份失败：{exc}", file=sys.stderr)
        return None
