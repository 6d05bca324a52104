"""Incremental month-by-month history: each campaign × month's reports digested once.

Reading every report of a campaign is what makes the history cost seconds at province
scale, and a change touches one month (an approval, a new report) or a few. The cache keeps
``MonthReports`` per campaign and month and re-reads only the months a change touched.

What changed comes from the audit trail, which every change writes (``core.changes`` relies
on the same): the events since the last refresh name the reports touched, and those reports'
periods are the months to re-read — whichever workstation wrote them. A month is also re-read
when its report day moved (settings, calendar). Everything else behind the figures
(assignments, closures, deadlines, urges) is small and read on every refresh, so closing or
reopening work needs no month to be re-read.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from taskboard.core.dashboard_history import History, MonthReports, load_history, report_months
from taskboard.core.models import AuditEvent, Campaign, Report
from taskboard.core.periods import Period, period_range
from taskboard.core.rules import report_day
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar

# Audit events that write reports without naming each one: every month is re-read.
_BULK_REPORT_ACTIONS = {"reports.import", "tasks.import"}
_CHUNK = 500


@dataclass
class _Entry:
    stamp: int = -1  # largest audit id seen at the last refresh
    months: dict[Period, MonthReports] = field(default_factory=dict)
    cutoffs: dict[Period, dt.date] = field(default_factory=dict)


class HistoryCache:
    """Thread-safe: loads may run in a worker while another is still finishing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self.last_reread: tuple[Period, ...] = ()  # months re-read by the latest load

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def load(self, session: Session, campaign_id: int, last: Period, today: dt.date,
             cal: WorkCalendar, settings: Optional[BoardSettings] = None) -> History:
        settings = settings or BoardSettings()
        with self._lock:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise LookupError(f"专项工作不存在：{campaign_id}")
            # The stamp first: a change committed after it is seen again on the next refresh.
            stamp = session.scalar(select(func.max(AuditEvent.id))) or 0
            entry = self._entries.setdefault(campaign_id, _Entry())
            periods = period_range(min(Period.of(campaign.start_date), last), last)
            touched = self._touched(session, entry.stamp, stamp) if entry.stamp >= 0 else None
            cutoffs = {p: report_day(p, cal, settings.report_day) for p in periods}
            wanted = [p for p in periods
                      if p not in entry.months or entry.cutoffs.get(p) != cutoffs[p]
                      or touched is None or p in touched]
            if touched is None:
                entry.months.clear()
            if wanted:
                entry.months.update(report_months(session, campaign_id, wanted,
                                                  [cutoffs[p] for p in wanted]))
                entry.cutoffs.update({p: cutoffs[p] for p in wanted})
            entry.stamp = stamp
            self.last_reread = tuple(wanted)
            return load_history(session, campaign_id, last, today, cal, settings,
                                months=entry.months)

    @staticmethod
    def _touched(session: Session, since: int, until: int) -> Optional[set[Period]]:
        """The months whose reports changed between two audit stamps; None: all of them."""
        if until <= since:
            return set()
        report_ids: set[int] = set()
        for action, entity, entity_id in session.execute(
                select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id)
                .where(AuditEvent.id > since, AuditEvent.id <= until)):
            if action in _BULK_REPORT_ACTIONS:
                return None
            if entity == "report":
                if entity_id is None:
                    return None
                report_ids.add(entity_id)
        months: set[Period] = set()
        ids = sorted(report_ids)
        for i in range(0, len(ids), _CHUNK):
            months.update(Period.parse(p) for p in session.scalars(
                select(Report.period).where(Report.id.in_(ids[i:i + _CHUNK])).distinct()))
        return months
