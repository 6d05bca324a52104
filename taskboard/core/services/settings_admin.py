"""The administrator's office settings and working-day overrides.

Every editable setting is validated here, once, so the settings dialog and ``taskboard
settings set`` refuse the same values with the same Chinese words.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Optional

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import CalendarOverride
from taskboard.core.services.urge_settings import SECURITY
from taskboard.core.settings import BoardSettings, load_settings, save_setting
from taskboard.core.workcalendar import official_calendar_knows

# key -> (Chinese label, validator returning the clean value or raising ValidationError)
Check = Callable[[Any], Any]


def _int_range(label: str, low: int, high: int, hint: str = "") -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError(f"{label}应为整数。")
        if isinstance(value, str):
            text = value.strip()
            if not text.lstrip("-").isdigit():
                raise ValidationError(f"{label}应为整数，收到：{value}")
            value = int(text)
        if not isinstance(value, int):
            raise ValidationError(f"{label}应为整数。")
        if not low <= value <= high:
            raise ValidationError(f"{label}应在 {low}–{high} 之间{hint}，收到：{value}")
        return value
    return check


def _text(label: str, max_len: int, required: bool = False) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"{label}应为文字。")
        value = value.strip()
        if required and not value:
            raise ValidationError(f"{label}不能为空。")
        if len(value) > max_len:
            raise ValidationError(f"{label}不能超过 {max_len} 个字（现有 {len(value)} 个）。")
        if any(c in value for c in "\r\n\t"):
            raise ValidationError(f"{label}不能包含换行或制表符。")
        return value
    return check


def _smtp_host(value: Any) -> str:
    value = _text("邮件服务器地址", 200)(value)
    if any(c.isspace() for c in value):
        raise ValidationError("服务器地址不能包含空格。")
    return value


def _smtp_security(value: Any) -> str:
    value = str(value).strip().lower()
    if value not in SECURITY:
        raise ValidationError(f"加密方式应为 ssl、starttls 或 none，收到：{value}")
    return value


def _points(label: str) -> Check:
    return _int_range(label, -100, 100, "（正数加分、负数扣分）")


def _other_track(value: Any) -> str:
    value = str(value).strip().lower()
    if value not in ("department", "none"):
        raise ValidationError(f"其他单位应参加部门排名（department）或不参加（none），收到：{value}")
    return value


def _long_text(label: str, max_len: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"{label}应为文字。")
        value = value.strip().replace("\r\n", "\n")
        if len(value) > max_len:
            raise ValidationError(f"{label}不能超过 {max_len} 个字（现有 {len(value)} 个）。")
        return value
    return check


FIELDS: dict[str, tuple[str, Check]] = {
    "report_day": ("每月报送日", _int_range("每月报送日", 1, 31)),
    "near_due_workdays": ("临期提醒（工作日）",
                          _int_range("临期提醒天数", 0, 30, "（工作日）")),
    "urge_quiet_workdays": ("重复催办间隔（工作日）",
                            _int_range("重复催办间隔", 0, 30, "（工作日）")),
    "supervise_after_urges": ("催办几次后转督办",
                              _int_range("转督办的催办次数", 0, 20, "（0 表示不转督办）")),
    "urge_reply_workdays": ("催办回复期限（工作日）",
                            _int_range("催办回复期限", 1, 30, "（工作日）")),
    "office_name": ("办公室名称", _text("办公室名称", 60, required=True)),
    "office_contact": ("联系人", _text("联系人", 40)),
    "office_phone": ("联系电话", _text("联系电话", 40)),
    "backup_keep_days": ("备份保留天数", _int_range("备份保留天数", 1, 3650)),
    "idle_lock_minutes": ("空闲锁定（分钟）",
                          _int_range("空闲锁定时间", 0, 480, "分钟（0 表示不锁定）")),
    "smtp_host": ("邮件服务器地址", _smtp_host),
    "smtp_port": ("邮件服务器端口", _int_range("端口", 1, 65535)),
    "smtp_security": ("加密方式", _smtp_security),
    "smtp_account": ("发件账号", _text("发件账号", 200)),
    "smtp_sender": ("发件人邮箱", _text("发件人邮箱", 200)),
    "score_base": ("考评基础分", _int_range("考评基础分", 0, 1000)),
    "score_completed": ("每完成一项任务加分", _points("每完成一项任务加分")),
    "score_overdue": ("每项超期任务扣分", _points("每项超期任务扣分")),
    "score_returned": ("每次报送被退回扣分", _points("每次报送被退回扣分")),
    "score_missing": ("每次未报送扣分", _points("每次未报送扣分")),
    "score_no_substance": ("每次报送无实质内容扣分", _points("每次报送无实质内容扣分")),
    "score_min_chars": ("实质内容最少字数", _int_range("实质内容最少字数", 0, 500)),
    "score_praise": ("通报表扬加分", _points("通报表扬加分")),
    "score_criticism": ("通报批评扣分", _points("通报批评扣分")),
    "score_support_pct": ("配合单位计分比例（%）", _int_range("配合单位计分比例", 0, 100, "（%）")),
    "score_two_yellow": ("两张黄牌（督办）扣分", _points("两张黄牌（督办）扣分")),
    "score_red_card": ("每张红牌（约谈）扣分", _points("每张红牌（约谈）扣分")),
    "score_target": ("红榜达标分", _int_range("红榜达标分", 0, 1000)),
    "red_list_districts": ("红榜旗区数", _int_range("红榜旗区数", 0, 50)),
    "red_list_departments": ("红榜部门数", _int_range("红榜部门数", 0, 50)),
    "black_list_districts": ("黑榜旗区数", _int_range("黑榜旗区数", 0, 50)),
    "black_list_departments": ("黑榜部门数", _int_range("黑榜部门数", 0, 50)),
    "other_units_track": ("其他单位参加哪类排名", _other_track),
    "bulletin_word": ("通报发文机关代字", _text("通报发文机关代字", 20, required=True)),
    "bulletin_requirements": ("通报“下步工作要求”", _long_text("下步工作要求", 2000)),
}
# Multi-line wording with its own placeholder check: edited in 催办 → 通知单模板….
TEMPLATE_KEYS = ("urge_template", "supervise_template")


def label(key: str) -> str:
    return FIELDS[key][0] if key in FIELDS else key


def validate(key: str, value: Any) -> Any:
    """The clean value for ``key``, or ValidationError in Chinese."""
    if key in TEMPLATE_KEYS:
        raise ValidationError("通知单模板请在“催办 → 通知单模板…”中修改（那里会检查占位符）。")
    if key not in FIELDS:
        known = "、".join(FIELDS)
        raise ValidationError(f"未知的设置项：{key}。可修改的设置项：{known}")
    return FIELDS[key][1](value)


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Store the changed values; returns the keys that really changed with their new values.

    All values are checked before anything is written, so one bad value stores nothing.
    """
    permissions.require(actor, "settings.edit")
    clean = {key: validate(key, value) for key, value in changes.items()}
    old = load_settings(session)
    merged = {k: clean.get(k, getattr(old, k)) for k in ("smtp_host", "smtp_sender",
                                                         "smtp_account")}
    if merged["smtp_host"] and "@" not in (merged["smtp_sender"] or merged["smtp_account"]):
        raise ValidationError("请填写发件人邮箱地址（如 ducha@example.gov.cn）。")
    changed = {k: v for k, v in clean.items() if getattr(old, k) != v}
    if not changed:
        return {}
    for key, value in changed.items():
        save_setting(session, key, value)
    audit.record(session, actor, "settings.update", "setting",
                 summary="修改设置：" + "、".join(label(k) for k in changed),
                 before={k: getattr(old, k) for k in changed}, after=changed)
    return changed


# --- working-day overrides --------------------------------------------------------------------

def _check_day(day: Any) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError("日期应为 YYYY-MM-DD 格式。")
    if not 2000 <= day.year <= 2100:
        raise ValidationError(f"日期超出范围（2000–2100 年）：{day.isoformat()}")
    return day


def _override_dict(row: Optional[CalendarOverride]) -> Optional[dict[str, Any]]:
    if row is None:
        return None
    return {"day": row.day, "is_workday": row.is_workday, "note": row.note}


def _kind_word(is_workday: bool) -> str:
    return "工作日" if is_workday else "休息日"


def set_calendar_override(session: Session, actor: Actor, day: dt.date, is_workday: bool,
                          note: str = "") -> None:
    permissions.require(actor, "settings.edit")
    day = _check_day(day)
    note = _text("备注", 200)(note or "")
    row = session.get(CalendarOverride, day)
    before = _override_dict(row)
    if row is None:
        row = CalendarOverride(day=day, is_workday=bool(is_workday), note=note)
        session.add(row)
    else:
        row.is_workday, row.note = bool(is_workday), note
    after = {"day": day, "is_workday": bool(is_workday), "note": note}
    summary = f"将 {day.isoformat()} 设为{_kind_word(bool(is_workday))}"
    audit.record(session, actor, "calendar.override", "calendar_override",
                 summary=summary + (f"（{note}）" if note else ""), before=before, after=after)


def remove_calendar_override(session: Session, actor: Actor, day: dt.date) -> None:
    permissions.require(actor, "settings.edit")
    day = _check_day(day)
    row = session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"{day.isoformat()} 没有自定义的工作日调整。")
    before = _override_dict(row)
    session.delete(row)
    audit.record(session, actor, "calendar.override_removed", "calendar_override",
                 summary=f"取消 {day.isoformat()} 的工作日调整，恢复官方日历",
                 before=before, after=None)


HOLIDAY_WORDS = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    # None when the official calendar does not know the year yet.
    official_workday: Optional[bool]
    # 法定节假日 / 调休上班 / 周末 / 工作日 ("" when the year is unknown)
    official_kind: str
    holiday_name: str
    fallback_workday: bool
    override: Optional[bool]
    override_note: str
    is_workday: bool
    year_known: bool

    @property
    def kind_word(self) -> str:
        """What the day is in effect, in the words the calendar legend uses."""
        if self.override is not None:
            return "调整为" + _kind_word(self.override)
        if self.official_kind:
            return self.official_kind
        return "工作日（周一至周五）" if self.fallback_workday else "周末（周一至周五规则）"


def _official(day: dt.date) -> tuple[Optional[bool], str, str]:
    try:
        workday = bool(chinese_calendar.is_workday(day))
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None, "", ""
    name_word = HOLIDAY_WORDS.get(name or "", name or "")
    weekend = day.weekday() >= 5
    if workday:
        # A weekend day worked to make up for a holiday (调休上班).
        return True, ("调休上班" if weekend else "工作日"), (name_word if weekend else "")
    if name:
        return False, "法定节假日", name_word
    return False, "周末", ""


def list_calendar(session: Session, year: int) -> list[CalendarDay]:
    """Every day of ``year`` with its official, fallback and overridden status."""
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份超出范围（2000–2100）：{year}")
    overrides = {r.day: r for r in session.scalars(
        select(CalendarOverride).where(CalendarOverride.day >= dt.date(year, 1, 1),
                                       CalendarOverride.day <= dt.date(year, 12, 31)))}
    known = official_calendar_knows(year)
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        official, kind, name = _official(day) if known else (None, "", "")
        fallback = day.weekday() < 5
        row = overrides.get(day)
        override = row.is_workday if row is not None else None
        effective = override if override is not None else (
            official if official is not None else fallback)
        out.append(CalendarDay(day, official, kind, name, fallback, override,
                               row.note if row is not None else "", effective, known))
        day += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class OverrideRow:
    day: dt.date
    is_workday: bool
    note: str


def list_overrides(session: Session, year: Optional[int] = None) -> list[OverrideRow]:
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where(CalendarOverride.day >= dt.date(year, 1, 1),
                            CalendarOverride.day <= dt.date(year, 12, 31))
    return [OverrideRow(r.day, r.is_workday, r.note) for r in session.scalars(query)]


def last_known_year() -> int:
    """The last year the installed chinese_calendar package knows."""
    return max(chinese_calendar.holidays).year


__all__ = ["BoardSettings", "CalendarDay", "FIELDS", "OverrideRow", "TEMPLATE_KEYS",
           "label", "last_known_year", "list_calendar", "list_overrides",
           "remove_calendar_override", "set_calendar_override", "update_settings", "validate"]
