"""A loopback HTTP server (127.0.0.1 only) speaking both robot protocols, for tests.

It checks what the real services check: the WeCom key, the DingTalk access token, timestamp
and signature (computed here independently of the code under test), the message types and
WeCom's byte limits, and it throttles each robot after 20 messages a minute on its own clock,
which tests share with the sender's fake clock so that nothing ever sleeps.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeClock:
    """time.monotonic and time.sleep for tests: sleeping only moves the clock on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Received:
    kind: str
    key: str
    query: dict
    body: dict
    errcode: int
    at: float


@dataclass
class RobotServer:
    clock: FakeClock = field(default_factory=FakeClock)
    wecom_keys: set = field(default_factory=set)
    dingtalk: dict = field(default_factory=dict)  # access_token -> secret ("" = unsigned)
    busy: dict = field(default_factory=dict)  # key -> how many next posts answer "too fast"
    received: list = field(default_factory=list)
    _window: dict = field(default_factory=lambda: defaultdict(deque))

    def start(self) -> "RobotServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                answer = server.answer(parts.path, parse_qs(parts.query), raw)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def wecom_url(self, key: str) -> str:
        self.wecom_keys.add(key)
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str, secret: str = "") -> str:
        self.dingtalk[token] = secret
        return f"{self.base}/robot/send?access_token={token}"

    def of(self, key: str) -> list[Received]:
        return [r for r in self.received if r.key == key]

    # --- the protocols ---------------------------------------------------------------------
    def answer(self, path: str, query: dict, raw: bytes) -> dict:
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return {"errcode": 40058 if path.startswith("/cgi-bin") else 300001,
                    "errmsg": "invalid json"}
        if path == "/cgi-bin/webhook/send":
            kind, key = "wecom", (query.get("key") or [""])[0]
            code, msg = self._wecom(key, body)
        elif path == "/robot/send":
            kind, key = "dingtalk", (query.get("access_token") or [""])[0]
            code, msg = self._dingtalk(key, query, body)
        else:
            return {"errcode": 404, "errmsg": "not found"}
        if code == 0:
            code, msg = self._throttle(kind, key)
        self.received.append(Received(kind, key, query, body, code, self.clock()))
        return {"errcode": code, "errmsg": msg}

    def _throttle(self, kind: str, key: str) -> tuple[int, str]:
        too_fast = 45009 if kind == "wecom" else 130101
        if self.busy.get(key, 0) > 0:
            self.busy[key] -= 1
            return too_fast, "api freq out of limit"
        window = self._window[key]
        while window and self.clock() - window[0] >= 60:
            window.popleft()
        if len(window) >= 20:
            return too_fast, "send too fast, exceed 20 times per minute"
        window.append(self.clock())
        return 0, "ok"

    def _wecom(self, key: str, body: dict) -> tuple[int, str]:
        if key not in self.wecom_keys:
            return 93000, "invalid webhook url"
        kind = body.get("msgtype")
        if kind not in ("text", "markdown"):
            return 40008, "invalid message type"
        content = (body.get(kind) or {}).get("content", "")
        if not content:
            return 44004, "empty content"
        limit = 2048 if kind == "text" else 4096
        if len(content.encode("utf-8")) > limit:
            return 45002, "content size out of limit"
        mentions = body[kind].get("mentioned_mobile_list", [])
        if kind == "markdown" and mentions:
            return 40058, "markdown has no mentioned_mobile_list"
        return 0, "ok"

    def _dingtalk(self, token: str, query: dict, body: dict) -> tuple[int, str]:
        if token not in self.dingtalk:
            return 300001, "token is not exist"
        secret = self.dingtalk[token]
        if secret:
            ts = (query.get("timestamp") or [""])[0]
            sign = (query.get("sign") or [""])[0]  # parse_qs has URL-decoded it once
            if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > 3600 * 1000:
                return 310000, "invalid timestamp"
            expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(sign, expected):
                return 310000, "sign not match"
        kind = body.get("msgtype")
        if kind == "markdown":
            md = body.get("markdown") or {}
            if not md.get("title") or not md.get("text"):
                return 40035, "missing title or text"
        elif kind == "text":
            if not (body.get("text") or {}).get("content"):
                return 40035, "missing content"
        else:
            return 40035, "invalid msgtype"
        return 0, "ok"
