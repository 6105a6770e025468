"""Request and response bodies of the accounts API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from weibao.accounts.models import AuditEvent
from weibao.core.api_errors import Instant


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    role: str
    language: str


class MeUpdateIn(Schema):
    """Only the fields sent change (PATCH)."""

    display_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    language: str = Field(default="", max_length=10)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreateIn(Schema):
    name: str = Field(max_length=100)
    scope: str = "read"
    expires_at: Instant | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself, shown this once only.")


class AuditEventFilters(Schema):
    action: str = Field(default="", description="Prefix of the action, e.g. `user.` or `client.update`.")
    actor: str = Field(default="", description="User name of the actor (also names tried in failed sign-ins).")
    object_type: str = Field(default="", description="`app_label.model`, e.g. `customers.client`.")
    since: Instant | None = Field(default=None, description="Events at or after this time.")
    until: Instant | None = Field(default=None, description="Events before this time.")
    q: str = Field(default="", description="Text in the object's name.")


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    address: str | None
    action: str
    object_type: str | None
    object_id: str
    object_repr: str
    client_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]

    @staticmethod
    def resolve_object_type(obj: AuditEvent) -> str | None:
        if obj.object_type is None:
            return None
        return f"{obj.object_type.app_label}.{obj.object_type.model}"
