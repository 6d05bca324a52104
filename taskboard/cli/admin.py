"""Administration on the command line: backup, restore, integrity check, user accounts."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from taskboard.cli.common import CliError, open_db, sign_in, stdin_line
from taskboard.core import auth, backup
from taskboard.core.db import resolve_url
from taskboard.core.migrate import known_revisions
from taskboard.core.models import ROLES, User
from taskboard.core.services import users
from taskboard.core.settings import load_settings

PG_ADVICE = ("PostgreSQL 数据库请用服务器自带的工具备份与恢复（pg_dump / pg_restore），"
             "见 README。")



DEMO_REFUSED = "演示数据库是临时的，不能{}。要保留演示数据，请用 taskboard demo --db 文件 生成一个。"


def _refuse_demo(args, what: str) -> None:
    if args.demo:
        raise CliError(DEMO_REFUSED.format(what))


def _sqlite_path(args) -> Path:
    url = make_url(resolve_url(args.db))
    if url.get_backend_name() != "sqlite":
        raise CliError(PG_ADVICE)
    if not url.database or url.database == ":memory:":
        raise CliError("内存数据库无法备份。")
    return Path(url.database)


def cmd_backup(args) -> int:
    _refuse_demo(args, "备份或恢复")
    path = _sqlite_path(args)
    if not path.is_file():
        raise CliError(f"数据库文件不存在：{path}")
    keep = args.keep_days
    if keep is None:
        db = open_db(args.db)
        with db.session() as s:
            keep = load_settings(s).backup_keep_days
        db.dispose()
    try:
        made = backup.backup(path, args.to)
        removed = backup.prune(made.parent, keep)
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"已备份到 {made}")
    if removed:
        print(f"按保留 {keep} 天的设置删除了 {len(removed)} 个旧备份")
    return 0


def cmd_restore(args) -> int:
    _refuse_demo(args, "备份或恢复")
    path = _sqlite_path(args)
    source = Path(args.file)
    try:  # a file that would be refused anyway is refused before asking
        backup.check_restorable(source, path, known_revisions=known_revisions())
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("恢复会覆盖当前数据库，需要确认：在终端中运行并回答 y，"
                                  "或加 --yes。")
        print("当前数据会先另存一份备份。")
        answer = input(f"确认用 {source} 覆盖当前数据库 {path} 吗？[y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("已取消，数据库未改动。")
            return 1
    try:
        safety = backup.restore(source, path, known_revisions=known_revisions())
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"已从 {source} 恢复。")
    if safety is not None:
        print(f"恢复前的数据库已另存为 {safety}")
    return 0


def cmd_check(args) -> int:
    _refuse_demo(args, "检查")
    path = _sqlite_path(args)
    if path.is_dir():
        raise CliError(f"这是一个文件夹，不是数据库文件：{path}")
    if not path.exists():
        raise CliError(f"数据库文件不存在：{path}")
    problems = backup.integrity_problems(path)
    if problems:
        raise CliError(f"完整性检查未通过：{'; '.join(problems[:10])}")
    print(f"完整性检查通过：{path}")
    return 0


# --- users ------------------------------------------------------------------------------------

def _new_password(args, prompt: str = "新账号的密码：") -> str:
    """The password to give an account (not the one to sign in with).

    With both --password-stdin and --new-password-stdin, standard input's first line is the
    sign-in password (already read by then) and the next line the new one.
    """
    if args.new_password_stdin:
        return stdin_line("--new-password-stdin")
    if not sys.stdin.isatty():
        raise CliError("请在终端中输入新密码，或用 --new-password-stdin 从标准输入读取。")
    first = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != first:
        raise CliError("两次输入的密码不一致。")
    return first


def _find_user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise CliError(f"用户不存在：{username}")
    return user


def _first_admin(args, db) -> bool:
    """On a database nobody can sign in to as administrator yet, ``users add NAME --role
    admin`` creates that administrator without a sign-in, as the window's first start does."""
    if db.account is not None:  # signed in on the server as an account: long past that start
        return False
    with db.session() as s:
        first = auth.needs_first_admin(s)
    if not first:
        return False
    if args.users_command == "list":
        with db.session() as s:
            if not s.scalar(select(func.count()).select_from(User)):
                print("数据库中还没有管理员。用 taskboard users add NAME --role admin 创建。")
                return True
        return False
    if args.users_command != "add":
        return False
    if args.role != "admin":
        raise CliError("数据库中还没有可以登录的管理员，请先创建管理员：--role admin。")
    password = _new_password(args)
    with db.Session.begin() as s:
        auth.create_first_admin(s, args.username, args.display_name or "系统管理员", password)
    print(f"已创建管理员 {args.username}")
    return True


def cmd_users(args) -> int:
    _refuse_demo(args, "管理其中的用户账号")
    db = open_db(args.db)
    try:
        if _first_admin(args, db):
            return 0
        actor = sign_in(args, db, read_only=args.users_command == "list")
        with db.Session.begin() as s:
            if args.users_command == "list":
                for r in users.list_users(s, actor):
                    state = "停用" if not r.active else "锁定" if r.locked() else "正常"
                    print(f"{r.id:>4}  {r.username:<12} {r.display_name:<16} {r.role_word:<6}"
                          f" {r.unit_name:<14} {'有密码' if r.has_password else '无密码'}"
                          f"  {state}")
            elif args.users_command == "add":
                password = _new_password(args)
                users.create_user(s, actor, users.UserInput(
                    args.username, args.display_name or args.username, args.role,
                    args.unit), password)
                print(f"已创建用户 {args.username}")
            elif args.users_command == "passwd":
                target = _find_user(s, args.username)
                password = _new_password(args, "新密码：")
                users.reset_password(s, actor, target.id, password)
                print(f"已重置 {args.username} 的密码并解除锁定")
            elif args.users_command == "unlock":
                target = _find_user(s, args.username)
                users.unlock(s, actor, target.id)
                print(f"已解锁 {args.username}")
    finally:
        db.dispose()
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("backup", parents=[common],
                       help="立即备份 SQLite 数据库（程序运行中也可以备份）")
    p.add_argument("--to", type=Path, metavar="DIR",
                   help="备份存放的文件夹（默认为数据库旁的 backups 文件夹）")
    p.add_argument("--keep-days", type=int, metavar="N",
                   help="删除 N 天前的旧备份（默认按数据库中的设置）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="用通过完整性检查的备份文件覆盖当前 SQLite 数据库")
    p.add_argument("file", metavar="FILE", help="备份文件")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("check", parents=[common], help="检查 SQLite 数据库文件是否完好")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("users", parents=[common], help="查看和管理用户账号")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True, title="操作")
    us.add_parser("list", parents=[common], help="列出账号")
    add = us.add_parser("add", parents=[common], help="新建账号")
    add.add_argument("username", help="登录名")
    add.add_argument("--role", choices=ROLES, required=True,
                     help="角色：admin 管理员、dispatcher 调度人员、leader 领导、reporter 报送员")
    add.add_argument("--display-name", default="", metavar="名称", help="显示名称，如“综合科”")
    add.add_argument("--unit", type=int, metavar="UNIT_ID", help="报送员所属单位的编号")
    add.add_argument("--new-password-stdin", action="store_true",
                     help="从标准输入读取新账号的密码（一行；与 --password-stdin 同用时为第二行）")
    pw = us.add_parser("passwd", parents=[common], help="重设密码（同时解除锁定）")
    pw.add_argument("username", help="登录名")
    pw.add_argument("--new-password-stdin", action="store_true",
                    help="从标准输入读取新密码（一行；与 --password-stdin 同用时为第二行）")
    ul = us.add_parser("unlock", parents=[common], help="解除账号锁定")
    ul.add_argument("username", help="登录名")
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
        raise CliError(str(exc)) from None


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
