"""The records the maintenance procedure produces (R1.4–R1.12), each printable."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.tickets.models.tickets import Ticket


class Review(models.Model):
    """The technical review opinion (评审意见, on 《用户问题反馈及落实情况表》)."""

    class Decision(models.TextChoices):
        HANDLE = "handle", _("Handle at once")
        PLAN = "plan", _("A maintenance plan is needed")
        NO_ACTION = "no_action", _("No maintenance needed")
        REJECT = "reject", _("Rejected (not reasonable or not feasible)")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("request"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    opinion = models.TextField(_("review opinion"))
    reasonable = models.BooleanField(_("reasonable"), null=True, blank=True)
    feasible = models.BooleanField(_("feasible"), null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("reviewer"))
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.decision}"


class MaintenancePlan(models.Model):
    """The plan agreed with the client: mode, details, paid or free (R1.4 step 2, R1.8)."""

    class Mode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ONSITE = "onsite", _("On site")
        BOTH = "both", _("Remote and on site")
        RELEASE = "release", _("In a software release")

    class Charging(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="plans", verbose_name=_("request"))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    details = models.TextField(_("plan details"))
    charging = models.CharField(_("charging"), max_length=10, choices=Charging.choices)
    charging_basis = models.CharField(_("basis for charging"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn up by")
    )
    created_at = models.DateTimeField(_("drawn up at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by (client)"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    declined_reason = models.TextField(_("reason declined"), blank=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.mode}"


class TaskOrder(models.Model):
    """A task order (《维护任务单》) for one piece of the work."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="task_orders", verbose_name=_("request"))
    number = models.CharField(_("number"), max_length=50)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_orders", verbose_name=_("engineer")
    )
    onsite = models.BooleanField(_("on site"), default=False)
    content = models.TextField(_("work to do"))
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task order")
        verbose_name_plural = _("task orders")
        ordering = ["ticket", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "number"], name="taskorder_unique_number")]

    def __str__(self) -> str:
        return self.number


class RemoteConsent(models.Model):
    """The client's recorded consent to a remote session (R1.9): who, when, scope, duration."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="remote_consents", verbose_name=_("request")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by (client user)"),
    )
    granted_by_name = models.CharField(_("granted by (name)"), max_length=100)
    granted_via = models.CharField(_("granted via"), max_length=100, help_text=_("Portal, phone call, e-mail …"))
    scope = models.CharField(_("scope"), max_length=300)
    minutes_allowed = models.PositiveIntegerField(
        _("minutes allowed"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    granted_at = models.DateTimeField(_("granted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remote-access consent")
        verbose_name_plural = _("remote-access consents")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.scope}"


class WorkLog(models.Model):
    """Time an engineer spent on a request (服务机时, R1.12); remote work cites its consent."""

    class Mode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ONSITE = "onsite", _("On site")
        DESK = "desk", _("At the desk (phone, analysis)")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_logs", verbose_name=_("request"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_logs", verbose_name=_("engineer")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    consent = models.ForeignKey(
        RemoteConsent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_logs",
        verbose_name=_("remote-access consent"),
    )
    task_order = models.ForeignKey(
        TaskOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_logs"
    )
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    description = models.TextField(_("work done"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["ticket", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.minutes} min"


class SignOff(models.Model):
    """A client's signature on one of the procedure's forms, given in the portal."""

    class Form(models.TextChoices):
        REGISTRATION = "registration", _("Registration form")
        PLAN = "plan", _("Maintenance plan")
        RECEIPT = "receipt", _("Receipt")
        TASK_ORDER = "task_order", _("Task order")
        ACCEPTANCE = "acceptance", _("Acceptance form")
        FEEDBACK = "feedback", _("Feedback form")
        LEADER = "leader", _("Leader sign-off")
        SERVICE_REPORT = "service_report", _("Service report")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="signoffs", verbose_name=_("request"))
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signer_name = models.CharField(_("name as signed"), max_length=100)
    approved = models.BooleanField(_("approved"), default=True)
    opinion = models.TextField(_("opinion"), blank=True)
    # A drawn signature as a PNG data URL, checked to be one on the way in.
    signature = models.TextField(_("drawn signature"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.form} {self.signer_name}"


class DataChange(models.Model):
    """What a data-maintenance request changed (R1.6)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="data_changes", verbose_name=_("request"))
    description = models.TextField(_("what was changed"))
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    rows_affected = models.PositiveIntegerField(_("rows affected"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data change")
        verbose_name_plural = _("data changes")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.description[:40]}"


class Milestone(models.Model):
    """A step of an emergency (R1.10) or personalised change (R1.11) that the SLA engine times."""

    class Step(models.TextChoices):
        DISPATCHED = "dispatched", _("Technician dispatched")
        EMERGENCY_PLAN = "emergency_plan", _("Emergency plan in place")
        SOLUTION = "solution", _("Modification solution delivered")
        UNDERSTOOD = "understood", _("Requirement understood")
        ANSWERED = "answered", _("Answer given")
        STARTED = "started", _("Work started")
        TESTED = "tested", _("Tested before release")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("request"))
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    reached_at = models.DateTimeField(_("reached at"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["ticket", "reached_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "step"], name="milestone_once_per_step")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.step}"


# Which milestones each kind carries (R1.10, R1.11).
MILESTONES_BY_KIND: dict[str, list[str]] = {
    "emergency": [Milestone.Step.DISPATCHED, Milestone.Step.EMERGENCY_PLAN, Milestone.Step.SOLUTION],
    "personalised": [
        Milestone.Step.UNDERSTOOD,
        Milestone.Step.ANSWERED,
        Milestone.Step.STARTED,
        Milestone.Step.TESTED,
    ],
}
