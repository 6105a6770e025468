"""Inbound HTTP callbacks: WeCom, DingTalk and Feishu apps, and generic webhook sources.

No session, no CSRF token: each request proves itself by its platform's signature or
its source's token. Forged calls answer 403, stale or malformed ones 400, each with a
JSON ``detail``; a known event id is acknowledged and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from weibao.intake import conf, im
from weibao.intake.crypto import secret_open
from weibao.intake.models import ImApp, InboundMessage, Source, WebhookSource
from weibao.intake.services import message_process, message_store

MAX_BODY = 256 * 1024


def _refuse(reason: str, status: int, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"detail": reason, "errors": errors or {}}, status=status)


def _accept(*, source: str, origin: str, dedup: str, payload: dict[str, Any]) -> InboundMessage:
    row, _created = message_store(
        source=source, dedup_key=dedup, payload=payload, origin=origin, sender=str(payload.get("sender_id", ""))
    )
    return message_process(message_id=row.pk)


def _app(platform: str, key: str) -> ImApp:
    return get_object_or_404(ImApp, platform=platform, key=key, enabled=True)


def _body(request: HttpRequest) -> bytes:
    body = request.body
    if len(body) > MAX_BODY:
        raise im.CallbackError("body too large", 400)
    return body


def _xml_field(root: ET.Element, name: str) -> str:
    node = root.find(name)
    return (node.text or "") if node is not None else ""


# --- WeCom ------------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wecom_callback(request: HttpRequest, key: str) -> HttpResponse:
    app = _app(ImApp.Platform.WECOM, key)
    token, aes_key = secret_open(app.token_encrypted), secret_open(app.aes_key_encrypted)
    params = request.GET
    try:
        if request.method == "GET":  # URL verification: decrypt echostr and answer it
            echostr = params.get("echostr", "")
            im.wecom_check(
                token=token,
                timestamp=params.get("timestamp", ""),
                nonce=params.get("nonce", ""),
                encrypt=echostr,
                signature=params.get("msg_signature", ""),
            )
            plain = im.wecom_decrypt(encoding_aes_key=aes_key, encrypt=echostr, receive_id=app.receive_id)
            return HttpResponse(plain, content_type="text/plain; charset=utf-8")
        try:
            outer = ET.fromstring(_body(request))  # noqa: S314 - expat refuses external entities
        except ET.ParseError as exc:
            raise im.CallbackError("body is not XML", 400) from exc
        encrypt = _xml_field(outer, "Encrypt")
        im.wecom_check(
            token=token,
            timestamp=params.get("timestamp", ""),
            nonce=params.get("nonce", ""),
            encrypt=encrypt,
            signature=params.get("msg_signature", ""),
        )
        plain = im.wecom_decrypt(encoding_aes_key=aes_key, encrypt=encrypt, receive_id=app.receive_id)
        try:
            inner = ET.fromstring(plain)  # noqa: S314
        except ET.ParseError as exc:
            raise im.CallbackError("decrypted message is not XML", 400) from exc
        created = _xml_field(inner, "CreateTime")
        if created.isdigit():
            sent = dt.datetime.fromtimestamp(int(created), tz=dt.UTC)
            if abs(timezone.now() - sent) > conf.im_max_age():
                raise im.CallbackError("stale timestamp", 400)
    except im.CallbackError as exc:
        return _refuse(exc.reason, exc.status)
    if _xml_field(inner, "MsgType") == "text":
        msg_id = _xml_field(inner, "MsgId") or hashlib.sha256(plain).hexdigest()
        _accept(
            source=Source.WECOM,
            origin=app.name,
            dedup=f"wecom:{app.pk}:{msg_id}",
            payload={
                "text": _xml_field(inner, "Content"),
                "sender_id": _xml_field(inner, "FromUserName"),
                "event_id": msg_id,
            },
        )
    return HttpResponse("success", content_type="text/plain")


# --- DingTalk ---------------------------------------------------------------------------


@csrf_exempt
@require_POST
def dingtalk_callback(request: HttpRequest, key: str) -> HttpResponse:
    app = _app(ImApp.Platform.DINGTALK, key)
    try:
        im.dingtalk_check(
            secret=secret_open(app.secret_encrypted),
            timestamp=request.headers.get("timestamp", ""),
            sign=request.headers.get("sign", ""),
            now=timezone.now(),
            max_age=conf.im_max_age(),
        )
        try:
            body = json.loads(_body(request))
        except ValueError as exc:
            raise im.CallbackError("body is not JSON", 400) from exc
        if not isinstance(body, dict) or not body.get("msgId"):
            raise im.CallbackError("msgId is missing", 400)
    except im.CallbackError as exc:
        return _refuse(exc.reason, exc.status)
    text = body.get("text") if isinstance(body.get("text"), dict) else {}
    if body.get("msgtype") == "text" and isinstance(text, dict):
        _accept(
            source=Source.DINGTALK,
            origin=app.name,
            dedup=f"dingtalk:{app.pk}:{body['msgId']}",
            payload={
                "text": str(text.get("content", "")).strip(),
                "sender_id": str(body.get("senderStaffId") or body.get("senderId") or ""),
                "sender_name": str(body.get("senderNick", "")),
                "event_id": str(body["msgId"]),
            },
        )
    return JsonResponse({"msgtype": "empty"})


# --- Feishu -----------------------------------------------------------------------------


def _feishu_event(app: ImApp, request: HttpRequest, raw: bytes) -> dict[str, Any]:
    encrypt_key = secret_open(app.aes_key_encrypted)
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise im.CallbackError("body is not JSON", 400) from exc
    if not isinstance(body, dict):
        raise im.CallbackError("body is not a JSON object", 400)
    if encrypt_key:
        if "encrypt" not in body:
            raise im.CallbackError("event is not encrypted", 400)
        if request.headers.get("X-Lark-Signature"):
            im.feishu_check(
                timestamp=request.headers.get("X-Lark-Request-Timestamp", ""),
                nonce=request.headers.get("X-Lark-Request-Nonce", ""),
                encrypt_key=encrypt_key,
                body=raw,
                signature=request.headers.get("X-Lark-Signature", ""),
                now=timezone.now(),
                max_age=conf.im_max_age(),
            )
        body = im.feishu_decrypt(encrypt_key=encrypt_key, encrypt=str(body["encrypt"]))
        if body.get("type") != "url_verification" and not request.headers.get("X-Lark-Signature"):
            raise im.CallbackError("bad signature")
    token = str(body.get("token") or (body.get("header") or {}).get("token", ""))
    if not hmac.compare_digest(token, secret_open(app.token_encrypted)):
        raise im.CallbackError("bad verification token")
    event: dict[str, Any] = body
    return event


@csrf_exempt
@require_POST
def feishu_callback(request: HttpRequest, key: str) -> HttpResponse:
    app = _app(ImApp.Platform.FEISHU, key)
    try:
        body = _feishu_event(app, request, _body(request))
    except im.CallbackError as exc:
        return _refuse(exc.reason, exc.status)
    if body.get("type") == "url_verification":
        return JsonResponse({"challenge": body.get("challenge", "")})
    header = body.get("header") if isinstance(body.get("header"), dict) else {}
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    assert isinstance(header, dict)
    assert isinstance(event, dict)
    event_id = str(header.get("event_id", ""))
    if not event_id:
        return _refuse("event_id is missing", 400)
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    if header.get("event_type") == "im.message.receive_v1" and message and message.get("message_type") == "text":
        try:
            text = str(json.loads(str(message.get("content", "{}"))).get("text", ""))
        except (ValueError, AttributeError):
            return _refuse("message content is not JSON", 400)
        sender = ((event.get("sender") or {}).get("sender_id") or {}) if isinstance(event.get("sender"), dict) else {}
        _accept(
            source=Source.FEISHU,
            origin=app.name,
            dedup=f"feishu:{app.pk}:{event_id}",
            payload={
                "text": text.strip(),
                "sender_id": str(sender.get("open_id") or sender.get("user_id") or ""),
                "event_id": event_id,
            },
        )
    return JsonResponse({})


# --- Generic webhooks -------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(WebhookSource, key=key, enabled=True)
    auth = request.headers.get("Authorization", "")
    token = (
        auth.removeprefix("Bearer ").strip()
        if auth.startswith("Bearer ")
        else request.headers.get("X-Weibao-Token", "")
    )
    if not token or not hmac.compare_digest(token_digest(token), source.token_sha256):
        return _refuse(_("Wrong or missing token."), 403)
    try:
        body = json.loads(request.body) if len(request.body) <= MAX_BODY else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _refuse(_("The body must be a JSON object."), 400)
    errors: dict[str, list[str]] = {}
    for field, limit in (("id", 200), ("client", 50), ("title", 200)):
        value = body.get(field)
        if not isinstance(value, str) or not value.strip():
            errors[field] = [_("This field is required.")]
        elif len(value) > limit:
            errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    for field in ("description", "contact_email"):
        if field in body and not isinstance(body[field], str):
            errors[field] = [_("Must be text.")]
    if errors:
        return _refuse(_("The payload has errors."), 400, errors)
    row = _accept(
        source=Source.WEBHOOK,
        origin=source.name,
        dedup=f"webhook:{source.pk}:{body['id']}",
        payload={
            "client": body["client"],
            "title": body["title"],
            "text": body["title"],
            "description": body.get("description", ""),
            "contact_email": body.get("contact_email", ""),
            "event_id": body["id"],
        },
    )
    return JsonResponse(
        {"message": row.pk, "state": row.state, "outcome": row.outcome, "reason": row.reason}, status=202
    )
