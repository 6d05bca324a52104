"""`taskboard urge` and `taskboard urge-ledger`: urging on a schedule, from the command line.

    taskboard urge --period 2026-11 --overdue --unreported --send
    taskboard urge --dry-run
    taskboard urge --retry-failed
    taskboard urge-ledger --out 催办台账.xlsx
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from taskboard.cli.common import CliError, open_db, open_demo_db, period_arg, sign_in
from taskboard.core.atomic import write_bytes
from taskboard.core.errors import ServiceError
from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.services import robot_channels, urge_inbox, urging
from taskboard.core.settings import load_settings
from taskboard.notify import delivery, documents, email, robot_delivery, templates
from taskboard.notify.ledger import write_ledger

FLAGS = (("overdue", "超期"), ("near_due", "临期"), ("unreported", "未报送"),
         ("returned", "已退回"), ("lagging", "滞后"))
DEFAULT_FILTERS = ("unreported", "returned")
CONTACT_HOW = ("请用 taskboard settings set office_contact 联系人 和 "
               "taskboard settings set office_phone 电话 设置")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到：{text!r}") from None


def register(sub, common) -> None:
    p = sub.add_parser("urge", parents=[common], help="筛查本期任务并向责任单位催办",
                       description="筛查本期任务并向责任单位发出催办通知单。不加筛查条件时催办"
                                   "未报送和被退回的任务；同类条件取其一，不同类条件同时满足。")
    p.add_argument("--period", type=period_arg, metavar="YYYY-MM", help="月份（默认本月）")
    for key, word in FLAGS:
        p.add_argument(f"--{key.replace('_', '-')}", dest=key, action="store_true",
                       help=f"催办{word}的任务")
    p.add_argument("--campaign", type=int, metavar="ID", help="只催办这一项专项工作（默认全部）")
    p.add_argument("--send", action="store_true",
                   help="用电子邮件把通知单发给各单位，并发到已设置群机器人的单位群里")
    p.add_argument("--dry-run", action="store_true", help="演练：只显示将做什么，不做任何改动")
    p.add_argument("--retry-failed", action="store_true",
                   help="只重发邮件或群机器人发送失败的通知单")
    p.add_argument("--force", action="store_true",
                   help="报送日之前也催办尚未报送的单位")
    p.add_argument("--reason", default="", metavar="理由",
                   help="说明理由后，刚催办过（静默期内）的任务也一并催办")
    p.add_argument("--out", type=Path, metavar="DIR", help="同时把每份通知单存为 PDF 和 .docx")
    p.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_urge)

    led = sub.add_parser("urge-ledger", parents=[common], help="导出催办台账（.xlsx）")
    led.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx",
                     help="要写入的台账文件")
    led.add_argument("--campaign", type=int, metavar="ID", help="只导出这一项专项工作（默认全部）")
    led.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD",
                     help="起始日期（含）")
    led.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD",
                     help="截止日期（含）")
    led.set_defaults(func=cmd_ledger)


def _campaigns(db, campaign_id):
    with db.session() as s:
        q = select(Campaign.id, Campaign.name).where(Campaign.archived.is_(False))
        if campaign_id is not None:
            q = q.where(Campaign.id == campaign_id)
        found = s.execute(q.order_by(Campaign.id)).all()
    if campaign_id is not None and not found:
        raise CliError(f"专项工作不存在或已归档：{campaign_id}")
    return found


def cmd_urge(args) -> int:
    db = open_demo_db() if args.demo else open_db(args.db)
    actor = sign_in(args, db)
    today = args.today or dt.date.today()
    period = args.period or Period.of(today)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out 应为文件夹：{args.out}")
    config = None
    if args.send or args.retry_failed:
        with db.session() as s:
            settings, robots_set = load_settings(s), bool(robot_channels.list_robots(s))
        try:  # before anything is issued: a missing server must change nothing
            config = email.smtp_config(settings)
        except email.EmailError as exc:
            if not robots_set:
                raise CliError(f"{exc}（也没有单位设置群机器人）") from None
            print(f"注意：{exc}本次只发往群机器人，不发邮件。")
    try:
        if args.retry_failed:
            return _retry(db, actor, config, args.dry_run)
        return _urge(db, actor, args, today, period, config)
    except ServiceError as exc:
        raise CliError(str(exc)) from None


def _urge(db, actor, args, today, period, config) -> int:
    filters = [k for k, _ in FLAGS if getattr(args, k)] or list(DEFAULT_FILTERS)
    words = "、".join(urging.FILTER_WORDS[f] for f in filters)
    campaigns = _campaigns(db, args.campaign)
    with db.session() as s:
        screened = [(cid, name, urging.screen(s, actor, cid, period, today, filters))
                    for cid, name in campaigns]
        due, settings = urging.report_due(s, period), load_settings(s)
    _check_early(screened, filters, due, today, args.force, args.dry_run)
    warning = templates.contact_warning(settings, CONTACT_HOW)
    if warning and any(rows for _, _, rows in screened):
        print(f"注意：{warning}")
    failures = 0
    for cid, name, rows in screened:
        print(f"{name} · {period.label} · 筛查（{words}）：{len(rows)} 项")
        quiet = [r for r in rows if r.quiet_until is not None]
        if quiet and not args.reason:
            for r in quiet:
                print(f"  跳过 {r.unit_name} {r.code}：刚催办过，{r.quiet_until:%Y-%m-%d} 起可再催办")
            rows = [r for r in rows if r.quiet_until is None]
        if not rows:
            print("  没有需要催办的任务。")
            continue
        ids = [r.assignment_id for r in rows]
        if args.dry_run:
            with db.session() as s:
                plans = urging.plan_notices(s, actor, cid, period, today, ids)
                robots = {r.unit_id: r for r in robot_channels.list_robots(
                    s, [p.unit_id for p in plans])} if args.send else {}
            for plan in plans:
                cc = f"，抄送{'、'.join(plan.cc)}" if plan.cc else ""
                if plan.unit_id in robots:
                    cc += "，并发到单位的群机器人"
                print(f"  将发出{plan.kind_word}通知单 → {plan.unit_name}：{len(plan.rows)} 项"
                      f"（{'、'.join(r.code for r in plan.rows)}）{cc}")
            continue
        issued = delivery.issue(db, actor, cid, period, today, ids, override_reason=args.reason,
                                method="email" if config else "app")
        for n in issued:
            print(f"  已发出 {n.number_text} → {n.unit_name}：{n.task_count} 项")
            if args.out is not None:
                _save(db, actor, n.notice_id, args.out)
        if config is not None:
            failures += _report(delivery.email_notices(
                db, actor, [n.notice_id for n in issued], config=config))
        if args.send:
            failures += _report_robots(robot_delivery.robot_notices(
                db, actor, [n.notice_id for n in issued]))
    if args.dry_run:
        print("（演练：未发出任何通知单）")
    return 1 if failures else 0


def _check_early(screened, filters, due: dt.date, today: dt.date, force: bool,
                 dry_run: bool) -> None:
    """Before the report day, unreported work is still within its time: say so, and urge it
    only when asked to (--force). Overdue and near-due urging go ahead as before."""
    note = urging.early_note(due, today)
    if not note or {"overdue", "near_due"} & set(filters):
        return
    print(f"注意：{note}。")
    early = [r for _, _, rows in screened for r in urging.early_rows(rows, due, today)]
    if not early or force:
        return
    what = f"筛查到 {len(early)} 项任务仅因本期未报送而将被催办"
    if dry_run:
        print(f"注意：{what}，实际发出时须加 --force 确认提前催办。")
        return
    raise CliError(f"{note}。{what}，未发出任何通知单；如确需提前催办，请加 --force"
                       "（只催办被退回的可用 --returned）。")


def _save(db, actor, notice_id: int, folder: Path) -> None:
    snap, settings = delivery.snapshot(db, actor, notice_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = documents.file_stem(snap)
    write_bytes(folder / f"{stem}.pdf", documents.render_pdf(snap, settings))
    write_bytes(folder / f"{stem}.docx", documents.render_docx(snap, settings))
    print(f"    已保存 {folder / stem}.pdf / .docx")


def _report(results) -> int:
    failed = 0
    for r in results:
        if r.ok:
            print(f"  邮件 {r.number_text} → {r.unit_name} <{r.to}>：{r.message}")
        else:
            failed += 1
            print(f"  邮件 {r.number_text} → {r.unit_name}：发送失败：{r.message}")
    if failed:
        print(f"  {failed} 份邮件发送失败，可稍后用 taskboard urge --retry-failed 重发。")
    return failed


def _report_robots(results) -> int:
    failed = 0
    for r in results:
        word = r.message if r.ok else f"发送失败：{r.message}"
        print(f"  群机器人 {r.number_text} → {r.unit_name} {r.robot_label}：{word}")
        failed += not r.ok
    if failed:
        print(f"  {failed} 条群消息发送失败，可稍后用 taskboard urge --retry-failed 重发。")
    return failed


def _retry(db, actor, config, dry_run: bool) -> int:
    with db.session() as s:
        failed = urge_inbox.list_notices(s, actor, failed_only=True) if config else []
        robot_failed = robot_channels.failed_notice_ids(s, actor)
        states = robot_channels.robot_states(s, robot_failed)
        numbers = {n.notice_id: (n.number_text, n.unit_name)
                   for n in urge_inbox.list_notices(s, actor) if n.notice_id in states}
    if not failed and not robot_failed:
        print("没有发送失败待重发的通知单。")
        return 0
    if dry_run:
        for n in failed:
            print(f"将重发 {n.number_text} → {n.unit_name}（上次失败：{n.email_error}）")
        for nid in robot_failed:
            number, unit = numbers.get(nid, (str(nid), ""))
            print(f"将重发群消息 {number} → {unit}（上次失败：{states[nid][1]}）")
        return 0
    failures = 0
    if failed:
        failures += _report(delivery.email_notices(db, actor, [n.notice_id for n in failed],
                                                   config=config))
    if robot_failed:
        failures += _report_robots(robot_delivery.robot_notices(db, actor, robot_failed))
    return 1 if failures else 0


def cmd_ledger(args) -> int:
    db = open_demo_db() if args.demo else open_db(args.db)
    actor = sign_in(args, db, read_only=True)
    if args.out.suffix.lower() != ".xlsx":
        raise CliError("台账文件应以 .xlsx 结尾")
    if not args.out.parent.exists():
        raise CliError(f"文件夹不存在：{args.out.parent}")
    if args.campaign is not None:
        _campaigns(db, args.campaign)
    with db.session() as s:
        try:
            rows = urge_inbox.ledger_rows(s, actor, args.campaign, date_from=args.date_from,
                                          date_to=args.date_to)
        except ServiceError as exc:
            raise CliError(str(exc)) from None
    write_ledger(rows, args.out)
    answered = sum(r.answered for r in rows)
    print(f"已导出催办台账 {args.out}：{len(rows)} 条催办记录，已回复 {answered} 条。")
    return 0
