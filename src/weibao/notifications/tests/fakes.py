"""Local fakes of the robot platforms and of a webhook receiver, for tests.

Each fake checks what its platform documents and answers the way it does:

- WeCom ``POST /cgi-bin/webhook/send?key=K``: the key; ``msgtype`` text (content <= 2048
  bytes) or markdown (content <= 4096 bytes) or template_card; ``{"errcode": 0, "errmsg": "ok"}``.
- DingTalk ``POST /robot/send?access_token=T&timestamp=MS&sign=S``: the token; with a
  secret, a sign of HMAC-SHA256(secret, "timestamp\\nsecret") (base64, url-encoded) and a
  timestamp within one hour; markdown needs title and text, actionCard title and text;
  ``at.atMobiles`` a list; errcode 310000 for a bad sign, 300001 for a bad token.
- Feishu ``POST /open-apis/bot/v2/hook/ID``: with a secret, ``timestamp`` (seconds) and
  ``sign`` in the body, HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing, within one
  hour; ``msg_type`` text / post / interactive with matching ``content`` / ``card``;
  ``{"code": 0, "msg": "success"}``, code 19021 for a bad or stale sign.
- Webhook ``POST /hook``: the X-Weibao-Signature over timestamp + body; counts hits per
  Idempotency-Key; ``fail_next`` answers 500 that many times first.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from weibao.notifications.channels.signing import dingtalk_sign, feishu_sign, webhook_sign

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "dt-token"
DINGTALK_SECRET = "SECdingtalk-secret"
FEISHU_HOOK = "f0e1d2c3"
FEISHU_SECRET = "feishu-secret"
WEBHOOK_SECRET = "webhook-secret"
HOUR = 3600


class FakePlatforms:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.hits: Counter[str] = Counter()
        self.fail_next = 0
        self.skew = 0.0  # seconds the fakes' clock runs ahead of ours
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, answer = fake.handle(parts.path, query, dict(self.headers.items()), raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def now(self) -> float:
        return time.time() + self.skew

    def handle(self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return 400, {"errcode": 40001, "errmsg": "invalid json"}
        with self.lock:
            if path == "/cgi-bin/webhook/send":
                answer = self.wecom(query, body)
            elif path == "/robot/send":
                answer = self.dingtalk(query, body)
            elif path.startswith("/open-apis/bot/v2/hook/"):
                answer = self.feishu(path.rsplit("/", 1)[1], body)
            elif path == "/hook":
                return self.webhook(headers, raw, body)
            else:
                return 404, {"detail": "not found"}
            self.received.append((path, body))
            return 200, answer

    def wecom(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        if query.get("key") != WECOM_KEY:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        kind = body.get("msgtype") if isinstance(body, dict) else None
        if kind == "text":
            content = body.get("text", {}).get("content")
            mobiles = body["text"].get("mentioned_mobile_list", [])
            if not isinstance(content, str) or len(content.encode()) > 2048 or not isinstance(mobiles, list):
                return {"errcode": 40058, "errmsg": "invalid text"}
        elif kind == "markdown":
            content = body.get("markdown", {}).get("content")
            if not isinstance(content, str) or len(content.encode()) > 4096:
                return {"errcode": 40058, "errmsg": "invalid markdown"}
        elif kind != "template_card":
            return {"errcode": 40008, "errmsg": "invalid message type"}
        return {"errcode": 0, "errmsg": "ok"}

    def dingtalk(self, query: dict[str, str], body: Any) -> dict[str, Any]:  # noqa: PLR0911 - one answer per documented error
        if query.get("access_token") != DINGTALK_TOKEN:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        try:
            timestamp = int(query.get("timestamp", ""))
        except ValueError:
            return {"errcode": 310000, "errmsg": "sign not match"}
        # parse_qs undid the url-encoding once; compare with the signature decoded likewise.
        expected = dingtalk_sign(DINGTALK_SECRET, timestamp)
        if quote_plus(query.get("sign", "")) != expected or abs(self.now() * 1000 - timestamp) > HOUR * 1000:
            return {"errcode": 310000, "errmsg": "sign not match"}
        kind = body.get("msgtype") if isinstance(body, dict) else None
        if kind == "markdown":
            markdown = body.get("markdown", {})
            if not markdown.get("title") or not markdown.get("text"):
                return {"errcode": 40035, "errmsg": "missing markdown title or text"}
        elif kind == "actionCard":
            card = body.get("actionCard", {})
            if not card.get("title") or not card.get("text"):
                return {"errcode": 40035, "errmsg": "missing actionCard title or text"}
        elif kind != "text":
            return {"errcode": 40035, "errmsg": "unsupported msgtype"}
        at = body.get("at", {})
        if not isinstance(at.get("atMobiles", []), list):
            return {"errcode": 40035, "errmsg": "atMobiles must be a list"}
        return {"errcode": 0, "errmsg": "ok"}

    def feishu(self, hook: str, body: Any) -> dict[str, Any]:  # noqa: PLR0911 - one answer per documented error
        if hook != FEISHU_HOOK:
            return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if not isinstance(body, dict):
            return {"code": 9499, "msg": "Bad Request"}
        try:
            timestamp = int(body.get("timestamp", ""))
        except ValueError:
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        if not hmac.compare_digest(str(body.get("sign", "")), feishu_sign(FEISHU_SECRET, timestamp)) or (
            abs(self.now() - timestamp) > HOUR
        ):
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        kind = body.get("msg_type")
        content = body.get("content", {})
        if kind == "text" and isinstance(content.get("text"), str):
            return {"code": 0, "msg": "success", "data": {}}
        if kind == "post" and isinstance(content.get("post"), dict):
            for locale in content["post"].values():
                if not isinstance(locale.get("content"), list):
                    return {"code": 9499, "msg": "Bad Request"}
            return {"code": 0, "msg": "success", "data": {}}
        if kind == "interactive" and isinstance(body.get("card"), dict):
            return {"code": 0, "msg": "success", "data": {}}
        return {"code": 9499, "msg": "Bad Request"}

    def webhook(self, headers: dict[str, str], raw: bytes, body: Any) -> tuple[int, Any]:
        timestamp = headers.get("X-Weibao-Timestamp", "")
        signature = headers.get("X-Weibao-Signature", "")
        expected = "sha256=" + webhook_sign(WEBHOOK_SECRET, int(timestamp or 0), raw)
        if not timestamp or not hmac.compare_digest(signature, expected):
            return 401, {"detail": "bad signature"}
        if self.fail_next > 0:
            self.fail_next -= 1
            return 500, {"detail": "try later"}
        key = headers.get("Idempotency-Key", "")
        self.hits[key] += 1
        self.received.append(("/hook", body))
        return 200, {"ok": True}
