"""System announcements (系统公告) to clients, targeted by client, product or version, with read receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Announcement(models.Model):
    """A notice to client users: an upgrade (R5.6), an accepted optimization (R1.5), planned downtime."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("announcement", "Withdrawn")

    class Audience(models.TextChoices):
        ALL = "all", _("Every client")
        CLIENTS = "clients", _("Chosen clients")
        PRODUCT = "product", _("Clients running a product")
        RELEASE = "release", _("Clients running a product version")

    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (nh3), as every rich text.
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    clients = models.ManyToManyField(
        "customers.Client", blank=True, related_name="announcements", verbose_name=_("clients")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("product")
    )
    release = models.ForeignKey(
        "catalog.Release", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("version")
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The request (an accepted optimization) this announcement tells clients about; an id,
    # since the service desk sits above this app.
    source_request_id = models.BigIntegerField(_("source request"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="announcement_status_pub")]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """A read receipt: who opened an announcement, first time only."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reads", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self) -> str:
        return f"{self.announcement_id} {self.user_id}"
