"""Signature checks and decryption of IM platform callbacks, as the platforms document them.

Pure functions, no database, no Django: each raises :class:`CallbackError` with a
reason (and the HTTP status to answer) when a callback is forged, stale or malformed.

- WeCom (企业微信) callback mode: ``msg_signature`` = SHA-1 of the sorted token,
  timestamp, nonce and ``Encrypt``; the AES key is ``base64(EncodingAESKey + "=")``
  (32 bytes), AES-256-CBC with the key's first 16 bytes as IV, PKCS#7 padding to 32
  bytes; plaintext = 16 random bytes + 4-byte big-endian length + message + receive id.
- DingTalk outgoing robot: headers ``timestamp`` (ms) and ``sign`` =
  base64(HMAC-SHA256(app secret, timestamp + "\\n" + app secret)); at most one hour old.
- Feishu event subscription: ``X-Lark-Signature`` = hex SHA-256 of timestamp + nonce +
  encrypt key + raw body; ``{"encrypt": …}`` is base64(IV + AES-256-CBC(PKCS#7)) under
  SHA-256(encrypt key).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import struct
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CallbackError(Exception):
    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _fresh(sent: dt.datetime, now: dt.datetime, max_age: dt.timedelta) -> None:
    if abs(now - sent) > max_age:
        raise CallbackError("stale timestamp", 400)


def _aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if not data or len(data) % 16:
        raise CallbackError("ciphertext is not whole AES blocks", 400)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def _unpad(data: bytes, block: int) -> bytes:
    pad = data[-1] if data else 0
    if not 1 <= pad <= block or data[-pad:] != bytes([pad]) * pad:
        raise CallbackError("bad padding", 403)
    return data[:-pad]


def _b64(value: str | bytes) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CallbackError("not base64", 400) from exc


# --- WeCom ------------------------------------------------------------------------------


def wecom_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()  # noqa: S324


def wecom_aes_key(encoding_aes_key: str) -> bytes:
    key = _b64(encoding_aes_key + "=")
    if len(key) != 32:
        raise CallbackError("EncodingAESKey must be 43 characters", 400)
    return key


def wecom_check(*, token: str, timestamp: str, nonce: str, encrypt: str, signature: str) -> None:
    if not hmac.compare_digest(wecom_signature(token, timestamp, nonce, encrypt), signature or ""):
        raise CallbackError("bad signature")


def wecom_decrypt(*, encoding_aes_key: str, encrypt: str, receive_id: str) -> bytes:
    key = wecom_aes_key(encoding_aes_key)
    plain = _unpad(_aes_cbc_decrypt(key, key[:16], _b64(encrypt)), 32)
    if len(plain) < 20:
        raise CallbackError("message too short", 400)
    (length,) = struct.unpack(">I", plain[16:20])
    message, rest = plain[20 : 20 + length], plain[20 + length :]
    if len(message) != length:
        raise CallbackError("message length mismatch", 400)
    if receive_id and rest.decode(errors="replace") != receive_id:
        raise CallbackError("message is for another receive id")
    return message


# --- DingTalk ---------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_check(*, secret: str, timestamp: str, sign: str, now: dt.datetime, max_age: dt.timedelta) -> None:
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise CallbackError("bad timestamp", 400) from exc
    if not hmac.compare_digest(dingtalk_sign(secret, timestamp), sign or ""):
        raise CallbackError("bad signature")
    _fresh(sent, now, max_age)


# --- Feishu -----------------------------------------------------------------------------


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def feishu_check(
    *,
    timestamp: str,
    nonce: str,
    encrypt_key: str,
    body: bytes,
    signature: str,
    now: dt.datetime,
    max_age: dt.timedelta,
) -> None:
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise CallbackError("bad timestamp", 400) from exc
    if not hmac.compare_digest(feishu_signature(timestamp, nonce, encrypt_key, body), signature or ""):
        raise CallbackError("bad signature")
    _fresh(sent, now, max_age)


def feishu_decrypt(*, encrypt_key: str, encrypt: str) -> dict[str, Any]:
    data = _b64(encrypt)
    key = hashlib.sha256(encrypt_key.encode()).digest()
    plain = _unpad(_aes_cbc_decrypt(key, data[:16], data[16:]), 16)
    try:
        decoded = json.loads(plain)
    except ValueError as exc:
        raise CallbackError("decrypted event is not JSON", 400) from exc
    if not isinstance(decoded, dict):
        raise CallbackError("decrypted event is not an object", 400)
    return decoded
