"""`taskboard bulletin`: the monthly or quarterly 通报 as a numbered Word or PDF document.

    taskboard bulletin --period 2026-11 -o 通报.docx
    taskboard bulletin --quarter 2026-Q3 -o 通报.pdf --exempt 康巴什区=承担防汛抢险任务
    taskboard bulletin --period 2026-11 -o 草稿.pdf --draft   (no number taken, nothing recorded)
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from taskboard.cli.common import CliError, open_db, open_demo_db, period_arg, sign_in
from taskboard.cli.scores import campaigns, date_arg, quarter_arg
from taskboard.core.bulletin import bulletin_facts
from taskboard.core.errors import ServiceError
from taskboard.core.atomic import FileWriteError, commit, discard, stage
from taskboard.core.periods import Period
from taskboard.core.services import bulletins
from taskboard.core.settings import load_calendar, load_settings
from taskboard.notify import bulletin as document
from taskboard.notify.documents import NoPdfFont

FORMATS = {".docx": document.render_docx, ".pdf": document.render_pdf}


def register(sub, common) -> None:
    p = sub.add_parser("bulletin", parents=[common], help="生成月度或季度通报（.docx 或 .pdf）",
                       description="按考评规则生成编号的通报：总体情况、排名、红黑榜、超期任务、"
                                   "未按时报送单位和下步工作要求。")
    span = p.add_mutually_exclusive_group(required=True)
    span.add_argument("--period", type=period_arg, metavar="YYYY-MM", help="月度通报的月份")
    span.add_argument("--quarter", type=quarter_arg, metavar="YYYY-Qn", help="季度通报，如 2026-Q3")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FILE.docx|FILE.pdf",
                   help="要写入的文件（按扩展名生成 Word 或 PDF）")
    p.add_argument("--campaign", type=int, metavar="ID",
                   help="专项工作编号（数据库中有多项时必须指定）")
    p.add_argument("--exempt", action="append", default=[], metavar="单位=理由",
                   help="免于列入黑榜的单位及书面理由，可重复")
    p.add_argument("--date", type=date_arg, metavar="YYYY-MM-DD", help="成文日期（默认今天）")
    p.add_argument("--draft", action="store_true", help="草稿：不取文号、不登记，文号显示为 □")
    p.add_argument("--today", type=date_arg, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_bulletin)


def cmd_bulletin(args) -> int:
    render = FORMATS.get(args.out.suffix.lower())
    if render is None:
        raise CliError(f"输出文件的扩展名应为 .docx 或 .pdf，收到：{args.out.name}")
    if args.out.is_dir():
        raise CliError(f"-o 应为文件，不是文件夹：{args.out}")
    if not args.out.parent.is_dir():
        raise CliError(f"文件夹不存在：{args.out.parent}")
    db = open_demo_db() if args.demo else open_db(args.db)
    actor = sign_in(args, db, read_only=args.draft)
    today = args.today or dt.date.today()
    issued_on = args.date or today
    span = args.quarter or args.period or Period.of(today)
    tmp = None
    try:
        with db.Session.begin() as s:
            found = campaigns(s, args.campaign)
            if not found:
                raise CliError("数据库中还没有专项工作。")
            if len(found) > 1 and args.campaign is None:
                listing = "；".join(f"{cid} {name}" for cid, name in found)
                raise CliError(f"数据库中有多项专项工作，请用 --campaign 指定：{listing}")
            cid, name = found[0]
            cal, settings = load_calendar(s), load_settings(s)
            facts = bulletin_facts(s, cid, name, span, today, cal, settings,
                                   bulletins.parse_exemptions(s, args.exempt))
            if args.draft:
                snap = bulletins.stamp(facts, settings, issued_on, None)
            else:
                snap = bulletins.issue(s, actor, facts, settings, issued_on)
            tmp = stage(args.out, render(snap))
        commit(tmp, args.out)
    except (ServiceError, FileWriteError, NoPdfFont) as exc:
        if tmp is not None:
            discard(tmp)
        raise CliError(str(exc)) from None
    except BaseException:
        if tmp is not None:
            discard(tmp)
        raise
    o = snap["overall"]
    rate = "—" if o["report_rate"] is None else f"{o['report_rate']}%"
    print(f"已生成 {snap['number_text']} {document.title(snap)}：{args.out}")
    print(f"  任务 {o['tasks']} 项，已办结 {o['completed']}，按进度 {o['on_schedule']}，"
          f"滞后 {o['lagging']}，超期 {o['overdue']}，报送率 {rate}")
    for t in snap["tracks"].values():
        red = "、".join(r["unit"] for r in t["red"]) or "无"
        black = "、".join(r["unit"] for r in t["black"]) or "无"
        print(f"  {t['word']}红榜：{red}；黑榜：{black}")
    return 0
