"""The figures of a 通报 (monthly or quarterly bulletin), as one plain JSON-able snapshot.

Everything comes from the boards of the span's months and from ``core.scoring``; the
document code in ``taskboard.notify.bulletin`` only words and lays it out. Definitions:

* tasks / completed / lagging / overdue / near due: the board of the span's last month
  (the same counts ``taskboard stats`` prints); on schedule (按进度推进) = open tasks that are
  neither overdue nor lagging.
* report rate (报送率) = open assignments whose light is not red (reported and not returned)
  over open assignments of tasks started by the month's end, summed over the span's months.
* the change from last period compares with the previous month (or quarter).
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Optional, Sequence, Union

from sqlalchemy.orm import Session

from taskboard.core.board import Board
from taskboard.core.periods import Period, Quarter
from taskboard.core.rules import DueState, Light, days_overdue
from taskboard.core.scoring import (
    TRACK_WORDS, Scorer, ScoreRank, fmt, list_sizes, rank_track, red_black,
)
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar

Span = Union[Period, Quarter]

DEFAULT_REQUIREMENTS = (
    "各责任单位要对照本通报指出的问题，逐项分析原因，明确整改措施和完成时限。"
    "对超期未完成的任务，牵头单位要于下一报送日前书面说明情况并提出补救措施；"
    "对未按时报送的单位，要落实专人负责，确保按时、如实报送进展和佐证材料。"
    "列入黑榜的单位要在下次调度会上作表态发言。"
)


def span_months(span: Span) -> list[Period]:
    return span.periods if isinstance(span, Quarter) else [span]


def previous_span(span: Span) -> Span:
    return span.previous()


def _overall(boards: Sequence[Board]) -> dict:
    last = boards[-1]
    counts = last.counts()
    on_schedule = sum(1 for r in last.rows if not r.closed
                      and r.due_state is not DueState.OVERDUE and not r.lagging)
    expected = reported = 0
    for b in boards:
        started = {r.task_id for r in b.rows if r.start_date <= b.period.last_day}
        for tid, rows in b.assignments.items():
            if tid not in started:
                continue
            for a in rows:
                if a.closed:
                    continue
                expected += 1
                reported += a.light is not Light.RED
    return {"tasks": counts["tasks"], "completed": counts["done"],
            "on_schedule": on_schedule, "lagging": counts["lagging"],
            "overdue": counts["overdue"], "near_due": counts["near_due"],
            "expected": expected, "reported": reported,
            "report_rate": round(reported / expected * 100, 1) if expected else None}


def _rank_rows(ranked: Sequence[ScoreRank]) -> list[dict]:
    out = []
    for r in ranked:
        plus = sum(i.subtotal for i in r.score.items if i.subtotal > 0)
        minus = sum(i.subtotal for i in r.score.items if i.subtotal < 0)
        out.append({"rank": r.rank, "unit_id": r.score.unit_id, "unit": r.score.unit_name,
                    "score": r.score.total, "plus": plus, "minus": minus,
                    "change": r.change, "change_text": r.change_text,
                    "breakdown": r.score.breakdown()})
    return out


def _list_rows(rows: Sequence[ScoreRank]) -> list[dict]:
    return [{"unit_id": r.score.unit_id, "unit": r.score.unit_name, "rank": r.rank,
             "score": r.score.total} for r in rows]


def bulletin_facts(session: Session, campaign_id: int, campaign_name: str, span: Span,
                   today: dt.date, cal: WorkCalendar, settings: BoardSettings,
                   exempt: Optional[Mapping[int, str]] = None) -> dict:
    exempt = dict(exempt or {})
    scorer = Scorer(session, campaign_id, today, cal, settings)
    months = span_months(span)
    before = span_months(previous_span(span))
    boards = [scorer.board(p) for p in months]
    prev_boards = [scorer.board(p) for p in before]
    current, previous = scorer.scores(months), scorer.scores(before)
    last = boards[-1]

    tracks = {}
    for track, word in TRACK_WORDS.items():
        ranked = rank_track(current, track, previous)
        n_red, n_black = list_sizes(settings, track)
        lists = red_black(ranked, settings.score_target, n_red, n_black, exempt)
        tracks[track] = {
            "word": word, "ranking": _rank_rows(ranked),
            "red": _list_rows(lists.red), "black": _list_rows(lists.black),
            "exempted": [{**_list_rows([r])[0], "reason": why} for r, why in lists.exempted],
            "red_size": n_red, "black_size": n_black,
        }

    overdue = []
    for row in last.rows:
        if row.due_state is not DueState.OVERDUE:
            continue
        units = [a.unit_name for a in last.assignments.get(row.task_id, [])
                 if a.due_state is DueState.OVERDUE]
        overdue.append({"code": row.code, "title": row.title, "lead_unit": row.lead_unit,
                        "deadline": row.deadline.isoformat() if row.deadline else "",
                        "days": days_overdue(row.deadline, last.as_of),
                        "progress": round(row.progress, 1), "units": units})

    unreported = [{"unit_id": u.unit_id, "unit": u.unit_name,
                   "missing": u.item("missing").count, "returned": u.item("returned").count}
                  for u in current if u.item("missing").count]
    unreported.sort(key=lambda u: (-u["missing"], u["unit_id"]))
    escalations = [{"unit_id": u.unit_id, "unit": u.unit_name, "cards": list(u.cards), "supervise": u.item("supervise").count,
                    "interview": u.item("interview").count, "tasks": list(u.interviews)}
                   for u in current if u.item("supervise").count or u.item("interview").count]

    return {
        "campaign_id": campaign_id, "campaign": campaign_name,
        "span": str(span), "span_label": span.label,
        "quarter": isinstance(span, Quarter),
        "previous_span_label": previous_span(span).label,
        "as_of": last.as_of.isoformat(),
        "overall": _overall(boards), "previous": _overall(prev_boards),
        "tracks": tracks, "overdue_tasks": overdue, "unreported": unreported,
        "escalations": escalations,
        "target": settings.score_target,
        "requirements": settings.bulletin_requirements or DEFAULT_REQUIREMENTS,
        "exempt": {str(k): v for k, v in exempt.items()},
        "scores": {str(u.unit_id): fmt(u.total) for u in current},
    }
