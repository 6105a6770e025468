"""Client-isolation coverage of the notifications pages and API (see tests/test_client_isolation.py).

In-app entries are personal: the factory gives the entry to a user of the archive's
client, so client A's user gets 404 for client B's entry and reaches its own.
Channels are vendor settings (administrators only; others get 403 whatever the id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weibao.accounts.models import Role, User
from weibao.customers.models import ClientMembership
from weibao.notifications.models import Endpoint, InboxItem


def _inbox_item(archive: Any) -> int:
    membership = ClientMembership.objects.filter(client=archive.client).select_related("user").first()
    if membership is not None:
        user = membership.user
    else:
        user = User.objects.create_user(username=f"inbox-{archive.client.code}", role=Role.CLIENT_USER)
        ClientMembership.objects.create(user=user, client=archive.client)
    item = InboxItem.objects.create(user=user, client_id=archive.client.pk, event="request.replied", title="reply")
    return item.pk


def _endpoint(archive: Any) -> int:
    endpoint = Endpoint.objects.create(
        kind="webhook",
        name=f"hook {archive.client.code}",
        url="https://hooks.example.com/",
        client_id=archive.client.pk,
    )
    return endpoint.pk


FACTORIES: dict[str, Callable[[Any], dict[str, int]]] = {
    "notifications:read": lambda archive: {"pk": _inbox_item(archive)},
    "notification_read": lambda archive: {"notification_id": _inbox_item(archive)},
}

SHARED_ROUTES: dict[str, Callable[[Any], dict[str, int]]] = {
    "notifications:channel_update": lambda archive: {"pk": _endpoint(archive)},
    "notifications:channel_delete": lambda archive: {"pk": _endpoint(archive)},
}
