"""Office-wide settings stored in the database, each declared once with its type and default."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core.models import CalendarOverride, Setting
from taskboard.core.rules import DEFAULT_NEAR_DUE_WORKDAYS, DEFAULT_REPORT_DAY
from taskboard.core.workcalendar import WorkCalendar


@dataclass(frozen=True)
class BoardSettings:
    near_due_workdays: int = DEFAULT_NEAR_DUE_WORKDAYS
    report_day: int = DEFAULT_REPORT_DAY
    # Working days before the same assignment may be urged again (减轻基层负担).
    urge_quiet_workdays: int = 3
    # Urges after which a notice becomes 督办 and goes to the leader in charge.
    supervise_after_urges: int = 3
    office_name: str = "营商环境工作任务调度办公室"
    office_contact: str = ""
    office_phone: str = ""
    # SQLite backups kept this many days; a window idle this long locks (0: never).
    backup_keep_days: int = 30
    idle_lock_minutes: int = 30
    # Working days a unit gets to answer an urge notice.
    urge_reply_workdays: int = 5
    # Notice wording overriding resources/templates (empty: the shipped wording).
    urge_template: str = ""
    supervise_template: str = ""
    # Outgoing mail; the password never lives here (see taskboard.notify.email).
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = "ssl"  # ssl | starttls | none
    smtp_account: str = ""
    smtp_sender: str = ""
    # 考评 (scoring): points per item; see taskboard.core.scoring for what each counts.
    score_base: int = 100
    score_completed: int = 1
    score_overdue: int = -1
    score_returned: int = -2
    score_missing: int = -10
    score_no_substance: int = -5
    # A report "without substance": progress text shorter than this, or unchanged from the
    # previous period's.
    score_min_chars: int = 15
    score_praise: int = 1
    score_criticism: int = -1
    # A supporting (non-lead) unit's share of task items, in per cent of the lead unit's.
    score_support_pct: int = 50
    score_two_yellow: int = -1  # every second yellow card: a 督办
    score_red_card: int = -2  # every red card: a 约谈
    # 红黑榜: red = score at least the target and among the top N of its track; black =
    # below the target and among the bottom N.
    score_target: int = 80
    red_list_districts: int = 5
    red_list_departments: int = 4
    black_list_districts: int = 4
    black_list_departments: int = 3
    # Units of kind "other": ranked with the departments ("department") or not at all ("none").
    other_units_track: str = "department"
    # 通报: the issuer's word in the number (营商调度〔2026〕3号) and the 下步工作要求 paragraph
    # (empty: the shipped wording).
    bulletin_word: str = "营商调度"
    bulletin_requirements: str = ""


_FIELDS = {f.name: f for f in dataclasses.fields(BoardSettings)}


def load_settings(session: Session) -> BoardSettings:
    values = {}
    for key, raw in session.execute(select(Setting.key, Setting.value)):
        if key in _FIELDS:
            try:
                values[key] = json.loads(raw)
            except ValueError:
                continue
    return BoardSettings(**values)


def save_setting(session: Session, key: str, value) -> None:
    if key not in _FIELDS:
        raise KeyError(f"未知的设置项：{key}")
    expected = type(getattr(BoardSettings(), key))
    if not isinstance(value, expected):
        raise TypeError(f"设置项 {key} 应为 {expected.__name__}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
    else:
        row.value = json.dumps(value, ensure_ascii=False)


def load_calendar(session: Session) -> WorkCalendar:
    overrides = {day: wd for day, wd in session.execute(
        select(CalendarOverride.day, CalendarOverride.is_workday))}
    return WorkCalendar(overrides)
