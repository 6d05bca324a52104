"""Robots per unit and the record of posts to them, on both backends."""
import pytest
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.errors import PermissionDenied, ValidationError
from taskboard.core.models import AuditEvent, UnitRobot
from taskboard.core.services import robot_channels as ch
from tests.notify.conftest import issue_for_units


def test_webhook_addresses_are_parsed_and_bad_ones_refused():
    assert ch.parse_webhook("wecom", " https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123 ") \
        == ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "abc-123")
    assert ch.parse_webhook("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T0&x=1") \
        == ("https://oapi.dingtalk.com/robot/send", "T0")
    for kind, url, words in (("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "key="),
                             ("dingtalk", "https://oapi.dingtalk.com/robot/send?key=1", "access_token="),
                             ("wecom", "qyapi.weixin.qq.com/send?key=1", "https://"),
                             ("feishu", "https://x/?key=1", "未知的机器人类型")):
        with pytest.raises(ValidationError, match=words):
            ch.parse_webhook(kind, url)
    assert ch.token_hint("abcdefghijkl") == "ijkl" and ch.token_hint("short") == ""


def test_setting_replaces_the_old_robot_and_keeps_its_history(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        first = ch.set_robot(s, dispatcher, 3, "wecom", endpoint="https://q/send", hint="aaaa",
                             signed=False, ref="r1")
        ch.set_robot(s, dispatcher, 3, "dingtalk", endpoint="https://d/send", hint="bbbb",
                     signed=True, ref="r2")
        second = ch.set_robot(s, dispatcher, 3, "wecom", endpoint="https://q2/send",
                              hint="cccc", signed=False, ref="r3")
        office = ch.set_robot(s, dispatcher, None, "wecom", endpoint="https://o/send",
                              hint="dddd", signed=False, ref="r4")
    with demo_db.session() as s:
        rows = ch.list_robots(s, [3])
        assert [(r.kind, r.ref) for r in rows] == [("dingtalk", "r2"), ("wecom", "r3")]
        assert rows[0].label == "钉钉群机器人（…bbbb，已加签）"
        assert [r.robot_id for r in ch.list_robots(s, office=True)] == [office]
        assert ch.list_robots(s, office=True)[0].unit_name == "办公室"
        assert s.get(UnitRobot, first).active is False and second != first
        assert s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "unit.robot")
                         ).all()[0].startswith("设置")
    with demo_db.Session.begin() as s:
        assert ch.remove_robot(s, dispatcher, 3, "wecom") is True
        assert ch.remove_robot(s, dispatcher, 3, "wecom") is False
    with demo_db.session() as s:
        assert [r.kind for r in ch.list_robots(s, [3])] == ["dingtalk"]
        reporter = load_actor(s, "unit001")
    with demo_db.Session.begin() as s, pytest.raises(PermissionDenied):
        ch.set_robot(s, reporter, 1, "wecom", endpoint="https://q/send", hint="", signed=False,
                     ref="r5")


def test_a_notice_is_failed_until_every_part_got_through(demo_db, dispatcher):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=2)
    n1, n2 = issued[0].notice_id, issued[1].notice_id
    with demo_db.Session.begin() as s:
        rid = ch.set_robot(s, dispatcher, issued[0].unit_id, "wecom", endpoint="https://q/send",
                           hint="", signed=False, ref="x1")

    def attempt(notice, part, n, ok, code=None):
        with demo_db.Session.begin() as s:
            ch.record_attempt(s, dispatcher, rid, notice_id=notice, purpose="notice", part=part,
                              parts=2, attempt=n, ok=ok, errcode=code,
                              message="已送达" if ok else "发送太频繁")

    attempt(n1, 1, 1, False, 45009)
    attempt(n1, 1, 2, True, 0)
    attempt(n1, 2, 1, False, 45009)
    attempt(n2, 1, 1, True, 0)
    attempt(n2, 2, 1, True, 0)
    with demo_db.session() as s:
        assert ch.robot_states(s, [n1, n2]) == {n1: ("failed", "发送太频繁"), n2: ("sent", "")}
        assert ch.failed_notice_ids(s, dispatcher) == [n1]
        assert ch.delivered_parts(s, n1, rid) == {1}
        got = ch.attempts(s, n1)
        assert [(a.part, a.attempt, a.ok, a.errcode) for a in got] == \
            [(1, 1, False, 45009), (1, 2, True, 0), (2, 1, False, 45009)]
    attempt(n1, 2, 2, True, 0)
    with demo_db.session() as s:
        assert ch.failed_notice_ids(s, dispatcher) == []
        assert ch.robot_states(s, [n1])[n1] == ("sent", "")
    attempt(n2, 3, 1, False, 93000)
    with demo_db.session() as s:
        assert ch.failed_notice_ids(s, dispatcher) == [n2]
    with demo_db.Session.begin() as s:  # the robot is replaced: nothing left to retry on it
        ch.set_robot(s, dispatcher, issued[0].unit_id, "wecom", endpoint="https://q/send",
                     hint="", signed=False, ref="x2")
    with demo_db.session() as s:
        assert ch.failed_notice_ids(s, dispatcher) == []
        assert len(ch.attempts(s, n2)) == 3  # the history stays on the notice
