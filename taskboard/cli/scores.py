"""`taskboard scores`: every unit's 考评 items and total for a month, a quarter or cumulative.

    taskboard scores --period 2026-11 --json
    taskboard scores --quarter 2026-Q3
    taskboard scores --period 2026-11 --cumulative
"""
from __future__ import annotations

import argparse
import datetime as dt
import json

from sqlalchemy import select

from taskboard.cli.common import CliError, open_db, open_demo_db, period_arg
from taskboard.core.models import Campaign
from taskboard.core.periods import Period, Quarter
from taskboard.core.scoring import TRACK_WORDS, Scorer, fmt, rank_track
from taskboard.core.settings import load_calendar, load_settings


def quarter_arg(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到：{text!r}") from None


def campaigns(session, campaign_id):
    q = select(Campaign.id, Campaign.name).where(Campaign.archived.is_(False))
    if campaign_id is not None:
        q = q.where(Campaign.id == campaign_id)
    found = session.execute(q.order_by(Campaign.id)).all()
    if campaign_id is not None and not found:
        raise CliError(f"专项工作不存在或已归档：{campaign_id}")
    return found


def span_of(args, today: dt.date):
    """(months, previous months, label, key) of --period / --quarter / --cumulative."""
    if args.quarter is not None:
        q = args.quarter
        return q.periods, q.previous().periods, q.label, str(q)
    p = args.period or Period.of(today)
    return [p], [p.previous()], p.label, str(p)


def _unit_json(rank, score) -> dict:
    return {
        "unit_id": score.unit_id, "unit": score.unit_name, "kind": score.kind,
        "track": score.track, "rank": None if rank is None else rank.rank,
        "rank_change": None if rank is None else rank.change,
        "base": score.base, "total": score.total,
        "items": [{"key": i.key, "item": i.word, "count": i.count, "points": i.points,
                   "subtotal": i.subtotal} for i in score.items],
        "cards": dict(zip(("blue", "yellow", "red"), score.cards)),
        "card": score.card.word, "interviews": list(score.interviews),
    }


def cmd_scores(args) -> int:
    db = open_demo_db() if args.demo else open_db(args.db)
    today = args.today or dt.date.today()
    months, before, label, key = span_of(args, today)
    out = []
    with db.session() as s:
        cal, settings = load_calendar(s), load_settings(s)
        for cid, name in campaigns(s, args.campaign):
            scorer = Scorer(s, cid, today, cal, settings)
            if args.cumulative:
                current, previous = scorer.cumulative(months[-1]), scorer.cumulative(before[-1])
            else:
                current, previous = scorer.scores(months), scorer.scores(before)
            ranks = {r.score.unit_id: r for track in TRACK_WORDS
                     for r in rank_track(current, track, previous)}
            out.append({"campaign_id": cid, "campaign": name, "span": key,
                        "cumulative": bool(args.cumulative),
                        "units": [_unit_json(ranks.get(u.unit_id), u) for u in current]})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for c in out:
        word = "累计" if args.cumulative else ""
        print(f"{c['campaign']} · {label}{word}考评得分")
        for u in c["units"]:
            rank = f"第{u['rank']}名" if u["rank"] else "不排名"
            if not any(i["count"] for i in u["items"]) and u["rank"] is None:
                rank = "不排名，本期无任务"
            items = "，".join(f"{i['item']} {fmt(i['count'])}（{fmt(i['subtotal'], True)}）"
                             for i in u["items"] if i["count"])
            track = TRACK_WORDS.get(u["track"]) or TRACK_WORDS.get(u["kind"], "其他单位")
            print(f"  {u['unit']}（{track}，{rank}）：{fmt(u['total'])} 分"
                  f"  基础分 {u['base']}" + (f"；{items}" if items else ""))
        if not c["units"]:
            print("  该专项工作还没有责任单位。")
    if not out:
        print("数据库中还没有专项工作。")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("scores", parents=[common], help="各单位考评得分（各项加减分与合计）")
    span = p.add_mutually_exclusive_group()
    span.add_argument("--period", type=period_arg, metavar="YYYY-MM", help="月份（默认本月）")
    span.add_argument("--quarter", type=quarter_arg, metavar="YYYY-Qn", help="季度，如 2026-Q3")
    p.add_argument("--cumulative", action="store_true",
                   help="从专项工作开始累计到该月（或该季度末）")
    p.add_argument("--campaign", type=int, metavar="ID", help="只看这一项专项工作（默认全部）")
    p.add_argument("--json", action="store_true", help="以 JSON 格式输出")
    p.add_argument("--today", type=date_arg, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_scores)
