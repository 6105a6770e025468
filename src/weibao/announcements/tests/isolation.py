"""Client-isolation coverage of the announcement pages and API (see tests/test_client_isolation.py).

Each factory publishes an announcement addressed to the archive's client only, so the
other client's users must get 404 for it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _to_archive_client(archive: Any) -> dict[str, int]:
    from weibao.accounts.models import Role, User
    from weibao.announcements import services

    writer = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user(
        username="announcer", password="x", role=Role.ADMIN
    )
    announcement = services.announcement_create(
        actor=writer, title="仅本单位可见", body="内容", audience="clients", clients=[archive.client]
    )
    services.announcement_publish(actor=writer, announcement_id=announcement.pk)
    return {"announcement_id": announcement.pk}


API: dict[str, Callable[[Any], dict[str, int]]] = dict.fromkeys(
    ("announcement_get", "announcement_read", "announcement_step"), _to_archive_client
)
ROUTES: dict[str, Callable[[Any], dict[str, int]]] = dict.fromkeys(
    ("announcements:detail", "announcements:update", "announcements:step"),
    lambda archive: {"pk": _to_archive_client(archive)["announcement_id"]},
)
