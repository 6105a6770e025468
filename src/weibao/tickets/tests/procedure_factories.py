"""Requests at a given step of the procedure, drawn signatures, and the people who sign."""

from __future__ import annotations

import base64
import datetime as dt
import struct
import zlib
from typing import Any

from conftest import make_user

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import Ticket
from weibao.tickets.services import procedure
from weibao.tickets.tests.factories import make_ticket

PLAN = {
    "mode": "remote",
    "details": "远程登录应用服务器，清理过期会话并调整会话超时参数。",
    "planned_start": dt.date(2026, 11, 23),
    "planned_end": dt.date(2026, 11, 24),
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int = 8, height: int = 4, padding: int = 0) -> bytes:
    """A real greyscale PNG, as a signature pad draws; ``padding`` adds a text chunk of that many bytes."""
    rows = b"".join(b"\x00" + bytes((x * 30) % 256 for x in range(width)) for _ in range(height))
    parts = [
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
        _chunk(b"IDAT", zlib.compress(rows)),
    ]
    if padding:
        parts.append(_chunk(b"tEXt", b"Comment\x00" + b"x" * padding))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def png_data_url(**kwargs: Any) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(**kwargs)).decode()


def leader_of(client: Client, username: str = "leader") -> User:
    return make_user(username, Role.CLIENT_LEADER, client=client)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def ticket_in_progress(*, staff: User, client: Client, **overrides: Any) -> Ticket:
    """A request reviewed as ‘handle at once’, now in progress."""
    ticket = make_ticket(actor=staff, client=client, **overrides)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="可直接处理。")
    return fresh(ticket)


def ticket_awaiting_plan(*, staff: User, client: Client, **overrides: Any) -> Ticket:
    """A request with a maintenance plan awaiting the client's confirmation."""
    ticket = make_ticket(actor=staff, client=client, **overrides)
    procedure.review_record(
        actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需制定维护方案。", plan={**PLAN, "charging": "free"}
    )
    return fresh(ticket)


def ticket_awaiting_acceptance(*, staff: User, client: Client, **overrides: Any) -> Ticket:
    ticket = ticket_in_progress(staff=staff, client=client, **overrides)
    procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已清理过期会话，登录恢复正常。")
    return fresh(ticket)


def ticket_awaiting_feedback(*, staff: User, client_user: User, client: Client, **overrides: Any) -> Ticket:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client, **overrides)
    procedure.acceptance_sign(
        actor=client_user, ticket_id=ticket.pk, accepted=True, opinion="验证通过。", signer_name="王丽"
    )
    return fresh(ticket)


def data_ticket_signed(*, staff: User, client: Client, leader: User) -> Ticket:
    """A data-maintenance request the leader has signed, reviewed and in progress."""
    ticket = make_ticket(actor=staff, client=client, kind="data", title="更正2025年低保户历史数据")
    procedure.leader_signoff(
        actor=leader, ticket_id=ticket.pk, approve=True, opinion="同意处理。", signer_name="张主任"
    )
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="按申请更正。")
    return fresh(ticket)
