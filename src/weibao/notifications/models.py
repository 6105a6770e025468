"""Notifications: what happened (Notification), to whom and how (Delivery), and the settings.

A ``Notification`` is one call of ``notify()``; it fans out into one ``Delivery`` per
(recipient, channel). Deliveries are the queue: a worker claims one with a conditional
UPDATE (pending/retrying -> sending) so that several workers never send it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.core.sealed import SealedField


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    INAPP = "inapp", _("In-app")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")
    WEBHOOK = "webhook", _("Outbound webhook")


# Channels a person receives on; the others are endpoints an administrator configures.
PERSONAL_CHANNELS = (ChannelKind.EMAIL, ChannelKind.INAPP)
ENDPOINT_CHANNELS = (ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU, ChannelKind.WEBHOOK)


class Notification(models.Model):
    event = models.CharField(_("event"), max_length=64, db_index=True)
    client_id = models.BigIntegerField(_("client"), null=True, blank=True, db_index=True)
    context = models.JSONField(_("context"), default=dict, encoder=DjangoJSONEncoder)
    link = models.CharField(_("link"), max_length=500, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    on_duty = models.JSONField(_("on-duty contacts"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class Endpoint(models.Model):
    """A group robot or outbound webhook an administrator set up."""

    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.label) for k in ENDPOINT_CHANNELS])
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=1000)
    # Sealed: a database dump does not hand out the robots' signing secrets.
    secret = SealedField(_("secret"), max_length=200, blank=True, purpose="endpoint")
    # Empty: every event.
    events = models.JSONField(_("events"), default=list, blank=True)
    # Set: only notifications about this client; empty: all.
    client_id = models.BigIntegerField(_("client"), null=True, blank=True)
    mention_on_duty = models.BooleanField(_("mention the on-duty contact"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str, client_id: int | None) -> bool:
        if not self.enabled:
            return False
        if self.events and event not in self.events:
            return False
        return self.client_id is None or self.client_id == client_id


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        DEAD = "dead", _("Dead letter")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notif_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.idempotency_key[:12]}"


class InboxItem(models.Model):
    """One entry of a person's in-app notification centre."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivery = models.OneToOneField(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    client_id = models.BigIntegerField(_("client"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_inbox_unread")]

    def __str__(self) -> str:
        return self.title


class Rule(models.Model):
    """Which channels carry an event to people, and which roles always get it."""

    event = models.CharField(_("event"), max_length=64, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    extra_roles = models.JSONField(_("also notify roles"), default=list, blank=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["event"]

    def __str__(self) -> str:
        return self.event


class Preference(models.Model):
    """A person's choice to receive (or not) one event on one channel; absent means yes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("event"), max_length=64)
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [models.UniqueConstraint(fields=["user", "event", "channel"], name="notif_pref_unique")]

    def __str__(self) -> str:
        return f"{self.event}/{self.channel}"


class MessageTemplate(models.Model):
    """An administrator's wording of an event in one language (the built-in one applies otherwise)."""

    event = models.CharField(_("event"), max_length=64)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["event", "language"], name="notif_template_unique")]

    def __str__(self) -> str:
        return f"{self.event} ({self.language})"
