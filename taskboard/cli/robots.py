"""`taskboard units` (group robots per unit) and `taskboard remind --digest`.

    taskboard units robots
    taskboard units set 达拉特旗 --wecom "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
    taskboard units set 市发展改革委 --dingtalk "https://oapi.dingtalk.com/robot/send?access_token=…" \\
        --dingtalk-secret -      # read the signing secret from standard input
    taskboard units set --office --wecom URL
    taskboard remind --digest
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import uuid

from sqlalchemy import select

from taskboard.cli.common import CliError, open_db, open_demo_db, period_arg, sign_in
from taskboard.core.errors import ServiceError
from taskboard.core.models import Unit
from taskboard.core.periods import Period
from taskboard.core.services import robot_channels as channels
from taskboard.core.settings import load_calendar
from taskboard.notify import digest, robot_secrets


def _actor(db, args, read_only: bool = False):
    # The one sign-in of every command (password, lockout, audit trail).
    return sign_in(args, db, read_only=read_only)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到：{text!r}") from None


def register(sub, common) -> None:
    p = sub.add_parser("units", parents=[common], help="查看和设置各单位的群机器人",
                       description="各单位的企业微信/钉钉群机器人：催办通知单和督办提醒会发到这些群里。"
                                   "机器人的 key、access_token 和加签密钥只保存在本机用户的密钥文件中，"
                                   "不写入数据库，也不会再显示。")
    us = p.add_subparsers(dest="units_command", metavar="ACTION", title="操作", required=True)
    ls = us.add_parser("robots", parents=[common], help="列出已设置的群机器人")
    st = us.add_parser("set", parents=[common], help="设置或取消一个单位的群机器人")
    st.add_argument("name", nargs="?", metavar="单位名称", help="单位名称（或用 --office）")
    st.add_argument("--office", action="store_true", help="设置办公室自己的群（接收督办提醒汇总）")
    st.add_argument("--wecom", metavar="URL", help="企业微信群机器人 webhook 地址（含 key=）")
    st.add_argument("--dingtalk", metavar="URL", help="钉钉自定义机器人地址（含 access_token=）")
    st.add_argument("--dingtalk-secret", metavar="SEC…",
                    help="钉钉机器人的加签密钥；写 - 则从标准输入读取（避免留在命令历史中）")
    st.add_argument("--no-wecom", action="store_true", help="取消企业微信群机器人")
    st.add_argument("--no-dingtalk", action="store_true", help="取消钉钉群机器人")
    for q in (ls, st):
        q.set_defaults(func=cmd_units)

    r = sub.add_parser("remind", parents=[common], help="向各单位群发督办提醒（适合定时运行）",
                       description="--digest：每个单位一条消息，列出其全部临期、超期、未报送和被退回的任务，"
                                   "另发一条汇总到办公室的群。不生成催办通知单，也不计入催办次数。")
    r.add_argument("--digest", action="store_true", help="发送督办提醒汇总（每单位一条）")
    r.add_argument("--period", type=period_arg, metavar="YYYY-MM", help="月份（默认本月）")
    r.add_argument("--dry-run", action="store_true", help="演练：只显示将发给谁，不发送")
    r.add_argument("--workdays-only", action="store_true",
                   help="只在工作日发送（按办公室的工作日日历，含调休），供每天定时运行")
    r.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    r.set_defaults(func=cmd_remind)


def _open(args):
    return open_demo_db() if args.demo else open_db(args.db)


def _unit_id(db, args):
    if args.office:
        if args.name:
            raise CliError("--office 与单位名称不能同时给出")
        return None
    if not args.name:
        raise CliError("请给出单位名称，或用 --office 设置办公室自己的群")
    with db.session() as s:
        uid = s.scalar(select(Unit.id).where(Unit.name == args.name.strip()))
    if uid is None:
        raise CliError(f"单位不存在：{args.name}（用 taskboard units robots 查看已设置的单位）")
    return uid


def _secret(value):
    if value != "-":
        return value
    if sys.stdin.isatty():
        return getpass.getpass("钉钉加签密钥（输入时不显示）：")
    return sys.stdin.readline().strip()


def cmd_units(args) -> int:
    if args.demo and args.units_command == "set":
        # The demo database is deleted at exit; its robots' keys would outlive it in the key file.
        raise CliError("units set 不能用于临时演示数据库（--demo），请用 --db 指定数据库。")
    db = _open(args)
    try:
        actor = _actor(db, args, read_only=args.units_command == "robots")
        if args.units_command == "robots":
            with db.session() as s:
                rows = channels.list_robots(s) + channels.list_robots(s, office=True)
            for r in rows:
                held = "" if robot_secrets.get(r.ref) else "（本机没有其密钥，无法从本机发送）"
                print(f"{r.unit_name}：{r.label} {r.endpoint}{held}")
            if not rows:
                print("还没有单位设置群机器人。用 taskboard units set 单位名称 --wecom URL 设置。")
            return 0
        return _set(db, actor, args)
    except (ServiceError, robot_secrets.RobotKeyError) as exc:
        raise CliError(str(exc)) from None
    finally:
        db.dispose()


def _set(db, actor, args) -> int:
    if args.dingtalk_secret and not args.dingtalk:
        raise CliError("--dingtalk-secret 须与 --dingtalk URL 一同给出")
    if args.wecom and args.no_wecom or args.dingtalk and args.no_dingtalk:
        raise CliError("同一种机器人不能既设置又取消")
    if not (args.wecom or args.dingtalk or args.no_wecom or args.no_dingtalk):
        raise CliError("请给出 --wecom URL、--dingtalk URL 或 --no-wecom / --no-dingtalk")
    unit_id = _unit_id(db, args)
    # Parse everything before anything is stored: a bad second URL must change nothing.
    planned = []
    for kind, url in ((channels.WECOM, args.wecom), (channels.DINGTALK, args.dingtalk)):
        if url:
            endpoint, token = channels.parse_webhook(kind, url)
            secret = _secret(args.dingtalk_secret) if kind == channels.DINGTALK else ""
            if kind == channels.DINGTALK and args.dingtalk_secret and not secret:
                raise CliError("钉钉加签密钥为空")
            planned.append((kind, endpoint, token, secret))
    retired = []
    with db.Session.begin() as s:
        for kind, flag in ((channels.WECOM, args.no_wecom), (channels.DINGTALK, args.no_dingtalk)):
            if flag:
                retired.append(channels.active_ref(s, unit_id, kind))
                word = channels.KIND_WORDS[kind]
                gone = channels.remove_robot(s, actor, unit_id, kind)
                print(f"已取消{word}群机器人。" if gone else f"本来就没有设置{word}群机器人。")
        for kind, endpoint, token, secret in planned:
            retired.append(channels.active_ref(s, unit_id, kind))
            ref = uuid.uuid4().hex
            robot_secrets.put(ref, token, secret)  # the keys first: a row never lacks them here
            rid = channels.set_robot(s, actor, unit_id, kind, endpoint=endpoint,
                                     hint=channels.token_hint(token), signed=bool(secret),
                                     ref=ref)
            s.flush()
            row = channels.robot(s, rid)
            print(f"已设置{row.unit_name}的{row.label}。密钥保存在本机 {robot_secrets.key_file()}，"
                  "不写入数据库。")
    for ref in filter(None, retired):  # a retired robot's keys are of no more use
        robot_secrets.forget(ref)
    return 0


def cmd_remind(args) -> int:
    if not args.digest:
        raise CliError("请加 --digest（每个单位发一条督办提醒汇总）")
    db = _open(args)
    try:
        actor = _actor(db, args, read_only=args.dry_run)
        today = args.today or dt.date.today()
        period = args.period or Period.of(today)
        if args.workdays_only:
            with db.session() as s:
                workday = load_calendar(s).is_workday(today)
            if not workday:
                print(f"{today:%Y-%m-%d} 不是工作日，未发送督办提醒。")
                return 0
        digests, results, unreached = digest.send_digest(db, actor, period, today,
                                                         dry_run=args.dry_run)
    except (ServiceError, robot_secrets.RobotKeyError) as exc:
        raise CliError(str(exc)) from None
    finally:
        db.dispose()
    items = sum(len(d.items) for d in digests)
    print(f"督办提醒 · {period.label} · 截至 {today:%Y-%m-%d}：{len(digests)} 个单位 {items} 项待办")
    for r in results:
        print(f"  {r.unit_name} {r.robot_label}：{r.message if r.ok else '发送失败：' + r.message}")
    if unreached:
        print(f"  未设置群机器人（未发送）：{'、'.join(unreached)}")
    if args.dry_run:
        print("（演练：未发送任何消息）")
    failed = sum(not r.ok for r in results)
    if failed:
        print(f"  {failed} 条消息发送失败。")
    return 1 if failed else 0
