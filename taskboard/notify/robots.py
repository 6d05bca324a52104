"""Posting to group robots: WeCom (企业微信/政务微信) webhooks and DingTalk (钉钉) custom
robots, over the standard library's urllib (two JSON POSTs need no HTTP dependency).

The documented limits are kept here: at most 20 messages a minute per robot (a sliding window
per robot, waited out before posting), WeCom text ≤ 2,048 bytes and markdown ≤ 4,096 bytes
(DingTalk publishes no exact figure; the same 4,096 is used). Longer messages are split into
numbered parts, and past ``MAX_PARTS`` the task list is summarised. "Too fast" answers
(45009, 130101, 410100, HTTP 429) are retried with a doubling backoff whose waits add up to
more than a minute, so the robot's window has surely moved on by the last try.

The clock and the sleeper are injected so that throttling is tested without waiting.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

WECOM, DINGTALK = "wecom", "dingtalk"
PER_MINUTE = 20
WINDOW_SECONDS = 60.0
LIMITS = {(WECOM, "markdown"): 4096, (WECOM, "text"): 2048,
          (DINGTALK, "markdown"): 4096, (DINGTALK, "text"): 4096}
MAX_PARTS = 3
BACKOFF = (2.0, 4.0, 8.0, 16.0, 32.0)  # 62 s in all: past the robot's one-minute window
TOO_FAST = frozenset({45009, 130101, 410100})
TIMEOUT_SECONDS = 15
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

# What the documented errcodes mean, said plainly.
ERRCODE_WORDS = {
    45009: "发送太频繁，超过每分钟 20 条的限制",
    130101: "发送太频繁，超过每分钟 20 条的限制",
    410100: "发送太频繁，已被限流",
    93000: "机器人地址无效（key 错误，或机器人已被移出群聊）",
    40008: "消息类型无效",
    40058: "消息参数不合法",
    44004: "消息内容为空",
    45002: "消息内容过长",
    310000: "签名不匹配：请核对加签密钥（也可能是消息不含机器人的自定义关键词，或本机 IP 不在白名单中）",
    300001: "access_token 无效，请核对机器人地址",
    400102: "机器人已被停用",
    430101: "消息含有不安全的外链",
}


def errcode_word(code: int, errmsg: str = "") -> str:
    word = ERRCODE_WORDS.get(code, "机器人服务器拒绝了消息")
    return f"{word}（错误码 {code}{'：' + errmsg if errmsg and code not in ERRCODE_WORDS else ''}）"


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: URL-encoded base64 of HMAC-SHA256(secret, "timestamp\\nsecret")."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"),
                      hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def post_url(kind: str, endpoint: str, token: str, secret: str = "",
             timestamp_ms: Optional[int] = None) -> str:
    if kind == WECOM:
        return f"{endpoint}?key={urllib.parse.quote(token, safe='')}"
    url = f"{endpoint}?access_token={urllib.parse.quote(token, safe='')}"
    if secret:
        ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        url += f"&timestamp={ts}&sign={sign(secret, ts)}"
    return url


def mobiles(phone: str) -> list[str]:
    """Mobile numbers in a unit's phone field, to mention the contact in the group."""
    found = [p for p in re.split(r"[\s,，;；/、]+", phone or "") if _MOBILE.match(p)]
    return list(dict.fromkeys(found))


# --- messages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    """A message before it is fitted to a channel: a title, lines that must stay together at
    the start and end, and the items between them that may be split or summarised."""

    title: str
    head: tuple[str, ...]
    items: tuple[str, ...]
    tail: tuple[str, ...]
    summary: Callable[[int], str] = lambda n: f"……另有 {n} 项，详见通知单。"


def _content(kind: str, fmt: str, title: str, head, items, tail, part: str,
             at: list[str]) -> str:
    first = f"{title}{part}"
    if fmt == "markdown":
        lines = [f"**{first}**", *head, *(f"- {i}" for i in items), *tail]
        if kind == DINGTALK and at:
            lines.append(" ".join(f"@{m}" for m in at))
        return "\n\n".join(lines) if kind == DINGTALK else "\n".join(lines)
    return "\n".join([first, *head, *items, *tail])


def fit(kind: str, fmt: str, draft: Draft, at: list[str] = ()) -> list[str]:
    """The contents of the parts, each within the channel's byte limit, at most MAX_PARTS;
    beyond that the last items give way to a summary line."""
    limit = LIMITS[(kind, fmt)]
    at = list(at)
    items = [_cut(i, limit // 2) if len(i.encode("utf-8")) > limit // 2 else i
             for i in draft.items]

    def attempt(kept: int) -> Optional[list[str]]:
        shown = items[:kept] + ([draft.summary(len(items) - kept)] if kept < len(items) else [])
        parts = _split(kind, fmt, draft, shown, limit, at)
        return parts if parts is not None and len(parts) <= MAX_PARTS else None

    best = attempt(len(items))
    if best is None:  # the most items that still fit, found by halving (parts grow with items)
        low, high = 0, len(items) - 1
        while low <= high:
            mid = (low + high) // 2
            parts = attempt(mid)
            if parts is None:
                high = mid - 1
            else:
                best, low = parts, mid + 1
    if best is None:  # the head and tail alone are too long: cut the text
        best = [_content(kind, fmt, draft.title, draft.head, [], draft.tail, "", at)]
    return [p if len(p.encode("utf-8")) <= limit else _cut(p, limit) for p in best]


def _split(kind, fmt, draft, items, limit, at) -> Optional[list[str]]:
    whole = _content(kind, fmt, draft.title, draft.head, items, draft.tail, "", at)
    if len(whole.encode("utf-8")) <= limit:
        return [whole]

    def fits(chunk, first):  # measured with the tail and the widest part tag: always safe
        text = _content(kind, fmt, draft.title, draft.head if first else (), chunk,
                        draft.tail, "（9/9）", at if first else [])
        return len(text.encode("utf-8")) <= limit

    chunks: list[list[str]] = [[]]
    for item in items:
        if fits(chunks[-1] + [item], len(chunks) == 1):
            chunks[-1].append(item)
        elif chunks[-1] and fits([item], False):
            chunks.append([item])
        else:
            return None
    n = len(chunks)
    return [_content(kind, fmt, draft.title, draft.head if k == 0 else (), chunk,
                     draft.tail if k == n - 1 else (), f"（{k + 1}/{n}）", at if k == 0 else [])
            for k, chunk in enumerate(chunks)]


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")[:limit - 3]
    return data.decode("utf-8", errors="ignore") + "…"


def payload(kind: str, fmt: str, title: str, content: str, at: list[str] = ()) -> dict:
    at = list(at)
    if kind == WECOM:
        if fmt == "text":
            body = {"content": content}
            if at:
                body["mentioned_mobile_list"] = at
            return {"msgtype": "text", "text": body}
        return {"msgtype": "markdown", "markdown": {"content": content}}
    msg = ({"msgtype": "markdown", "markdown": {"title": title, "text": content}}
           if fmt == "markdown" else {"msgtype": "text", "text": {"content": content}})
    msg["at"] = {"atMobiles": at, "isAtAll": False}
    return msg


def messages(kind: str, draft: Draft, phone: str = "") -> list[dict]:
    """The payloads to post for one draft. WeCom mentions need the text type (markdown cannot
    mention by mobile), so a unit with a mobile contact gets text there."""
    at = mobiles(phone)
    fmt = "text" if kind == WECOM and at else "markdown"
    parts = fit(kind, fmt, draft, at)
    return [payload(kind, fmt, draft.title, c, at if k == 0 else []) for k, c in enumerate(parts)]


# --- sending ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    key: str  # identifies the robot for its rate window (its ref)
    kind: str
    endpoint: str
    token: str
    secret: str = ""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    errcode: Optional[int]
    message: str
    too_fast: bool = False


def _post(url: str, body: dict) -> Outcome:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            answer = json.loads(resp.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            return Outcome(False, None, "发送太频繁，服务器要求稍后再试（HTTP 429）", True)
        return Outcome(False, None, f"机器人服务器 {host} 返回 HTTP {exc.code}，消息未发出。")
    except (socket.timeout, TimeoutError):
        return Outcome(False, None, f"连接机器人服务器 {host} 超时，消息未发出。")
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        return Outcome(False, None, f"无法连接机器人服务器 {host}：{reason}")
    except ValueError:
        return Outcome(False, None, f"机器人服务器 {host} 的回答无法识别，消息可能未发出。")
    except OSError as exc:
        return Outcome(False, None, f"无法连接机器人服务器 {host}：{exc.strerror or exc}")
    code = answer.get("errcode", 0)
    if code == 0:
        return Outcome(True, 0, "已送达")
    try:
        code = int(code)
    except (TypeError, ValueError):
        return Outcome(False, None, f"机器人服务器的回答无法识别：{answer}")
    return Outcome(False, code, errcode_word(code, str(answer.get("errmsg", ""))),
                   code in TOO_FAST)


@dataclass
class RobotSender:
    """Posts parts one by one, keeping each robot within 20 a minute across a whole run.

    ``on_attempt(part_index, attempt_no, outcome)`` is called after every try, so that each
    one is recorded; a part is tried again only while the robot says "too fast"."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)
    post: Callable[[str, dict], Outcome] = _post
    _sent: dict[str, deque] = field(default_factory=dict)

    def _wait_turn(self, key: str) -> None:
        window = self._sent.setdefault(key, deque())
        while window and self.clock() - window[0] >= WINDOW_SECONDS:
            window.popleft()
        if len(window) >= PER_MINUTE:
            self.sleep(WINDOW_SECONDS - (self.clock() - window[0]))
            window.popleft()
        window.append(self.clock())

    def send(self, target: Target, bodies: list[dict],
             on_attempt: Callable[[int, int, Outcome], None],
             skip: frozenset[int] = frozenset()) -> bool:
        """True when every part (bar those in ``skip``, already delivered) got through."""
        all_ok = True
        for index, body in enumerate(bodies):
            if index in skip:
                continue
            tries = 0
            while True:
                tries += 1
                self._wait_turn(target.key)
                url = post_url(target.kind, target.endpoint, target.token, target.secret,
                               self.wall_ms())
                outcome = self.post(url, body)
                on_attempt(index, tries, outcome)
                if outcome.ok or not outcome.too_fast or tries > len(BACKOFF):
                    break
                self.sleep(BACKOFF[tries - 1])
            if not outcome.ok:
                all_ok = False
                if outcome.too_fast:
                    break  # the robot is still saturated: later parts would fail the same way
        return all_ok


def default_sender() -> RobotSender:
    """The sender for a run (tests replace it to run on a fake clock)."""
    return RobotSender()
