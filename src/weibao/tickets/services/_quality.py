"""What the service-quality services (complaints, surveys, callbacks) share."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import Role, User
from weibao.core.errors import PermissionDeniedError, WeibaoError
from weibao.tickets.models import (
    Ticket,
    TicketEvent,
)
from weibao.tickets.services._common import timeline_add

logger = logging.getLogger(__name__)

# Who draws callbacks and records their outcome (服务质量监督 / 回访专员).
QUALITY_ROLES = frozenset({Role.QUALITY})
MAX_COMMENT = 5000
LOW_RATING = 2
COMPLAINT_FIELDS = ["first_responder", "tracker", "about", "handling", "result", "satisfaction"]
# pg_advisory_xact_lock key serialising weekly draws ("WBCALLBK" in ASCII).
DRAW_LOCK_KEY = 0x5742_4341_4C4C_424B
LINK_LABEL = "survey link"


class SurveyRefusedError(WeibaoError):
    """The request cannot be rated now (not archived yet, or already rated)."""

    status_code = 409


def is_quality(actor: User | None) -> bool:
    return actor is not None and actor.is_active and actor.role in QUALITY_ROLES


def require_quality(actor: User) -> None:
    if not is_quality(actor):
        raise PermissionDeniedError(_("Only quality staff may do this."))


def _local_today() -> dt.date:
    return timezone.localdate(timezone.now(), timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _event(
    *,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    body: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """A timeline entry; one made through the survey link names the link, not "system"."""
    if actor is not None:
        return timeline_add(ticket=ticket, actor=actor, kind=kind, body=body, internal=internal, data=data)
    return TicketEvent.objects.create(
        ticket=ticket, actor_label=_("Survey link"), kind=kind, body=body, internal=internal, data=data or {}
    )
