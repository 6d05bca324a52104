"""`taskboard demo`: fill an empty database with demo data to try things on."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select, update

from taskboard.core.errors import ServiceError
from taskboard.core.models import Campaign, Task
from taskboard.core.services.users import ROLE_WORDS


def demo_password() -> str:
    """A password that passes the strength rules and is easy to read aloud in a training."""
    return f"demo-{secrets.randbelow(10 ** 6):06d}"


def cmd_demo(args) -> int:
    from taskboard.cli.common import CliError, open_db
    from taskboard.core import auth, demo
    from taskboard.core.models import User

    if args.demo:
        raise CliError("demo 命令需要 --db 指定一个（空的）数据库文件，例如 --db demo.sqlite")
    password = args.password if args.password is not None else demo_password()
    try:
        auth.check_password_strength(password)
    except ServiceError as exc:
        raise CliError(f"--password：{exc}") from None
    db = open_db(args.db, must_exist=False)
    try:
        with db.Session.begin() as s:
            if s.scalar(select(func.count()).select_from(Campaign)) or \
                    s.scalar(select(func.count()).select_from(Task)) or \
                    s.scalar(select(func.count()).select_from(User)):
                raise CliError(f"数据库 {db.url} 中已有数据，演示数据只写入空数据库。")
            demo.generate(s, args.scale, today=dt.date.today())
            # One hash for every demo account: scrypt is slow on purpose, and a province-scale
            # demo has over a hundred accounts sharing this one training password anyway.
            hashed = auth.hash_password(password)
            accounts = s.execute(select(User.username, User.role).order_by(User.id)).all()
            s.execute(update(User).values(password_hash=hashed))
        with db.session() as s:
            tasks = s.scalar(select(func.count()).select_from(Task))
    finally:
        db.dispose()
    print(f"已生成演示数据（{args.scale}，{tasks} 项任务）：{db.url}")
    named = [f"{u}（{ROLE_WORDS.get(r, r)}）" for u, r in accounts if r != "reporter"]
    reporters = [u for u, r in accounts if r == "reporter"]
    if reporters:
        named.append(f"{reporters[0]}–{reporters[-1]}（报送员，共 {len(reporters)} 个）")
    print("演示账号：" + "、".join(named))
    print(f"所有演示账号的密码：{password}")
    print(f"打开窗口：taskboard --db {args.db}；命令行：taskboard stats --db {args.db} --user admin"
          "（按提示输入密码）。正式使用前请修改密码。")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common],
                       help="把演示数据写入一个空数据库（--db 文件），并给演示账号设置密码")
    p.add_argument("--scale", choices=["demo", "city", "province"], default="demo",
                   help="规模：demo 为 67 项任务；city 为 600 项任务 × 36 个月；"
                        "province 为 181 项任务 × 115 个单位 × 60 个月")
    p.add_argument("--password", metavar="密码",
                   help="所有演示账号的密码（默认随机生成一个，并显示出来）")
    p.set_defaults(func=cmd_demo)
