import datetime as dt

import pytest
from sqlalchemy import select

from taskboard.cli.main import main
from taskboard.core.models import AuditEvent, CalendarOverride
from taskboard.core.settings import load_settings


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_settings_show_and_set(demo_db, db_url, capsys):
    rc, out, _ = _run(capsys, "settings", "show", "--db", db_url)
    assert rc == 0
    assert "report_day             每月报送日：25" in out
    assert "office_contact         联系人：（未填写）" in out
    assert "urge_template          通知单模板：默认措辞" in out
    rc, out, _ = _run(capsys, "settings", "set", "near_due_workdays", "8", "--db", db_url)
    assert (rc, out.strip()) == (0, "已修改 临期提醒（工作日）（near_due_workdays）为 8")
    rc, out, _ = _run(capsys, "settings", "set", "near_due_workdays", "8", "--db", db_url)
    assert "未修改" in out
    with demo_db.session() as s:
        assert load_settings(s).near_due_workdays == 8
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "settings.update"))
        assert event.user_id == 1  # the first administrator


@pytest.mark.parametrize("argv,words", [
    (["settings", "set", "report_day", "0"], "每月报送日应在 1–31 之间，收到：0"),
    (["settings", "set", "idle_lock_minutes", "半小时"], "空闲锁定时间应为整数"),
    (["settings", "set", "office_name", " "], "办公室名称不能为空"),
    (["settings", "set", "colour", "red"], "未知的设置项：colour"),
    (["calendar", "set", "2027-02-30", "holiday"], "日期应为 YYYY-MM-DD，收到：2027-02-30"),
    (["calendar", "set", "2027-01-01", "rest"], "应为 workday（工作日）或 holiday（休息日）"),
    (["calendar", "unset", "2027-01-01"], "2027-01-01 没有自定义的工作日调整"),
    (["calendar", "list", "--year", "1900"], "年份超出范围"),
])
def test_bad_input_exits_2_in_chinese_and_stores_nothing(demo_db, db_url, capsys, argv, words):
    rc, _, err = _run(capsys, *argv, "--db", db_url)
    assert rc == 2
    assert words in err
    with demo_db.session() as s:
        assert load_settings(s).report_day == 25
        assert s.scalars(select(CalendarOverride)).all() == []
        assert s.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(["settings.update", "calendar.override"]))).all() == []


def test_calendar_set_list_unset(demo_db, db_url, capsys):
    rc, out, _ = _run(capsys, "calendar", "set", "2027-01-01", "holiday", "--note", "元旦",
                      "--db", db_url)
    assert (rc, out.strip()) == (0, "已将 2027-01-01 设为休息日")
    rc, out, _ = _run(capsys, "calendar", "set", "2027-02-06", "workday", "--db", db_url)
    assert rc == 0
    rc, out, _ = _run(capsys, "calendar", "list", "--year", "2027", "--db", db_url)
    lines = out.splitlines()
    assert "按周一至周五计算工作日" in lines[0]
    assert "2027-01-01  五  调整为休息日  备注：元旦" in lines
    assert "2027-02-06  六  调整为工作日" in lines
    assert lines[-1] == "2027 年：工作日 261 天，休息日 104 天，列出特殊日期 2 天"
    rc, out, _ = _run(capsys, "calendar", "list", "--overrides", "--db", db_url)
    assert out.splitlines() == ["2027-01-01  调整为休息日  元旦", "2027-02-06  调整为工作日"]
    rc, out, _ = _run(capsys, "calendar", "unset", "2027-01-01", "--db", db_url)
    assert (rc, out.strip()) == (0, "已取消 2027-01-01 的调整，恢复官方日历")
    with demo_db.session() as s:
        assert [r.day for r in s.scalars(select(CalendarOverride))] == [dt.date(2027, 2, 6)]


def test_calendar_list_of_a_known_year_shows_holidays_and_lieu_days(db_url, capsys):
    rc, out, _ = _run(capsys, "calendar", "list", "--year", "2026", "--db", db_url)
    assert rc == 0
    assert "2026-10-01  四  法定节假日  国庆节" in out
    assert "2026-09-20  日  调休上班  国庆节" in out
    assert "按周一至周五" not in out


def test_settings_need_an_administrator(db_url, capsys):
    rc, _, err = _run(capsys, "settings", "show", "--db", db_url)
    assert rc == 2
    assert "还没有管理员" in err
