"""Office settings and working-day overrides on the command line, as the signed-in account."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from taskboard.cli.common import NO_ACCOUNTS, CliError, open_db, open_demo_db, sign_in
from taskboard.core.services import settings_admin as sa
from taskboard.core.settings import load_settings



def _signed_in(args, work: Callable, read_only: bool = False,
               need_account: bool = True) -> int:
    """Run ``work(session, actor)`` in one transaction as the signed-in account; the services
    decide whether that account may (changing settings takes an administrator)."""
    db = open_demo_db() if args.demo else open_db(args.db)
    try:
        actor = sign_in(args, db, read_only=read_only)
        if need_account and actor.user_id is None:
            raise CliError(NO_ACCOUNTS)
        with db.Session.begin() as s:
            return work(s, actor)
    finally:
        db.dispose()


def _show(value) -> str:
    if value == "":
        return "（未填写）"
    return str(value)


def cmd_settings(args) -> int:
    if args.settings_command == "set":
        def work(s, actor):
            changed = sa.update_settings(s, actor, {args.key: args.value})
            if changed:
                print(f"已修改 {sa.label(args.key)}（{args.key}）为 {_show(changed[args.key])}")
            else:
                print(f"{sa.label(args.key)}（{args.key}）本来就是这个值，未修改。")
            return 0
        return _signed_in(args, work)

    def show(s, actor):
        st = load_settings(s)
        for key in sa.FIELDS:
            print(f"{key:<22} {sa.label(key)}：{_show(getattr(st, key))}")
        for key in sa.TEMPLATE_KEYS:
            word = "已自定义" if getattr(st, key) else "默认措辞"
            print(f"{key:<22} 通知单模板：{word}（在“催办 → 通知单模板…”中修改）")
        return 0
    return _signed_in(args, show, read_only=True)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"日期应为 YYYY-MM-DD，收到：{text}") from None


KINDS = {"workday": True, "holiday": False, "工作日": True, "休息日": False}


def _print_override(o: sa.OverrideRow) -> None:
    word = "工作日" if o.is_workday else "休息日"
    print(f"{o.day.isoformat()}  调整为{word}" + (f"  {o.note}" if o.note else ""))


def cmd_calendar(args) -> int:
    action = args.calendar_command
    if action == "set":
        day = _day(args.day)
        if args.kind not in KINDS:
            raise CliError(f"应为 workday（工作日）或 holiday（休息日），收到：{args.kind}")

        def set_work(s, actor):
            sa.set_calendar_override(s, actor, day, KINDS[args.kind], args.note)
            word = "工作日" if KINDS[args.kind] else "休息日"
            print(f"已将 {day.isoformat()} 设为{word}")
            return 0
        return _signed_in(args, set_work)
    if action == "unset":
        day = _day(args.day)

        def unset(s, actor):
            sa.remove_calendar_override(s, actor, day)
            print(f"已取消 {day.isoformat()} 的调整，恢复官方日历")
            return 0
        return _signed_in(args, unset)

    def listing(s, actor):
        if args.overrides:
            rows = sa.list_overrides(s, args.year)
            for o in rows:
                _print_override(o)
            if not rows:
                print("没有自定义的工作日调整。")
            return 0
        year = args.year or dt.date.today().year
        days = sa.list_calendar(s, year)
        if not days[0].year_known:
            print(f"注意：chinese_calendar 只收录到 {sa.last_known_year()} 年，{year} 年按周一至周五"
                  f"计算工作日，国务院公布放假安排后请更新该软件包或添加调整。")
        shown = 0
        for d in days:
            # Plain weekdays and weekends are the rule; list only what departs from it.
            if d.override is None and d.official_kind in ("", "工作日", "周末"):
                continue
            extra = f"  {d.holiday_name}" if d.holiday_name else ""
            note = f"  备注：{d.override_note}" if d.override_note else ""
            print(f"{d.day.isoformat()}  {'一二三四五六日'[d.day.weekday()]}  {d.kind_word}"
                  f"{extra}{note}")
            shown += 1
        print(f"{year} 年：工作日 {sum(d.is_workday for d in days)} 天，"
              f"休息日 {sum(not d.is_workday for d in days)} 天，列出特殊日期 {shown} 天")
        return 0
    return _signed_in(args, listing, read_only=True, need_account=False)


def register(sub, common) -> None:
    p = sub.add_parser("settings", parents=[common], help="查看或修改办公室设置",
                       description="查看或修改办公室设置（修改需要管理员账号）。")
    ss = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True, title="操作")
    ss.add_parser("show", parents=[common], help="列出所有设置项及其取值")
    st = ss.add_parser("set", parents=[common], help="修改一个设置项")
    st.add_argument("key", metavar="KEY", help="设置项名称，如 report_day、near_due_workdays")
    st.add_argument("value", metavar="VALUE", help="新的取值")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("calendar", parents=[common],
                       help="工作日日历：列出节假日和调整，设置或取消某天的调整",
                       description="工作日日历：列出节假日、调休和自定义调整，设置或取消某天的调整。")
    cs = p.add_subparsers(dest="calendar_command", metavar="ACTION", required=True, title="操作")
    ls = cs.add_parser("list", parents=[common],
                       help="列出某年的节假日、调休上班日和自定义调整")
    ls.add_argument("--year", type=int, help="年份（默认今年）")
    ls.add_argument("--overrides", action="store_true", help="只列出自定义调整")
    cset = cs.add_parser("set", parents=[common], help="把某天设为工作日或休息日")
    cset.add_argument("day", metavar="YYYY-MM-DD", help="日期")
    cset.add_argument("kind", metavar="workday|holiday", help="workday 工作日，holiday 休息日")
    cset.add_argument("--note", default="", help="说明，如 2027年元旦放假")
    un = cs.add_parser("unset", parents=[common], help="取消某天的调整，恢复官方日历")
    un.add_argument("day", metavar="YYYY-MM-DD", help="日期")
    p.set_defaults(func=cmd_calendar)
