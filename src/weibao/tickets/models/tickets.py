"""Service requests (工单), their timeline, attachments, teams and saved filters."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weibao.core.models import TimeStampedModel
from weibao.customers.models import Client, Contact, Deployment
from weibao.tickets import workflow
from weibao.tickets.workflow import CLOSED, KIND_LABELS, STATUS_LABELS

# Queues sort by the next deadline; a request without one sorts last. A non-null
# sort key keeps keyset pagination one plain index range on SQLite and PostgreSQL.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)

STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in workflow.Status]
KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in workflow.Kind]


def phone_digits(phone: str) -> str:
    """The digits of a dialled number without a +86 / 0086 country prefix."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits[:32]


class Channel(models.TextChoices):
    """Where a request came in (R1.1)."""

    HOTLINE = "hotline", _("Hotline")
    EMAIL = "email", pgettext_lazy("request channel", "E-mail")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WECHAT = "wechat", _("WeChat (logged by hand)")
    QQ = "qq", _("QQ (logged by hand)")
    PORTAL = "portal", _("Client portal")
    ONSITE = "onsite", _("On-site visit")
    MONITORING = "monitoring", _("Monitoring alarm")
    API = "api", _("REST API")


class Level(models.IntegerChoices):
    """Fault levels (R1.3, 故障级别)."""

    MAJOR = 1, _("Level 1 — major")
    SERIOUS = 2, _("Level 2 — serious")
    MINOR = 3, _("Level 3 — minor")
    TRIVIAL = 4, _("Level 4 — no function lost")


class Team(TimeStampedModel):
    """A group of engineers that a request can be dispatched to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="service_teams", verbose_name=_("members")
    )
    on_duty_contact = models.CharField(
        _("on-duty contact"), max_length=200, blank=True, help_text=_("Who to call out of hours, until rosters exist.")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TicketSequence(models.Model):
    """The last number handed out on one day; the number format's ``seq``."""

    day = models.DateField(_("day"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("request number sequence")
        verbose_name_plural = _("request number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Ticket(TimeStampedModel):
    """One service request, from registration to archive."""

    Status = workflow.Status
    Kind = workflow.Kind

    class Charging(models.TextChoices):
        UNDECIDED = "", _("Not decided")
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")

    number = models.CharField(_("number"), max_length=40, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("client"))
    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("deployment"),
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("contact")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_tickets",
        verbose_name=_("requester (client user)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tickets",
        verbose_name=_("registered by"),
    )
    on_behalf = models.BooleanField(_("submitted on the client's behalf"), default=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("type"), max_length=20, choices=KIND_CHOICES)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.MINOR)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES)
    resume_status = models.CharField(_("status to resume"), max_length=20, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets", verbose_name=_("followers")
    )
    # Hotline details (R1.1): caller, number, time and duration of the call.
    caller_name = models.CharField(_("caller"), max_length=100, blank=True)
    caller_phone = models.CharField(_("caller's number"), max_length=32, blank=True)
    # The caller's number as digits only (no +86, spaces or dashes), for an indexed lookup.
    caller_digits = models.CharField(max_length=32, blank=True, default="", editable=False, db_index=True)
    call_started_at = models.DateTimeField(_("call started at"), null=True, blank=True)
    call_seconds = models.PositiveIntegerField(_("call duration (seconds)"), null=True, blank=True)
    charging = models.CharField(_("charging"), max_length=10, choices=Charging.choices, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    supervised = models.BooleanField(_("supervised (督办)"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_requests",
        verbose_name=_("merged into"),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related requests"))
    # Filled by the SLA engine; the queues sort by ``queue_key`` (next deadline or NO_DEADLINE).
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True)
    queue_key = models.DateTimeField(_("queue order"), default=NO_DEADLINE, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Optimistic concurrency: a write made against an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The secret in the satisfaction-survey link, made when the request is closed.
    survey_token = models.CharField(max_length=43, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["queue_key", "id"]
        indexes = [
            models.Index(fields=["status", "queue_key", "id"], name="ticket_status_queue"),
            models.Index(fields=["client", "status", "queue_key", "id"], name="ticket_client_status_queue"),
            models.Index(fields=["assignee", "status", "queue_key", "id"], name="ticket_assignee_queue"),
            models.Index(fields=["team", "status", "queue_key", "id"], name="ticket_team_queue"),
            models.Index(fields=["deployment", "status", "queue_key", "id"], name="ticket_deployment_queue"),
            models.Index(fields=["client", "queue_key", "id"], name="ticket_client_queue"),
            models.Index(fields=["queue_key", "id"], name="ticket_queue"),
            models.Index(fields=["created_at", "id"], name="ticket_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.queue_key = self.next_deadline or NO_DEADLINE
        self.caller_digits = phone_digits(self.caller_phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "next_deadline" in update_fields:
            kwargs["update_fields"] = {*update_fields, "queue_key"}
        if update_fields is not None and "caller_phone" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "caller_digits"}
        super().save(*args, **kwargs)

    @property
    def state(self) -> workflow.Status:
        return workflow.Status(self.status)

    @property
    def kind_enum(self) -> workflow.Kind:
        return workflow.Kind(self.kind)

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED


class TicketEvent(models.Model):
    """One entry of a request's timeline; append-only.

    Internal entries (notes between engineers) are never shown to client users.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        STATUS = "status", _("Status changed")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        RETURNED = "returned", _("Returned")
        CHANGED = "changed", _("Details changed")
        ATTACHMENT = "attachment", _("Attachment")
        RECORD = "record", _("Procedure record")
        SIGNED = "signed", _("Signed")
        RATED = "rated", _("Rated")
        FOLLOWED = "followed", _("Followed")
        SUPERVISED = "supervised", _("Supervised")
        LINKED = "linked", _("Linked")
        MILESTONE = "milestone", _("Milestone reached")
        ANNOUNCEMENT = "announcement", _("Announcement")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("request"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    actor_label = models.CharField(_("by (name)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    internal = models.BooleanField(_("internal"), default=False)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["ticket", "id"]
        indexes = [models.Index(fields=["ticket", "id"], name="ticketevent_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    now = dt.datetime.now(dt.UTC)
    return f"tickets/{now:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a request: a screenshot, a log, a signed scan."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("request"))
    event = models.ForeignKey(TicketEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    internal = models.BooleanField(_("internal"), default=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return self.original_name


class SavedFilter(models.Model):
    """A queue filter a user saved under a name."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["owner", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedfilter_unique_name")]

    def __str__(self) -> str:
        return self.name
