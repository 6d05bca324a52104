"""The command line: the GUI by default, subcommands for headless jobs."""
from __future__ import annotations

import argparse
import atexit
import importlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from taskboard import __version__
from taskboard.core.actor import Actor, load_actor
from taskboard.core.board import load_board
from taskboard.core.connections import with_env_password
from taskboard.core.db import Database, DatabaseError, open_database, resolve_url
from taskboard.core.models import Campaign, User
from taskboard.core.periods import Period
from taskboard.core.rules import DueState
from taskboard.core.settings import load_calendar, load_settings


# Modules whose ``register(subparsers, common_parser)`` adds their subcommands.
COMMAND_MODULES: list[str] = [
    "taskboard.bench",
    "taskboard.demo_cli",
    "taskboard.admin_cli",
    "taskboard.notify.cli",
    "taskboard.notify.notices_cli",
    "taskboard.excel.cli",
    "taskboard.settings_cli",
]


class CliError(Exception):
    """A failure to report on stderr with exit status 2."""


# argparse's own messages (Python 3.9+), said in Chinese.
_ARGPARSE_WORDS: list[tuple[str, str]] = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"one of the arguments (.*) is required", r"以下参数必须给出一个：\1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是：\2"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"取值无效：\1（可选：\2）"),
    (r"invalid int value: (.*)", r"应为整数，收到：\1"),
    (r"invalid float value: (.*)", r"应为数字，收到：\1"),
    (r"invalid (\S+) value: (.*)", r"取值无效：\2"),
    (r"expected one argument", "后面需要一个值"),
    (r"expected at least one argument", "后面至少需要一个值"),
    (r"expected at most one argument", "后面最多只能有一个值"),
    (r"ignored explicit argument (.*)", r"不接受取值：\1"),
    (r"not allowed with argument (.*)", r"不能与 \1 同时使用"),
]


def chinese_argparse_message(message: str) -> str:
    """"argument --period: 月份无效…" becomes "--period 月份无效…"; English words become Chinese."""
    m = re.fullmatch(r"argument (\S+?): (.*)", message, re.S)
    name, rest = (m[1], m[2]) if m else ("", message)
    for pattern, word in _ARGPARSE_WORDS:
        if re.fullmatch(pattern, rest, re.S):
            rest = re.sub(pattern, word, rest, flags=re.S)
            break
    if name in ("COMMAND", "ACTION") and rest.startswith("取值无效"):
        return "没有这个子命令" + rest[len("取值无效"):]
    return f"{name} {rest}" if name else rest


class TaskboardParser(argparse.ArgumentParser):
    """Usage errors in Chinese, worded and exiting (2) like the program's own errors.

    ``add_subparsers`` makes its parsers of the parser's own class, so every subcommand
    (and ``users``' actions) gets this behaviour too.
    """

    def __init__(self, *args, parents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出"
        # Parents are added after the renaming, so their options join the same "选项" group.
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "用法：", 1)

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误：{chinese_argparse_message(message)}\n")


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_db(url: Optional[str], must_exist: bool = True) -> Database:
    """Open a database for a command; a SQLite file that is not there is refused.

    Only the commands that create databases on purpose (the window's first start, ``demo``)
    pass ``must_exist=False``: for everything else a mistyped path is an error, not a new,
    empty database.
    """
    try:
        return open_database(url, must_exist=must_exist)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None


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


def first_admin(db: Database) -> Actor:
    """Until sign-in exists, a database is opened as its first administrator."""
    with db.Session.begin() as s:
        user = s.scalars(select(User).where(User.role == "admin", User.active.is_(True))
                         .order_by(User.id)).first()
        if user is None:
            user = User(username="admin", display_name="系统管理员", role="admin")
            s.add(user)
            s.flush()
        return Actor.from_user(user)


# --- subcommands ---------------------------------------------------------------------------

def cmd_gui(args) -> int:
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from taskboard.ui.app import run

    if args.demo:
        from taskboard.core.demo import DEMO_DISPATCHER

        db = open_demo_db()
        with db.session() as s:
            actor = load_actor(s, DEMO_DISPATCHER)
    else:
        from taskboard.admin_cli import backup_at_start, check_before_open

        if args.connect and not args.screenshot:
            from taskboard.ui.app import ensure_app
            from taskboard.ui.connection_actions import connect_at_start

            ensure_app()
            db = connect_at_start(args.db)
            if db is None:
                return 0
        else:
            check_before_open(args.db, gui=not args.screenshot)
            db = open_db(with_env_password(resolve_url(args.db)), must_exist=False)
        if args.screenshot:  # a rendering job, not a user: no sign-in
            actor = first_admin(db)
        else:
            from taskboard.ui.app import ensure_app
            from taskboard.ui.login_dialog import ask_sign_in

            ensure_app()
            actor = ask_sign_in(db)
            if actor is None:
                return 0
            backup_at_start(db)
    return run(db, actor, Path(args.screenshot) if args.screenshot else None)


def cmd_stats(args) -> int:
    db = open_demo_db() if args.demo else open_db(args.db)
    today = dt.date.today()
    period = args.period or Period.of(today)
    out = []
    with db.session() as s:
        cal, settings = load_calendar(s), load_settings(s)
        campaigns = s.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id)).all()
        for cid, name in campaigns:
            board = load_board(s, cid, period, today, cal, settings)
            counts = board.counts()
            states = [row.due_state for row in board.rows]
            alights = {"green": 0, "blue": 0, "red": 0}
            for rows in board.assignments.values():
                for a in rows:
                    alights[a.light.name.lower()] += 1
            out.append({
                "campaign_id": cid, "campaign": name, "period": str(period),
                "tasks": counts["tasks"],
                "lights": {k: counts[k] for k in ("green", "blue", "red")},
                "assignment_lights": alights,
                "due": {"overdue": counts["overdue"], "near_due": counts["near_due"],
                        "done": counts["done"], "normal": states.count(DueState.NORMAL),
                        "ongoing": states.count(DueState.ONGOING)},
                "lagging": counts["lagging"],
            })
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for c in out:
            l, d = c["lights"], c["due"]
            print(f"{c['campaign']} · {period.label}：任务 {c['tasks']} 项")
            print(f"  绿灯 {l['green']}  蓝灯 {l['blue']}  红灯 {l['red']}")
            print(f"  已完成 {d['done']}  临期 {d['near_due']}  超期 {d['overdue']}"
                  f"  正常 {d['normal']}  长期 {d['ongoing']}  滞后 {c['lagging']}")
        if not out:
            print("数据库中还没有专项工作。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = TaskboardParser(add_help=False)
    common.add_argument("--db", metavar="URL",
                        help="数据库：SQLite 文件路径或数据库地址（默认依次为环境变量 TASKBOARD_DB、"
                             "本机用户数据文件）")
    common.add_argument("--demo", action="store_true",
                        help="使用临时演示数据库（程序退出时删除）")
    parser = TaskboardParser(
        prog="taskboard", parents=[common],
        description="挂图作战 · 任务调度平台。不带子命令时打开窗口。")
    parser.add_argument("--version", action="version", version=f"taskboard {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("--screenshot", metavar="FILE",
                        help="不显示窗口，把主窗口画成 PNG 图片后退出")
    parser.add_argument("--connect", action="store_true",
                        help="登录前在对话框中选择数据库（本机文件或 PostgreSQL 服务器）")
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令")

    stats = sub.add_parser("stats", parents=[common], help="统计各专项的亮灯与到期情况")
    stats.add_argument("--period", type=_period, metavar="YYYY-MM", help="月份（默认本月）")
    stats.add_argument("--json", action="store_true", help="以 JSON 格式输出")
    stats.set_defaults(func=cmd_stats)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.demo and args.db:
            raise CliError("--demo 与 --db 不能同时使用")
        return args.func(args)
    except CliError as exc:
        print(f"taskboard: 错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
