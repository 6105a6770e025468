"""Core housekeeping jobs."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from weibao.core.models import JobRun
from weibao.core.scheduler import periodic


@periodic("core.clear_expired_sessions", every=dt.timedelta(hours=1))
def clear_expired_sessions() -> None:
    Session.objects.filter(expire_date__lt=timezone.now()).delete()


@periodic("core.prune_job_runs", every=dt.timedelta(days=1))
def prune_job_runs() -> None:
    JobRun.objects.filter(started_at__lt=timezone.now() - dt.timedelta(days=30)).delete()
