from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScheduledJob(models.Model):
    """One registered periodic job and when it is next due.

    Schedulers claim a due run by moving ``next_run_at`` forward with a conditional
    UPDATE; only the scheduler whose UPDATE changed the row runs the job.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run at"), db_index=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_status = models.CharField(_("last status"), max_length=20, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    run_count = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a scheduled job, as claimed by one scheduler."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    job = models.ForeignKey(ScheduledJob, on_delete=models.CASCADE, related_name="runs")
    due_at = models.DateTimeField(_("due at"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("scheduler"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        constraints = [
            # A second scheduler that somehow claimed the same due run cannot record it.
            models.UniqueConstraint(fields=["job", "due_at"], name="jobrun_once_per_due_time"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id} @ {self.due_at:%Y-%m-%d %H:%M:%S}"


class RateLimitCounter(models.Model):
    """Hits counted for one (scope, key) in one fixed window; see ``core.ratelimit``.

    Times are whole seconds since the epoch so that the counting statement is the
    same plain SQL on PostgreSQL and SQLite.
    """

    scope = models.CharField(_("rate-limit scope"), max_length=64)
    key = models.CharField(_("rate-limit key"), max_length=200)
    window_start = models.BigIntegerField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)
    expires_at = models.BigIntegerField(_("window end"), db_index=True)

    class Meta:
        verbose_name = _("rate limit counter")
        verbose_name_plural = _("rate limit counters")
        constraints = [
            # The upsert's conflict target: one row per window, so concurrent hits add up.
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ratelimit_one_row_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} @ {self.window_start}: {self.hits}"
