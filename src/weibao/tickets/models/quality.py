"""Complaints (R1.7) and service quality (R7): surveys, callback audits, follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weibao.tickets.models.tickets import Ticket


class Complaint(models.Model):
    """The complaint record of a complaint request: content, handling, result, satisfaction."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint", verbose_name=_("request"))
    # 首问负责制: whoever first took the complaint stays accountable for it.
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("first responder")
    )
    tracker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tracked_complaints",
        verbose_name=_("tracker"),
    )
    about = models.CharField(_("complaint about"), max_length=200, blank=True)
    handling = models.TextField(_("handling"), blank=True)
    result = models.TextField(_("result"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("client satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint record")
        verbose_name_plural = _("complaint records")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class CorrectiveAction(models.Model):
    """A corrective or preventive action (纠正预防措施) with an owner and a due date."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("Corrective")
        PREVENTIVE = "preventive", _("Preventive")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="corrective_actions", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(pgettext_lazy("corrective or preventive", "action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("corrective or preventive action")
        verbose_name_plural = _("corrective and preventive actions")
        ordering = ["ticket", "due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Survey(models.Model):
    """The client's rating of a closed request (1–5 and a comment), by portal or by link."""

    class Via(models.TextChoices):
        PORTAL = "portal", _("Portal")
        LINK = "link", _("Survey link")
        CALLBACK = "callback", _("Quality callback")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey", verbose_name=_("request"))
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("given via"), max_length=10, choices=Via.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    follow_up = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_of",
        verbose_name=_("follow-up request"),
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}"


class CallbackTask(models.Model):
    """A quality callback (回访) on a closed request drawn in the weekly sample."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not yet called")
        SATISFIED = "satisfied", _("Client satisfied")
        DISSATISFIED = "dissatisfied", _("Client dissatisfied")
        UNREACHABLE = "unreachable", _("Could not reach the client")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("request"))
    week = models.DateField(_("week of"), help_text=_("The Monday of the sampled week."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback_tasks",
        verbose_name=_("quality staff"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("called at"), null=True, blank=True)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")
        ordering = ["-week", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "week"], name="callback_once_per_week")]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.week}"
