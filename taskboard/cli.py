"""The command line: the GUI by default, subcommands for headless jobs."""
from __future__ import annotations

import argparse
import importlib
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from taskboard import __version__
from taskboard.core.actor import Actor, load_actor
from taskboard.core.board import load_board
from taskboard.core.connections import public_url, with_env_password
from taskboard.core.db import Database, resolve_url
from taskboard.core.migrate import DatabaseTooNewError
from taskboard.core.models import Campaign, User
from taskboard.core.periods import Period
from taskboard.core.settings import load_calendar, load_settings


# Modules whose ``register(subparsers, common_parser)`` adds their subcommands.
COMMAND_MODULES: list[str] = [
    "taskboard.bench",
    "taskboard.demo_cli",
    "taskboard.admin_cli",
    "taskboard.notify.cli",
    "taskboard.excel.cli",
]


class CliError(Exception):
    """A failure to report on stderr with exit status 2."""


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_db(url: Optional[str]) -> Database:
    try:
        return Database(resolve_url(url))
    except DatabaseTooNewError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:
        raise CliError(f"无法打开数据库 {public_url(resolve_url(url))}：{exc}") from None


def open_demo_db(scale: str = "demo", today: Optional[dt.date] = None) -> Database:
    from taskboard.core import demo

    folder = Path(tempfile.mkdtemp(prefix="taskboard-demo-"))
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
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
            db = open_db(with_env_password(resolve_url(args.db)))
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
                        "done": counts["done"]},
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
                  f"  滞后 {c['lagging']}")
        if not out:
            print("数据库中还没有专项工作。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL",
                        help="SQLAlchemy URL or SQLite file (default: TASKBOARD_DB, then the "
                             "per-user data file)")
    common.add_argument("--demo", action="store_true",
                        help="use a throwaway demo database")
    parser = argparse.ArgumentParser(
        prog="taskboard", parents=[common],
        description="挂图作战 · 任务调度平台. Without a subcommand the window opens.")
    parser.add_argument("--version", action="version", version=f"taskboard {__version__}")
    parser.add_argument("--screenshot", metavar="FILE",
                        help="render the main window offscreen to a PNG and exit")
    parser.add_argument("--connect", action="store_true",
                        help="choose the database (this computer's file or a PostgreSQL "
                             "server) in a dialog before signing in")
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    stats = sub.add_parser("stats", parents=[common], help="print light and due-state counts")
    stats.add_argument("--period", type=_period, help="YYYY-MM (default: this month)")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(func=cmd_stats)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"taskboard: 错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
