"""`taskboard units set`, `urge --send` to group robots, `--retry-failed`, `remind --digest`."""
import datetime as dt
import os
import stat

import pytest
from sqlalchemy import select, text

from taskboard.cli import main as cli
from taskboard.core.models import (
    Assignment, Report, RobotDelivery, Task, Unit, UnitRobot, UrgeNotice, UrgeRecord,
)
from taskboard.core.services import urging
from taskboard.notify import robots
from tests.conftest import TODAY
from tests.notify.conftest import PERIOD

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

SECRET = "SEC4f1d0c2b9a8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def two_unreported_units(db, dispatcher):
    with db.session() as s:
        rows = urging.screen(s, dispatcher, 1, PERIOD, TODAY, ["unreported"])
    names = list(dict.fromkeys(r.unit_name for r in rows))
    return names[0], names[1]


def set_robots(capsys, db, server, wecom_unit, ding_unit, secret=SECRET):
    code, out, err = run(capsys, "units", "set", wecom_unit, "--db", db.url,
                         "--wecom", server.wecom_url(WECOM_KEY))
    assert code == 0, err
    server.dingtalk[DING_TOKEN] = SECRET
    code, out2, err = run(capsys, "units", "set", ding_unit, "--db", db.url, "--dingtalk",
                          f"{server.base}/robot/send?access_token={DING_TOKEN}",
                          "--dingtalk-secret", secret)
    assert code == 0, err
    return out + out2


def test_units_set_keeps_keys_out_of_the_database_and_never_shows_them(
        demo_db, dispatcher, robot_server, robot_keys, capsys):
    a, b = two_unreported_units(demo_db, dispatcher)
    out = set_robots(capsys, demo_db, robot_server, a, b)
    assert f"已设置{a}的企业微信群机器人（…5aaa）" in out
    assert f"已设置{b}的钉钉群机器人（…8f90，已加签）" in out
    code, listing, _ = run(capsys, "units", "robots", "--db", demo_db.url)
    assert code == 0 and a in listing and b in listing and "已加签" in listing
    for shown in (out, listing):
        assert WECOM_KEY not in shown and DING_TOKEN not in shown and SECRET not in shown
    with demo_db.session() as s:
        dump = "\n".join(str(row) for table in ("unit_robot", "audit_event", "unit", "setting")
                         for row in s.execute(text(f"SELECT * FROM {table}")))
        assert s.scalar(select(UnitRobot.endpoint).where(UnitRobot.kind == "wecom")) == \
            f"{robot_server.base}/cgi-bin/webhook/send"
    assert WECOM_KEY not in dump and DING_TOKEN not in dump and SECRET not in dump
    keys = robot_keys.read_text(encoding="utf-8")
    assert WECOM_KEY in keys and DING_TOKEN in keys and SECRET in keys
    if os.name == "posix":
        assert stat.S_IMODE(robot_keys.stat().st_mode) == 0o600
    # Replacing a robot drops the old key from the file; removing one drops its keys too.
    code, out, _ = run(capsys, "units", "set", a, "--db", demo_db.url,
                       "--wecom", robot_server.wecom_url("new-key-00000001"))
    assert code == 0 and "（…0001）" in out
    keys = robot_keys.read_text(encoding="utf-8")
    assert WECOM_KEY not in keys and "new-key-00000001" in keys
    code, out, _ = run(capsys, "units", "set", b, "--db", demo_db.url, "--no-dingtalk")
    assert code == 0 and "已取消钉钉群机器人" in out
    keys = robot_keys.read_text(encoding="utf-8")
    assert DING_TOKEN not in keys and SECRET not in keys


def test_units_set_refuses_bad_input_and_changes_nothing(demo_db, dispatcher, robot_keys,
                                                         capsys):
    a, _ = two_unreported_units(demo_db, dispatcher)
    for argv, words in (
            ([a, "--wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"], "缺少 key="),
            ([a, "--wecom", "ftp://x/send?key=1"], "应以 https:// 开头"),
            ([a, "--dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t",
              "--wecom", "https://x/send"], "缺少 key="),
            ([a, "--dingtalk-secret", "SECx"], "须与 --dingtalk"),
            (["没有这个单位", "--wecom", "https://x/send?key=123456789"], "单位不存在"),
            ([a], "请给出 --wecom"),
            ([a, "--wecom", "https://x/send?key=123456789", "--office"], "不能同时给出"),
    ):
        code, _, err = run(capsys, "units", "set", *argv, "--db", demo_db.url)
        assert code == 2 and words in err and "Traceback" not in err, (argv, err)
    with demo_db.session() as s:
        assert s.scalars(select(UnitRobot)).all() == []
    assert not robot_keys.exists()
    code, out, _ = run(capsys, "units", "set", a, "--no-wecom", "--db", demo_db.url)
    assert code == 0 and "本来就没有设置企业微信群机器人" in out
    code, _, err = run(capsys, "units", "set", a, "--demo", "--wecom", "https://x/send?key=1")
    assert code == 2 and "--demo" in err and not robot_keys.exists()


def notice_of(db, unit_name):
    with db.session() as s:
        n = s.scalars(select(UrgeNotice).join(Unit, Unit.id == UrgeNotice.unit_id)
                      .where(Unit.name == unit_name)).one()
        codes = list(s.scalars(select(Task.code).join(Assignment, Assignment.task_id == Task.id)
                               .join(UrgeRecord, UrgeRecord.assignment_id == Assignment.id)
                               .where(UrgeRecord.notice_id == n.id)))
        attempts = [(d.part, d.attempt, d.ok, d.errcode) for d in s.scalars(
            select(RobotDelivery).where(RobotDelivery.notice_id == n.id)
            .order_by(RobotDelivery.id))]
        return urging.number_text(n.kind, n.year, n.number), n.reply_by, codes, attempts


def contents(received):
    out = []
    for r in received:
        kind = r.body["msgtype"]
        part = r.body[kind]
        out.append(part.get("content") or part.get("text"))
    return out


def test_urge_send_posts_signed_numbered_messages_and_records_a_throttled_retry(
        demo_db, dispatcher, robot_server, fake_sender, capsys):
    """The demo: one unit on a WeCom robot, one on a signed DingTalk robot."""
    from taskboard.core.settings import save_setting

    wecom_unit, ding_unit = two_unreported_units(demo_db, dispatcher)
    set_robots(capsys, demo_db, robot_server, wecom_unit, ding_unit)
    with demo_db.Session.begin() as s:
        save_setting(s, "office_contact", "王主任")
        save_setting(s, "office_phone", "0477-8581234")
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", TODAY.isoformat(),
                       "--unreported", "--send", "--force", "--dry-run")
    assert code == 0 and out.count("并发到单位的群机器人") == 2 and robot_server.received == []
    robot_server.busy[WECOM_KEY] = 1  # the WeCom group's robot is saturated at first
    code, out, err = run(capsys, "urge", "--db", demo_db.url, "--today", TODAY.isoformat(),
                         "--period", "2026-11", "--unreported", "--send", "--force")
    assert code == 0, out + err
    assert "尚未配置邮件服务器" in out and "只发往群机器人" in out

    number, reply_by, codes, attempts = notice_of(demo_db, wecom_unit)
    got = robot_server.of(WECOM_KEY)
    assert [r.errcode for r in got] == [45009] + [0] * (len(got) - 1)
    assert fake_sender.slept == [robots.BACKOFF[0]]
    assert attempts[:2] == [(1, 1, False, 45009), (1, 2, True, 0)]
    assert all(ok for _, _, ok, _ in attempts[2:])
    delivered = contents(got[1:])
    assert number in delivered[0] and wecom_unit in delivered[0]
    assert all(f"{c} " in "\n".join(delivered) for c in codes)
    assert f"{reply_by.year}年{reply_by.month}月{reply_by.day}日" in delivered[-1]
    assert "联系人：王主任，联系电话：0477-8581234" in delivered[-1]
    assert f"群机器人 {number} → {wecom_unit}" in out and "限流后重试 1 次" in out

    number, reply_by, codes, attempts = notice_of(demo_db, ding_unit)
    got = robot_server.of(DING_TOKEN)
    assert got and all(r.errcode == 0 for r in got)  # the server checked every signature
    assert all({"timestamp", "sign"} <= set(r.query) for r in got)
    assert all(r.body["msgtype"] == "markdown" and r.body["markdown"]["title"] for r in got)
    delivered = contents(got)
    assert number in delivered[0] and all(f"{c} " in "\n".join(delivered) for c in codes)
    assert [a[2] for a in attempts] == [True] * len(got)
    # Units without a robot got nothing; every robot post belongs to one of the two.
    assert {r.key for r in robot_server.received} == {WECOM_KEY, DING_TOKEN}


def test_failed_robot_posts_are_retried_with_retry_failed(demo_db, dispatcher, robot_server,
                                                          fake_sender, capsys):
    wecom_unit, ding_unit = two_unreported_units(demo_db, dispatcher)
    set_robots(capsys, demo_db, robot_server, wecom_unit, ding_unit, secret="SECwrong")
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", TODAY.isoformat(),
                       "--unreported", "--send", "--force")
    assert code == 1 and "签名不匹配" in out and "--retry-failed" in out
    number, _, _, attempts = notice_of(demo_db, ding_unit)
    assert attempts and all(not ok and err == 310000 for _, _, ok, err in attempts)
    wecom_posts = len(robot_server.of(WECOM_KEY))
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--retry-failed", "--dry-run")
    assert code == 0 and f"将重发群消息 {number} → {ding_unit}" in out and "签名不匹配" in out
    robot_server.dingtalk[DING_TOKEN] = "SECwrong"  # the group's robot now signs with it
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--retry-failed")
    assert code == 0 and f"群机器人 {number} → {ding_unit}" in out and "已送达" in out
    assert len(robot_server.of(WECOM_KEY)) == wecom_posts  # delivered ones are not repeated
    _, _, _, attempts = notice_of(demo_db, ding_unit)
    assert attempts[-1][2] is True
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--retry-failed")
    assert code == 0 and "没有发送失败" in out


def test_a_workstation_without_the_keys_records_the_failure(demo_db, dispatcher, robot_server,
                                                            fake_sender, robot_keys, capsys):
    wecom_unit, ding_unit = two_unreported_units(demo_db, dispatcher)
    set_robots(capsys, demo_db, robot_server, wecom_unit, ding_unit)
    robot_keys.unlink()
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", TODAY.isoformat(),
                       "--unreported", "--send", "--force")
    assert code == 1 and "本机没有该群机器人的密钥（地址末尾 …5aaa）" in out
    assert robot_server.received == []
    assert notice_of(demo_db, wecom_unit)[3] and not notice_of(demo_db, wecom_unit)[3][0][2]


def naive_counts(db, unit_name):
    """Overdue and unreported open work of a unit, counted straight from the tables."""
    with db.session() as s:
        rows = s.execute(
            select(Assignment.id, Task.deadline)
            .join(Task, Task.id == Assignment.task_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Unit.name == unit_name, Assignment.archived.is_(False),
                   Assignment.closed_on.is_(None), Task.closed_on.is_(None),
                   Task.deleted.is_(False), Task.start_date <= dt.date(2026, 11, 30))).all()
        reported = set(s.scalars(select(Report.assignment_id).where(Report.period == "2026-11")))
    overdue = sum(1 for _, deadline in rows if deadline is not None and deadline < TODAY)
    unreported = sum(1 for aid, _ in rows if aid not in reported)
    return overdue, unreported


def test_remind_digest_sends_one_message_per_unit_and_totals_to_the_office(
        demo_db, dispatcher, robot_server, fake_sender, capsys):
    import re

    a, b = two_unreported_units(demo_db, dispatcher)
    set_robots(capsys, demo_db, robot_server, a, b)
    code, _, _ = run(capsys, "units", "set", "--office", "--db", demo_db.url,
                     "--wecom", robot_server.wecom_url("office-key-0001"))
    assert code == 0
    code, out, _ = run(capsys, "remind", "--digest", "--db", demo_db.url, "--today",
                       TODAY.isoformat(), "--dry-run")
    assert code == 0 and "演练" in out and robot_server.received == []
    code, out, err = run(capsys, "remind", "--digest", "--db", demo_db.url, "--today",
                         TODAY.isoformat())
    assert code == 0, out + err
    per_unit = {}
    for unit, key in ((a, WECOM_KEY), (b, DING_TOKEN)):
        got = robot_server.of(key)
        assert len(got) == 1 and got[0].errcode == 0  # one message, not one per task
        body = contents(got)[0]
        head = re.search(r"共有 (\d+) 项任务需要抓紧办理（(.*?)）", body)
        counts = dict((w, int(n)) for w, n in re.findall(r"([^\s，]+) (\d+) 项", head[2]))
        overdue, unreported = naive_counts(demo_db, unit)
        assert counts.get("超期", 0) == overdue and counts.get("未报送", 0) == unreported
        assert body.count("- 【") == int(head[1]) > 0
        assert body.count("：超期") == overdue
        per_unit[unit] = int(head[1])
    office = contents(robot_server.of("office-key-0001"))
    assert len(office) == 1
    total = re.search(r"共 (\d+) 个单位 (\d+) 项任务待办", office[0])
    listed = {u: int(n) for u, n in re.findall(r"- (\S+?)：(\d+) 项", office[0])}
    assert len(listed) == int(total[1]) and sum(listed.values()) == int(total[2])
    assert all(listed[u] == n for u, n in per_unit.items())
    with demo_db.session() as s:
        assert s.scalars(select(UrgeNotice)).all() == []  # a reminder, not an urge
        digests = s.scalars(select(RobotDelivery)).all()
        assert len(digests) == 3 and {d.purpose for d in digests} == {"digest"}
        assert all(d.notice_id is None and d.ok for d in digests)


def test_remind_needs_digest_and_can_keep_to_working_days(demo_db, robot_server, capsys):
    code, _, err = run(capsys, "remind", "--db", demo_db.url)
    assert code == 2 and "--digest" in err
    code, _, _ = run(capsys, "units", "set", "--office", "--db", demo_db.url,
                     "--wecom", robot_server.wecom_url("office-key-0001"))
    # 2026-10-01 is National Day and 2026-11-22 a Sunday: a daily job stays quiet on both.
    for day in ("2026-10-01", "2026-11-22"):
        code, out, _ = run(capsys, "remind", "--digest", "--workdays-only", "--db",
                           demo_db.url, "--today", day)
        assert code == 0 and f"{day} 不是工作日" in out
    assert robot_server.received == []


def test_the_secret_can_come_from_stdin_and_an_unwritable_key_file_is_explained(
        demo_db, dispatcher, robot_keys, capsys, monkeypatch):
    import io

    a, _ = two_unreported_units(demo_db, dispatcher)
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    code, out, err = run(capsys, "units", "set", a, "--db", demo_db.url, "--dingtalk",
                         f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}",
                         "--dingtalk-secret", "-")
    assert code == 0, err
    assert SECRET in robot_keys.read_text(encoding="utf-8") and SECRET not in out
    blocker = robot_keys.parent / "not-a-folder"
    blocker.write_text("x")  # the key file's folder cannot be created: writing it must fail
    monkeypatch.setenv("TASKBOARD_ROBOT_KEYS", str(blocker / "robot_keys.json"))
    code, _, err = run(capsys, "units", "set", a, "--db", demo_db.url,
                       "--wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k123456789")
    assert code == 2 and "群机器人密钥文件" in err and "Traceback" not in err
    with demo_db.session() as s:
        assert [r.kind for r in s.scalars(select(UnitRobot))] == ["dingtalk"]
