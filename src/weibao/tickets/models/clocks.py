"""Running service-level clocks of a request (R1.3, R2.1–R2.4).

At registration each target of the governing policy is copied onto the request as
one ``SlaClock`` (a snapshot: editing the policy never rewrites it). A running clock
has absolute, indexed deadlines; ``next_check_at`` is the earliest instant the
scheduler must look at it (warning, breach or the next escalation step) and is
null when nothing is pending, so a tick over a million quiet requests is one empty
index range. See docs/subsystems/sla.md, "Running clocks".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weibao.tickets.models.tickets import Ticket


class SlaClock(models.Model):
    """One target of a request's policy, counting working time on a calendar."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused (waiting on the client)")
        MET = "met", _("Stopped")
        WAIVED = "waived", _("Waived")
        CANCELLED = "cancelled", _("Cancelled")

    # No index of its own: the unique (ticket, metric) constraint leads with the request.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_clocks", verbose_name=_("request"), db_index=False
    )
    metric = models.CharField(_("metric"), max_length=16)
    level = models.PositiveSmallIntegerField(_("level"))
    # The snapshot of the target.
    policy_id = models.PositiveIntegerField(_("policy"), null=True, blank=True)
    policy_name = models.CharField(_("policy"), max_length=100, blank=True)
    contract_id = models.PositiveIntegerField(_("contract"), null=True, blank=True)
    calendar_id = models.PositiveIntegerField(_("calendar"))
    target_seconds = models.PositiveIntegerField(_("target (seconds of working time)"))
    warn_percent = models.PositiveSmallIntegerField(_("warn at (%)"), default=75)
    penalty_amount = models.DecimalField(_("penalty"), max_digits=12, decimal_places=2, null=True, blank=True)
    escalations = models.JSONField(_("escalation steps"), default=list, blank=True)
    # Where the clock stands.
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    segment_start = models.DateTimeField(_("running since"), null=True, blank=True)
    used_seconds = models.PositiveIntegerField(_("working seconds used before"), default=0)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    escalations_done = models.PositiveSmallIntegerField(_("escalation steps done"), default=0)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every write; the scheduler claims a clock with ``UPDATE … WHERE version = old``.
    version = models.PositiveIntegerField(default=1)
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)
    waiver_agreed_by = models.CharField(_("agreed by (client side)"), max_length=150, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("service-level clock")
        verbose_name_plural = _("service-level clocks")
        ordering = ["ticket", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "metric"], name="slaclock_once_per_metric")]
        # Every index of this table gets an entry when a deadline moves (a moved deadline is an
        # indexed column, so PostgreSQL cannot update the row "HOT"): partial where they can be.
        indexes = [
            models.Index(
                fields=["next_check_at", "id"], name="slaclock_next_check", condition=Q(next_check_at__isnull=False)
            ),
            models.Index(fields=["calendar_id", "state"], name="slaclock_calendar_state"),
            models.Index(fields=["started_at"], name="slaclock_started"),
            models.Index(fields=["due_at"], name="slaclock_due"),
            models.Index(fields=["waived_by"], name="slaclock_waived_by", condition=Q(waived_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.state}"

    @property
    def is_live(self) -> bool:
        return self.state in {self.State.RUNNING, self.State.PAUSED}


class SlaClockEvent(models.Model):
    """One line of a clock's history: started, paused, resumed, met, breached, escalated, waived …"""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        RECOMPUTED = "recomputed", _("Deadline recomputed")
        WARNED = "warned", _("Warning")
        BREACHED = "breached", _("Breached")
        ESCALATED = "escalated", _("Escalated")
        MET = "met", _("Met")
        WAIVED = "waived", _("Waived")
        CANCELLED = "cancelled", _("Cancelled")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="history")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")
        ordering = ["ticket", "id"]
        indexes = [models.Index(fields=["ticket", "id"], name="slaclockevent_ticket")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind}"


class SlaBreach(models.Model):
    """A missed target, recorded once per clock: which target and by how much."""

    clock = models.OneToOneField(SlaClock, on_delete=models.CASCADE, related_name="breach")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_breaches")
    metric = models.CharField(_("metric"), max_length=16)
    target_seconds = models.PositiveIntegerField(_("target (seconds)"))
    due_at = models.DateTimeField(_("due at"))
    detected_at = models.DateTimeField(_("detected at"))
    # Wall-clock seconds past the deadline: at detection, then when the clock stops.
    late_seconds = models.PositiveIntegerField(_("late by (seconds)"), default=0)
    penalty_entry_id = models.PositiveIntegerField(_("deposit entry"), null=True, blank=True)

    class Meta:
        verbose_name = _("service-level breach")
        verbose_name_plural = _("service-level breaches")
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric}"


class SlaEscalationRun(models.Model):
    """One escalation step executed for one clock; the constraint makes it once."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalation_runs")
    step = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("escalation executed")
        verbose_name_plural = _("escalations executed")
        ordering = ["clock", "step"]
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="slaescalationrun_once")]

    def __str__(self) -> str:
        return f"{self.clock_id} #{self.step}"
