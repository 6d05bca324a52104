"""Command-line jobs for Excel: the monthly ledger, task list import, unit report forms."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from taskboard.cli.common import open_db, open_demo_db, period_arg
from taskboard.core.errors import ServiceError
from taskboard.core.models import Campaign, Unit


def _db(args):
    return open_demo_db() if args.demo else open_db(args.db)


def _campaign_id(session, ref: Optional[str]) -> int:
    from taskboard.cli.common import CliError

    if ref is None:
        cid = session.scalar(select(Campaign.id).where(Campaign.archived.is_(False))
                             .order_by(Campaign.start_date.desc(), Campaign.id.desc()))
        if cid is None:
            raise CliError("数据库中还没有专项工作。")
        return cid
    cond = Campaign.id == int(ref) if ref.isdigit() else Campaign.name == ref
    cid = session.scalar(select(Campaign.id).where(cond))
    if cid is None:
        raise CliError(f"专项工作不存在：{ref}")
    return cid


def _output(path: str, suffix: str = ".xlsx") -> Path:
    from taskboard.cli.common import CliError

    out = Path(path)
    if out.suffix.lower() != suffix:
        raise CliError(f"输出文件应以 {suffix} 结尾：{path}")
    if not out.parent.exists():
        raise CliError(f"输出目录不存在：{out.parent}")
    return out


def cmd_export_ledger(args) -> int:
    from taskboard.cli.common import CliError, sign_in
    from taskboard.core.permissions import require
    from taskboard.excel.ledger import ledger_data
    from taskboard.excel.ledger_writer import dump_bare, write_ledger

    out = _output(args.output)
    db = _db(args)
    actor = sign_in(args, db, read_only=True)
    today = dt.date.today()
    try:
        require(actor, "export")
        with db.session() as s:
            cid = _campaign_id(s, args.campaign)
            started = time.perf_counter()
            data = ledger_data(s, cid, args.period, today)
            built = time.perf_counter()
        write_ledger(data, out)
        written = time.perf_counter()
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"无法写入 {out}：{exc.strerror or exc}") from None
    print(f"已导出 {data.title}：任务 {len(data.ledger)} 项，未报送及超期 {len(data.urge_list)} 条 → {out}")
    if args.timing:
        bare = out.with_name(out.stem + ".bare.xlsx")
        t0 = time.perf_counter()
        dump_bare(data, bare)
        t_bare = time.perf_counter() - t0
        bare.unlink()
        t_write = written - built
        print(f"取数 {built - started:.3f} s，写出 {t_write:.3f} s，"
              f"同值裸写（openpyxl write-only）{t_bare:.3f} s，比值 {t_write / t_bare:.2f}")
    return 0


def _parse_maps(items: list[str], session) -> dict:
    from taskboard.cli.common import CliError

    from taskboard.excel.task_list_reader import ALL_DISTRICTS, unit_key

    out: dict = {}
    # Names are compared as unit_key: （虚构） typed on the command line matches (虚构) and back.
    names = {unit_key(n): uid for n, uid in session.execute(select(Unit.name, Unit.id)).all()}
    for item in items or []:
        name, sep, target = item.replace("＝", "=").partition("=")
        if not sep or not name.strip() or not target.strip():
            raise CliError(f"--map 的格式应为 清单中的名称=已有单位名称，收到：{item}")
        if unit_key(target) == ALL_DISTRICTS:
            out[name.strip()] = tuple(session.scalars(select(Unit.id).where(
                Unit.kind == "district", Unit.active.is_(True)).order_by(Unit.sort_order, Unit.id)))
            continue
        # 各有关部门=市发改委、市财政局: a collective phrase stands for several units.
        targets = [t for t in re.split(r"[、,，;；]", target) if t.strip()]
        for t in targets:
            if unit_key(t) not in names:
                raise CliError(f"--map 指定的单位不存在：{t.strip()}")
        ids = tuple(names[unit_key(t)] for t in targets)
        out[name.strip()] = ids[0] if len(ids) == 1 else ids
    return out


def cmd_import_tasks(args) -> int:
    from taskboard.cli.common import CliError, sign_in
    from taskboard.excel.task_import import CREATE, apply_import, preview_import

    path = Path(args.file)
    db = _db(args)
    actor = sign_in(args, db)
    today = args.today or dt.date.today()
    try:
        with db.Session.begin() as s:
            preview = preview_import(s, path, args.campaign, today=today, sheet=args.sheet)
            mapping = _parse_maps(args.map, s)
            if args.create_units:
                for u in preview.unknown_units:
                    if not u.collective:
                        mapping.setdefault(u.name, CREATE)
            unresolved = preview.unresolved(mapping)
            ok = not preview.error_count and not unresolved and preview.rows
            if args.json:
                report = preview.as_json()
                report["dry_run"] = bool(args.dry_run)
                report["imported"] = False
            if ok and not args.dry_run:
                result = apply_import(s, actor, preview, mapping, today=today)
                if args.json:
                    report["imported"] = True
                    report["campaign_id"] = result.campaign_id
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_preview(preview, unresolved)
        if ok and not args.dry_run:
            print(f"已导入任务 {result.tasks} 项、责任分工 {result.assignments} 条"
                  + (f"，新建单位：{'、'.join(result.units_created)}" if result.units_created else ""))
        elif ok:
            print("预览（--dry-run）：未写入任何数据。")
    if not ok:
        why = []
        if preview.error_count:
            why.append(f"{preview.error_count} 处错误")
        if unresolved:
            why.append(f"{len(unresolved)} 个未知单位（用 --create-units 新建，或 --map 名称=已有单位；"
                       "“各有关部门”等集体称谓用 --map 名称=单位1、单位2 或 --map 名称=各旗区）")
        if not preview.rows:
            why.append("没有任务行")
        raise CliError("未导入：" + "，".join(why) + "。")
    return 0


def _print_preview(p, unresolved: list[str]) -> None:
    from taskboard.core.recurrence import RECURRENCE_WORDS
    from taskboard.excel.task_import import account_lines

    print(f"{p.file_name} · 工作表「{p.sheet}」· 表头在第 {p.header_row} 行 · "
          f"专项工作「{p.campaign_name}」{'（将新建）' if p.campaign_id is None else ''}")
    for line in account_lines(p):
        print(line)
    for note in p.notes:
        print(f"说明：{note}")
    for r in p.rows:
        deadline = (r.deadline.isoformat() if r.deadline else
                    "无法识别" if r.deadline_unreadable else r.deadline_note or "无")
        units = "、".join(r.units)
        support = f" | 配合：{'、'.join(r.support_units)}" if r.support_units else ""
        if r.recurrence:
            deadline = f"{RECURRENCE_WORDS[r.recurrence]}" + (f"，至 {deadline}" if r.deadline else "")
        print(f"第 {r.row} 行 [{r.status}] {r.code} {r.title} | 牵头：{r.lead_unit or '—'}"
              f" | 责任：{units or '—'}{support} | 时限：{deadline}")
        for e in r.errors:
            print(f"    错误：{e}")
        for w in r.warnings:
            print(f"    提示：{w}")
    for u in p.unknown_units:
        hint = "，可能是：" + "、".join(n for _, n in u.suggestions) if u.suggestions else ""
        mark = "（未处理）" if u.name in unresolved else ""
        print(f"未知单位“{u.name}”（第 {'、'.join(map(str, u.rows[:5]))} 行）{hint}{mark}")
    print(f"共 {len(p.rows)} 项任务，错误 {p.error_count} 处，提示 {p.warning_count} 处。")


def _unit_ids(session, refs: Optional[list[str]]) -> Optional[list[int]]:
    from taskboard.cli.common import CliError

    if not refs:
        return None
    out = []
    for ref in (r.strip() for item in refs for r in item.replace("，", ",").split(",")):
        if not ref:
            continue
        cond = Unit.id == int(ref) if ref.isdigit() else Unit.name == ref
        uid = session.scalar(select(Unit.id).where(cond))
        if uid is None:
            raise CliError(f"单位不存在：{ref}")
        out.append(uid)
    return out


def cmd_export_report_forms(args) -> int:
    from taskboard.cli.common import CliError, sign_in
    from taskboard.excel.report_forms import export_report_forms

    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise CliError(f"-o 应为文件夹：{folder}")
    db = _db(args)
    actor = sign_in(args, db, read_only=True)
    try:
        with db.session() as s:
            cid = _campaign_id(s, args.campaign)
            units = _unit_ids(s, args.unit)
            folder.mkdir(parents=True, exist_ok=True)
            forms = export_report_forms(s, actor, cid, args.period, folder, unit_ids=units,
                                        today=args.today or dt.date.today())
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"无法写入 {folder}：{exc.strerror or exc}") from None
    for f in forms:
        print(f"{f.unit_name}：任务 {f.rows} 项 → {f.path}")
    print(f"已导出{args.period.label}单位报送表 {len(forms)} 份，"
          f"共 {sum(f.rows for f in forms)} 项任务。")
    return 0


def cmd_import_report_forms(args) -> int:
    from taskboard.cli.common import CliError, sign_in
    from taskboard.excel.report_form_import import STATE_WORDS, apply_forms, preview_forms

    db = _db(args)
    actor = sign_in(args, db)
    today = args.today or dt.date.today()
    result = None
    try:
        with db.Session.begin() as s:
            unit_id = None
            if args.unit:
                [unit_id] = _unit_ids(s, [args.unit])
            preview = preview_forms(s, actor, [Path(p) for p in args.paths], period=args.period,
                                    unit_id=unit_id, today=today)
            if not args.dry_run:
                result = apply_forms(s, actor, preview, today=today)
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    refused = [f for f in preview.files if f.errors]
    if args.json:
        print(json.dumps({"dry_run": bool(args.dry_run),
                          "imported": result.created + result.revised if result else 0,
                          "files": [f.as_json() for f in preview.files]},
                         ensure_ascii=False, indent=2))
    else:
        for f in preview.files:
            who = f" · {f.unit_name} · {f.period.label}" if f.period else ""
            print(f"{f.file_name}{who}：{f.status}")
            for e in f.errors:
                print(f"    拒绝：{e}")
            for n in f.notes:
                print(f"    说明：{n}")
            for e in f.entries:
                print(f"    第{e.row}行 {e.code} {e.title[:24]}：{e.progress}%（{STATE_WORDS[e.state]}）")
        print(preview.summary())
        if result is not None and result.created + result.revised:
            print(f"已导入：新报送 {result.created} 条，更新待审核的报送 {result.revised} 条，"
                  "均待审核。")
        elif result is not None:
            print("没有导入任何报送。")
        else:
            print("预览（--dry-run）：未写入任何数据。")
    if refused:
        raise CliError(f"{len(refused)} 个文件被拒绝，未导入其中任何内容："
                       + "、".join(f.file_name for f in refused[:5]))
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def register(subparsers, common) -> None:
    exp = subparsers.add_parser("export-report-forms", parents=[common],
                                help="为各单位导出报送表（每个单位一份可填写的工作簿）",
                                description="为各单位导出本月的报送表（每个单位一份，锁定格式、带校验）。")
    exp.add_argument("--period", type=period_arg, required=True, metavar="YYYY-MM",
                     help="报送月份，格式 YYYY-MM（如 2026-11）")
    exp.add_argument("--campaign", metavar="CAMPAIGN",
                     help="专项工作的编号或名称（默认：最近的专项工作）")
    exp.add_argument("--unit", action="append", metavar="UNIT",
                     help="单位编号或名称，可重复或用逗号分隔（默认：所有有未办结任务的单位）")
    exp.add_argument("-o", "--output", required=True, metavar="FOLDER",
                     help="存放报送表的文件夹（不存在时自动创建）")
    exp.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    exp.set_defaults(func=cmd_export_report_forms)

    rf = subparsers.add_parser("import-report-forms", parents=[common],
                               help="导入各单位填好的报送表（导入后待审核）",
                               description="导入各单位填好的报送表，逐格核对后作为待审核的报送。"
                                           "报送员账号只能导入本单位的报送表。")
    rf.add_argument("paths", nargs="+", metavar="PATH", help="报送表工作簿，或存放工作簿的文件夹")
    rf.add_argument("--period", type=period_arg, metavar="YYYY-MM",
                    help="报送月份，格式 YYYY-MM；其他月份的报送表一律拒绝")
    rf.add_argument("--unit", metavar="UNIT", help="单位编号或名称；其他单位的报送表一律拒绝")
    rf.add_argument("--dry-run", action="store_true", help="只检查并列出结果，不写入任何数据")
    rf.add_argument("--json", action="store_true", help="以 JSON 格式输出检查结果")
    rf.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    rf.set_defaults(func=cmd_import_report_forms)

    led = subparsers.add_parser("export-ledger", parents=[common],
                                help="导出月度工作台账（Excel）",
                                description="导出某月的月度工作台账：汇总、台账、逐项通报、未报送及超期清单。")
    led.add_argument("--period", type=period_arg, required=True, metavar="YYYY-MM",
                     help="台账月份，格式 YYYY-MM（如 2026-11）")
    led.add_argument("--campaign", metavar="CAMPAIGN",
                     help="专项工作的编号或名称（默认：最近的专项工作）")
    led.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="要写出的 .xlsx 文件")
    led.add_argument("--timing", action="store_true",
                     help="同时计时：用 openpyxl 裸写同样的数据，并输出两者耗时之比")
    led.set_defaults(func=cmd_export_ledger)

    imp = subparsers.add_parser("import-tasks", parents=[common],
                                help="导入任务清单（Excel）",
                                description="导入方案的任务清单：先逐行检查，有错误或未处理的单位时"
                                            "一项也不导入。")
    imp.add_argument("file", metavar="FILE", help="任务清单（.xlsx）")
    imp.add_argument("--campaign", metavar="CAMPAIGN",
                     help="专项工作的编号或名称；名称不存在时新建该专项工作（默认：最近的专项工作）")
    imp.add_argument("--sheet", metavar="SHEET",
                     help="工作表名称（默认：第一个找得到表头的工作表）")
    imp.add_argument("--dry-run", action="store_true", help="只检查并列出结果，不写入任何数据")
    imp.add_argument("--json", action="store_true", help="以 JSON 格式输出检查结果")
    imp.add_argument("--create-units", action="store_true",
                     help="清单中数据库里没有的单位，按清单中的写法新建")
    imp.add_argument("--map", action="append", metavar="NAME=UNIT",
                     help="把清单中的单位名称对应到已有单位，如 --map 市发改委=市发展和改革委员会"
                          "（可重复）；集体称谓可对应多个单位，如 --map 各有关部门=市财政局、市商务局，"
                          "或 --map 各有关部门=各旗区")
    imp.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    imp.set_defaults(func=cmd_import_tasks)
