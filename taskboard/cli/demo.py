"""`taskboard demo`: fill an empty database with demo data to try things on."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from taskboard.core.db import resolve_url
from taskboard.core.server_login import address_for_accounts

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
    on_server = make_url(resolve_url(args.db)).get_backend_name() == "postgresql"
    if on_server:
        _check_server_demo(args)
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
            if on_server and args.password is None:
                raise CliError(NEEDS_PASSWORD)
            demo.generate(s, args.scale, today=dt.date.today())
            # One hash for every demo account: scrypt is slow on purpose, and a province-scale
            # demo has over a hundred accounts sharing this one training password anyway.
            hashed = auth.hash_password(password)
            accounts = s.execute(select(User.username, User.role).order_by(User.id)).all()
            s.execute(update(User).values(password_hash=hashed))
            if on_server:  # each demo account signs in as its own database role
                from taskboard.core import pg_roles

                for username, _role in accounts:
                    pg_roles.sync_login(s, username, password)
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
    where = address_for_accounts(db.url) if on_server else args.db
    if on_server:
        print("每个演示账号都是数据库的登录角色，由服务器核对密码；不带用户名的地址即以本人账号登录。")
    print(f"打开窗口：taskboard --db {where}；命令行：taskboard stats --db {where} --user admin"
          "（按提示输入密码）。正式使用前请修改密码。")
    return 0


NEEDS_PASSWORD = ("在 PostgreSQL 上，演示账号是数据库的登录角色，各自以密码登录服务器："
                  "请用 --password 密码 指定演示账号的密码（至少 8 位，含字母、数字、符号中的"
                  "至少两类），例如 --password demo-2026。")


def _check_server_demo(args) -> None:
    """On PostgreSQL the demo accounts become login roles, made by the owner with a password
    the trainer chose (--password; a random one would have to be handed round anyway)."""
    from taskboard.cli.common import CliError

    if not make_url(resolve_url(args.db)).username:
        raise CliError("在 PostgreSQL 上生成演示数据要以数据表所有者连接：地址中写上所有者的用户名，"
                       "例如 --db postgresql://taskboard_owner@服务器/taskboard_demo"
                       "（所有者的密码写在 ~/.pgpass 中，或由环境变量 PGPASSWORD 提供）。")


def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common],
                       help="把演示数据写入一个空数据库（--db 文件），并给演示账号设置密码")
    p.add_argument("--scale", choices=["demo", "city", "province"], default="demo",
                   help="规模：demo 为 67 项任务；city 为 600 项任务 × 36 个月；"
                        "province 为 181 项任务 × 115 个单位 × 60 个月")
    p.add_argument("--password", metavar="密码",
                   help="所有演示账号的密码（默认随机生成一个，并显示出来）；在 PostgreSQL 上必须指定，"
                        "演示账号将成为用该密码登录的数据库角色")
    p.set_defaults(func=cmd_demo)
