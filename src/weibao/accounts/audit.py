"""The event writer every service calls, and the request context it reads.

``event_record`` must run inside the service's transaction so that the change and
its event row commit or roll back together. Each row is linked into the hash chain
of ``audit_chain`` as it is written.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from weibao.accounts.audit_chain import chain_append
from weibao.accounts.models import AuditEvent, User
from weibao.core.snapshot import snapshot_diff

# The client address of the request being served, set by middleware and the API auth.
current_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_address", default=None)


def event_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    client_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    only_changes: bool = True,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event row.

    ``action`` is ``<entity>.<verb>`` (``client.update``). With ``only_changes``,
    before/after keep just the fields that differ. ``actor_label`` names an actor
    that is no user row, such as the user name a failed sign-in tried.
    Side effects: inserts an AuditEvent row at the head of the hash chain; on
    PostgreSQL this holds the chain's advisory lock until the caller's transaction ends.
    """
    before = before or {}
    after = after or {}
    if only_changes and before and after:
        before, after = snapshot_diff(before, after)
    label = actor_label or ""
    if not label and actor is not None:
        label = actor.get_username()
    event = AuditEvent(
        actor=actor,
        actor_label=(label or "system")[:150],
        address=current_address.get(),
        action=action,
        object_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        client_id=client_id,
        before=before,
        after=after,
    )
    return chain_append(event)
