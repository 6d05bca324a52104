"""`taskboard demo`: fill an empty database with demo data to try things on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from taskboard.core.models import Campaign, Task


def cmd_demo(args) -> int:
    from taskboard.cli.common import CliError, open_db
    from taskboard.core import demo

    if args.demo:
        raise CliError("demo 命令需要 --db 指定一个（空的）数据库文件，例如 --db demo.sqlite")
    db = open_db(args.db, must_exist=False)
    try:
        with db.Session.begin() as s:
            if s.scalar(select(func.count()).select_from(Campaign)) or \
                    s.scalar(select(func.count()).select_from(Task)):
                raise CliError(f"数据库 {db.url} 中已有数据，演示数据只写入空数据库。")
            demo.generate(s, args.scale, today=dt.date.today())
        with db.session() as s:
            tasks = s.scalar(select(func.count()).select_from(Task))
    finally:
        db.dispose()
    print(f"已生成演示数据（{args.scale}，{tasks} 项任务）：{db.url}")
    print("演示账号：admin（管理员）、dispatcher（调度人员）、leader（领导）、"
          "unit001–unit012（报送员），均未设密码。")
    print("首次打开窗口时会请您为 admin 设置密码；其他账号的密码用 "
          "`taskboard users passwd 用户名 --db …` 或 管理 → 用户管理 设置。")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common],
                       help="把演示数据写入一个空数据库（--db 文件）")
    p.add_argument("--scale", choices=["demo", "city", "province"], default="demo",
                   help="规模：demo 为 67 项任务；city 为 600 项任务 × 36 个月；"
                        "province 为 181 项任务 × 115 个单位 × 60 个月")
    p.set_defaults(func=cmd_demo)
