"""Posting to group robots against the loopback server: signing, limits, backoff, errcodes."""
import base64
import hashlib
import hmac
import json
from urllib.parse import unquote_plus

from taskboard.notify import robots
from taskboard.notify.robots import Draft, RobotSender, Target
from tests.notify.test_email import free_port


def test_signature_is_the_url_encoded_base64_hmac_of_timestamp_and_secret():
    secret, ts = "SEC0123456789abcdef+/=", 1764547200123
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    signed = robots.sign(secret, ts)
    assert unquote_plus(signed) == expected
    assert not set("+/=") & set(signed)  # URL-safe as a query value
    url = robots.post_url("dingtalk", "https://oapi.dingtalk.com/robot/send", "tok", secret, ts)
    assert url == (f"https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp={ts}"
                   f"&sign={signed}")
    assert robots.post_url("wecom", "https://q/cgi-bin/webhook/send", "k-1") == \
        "https://q/cgi-bin/webhook/send?key=k-1"


def _draft(n: int, width: int = 60) -> Draft:
    return Draft(title="催办〔2026〕7号 催办通知", head=("致达拉特旗：请抓紧办理。",),
                 items=tuple(f"{k}.1 {'营商环境任务' * (width // 6)}：未报送" for k in range(1, n + 1)),
                 tail=("请于 2026年11月30日 前回复。", "联系人：王主任，联系电话：0477-8581234（督查办）"))


def test_long_notices_are_split_within_the_byte_limits_then_summarised():
    for kind, fmt, limit, phone in (("wecom", "markdown", 4096, ""),
                                    ("wecom", "text", 2048, "13912345678"),
                                    ("dingtalk", "markdown", 4096, "13912345678")):
        for n in (3, 40, 400):
            bodies = robots.messages(kind, _draft(n), phone)
            assert bodies[0]["msgtype"] == fmt
            texts = [b[fmt]["content" if kind == "wecom" else ("text" if fmt == "markdown"
                                                                else "content")]
                     for b in bodies]
            assert all(len(t.encode("utf-8")) <= limit for t in texts)
            assert 1 <= len(texts) <= robots.MAX_PARTS
            joined = "\n".join(texts)
            shown = sum(f"{k}.1 营商" in joined for k in range(1, n + 1))
            if shown < n:  # summarised: the summary names exactly the items left out
                assert f"另有 {n - shown} 项" in texts[-1]
            assert "致达拉特旗" in texts[0] and "联系电话：0477-8581234" in texts[-1]
            if len(texts) > 1:
                assert all(f"（{i}/{len(texts)}）" in t for i, t in enumerate(texts, 1))
        assert robots.messages(kind, _draft(3), phone)[0]["msgtype"] == fmt
    small = robots.messages("wecom", _draft(3), "13912345678")
    assert small[0]["text"]["mentioned_mobile_list"] == ["13912345678"]
    ding = robots.messages("dingtalk", _draft(3), "0477-1, 13912345678")
    assert ding[0]["at"] == {"atMobiles": ["13912345678"], "isAtAll": False}
    assert "@13912345678" in ding[0]["markdown"]["text"]


def _sender(server):
    return RobotSender(clock=server.clock, sleep=server.clock.sleep)


def _send(sender, target, n_messages):
    log = []
    ok = [sender.send(target, [{"msgtype": "text", "text": {"content": f"第{i}条"}}],
                      lambda idx, tries, out: log.append((tries, out)))
          for i in range(n_messages)]
    return ok, log


def test_twenty_a_minute_per_robot_is_waited_out_on_the_clock(robot_server):
    robot_server.wecom_url("k1")
    robot_server.wecom_url("k2")
    sender = _sender(robot_server)
    wecom = Target("r1", "wecom", f"{robot_server.base}/cgi-bin/webhook/send", "k1")
    other = Target("r2", "wecom", f"{robot_server.base}/cgi-bin/webhook/send", "k2")
    ok, log = _send(sender, wecom, 45)
    ok2, _ = _send(sender, other, 5)
    assert all(ok) and all(ok2) and len(log) == 45
    got = robot_server.of("k1")
    assert [r.errcode for r in got] == [0] * 45
    # Any 21 consecutive posts to one robot span at least a minute.
    assert all(got[i + 20].at - got[i].at >= 60 for i in range(len(got) - 20))
    assert robot_server.clock.slept and sum(robot_server.clock.slept) >= 120
    # The other robot has its own window: its five went out at once.
    assert len({r.at for r in robot_server.of("k2")}) == 1


def test_the_server_throttles_after_twenty_and_the_sender_backs_off(robot_server):
    url = robot_server.wecom_url("busy")
    for i in range(20):  # another program filled the robot's minute
        assert robots._post(url, {"msgtype": "text", "text": {"content": str(i)}}).ok
    refused = robots._post(url, {"msgtype": "text", "text": {"content": "21"}})
    assert (refused.ok, refused.errcode, refused.too_fast) == (False, 45009, True)
    assert "每分钟 20 条" in refused.message
    ok, log = _send(_sender(robot_server), Target("b", "wecom", url.split("?")[0], "busy"), 1)
    assert ok == [True]
    assert [o.errcode for _, o in log] == [45009] * (len(log) - 1) + [0]
    assert [t for t, _ in log] == list(range(1, len(log) + 1))
    assert robot_server.clock.slept == list(robots.BACKOFF[:len(log) - 1])
    assert sum(robot_server.clock.slept) >= 60


def test_dingtalk_too_fast_then_gives_up_after_the_last_backoff(robot_server):
    url = robot_server.dingtalk_url("t1", "SECgood")
    robot_server.busy["t1"] = 99
    target = Target("d", "dingtalk", url.split("?")[0], "t1", "SECgood")
    ok, log = _send(_sender(robot_server), target, 1)
    assert ok == [False] and len(log) == len(robots.BACKOFF) + 1
    assert {o.errcode for _, o in log} == {130101}
    assert robot_server.clock.slept == list(robots.BACKOFF)


def test_other_errcodes_are_said_plainly_and_not_retried(robot_server):
    url = robot_server.dingtalk_url("t2", "SECright")
    sender = _sender(robot_server)
    bad = Target("d2", "dingtalk", url.split("?")[0], "t2", "SECwrong")
    ok, log = _send(sender, bad, 1)
    assert ok == [False] and len(log) == 1
    assert log[0][1].errcode == 310000 and "签名不匹配" in log[0][1].message
    unsigned = Target("d3", "dingtalk", url.split("?")[0], "t2", "")
    assert _send(sender, unsigned, 1)[1][0][1].errcode == 310000
    good = Target("d4", "dingtalk", url.split("?")[0], "t2", "SECright")
    assert _send(sender, good, 1)[0] == [True]
    wrong_key = Target("w", "wecom", f"{robot_server.base}/cgi-bin/webhook/send", "nokey")
    out = _send(sender, wrong_key, 1)[1][0][1]
    assert out.errcode == 93000 and "机器人地址无效" in out.message
    assert robot_server.clock.slept == []


def test_an_unreachable_robot_is_a_plain_failure():
    out = robots._post(f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=x",
                       {"msgtype": "text", "text": {"content": "x"}})
    assert not out.ok and out.errcode is None and "无法连接机器人服务器 127.0.0.1" in out.message


def test_posts_are_json_utf8(robot_server):
    url = robot_server.wecom_url("k")
    assert robots._post(url, robots.messages("wecom", _draft(2))[0]).ok
    body = robot_server.received[-1].body
    assert json.dumps(body, ensure_ascii=False).count("营商环境任务") >= 2
    assert body["markdown"]["content"].startswith("**催办〔2026〕7号 催办通知**")


def test_key_file_is_replaced_whole_or_not_at_all(robot_keys):
    import pytest

    from taskboard.notify import robot_secrets

    robot_secrets.put("r1", "token-1", "SECone")
    before = robot_keys.read_bytes()

    def locked(*_):
        raise PermissionError("in use")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(robot_secrets.os, "replace", locked)
        with pytest.raises(robot_secrets.RobotKeyError, match="正被其他程序占用"):
            robot_secrets.put("r2", "token-2")
    assert robot_keys.read_bytes() == before
    assert sorted(p.name for p in robot_keys.parent.iterdir()) == ["robot_keys.json"]
    assert robot_secrets.get("r1") == ("token-1", "SECone") and robot_secrets.get("r2") is None
    robot_secrets.forget("r1")
    assert robot_secrets.get("r1") is None
