"""Periodic work of notifications: queue again deliveries whose task was lost."""

from __future__ import annotations

import datetime as dt

from weibao.core.scheduler import periodic
from weibao.notifications.delivering import deliveries_requeue


@periodic("notifications.deliveries_requeue", every=dt.timedelta(minutes=1))
def requeue_lost_deliveries() -> None:
    deliveries_requeue()
