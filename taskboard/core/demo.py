"""Demo and benchmark data: a campaign like Ordos' business-environment plan.

The same generator makes the small demo (9 districts, 67 tasks, 9 months), a city-sized
database (600 tasks, ~5,000 assignments, 36 months) and a province-sized one (181 tasks ×
115 units, 60 months). Everything is relative to ``today`` so the demo always shows every
light, due state, lagging case, returned report and closed-out task. Rows go in with bulk
Core inserts: the province database holds over a million reports.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from importlib import resources
from typing import Iterator

from sqlalchemy import insert
from sqlalchemy.orm import Session

from taskboard.core.models import (
    CLOSE_OUTCOMES, Assignment, AuditEvent, Campaign, Feedback, Report, Task, Unit, UrgeRecord,
    User,
)
from taskboard.core.periods import Period, period_range
from taskboard.core.pg import sync_sequences
from taskboard.core.rules import code_sort_key, report_day
from taskboard.core.workcalendar import WorkCalendar

CAMPAIGN_NAME = "鄂尔多斯市优化营商环境3.0行动方案"
DEMO_DISPATCHER = "dispatcher"


@dataclass(frozen=True)
class Scale:
    name: str
    tasks: int
    months: int
    districts: str  # "ordos" or "province"
    departments: int
    units_per_task: tuple[int, int] | None  # None: every unit on every task


SCALES = {
    "demo": Scale("demo", 67, 9, "ordos", 16, (2, 6)),
    "city": Scale("city", 600, 36, "ordos", 40, (5, 12)),
    "province": Scale("province", 181, 60, "province", 12, None),
    # Twice the province's tasks: how the benchmark's steps grow.
    "province2x": Scale("province2x", 362, 60, "province", 12, None),
}

_PROGRESS_TEXT = [
    "已完成{n}项配套制度起草，召开推进会{m}次",
    "梳理事项清单{n}项，完成系统对接{m}项",
    "本月办理相关业务{n}件，平均办理时限压缩{m}%",
    "开展政策宣传{m}场，走访企业{n}家",
    "完成第{m}阶段工作，累计覆盖经营主体{n}户",
]
_PROBLEMS = ["", "", "部分系统尚未实现数据共享", "基层窗口人员不足", "配套资金尚未到位",
             "跨部门协调难度较大"]
_NEXT = ["下月继续推进系统联调", "加强督导，确保按期完成", "扩大试点范围", "开展成效评估"]


def demo_data() -> dict:
    text = resources.files("taskboard.resources").joinpath("demo/demo_data.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def _chunks(rows: list[dict], size: int = 20_000) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _bulk(session: Session, model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(model), chunk)


def generate(session: Session, scale: str = "demo", today: dt.date | None = None,
             seed: int = 20221108) -> int:
    """Fill an empty database; returns the campaign id."""
    sc = SCALES[scale]
    today = today or dt.date.today()
    rng = random.Random(seed)
    data = demo_data()
    cal = WorkCalendar()
    current = Period.of(today)
    first = current.shift(-(sc.months - 1))
    periods = period_range(first, current)
    start = first.first_day
    end = current.shift(12).last_day

    # --- units and users ----------------------------------------------------------------
    if sc.districts == "ordos":
        districts = data["ordos_districts"]
        departments = data["departments"][: sc.departments]
    else:
        districts = [d for ds in data["province_districts"].values() for d in ds]
        departments = data["province_departments"][: sc.departments]
    units = []
    for i, name in enumerate(districts + departments, start=1):
        kind = "district" if i <= len(districts) else "department"
        units.append(dict(id=i, name=name, kind=kind, contact_person="综合科",
                          phone=f"0477-83{i:05d}", email=f"unit{i:03d}@example.com",
                          sort_order=i, active=True))
    _bulk(session, Unit, units)
    district_ids = [u["id"] for u in units if u["kind"] == "district"]
    dept_ids = [u["id"] for u in units if u["kind"] == "department"]
    _bulk(session, User, [
        dict(id=1, username="admin", display_name="系统管理员", role="admin"),
        dict(id=2, username=DEMO_DISPATCHER, display_name="演示调度员", role="dispatcher"),
        dict(id=3, username="leader", display_name="演示领导", role="leader"),
        *[dict(id=10 + u["id"], username=f"unit{u['id']:03d}", display_name=f"{u['name']}报送员",
               role="reporter", unit_id=u["id"]) for u in units[:12]],
    ])
    session.add(Campaign(id=1, name=CAMPAIGN_NAME, start_date=start, end_date=end,
                         description="按月调度、按季通报，挂图作战推进各项重点任务落实"))
    session.flush()

    # --- tasks --------------------------------------------------------------------------
    titles = data["tasks"]
    categories = list(dict.fromkeys(c for c, _ in titles))
    per_category: dict[str, int] = {}
    tasks, assignments = [], []
    aid = 0
    near_due_day = cal.add_workdays(today, 3)
    for i in range(sc.tasks):
        category, title = titles[i % len(titles)]
        if i >= len(titles):
            title = f"{title}（第{i // len(titles) + 1}批）"
        per_category[category] = per_category.get(category, 0) + 1
        code = f"{categories.index(category) + 1}.{per_category[category]}"
        roll = rng.random()
        deadline_note = ""
        if i % 11 == 3:
            deadline, deadline_note = None, rng.choice(["长期坚持", "持续推进", "每季度"])
        elif i % 13 == 5:
            deadline = near_due_day  # a handful within the near-due window
        elif roll < 0.35:
            deadline = Period.of(start).shift(rng.randint(1, max(1, sc.months - 2))).last_day
        else:
            deadline = current.shift(rng.randint(1, 12)).last_day
        if deadline is not None and deadline < start:
            deadline = start
        tasks.append(dict(
            id=i + 1, campaign_id=1, code=code, sort_key=code_sort_key(code), title=title,
            category=category, description=f"围绕{category}指标，{title}。",
            target=f"{title}，按期完成并形成可复制经验。",
            lead_unit_id=rng.choice(dept_ids), leader=rng.choice(data["leaders"]),
            start_date=start, deadline=deadline, deadline_note=deadline_note,
            closed_on=None, close_outcome="", close_note="", deleted=False, version=1,
        ))
        if sc.units_per_task is None:
            unit_ids = district_ids + dept_ids
        else:
            lo, hi = sc.units_per_task
            n = rng.randint(lo, hi)
            pool_d = rng.sample(district_ids, min(len(district_ids), max(1, n - 1)))
            unit_ids = sorted(set(pool_d + [tasks[-1]["lead_unit_id"]]))
        for uid in unit_ids:
            aid += 1
            assignments.append(dict(id=aid, task_id=i + 1, unit_id=uid, progress=0, closed_on=None,
                                    close_outcome="", close_note="", archived=False, version=1))
    # Part of the tasks past their deadline were closed out on time; the rest are overdue.
    closed_tasks: set[int] = set()
    for t in tasks:
        d = t["deadline"]
        if d is not None and d < today and rng.random() < 0.55:
            closed_tasks.add(t["id"])
            t["closed_on"] = d
            t["close_outcome"] = rng.choice(CLOSE_OUTCOMES)
            t["close_note"] = "按期完成，经审核予以销号"
    _bulk(session, Task, tasks)

    # --- reports, closing, urges, feedback -----------------------------------------------
    tasks_by_id = {t["id"]: t for t in tasks}
    report_days = {p: report_day(p, cal) for p in periods}
    reports, urges, feedback = [], [], []
    rid = 0
    for a in assignments:
        t = tasks_by_id[a["task_id"]]
        deadline = t["deadline"] or end
        speed = rng.choice([0.55, 0.8, 1.0, 1.0, 1.1, 1.25])
        span = max(1, (deadline - start).days)
        task_closed = t["id"] in closed_tasks
        assignment_done_on = None
        if not task_closed and t["deadline"] and rng.random() < 0.15:
            assignment_done_on = min(today, t["deadline"])
        progress = 0
        for p in periods:
            close_day = t.get("closed_on") or assignment_done_on
            if close_day is not None and p.first_day > close_day:
                break
            share = min(1.0, (p.last_day - start).days / span)
            progress = max(progress, min(100, int(share * 100 * speed + rng.randint(-5, 5))))
            if close_day is not None and p == Period.of(close_day):
                progress = 100
            due = report_days[p]
            is_current = p == current
            roll = rng.random()
            if is_current:
                states = (["approved"] if roll < 0.35 else ["pending"] if roll < 0.65
                          else ["returned"] if roll < 0.72 else [])
            elif p == current.previous():
                states = ([] if roll < 0.05 else ["returned"] if roll < 0.08
                          else ["pending"] if roll < 0.12 else ["returned", "approved"]
                          if roll < 0.17 else ["approved"])
            else:
                states = ([] if roll < 0.04 else ["returned", "approved"] if roll < 0.08
                          else ["approved"])
            if close_day is not None:
                # Closing out confirms pending reports (services.closeout): none stay pending.
                states = ["approved" if st == "pending" else st for st in states]
            for k, status in enumerate(states):
                rid += 1
                submitted = dt.datetime.combine(
                    due - dt.timedelta(days=rng.randint(0, 8)) + dt.timedelta(days=k),
                    dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))
                submitted = min(submitted, dt.datetime.combine(today, dt.time(8, 30)))
                reviewed = submitted + dt.timedelta(hours=20) if status != "pending" else None
                reports.append(dict(
                    id=rid, assignment_id=a["id"], period=str(p),
                    text=rng.choice(_PROGRESS_TEXT).format(n=rng.randint(2, 60),
                                                           m=rng.randint(1, 9)),
                    progress=progress, problems=rng.choice(_PROBLEMS),
                    next_steps=rng.choice(_NEXT), submitted_by_id=2, submitted_at=submitted,
                    on_behalf=True, late=False, status=status,
                    reviewer_id=2 if reviewed else None, reviewed_at=reviewed,
                    review_comment="佐证材料不全，请补充后重新报送" if status == "returned" else "",
                    source="demo",
                ))
        a["progress"] = progress
        if assignment_done_on is not None:
            a["closed_on"] = assignment_done_on
            a["close_outcome"] = CLOSE_OUTCOMES[1]
            a["close_note"] = "已完成"
        overdue = t["deadline"] is not None and t["deadline"] < today and not task_closed
        if (overdue or speed < 0.6) and a.get("closed_on") is None and not task_closed:
            for k in range(rng.randint(1, 3)):
                urges.append(dict(
                    assignment_id=a["id"], method=rng.choice(["app", "phone"]),
                    urged_at=dt.datetime.combine(today - dt.timedelta(days=7 * (k + 1)),
                                                 dt.time(10, 0)),
                    urged_by_id=2, contact="综合科", note="请抓紧推进并按时报送",
                    override_reason="", reply="",
                ))
            if speed < 0.6 and len(feedback) < 200:
                answered = rng.random() < 0.4
                feedback.append(dict(
                    assignment_id=a["id"], author_id=2, body="进度滞后于时序进度，请说明原因并制定赶进度措施",
                    created_at=dt.datetime.combine(today - dt.timedelta(days=10), dt.time(15)),
                    reply="已制定整改计划，月底前追赶进度" if answered else "",
                    replied_by_id=None, resolved=answered,
                ))
    _bulk(session, Assignment, assignments)
    _bulk(session, Report, reports)
    _bulk(session, UrgeRecord, urges)
    _bulk(session, Feedback, feedback)
    session.add(AuditEvent(user_id=1, action="demo.generate", entity="campaign", entity_id=1,
                           summary=f"生成演示数据（{scale}）"))
    # Explicit ids above leave PostgreSQL's sequences behind; later inserts would collide.
    sync_sequences(session)
    return 1
