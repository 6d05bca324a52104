"""`taskboard stats`: lights and due states per campaign for a period."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from taskboard.cli.common import open_db, open_demo_db, period_arg, sign_in
from taskboard.core.board import load_board
from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.rules import DueState
from taskboard.core.settings import load_calendar, load_settings


def cmd_stats(args) -> int:
    db = open_demo_db() if args.demo else open_db(args.db)
    sign_in(args, db, read_only=True)
    today = dt.date.today()
    period = args.period or Period.of(today)
    out = []
    with db.session() as s:
        cal, settings = load_calendar(s), load_settings(s)
        campaigns = s.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id)).all()
        for cid, name in campaigns:
            board = load_board(s, cid, period, today, cal, settings)
            counts = board.counts()
            states = [row.due_state for row in board.rows]
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
                        "done": counts["done"], "normal": states.count(DueState.NORMAL),
                        "ongoing": states.count(DueState.ONGOING)},
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
                  f"  正常 {d['normal']}  长期 {d['ongoing']}  滞后 {c['lagging']}")
        if not out:
            print("数据库中还没有专项工作。")
    return 0


def register(sub, common) -> None:
    stats = sub.add_parser("stats", parents=[common], help="统计各专项的亮灯与到期情况")
    stats.add_argument("--period", type=period_arg, metavar="YYYY-MM", help="月份（默认本月）")
    stats.add_argument("--json", action="store_true", help="以 JSON 格式输出")
    stats.set_defaults(func=cmd_stats)
