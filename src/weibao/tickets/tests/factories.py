"""Requests for tests, made through the services so that they are real."""

from __future__ import annotations

from typing import Any

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.tickets.models import Ticket
from weibao.tickets.services.tickets import ticket_create


def make_ticket(*, actor: User, client: Client, **overrides: Any) -> Ticket:
    values: dict[str, Any] = {
        "title": "居民信息模块登录失败",
        "kind": "fault",
        "channel": "hotline",
        "level": 3,
        "description": "<p>社区工作人员反映登录后提示会话过期。</p>",
    }
    values.update(overrides)
    return ticket_create(actor=actor, client=client, **values)
