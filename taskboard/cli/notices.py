"""`taskboard notices`: a month's issued notices as one PDF or one .docx, to print or file.

    taskboard notices --period 2026-11 -o 2026年11月通知单.pdf
    taskboard notices --period 2026-11 --unit 达拉特旗 --unit 东胜区 -o 通知单.docx
"""
from __future__ import annotations

from pathlib import Path

from taskboard.cli.common import CliError, open_db, open_demo_db, period_arg, sign_in
from taskboard.core.errors import ServiceError
from taskboard.notify import batch
from taskboard.notify.documents import NoPdfFont


def register(sub, common) -> None:
    p = sub.add_parser("notices", parents=[common], help="把一个月的通知单导出为一个 PDF 或 Word 文件",
                       description="把某月已发出的催办/督办通知单合成一个文件：PDF（A4，每份通知单"
                                   "另起一页、页码自成一组）或 Word（.docx）。")
    p.add_argument("--period", type=period_arg, required=True, metavar="YYYY-MM",
                   help="通知单所属月份")
    p.add_argument("--unit", action="append", default=[], metavar="单位",
                   help="只导出发给该单位的通知单（可重复，或用逗号分隔多个单位）")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FILE.pdf|FILE.docx",
                   help="要写入的文件：以 .pdf 或 .docx 结尾")
    p.set_defaults(func=cmd_notices)


def cmd_notices(args) -> int:
    try:
        kind = batch.kind_of(args.out)
        if not args.out.parent.is_dir():
            raise batch.BatchError(f"文件夹不存在：{args.out.parent}")
        db = open_demo_db() if args.demo else open_db(args.db)
        actor = sign_in(args, db, read_only=True)
        units = [u.strip() for text in args.unit for u in text.replace("，", ",").split(",")
                 if u.strip()]
        rows = batch.notices_of(db, actor, str(args.period), units)
        if not rows:
            raise batch.BatchError(f"{args.period.label}没有已发出的通知单，未写入任何文件。")
        batch.export(db, actor, [r.notice_id for r in rows], args.out, kind)
    except (batch.BatchError, ServiceError, NoPdfFont) as exc:
        raise CliError(str(exc)) from None
    what = "PDF" if kind == "pdf" else "Word 文件"
    print(f"已导出 {len(rows)} 份通知单到 {what} {args.out}：")
    for r in rows:
        print(f"  {r.number_text} → {r.unit_name}（{r.task_count} 项）")
    return 0
