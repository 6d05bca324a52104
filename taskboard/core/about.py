"""帮助 texts as plain values: where the data lives, and the rules with the office's numbers.

The rules dialog reads its numbers from the current settings so what it says is what the
board computes; the texts are built here, without Qt, so they can be checked in tests.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import make_url

from taskboard.core.periods import Period
from taskboard.core.rules import LIGHT_MEANINGS, Light, report_day
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar

def database_location(url: str) -> str:
    """The database in words, never with its password."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if not u.database or u.database == ":memory:":
            return "内存数据库（不保存）"
        return f"本机文件：{Path(u.database)}"
    who = f"{u.username}@" if u.username else ""
    port = f":{u.port}" if u.port else ""
    return f"PostgreSQL 服务器：{who}{u.host or 'localhost'}{port}，数据库 {u.database or '—'}"


def rules_sections(settings: BoardSettings, cal: WorkCalendar, today: dt.date
                   ) -> list[tuple[str, list[str]]]:
    """(heading, lines) of the 亮灯与时限规则 help, with the settings' numbers."""
    period = Period.of(today)
    due = report_day(period, cal, settings.report_day)
    near = settings.near_due_workdays
    return [
        ("亮灯（每个责任单位、每个期次）", [
            f"绿灯：{LIGHT_MEANINGS[Light.GREEN]}——已办结销号，或本期报送已审核通过。",
            f"蓝灯：{LIGHT_MEANINGS[Light.BLUE]}——本期已报送，等待调度人员审核。",
            f"红灯：{LIGHT_MEANINGS[Light.RED]}——本期还没有报送，或报送被退回。",
            "一项任务的亮灯取各责任单位中最差的一个（红灯 > 蓝灯 > 绿灯）。",
            "每盏灯都同时写出“绿灯/蓝灯/红灯”字样，黑白打印也能分辨。",
        ]),
        ("时限状态", [
            "已完成：已办结销号。",
            "超期：已过完成时限，仍未办结。",
            f"临期：距完成时限不超过 {near} 个工作日（完成时限当天是工作日的也计入）。",
            "正常：有完成时限，尚未临期。",
            "长期：没有完成时限（长期坚持、持续推进）。",
            "待销号：各责任单位报送的完成进度都已达到 100%，但尚未办结销号；"
            "已过时限的显示“超期·待销号”。请审核后办理销号。",
            "工作日按国家法定节假日和调休安排计算。",
        ]),
        ("时序进度与滞后", [
            "时序进度：从任务开始日期到完成时限，已经过去的时间所占比例（0–100%）。",
            "滞后：完成进度低于时序进度（“时间过半、任务过半”）。",
            "没有完成时限的任务不计时序进度，也不算滞后；已办结的任务不算滞后。",
        ]),
        ("报送日", [
            f"每月 {settings.report_day} 日前报送当月进展；遇节假日提前到前一个工作日。",
            f"{period.label}的报送截止日：{due:%Y年%m月%d日}。",
            "报送后为蓝灯（待审核）；审核通过为绿灯，退回后需重新报送。",
            "完成进度按最近一次未被退回的报送计算。",
        ]),
        ("催办", [
            f"同一责任单位的同一任务，{settings.urge_quiet_workdays} 个工作日内不重复催办"
            "（确需催办须填写理由）。",
            f"催办达到 {settings.supervise_after_urges} 次后改为督办，并抄送分管领导。",
        ]),
        ("亮牌", [
            "红牌：超期未完成。黄牌：滞后，或本期报送被退回、无实质内容。蓝牌：临期。",
            "每项任务只亮最重的一张；单位取其各项任务中最重的一张；已办结的不亮牌。",
            f"一个单位一期内每两张黄牌记一次督办（{settings.score_two_yellow:+d} 分），"
            f"每张红牌记一次约谈（{settings.score_red_card:+d} 分）。",
        ]),
        ("考评", [
            f"基础分 {settings.score_base} 分；每完成一项任务 {settings.score_completed:+d}，"
            f"每项超期 {settings.score_overdue:+d}，每次报送被退回 {settings.score_returned:+d}，"
            f"每次未报送 {settings.score_missing:+d}，每次报送无实质内容 "
            f"{settings.score_no_substance:+d}，通报表扬 {settings.score_praise:+d}、"
            f"通报批评 {settings.score_criticism:+d}。",
            f"无实质内容：本月进展少于 {settings.score_min_chars} 个字，或与上月相同。",
            f"完成、超期两项牵头单位计全分，配合单位计 {settings.score_support_pct}%。",
            f"红榜：得分不低于 {settings.score_target} 分且位列前 {settings.red_list_districts} 名"
            f"（旗区）/ 前 {settings.red_list_departments} 名（部门）；黑榜：低于 "
            f"{settings.score_target} 分且位列后 {settings.black_list_districts} 名 / 后 "
            f"{settings.black_list_departments} 名。旗区、部门分别排名。",
        ]),
    ]


def rules_html(sections: list[tuple[str, list[str]]]) -> str:
    from html import escape

    return "".join(f"<h3>{escape(h)}</h3><ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines)
                   + "</ul>" for h, lines in sections)
