"""Client isolation: which clients an acting user may see.

Every selector that a client user can reach filters through these functions.
Vendor staff see every client; a client-side user sees only the client of their
membership, and a client-side user without one sees nothing.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from weibao.accounts.models import User
from weibao.customers.models import Client, ClientMembership

M = TypeVar("M", bound=Model)


def client_id_of(user: User) -> int | None:
    """The id of the client a client-side user belongs to; None for staff or no membership."""
    if not user.is_client_side:
        return None
    cached: int | None = getattr(user, "_weibao_client_id", None)
    if cached is None:
        cached = ClientMembership.objects.filter(user=user).values_list("client_id", flat=True).first()
        user._weibao_client_id = cached  # type: ignore[attr-defined]
    return cached


def visible_clients(actor: User) -> QuerySet[Client]:
    """The clients ``actor`` may see."""
    if not actor.is_active:
        return Client.objects.none()
    if not actor.is_client_side:
        return Client.objects.all()
    client_id = client_id_of(actor)
    if client_id is None:
        return Client.objects.none()
    return Client.objects.filter(pk=client_id)


def scoped[M: Model](queryset: QuerySet[M], actor: User, client_field: str = "client") -> QuerySet[M]:
    """``queryset`` narrowed to the rows whose ``client_field`` ``actor`` may see."""
    if not actor.is_active:
        return queryset.none()
    if not actor.is_client_side:
        return queryset
    client_id = client_id_of(actor)
    if client_id is None:
        return queryset.none()
    return queryset.filter(**{f"{client_field}_id": client_id})
