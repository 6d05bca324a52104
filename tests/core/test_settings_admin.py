import datetime as dt
import json

import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.errors import NotFound, PermissionDenied, ValidationError
from taskboard.core.models import AuditEvent, CalendarOverride
from taskboard.core.periods import Period
from taskboard.core.rules import DueState, due_state, report_day
from taskboard.core.services import settings_admin as sa
from taskboard.core.settings import load_calendar, load_settings


def _actor(db, username):
    with db.session() as s:
        return load_actor(s, username)


@pytest.fixture
def admin(demo_db):
    return _actor(demo_db, "admin")


def _events(db, action):
    with db.session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                         .order_by(AuditEvent.id)).all()


def test_update_settings_stores_values_and_audits_once(demo_db, admin):
    with demo_db.Session.begin() as s:
        changed = sa.update_settings(s, admin, {
            "report_day": "20", "near_due_workdays": 7, "office_name": "  综合科  ",
            "idle_lock_minutes": 0, "supervise_after_urges": 0, "backup_keep_days": 3650})
    assert changed == {"report_day": 20, "near_due_workdays": 7, "office_name": "综合科",
                       "idle_lock_minutes": 0, "supervise_after_urges": 0,
                       "backup_keep_days": 3650}
    with demo_db.session() as s:
        st = load_settings(s)
    assert (st.report_day, st.near_due_workdays, st.office_name) == (20, 7, "综合科")
    assert (st.idle_lock_minutes, st.supervise_after_urges, st.backup_keep_days) == (0, 0, 3650)
    [event] = _events(demo_db, "settings.update")
    assert event.user_id == admin.user_id
    assert json.loads(event.before)["report_day"] == 25
    assert json.loads(event.after)["report_day"] == 20
    assert "每月报送日" in event.summary


def test_unchanged_values_write_no_event(demo_db, admin):
    with demo_db.Session.begin() as s:
        assert sa.update_settings(s, admin, {"report_day": 25, "near_due_workdays": 5}) == {}
    assert _events(demo_db, "settings.update") == []


@pytest.mark.parametrize("key,value,words", [
    ("report_day", 0, "1–31"), ("report_day", 32, "1–31"), ("report_day", "x", "整数"),
    ("report_day", True, "整数"), ("report_day", 2.5, "整数"),
    ("near_due_workdays", -1, "0–30"), ("near_due_workdays", 31, "0–30"),
    ("urge_quiet_workdays", 31, "0–30"), ("supervise_after_urges", 21, "0–20"),
    ("backup_keep_days", 0, "1–3650"), ("backup_keep_days", 3651, "1–3650"),
    ("idle_lock_minutes", 481, "0–480"), ("idle_lock_minutes", -5, "0–480"),
    ("office_name", "   ", "不能为空"), ("office_name", "办" * 61, "不能超过 60"),
    ("office_phone", "0477\n1", "换行"), ("smtp_port", 70000, "1–65535"),
    ("smtp_security", "tls", "ssl、starttls"), ("smtp_host", "smtp .x.cn", "空格"),
    ("urge_template", "x", "通知单模板"), ("no_such_key", 1, "未知的设置项"),
])
def test_bad_values_are_refused_and_nothing_is_stored(demo_db, admin, key, value, words):
    with pytest.raises(ValidationError, match=words):
        with demo_db.Session.begin() as s:
            # The good value in the same call must not be stored either.
            sa.update_settings(s, admin, {"near_due_workdays": 9, key: value})
    with demo_db.session() as s:
        assert load_settings(s).near_due_workdays == 5
    assert _events(demo_db, "settings.update") == []


def test_edges_are_accepted(demo_db, admin):
    with demo_db.Session.begin() as s:
        sa.update_settings(s, admin, {"report_day": 31, "near_due_workdays": 0,
                                      "urge_quiet_workdays": 30, "supervise_after_urges": 20,
                                      "backup_keep_days": 1, "idle_lock_minutes": 480})
    with demo_db.session() as s:
        st = load_settings(s)
    assert (st.report_day, st.near_due_workdays, st.urge_quiet_workdays) == (31, 0, 30)
    assert (st.supervise_after_urges, st.backup_keep_days, st.idle_lock_minutes) == (20, 1, 480)


def test_smtp_host_needs_a_sender_address(demo_db, admin):
    with pytest.raises(ValidationError, match="发件人邮箱"):
        with demo_db.Session.begin() as s:
            sa.update_settings(s, admin, {"smtp_host": "smtp.example.gov.cn"})
    with demo_db.Session.begin() as s:
        sa.update_settings(s, admin, {"smtp_host": "smtp.example.gov.cn",
                                      "smtp_sender": "ducha@example.gov.cn"})
    with demo_db.session() as s:
        assert load_settings(s).smtp_host == "smtp.example.gov.cn"


@pytest.mark.parametrize("username", ["dispatcher", "leader", "unit001"])
def test_only_admins_edit_settings_and_calendar(demo_db, username):
    actor = _actor(demo_db, username)
    day = dt.date(2027, 1, 1)
    with demo_db.Session.begin() as s:
        with pytest.raises(PermissionDenied, match="修改设置"):
            sa.update_settings(s, actor, {"report_day": 20})
        with pytest.raises(PermissionDenied, match="修改设置"):
            sa.set_calendar_override(s, actor, day, False, "")
        s.add(CalendarOverride(day=day, is_workday=False, note=""))
    with demo_db.Session.begin() as s:
        with pytest.raises(PermissionDenied):
            sa.remove_calendar_override(s, actor, day)
    with demo_db.session() as s:
        assert load_settings(s).report_day == 25
        assert s.get(CalendarOverride, day) is not None


def test_override_changes_the_due_state(demo_db, admin):
    deadline, at = dt.date(2027, 1, 8), dt.date(2026, 12, 31)
    with demo_db.session() as s:
        # 2027 is past the package's knowledge: Monday–Friday, so Jan 1 and Jan 4–8 count.
        assert due_state(deadline, False, at, load_calendar(s), 5) is DueState.NORMAL
    with demo_db.Session.begin() as s:
        sa.set_calendar_override(s, admin, dt.date(2027, 1, 1), False, "元旦")
    with demo_db.session() as s:
        assert due_state(deadline, False, at, load_calendar(s), 5) is DueState.NEAR_DUE
    [event] = _events(demo_db, "calendar.override")
    assert json.loads(event.after) == {"day": "2027-01-01", "is_workday": False, "note": "元旦"}
    assert event.before == ""
    with demo_db.Session.begin() as s:
        sa.remove_calendar_override(s, admin, dt.date(2027, 1, 1))
    with demo_db.session() as s:
        assert due_state(deadline, False, at, load_calendar(s), 5) is DueState.NORMAL
    [removed] = _events(demo_db, "calendar.override_removed")
    assert json.loads(removed.before)["note"] == "元旦"


def test_override_moves_the_report_day(demo_db, admin):
    # 2026-12-25 is a Friday; declared a holiday, the report falls due on Thursday the 24th.
    with demo_db.Session.begin() as s:
        sa.set_calendar_override(s, admin, dt.date(2026, 12, 25), False, "")
    with demo_db.session() as s:
        assert report_day(Period(2026, 12), load_calendar(s), 25) == dt.date(2026, 12, 24)


def test_override_is_replaced_not_duplicated(demo_db, admin):
    day = dt.date(2027, 2, 6)  # a Saturday worked (调休) until the State Council publishes 2027
    with demo_db.Session.begin() as s:
        sa.set_calendar_override(s, admin, day, False, "草稿")
        sa.set_calendar_override(s, admin, day, True, "调休上班")
    with demo_db.session() as s:
        assert sa.list_overrides(s) == [sa.OverrideRow(day, True, "调休上班")]
    second = _events(demo_db, "calendar.override")[1]
    assert json.loads(second.before)["note"] == "草稿"


def test_bad_override_input(demo_db, admin):
    with demo_db.Session.begin() as s:
        with pytest.raises(ValidationError, match="200"):
            sa.set_calendar_override(s, admin, dt.date(2027, 1, 1), False, "长" * 201)
        with pytest.raises(ValidationError, match="2000–2100"):
            sa.set_calendar_override(s, admin, dt.date(1999, 1, 1), False, "")
        with pytest.raises(NotFound, match="2027-03-01 没有"):
            sa.remove_calendar_override(s, admin, dt.date(2027, 3, 1))
    with demo_db.session() as s:
        assert sa.list_overrides(s) == []


def test_list_calendar_for_a_known_year(demo_db, admin):
    with demo_db.Session.begin() as s:
        sa.set_calendar_override(s, admin, dt.date(2026, 12, 31), False, "年终盘点")
    with demo_db.session() as s:
        days = {d.day: d for d in sa.list_calendar(s, 2026)}
    assert len(days) == 365
    national = days[dt.date(2026, 10, 1)]
    assert (national.official_workday, national.official_kind, national.holiday_name) == \
        (False, "法定节假日", "国庆节")
    lieu = days[dt.date(2026, 9, 20)]  # a Sunday worked for the National Day holiday
    assert (lieu.official_kind, lieu.is_workday, lieu.fallback_workday) == \
        ("调休上班", True, False)
    assert days[dt.date(2026, 11, 23)].kind_word == "工作日"
    assert days[dt.date(2026, 11, 22)].kind_word == "周末"
    eve = days[dt.date(2026, 12, 31)]
    assert (eve.official_workday, eve.override, eve.is_workday, eve.override_note) == \
        (True, False, False, "年终盘点")
    assert eve.kind_word == "调整为休息日"
    assert all(d.year_known for d in days.values())


def test_list_calendar_for_an_unknown_year_uses_monday_to_friday(db):
    with db.session() as s:
        days = {d.day: d for d in sa.list_calendar(s, 2027)}
    assert sa.last_known_year() == 2026
    new_year = days[dt.date(2027, 1, 1)]  # a Friday
    assert (new_year.year_known, new_year.official_workday, new_year.is_workday) == \
        (False, None, True)
    assert new_year.kind_word == "工作日（周一至周五）"
    assert days[dt.date(2027, 1, 2)].kind_word == "周末（周一至周五规则）"
    with pytest.raises(ValidationError):
        with db.session() as s:
            sa.list_calendar(s, 1900)
