from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from weibao.core.models import JobRun, ScheduledJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def job_run() -> JobRun:
    job = ScheduledJob.objects.create(name="tests.job", interval_seconds=60, next_run_at=timezone.now())
    now = timezone.now()
    return JobRun.objects.create(job=job, due_at=now - dt.timedelta(seconds=5), started_at=now, status=JobRun.Status.OK)


def test_admin_lists_scheduled_jobs_and_their_runs(as_admin: HttpClient, job_run: JobRun) -> None:
    assert as_admin.get("/admin/core/scheduledjob/").status_code == 200
    assert as_admin.get(f"/admin/core/scheduledjob/{job_run.job_id}/change/").status_code == 200
    page = as_admin.get("/admin/core/jobrun/")
    assert page.status_code == 200
    assert "tests.job" in page.content.decode()


def test_job_runs_are_read_only_in_the_admin(as_admin: HttpClient, job_run: JobRun) -> None:
    assert as_admin.get("/admin/core/jobrun/add/").status_code == 403
    assert as_admin.post(f"/admin/core/jobrun/{job_run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert JobRun.objects.filter(pk=job_run.pk).exists()
