"""Inbound messages (R1.1): mailboxes polled over IMAP, IM callbacks, webhook sources.

Every inbound message is stored first, raw, under a unique dedup key (Message-ID,
IM event id, a source's own id); turning it into a request or a reply is a second,
idempotent step keyed on the row's state. Request ids are plain integers here: the
service desk sits above intake and is not imported.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel


class Source(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WEBHOOK = "webhook", _("Webhook")


class Mailbox(TimeStampedModel):
    """An IMAP mailbox whose new mail becomes requests and replies.

    The password is stored encrypted (Fernet, key derived from the secret key), never shown again.
    """

    class Security(models.TextChoices):
        TLS = "tls", _("TLS (implicit, port 993)")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (trusted network only)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(_("account"), max_length=255)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    enabled = models.BooleanField(_("enabled"), default=True)
    poll_seconds = models.PositiveIntegerField(_("poll interval (seconds)"), default=60)
    # A poller claims the mailbox with a conditional UPDATE until ``claimed_until``.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InboundMessage(models.Model):
    """One inbound message, stored before anything is done with it."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        DONE = "done", _("Processed")
        QUARANTINED = "quarantined", _("In review")
        IGNORED = "ignored", _("Ignored (automatic mail)")
        DISCARDED = "discarded", _("Discarded")

    class Outcome(models.TextChoices):
        NONE = "", _("None")
        NEW = "new", _("New request")
        REPLY = "reply", _("Reply")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages", verbose_name=_("mailbox")
    )
    origin = models.CharField(_("origin"), max_length=100, blank=True, help_text=_("IM app or webhook source."))
    dedup_key = models.CharField(_("dedup key"), max_length=255, unique=True)
    raw = models.BinaryField(_("raw message"), blank=True, default=b"")
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=5, choices=Outcome.choices, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ticket_id = models.PositiveBigIntegerField(_("request id"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return self.subject or self.dedup_key


class ThreadMessageId(models.Model):
    """A Message-ID sent or received on a request's thread, for threading replies."""

    message_id = models.CharField(max_length=255, db_index=True)
    ticket_id = models.PositiveBigIntegerField(db_index=True)
    outbound = models.BooleanField(default=False)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message_id", "ticket_id"], name="intake_thread_message_once")]
        indexes = [models.Index(fields=["ticket_id", "automatic", "created_at"])]

    def __str__(self) -> str:
        return self.message_id


class ImApp(TimeStampedModel):
    """A WeCom, DingTalk or Feishu app whose callbacks bring messages in.

    Its callback URL is ``/intake/im/<platform>/<key>/``. Secrets (the EncodingAESKey,
    the app secret, the encrypt key) are stored encrypted like mailbox passwords; the
    token is a shared verification value, also encrypted.
    """

    class Platform(models.TextChoices):
        WECOM = "wecom", _("WeCom")
        DINGTALK = "dingtalk", _("DingTalk")
        FEISHU = "feishu", _("Feishu")

    name = models.CharField(_("name"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    key = models.SlugField(_("URL key"), max_length=40, unique=True, help_text=_("The last part of the callback URL."))
    receive_id = models.CharField(
        _("receive id"), max_length=100, blank=True, help_text=_("WeCom: the corp ID (or suite ID) messages are for.")
    )
    token_encrypted = models.TextField(_("token (encrypted)"), blank=True, editable=False)
    aes_key_encrypted = models.TextField(_("AES / encrypt key (encrypted)"), blank=True, editable=False)
    secret_encrypted = models.TextField(_("app secret (encrypted)"), blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("IM app")
        verbose_name_plural = _("IM apps")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookSource(TimeStampedModel):
    """A system that posts requests as JSON to ``/intake/hooks/<key>/`` with its own token.

    Only a SHA-256 digest of the token is stored; the token is shown once, when made.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    key = models.SlugField(_("URL key"), max_length=40, unique=True)
    token_sha256 = models.CharField(max_length=64, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("webhook source")
        verbose_name_plural = _("webhook sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
