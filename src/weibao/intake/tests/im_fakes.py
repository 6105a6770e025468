"""Fakes of the WeCom, DingTalk and Feishu servers: callbacks built as the platforms document them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import time
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from weibao.intake import im

WECOM_TOKEN = "QDG6eK"
WECOM_AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORP = "wx5823bf96d3bd56c7"
DING_SECRET = "SECdingtalk-app-secret"
FEISHU_TOKEN = "v-feishu-token"
FEISHU_KEY = "feishu-encrypt-key"


def _pkcs7(data: bytes, block: int) -> bytes:
    pad = block - len(data) % block
    return data + bytes([pad]) * pad


def wecom_encrypt(message: bytes, *, receive_id: str = WECOM_CORP, aes: str = WECOM_AES) -> str:
    key = im.wecom_aes_key(aes)
    plain = os.urandom(16) + struct.pack(">I", len(message)) + message + receive_id.encode()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(_pkcs7(plain, 32)) + encryptor.finalize()).decode()


def wecom_text(
    content: str, *, sender: str, msg_id: str, created: int | None = None, receive_id: str = WECOM_CORP
) -> tuple[dict[str, str], bytes]:
    """Query parameters and XML body of a WeCom text-message callback."""
    inner = (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1</AgentID></xml>"
    )
    encrypt = wecom_encrypt(inner.encode(), receive_id=receive_id)
    timestamp, nonce = str(int(time.time())), "1372623149"
    params = {
        "msg_signature": im.wecom_signature(WECOM_TOKEN, timestamp, nonce, encrypt),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    body = f"<xml><ToUserName><![CDATA[{WECOM_CORP}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
    return params, (body + "<AgentID><![CDATA[1]]></AgentID></xml>").encode()


def dingtalk_text(content: str, *, sender: str, msg_id: str, at_ms: int | None = None) -> tuple[dict[str, str], bytes]:
    """Headers and JSON body of a DingTalk outgoing-robot callback."""
    timestamp = str(at_ms if at_ms is not None else int(time.time() * 1000))
    body = {
        "msgtype": "text",
        "text": {"content": content},
        "msgId": msg_id,
        "createAt": int(timestamp),
        "conversationType": "2",
        "conversationId": "cid-ops-group",
        "senderId": "$:LWCP_v1:$abc",
        "senderStaffId": sender,
        "senderNick": "李娜",
        "chatbotUserId": "$:LWCP_v1:$bot",
    }
    headers = {"timestamp": timestamp, "sign": im.dingtalk_sign(DING_SECRET, timestamp)}
    return headers, json.dumps(body, ensure_ascii=False).encode()


def feishu_encrypt(event: dict[str, Any], key: str = FEISHU_KEY) -> str:
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(hashlib.sha256(key.encode()).digest()), modes.CBC(iv)).encryptor()
    data = _pkcs7(json.dumps(event, ensure_ascii=False).encode(), 16)
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


def feishu_message_event(text: str, *, sender: str, event_id: str) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "token": FEISHU_TOKEN,
            "create_time": str(int(time.time() * 1000)),
            "event_type": "im.message.receive_v1",
            "tenant_key": "tenant",
            "app_id": "cli_a1",
        },
        "event": {
            "sender": {"sender_id": {"open_id": sender, "user_id": "u1"}, "sender_type": "user"},
            "message": {
                "message_id": "om_" + event_id,
                "chat_type": "group",
                "message_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
            },
        },
    }


def feishu_signed(event: dict[str, Any], *, at: int | None = None) -> tuple[dict[str, str], bytes]:
    """Headers and body of an encrypted, signed Feishu event."""
    body = json.dumps({"encrypt": feishu_encrypt(event)}).encode()
    timestamp, nonce = str(at if at is not None else int(time.time())), "nonce-123"
    headers = {
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": im.feishu_signature(timestamp, nonce, FEISHU_KEY, body),
    }
    return headers, body
