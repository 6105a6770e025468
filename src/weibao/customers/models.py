"""The client archive (R3): clients, sites, contacts, deployments, technical files.

Every row here belongs to exactly one client (``client`` or through its parent);
client isolation filters on that column.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel


class Client(TimeStampedModel):
    """An organisation the vendor serves (甲方): a bureau, a community, a school …"""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government bureau")
        COMMUNITY = "community", _("Community")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("Short identifier, letters, digits and dashes.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email_domains = models.CharField(
        _("e-mail domains"), max_length=300, blank=True, help_text=_("Comma-separated; used to match incoming mail.")
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientMembership(models.Model):
    """A client-side user's organisation; a user belongs to at most one client."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_membership", verbose_name=_("user")
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("client"))

    class Meta:
        verbose_name = _("client membership")
        verbose_name_plural = _("client memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.client}"


class Site(TimeStampedModel):
    """A place of a client: an office, a machine room, a branch."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        MACHINE_ROOM = "machine_room", _("Machine room")
        DATA_CENTER = "data_center", _("Data centre")
        BRANCH = "branch", _("Branch")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sites", verbose_name=_("client"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["client__name", "name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="site_name_unique_per_client")]

    def __str__(self) -> str:
        return f"{self.client.short_name or self.client.name} · {self.name}"


class Contact(TimeStampedModel):
    """A person at a client the service desk talks to."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("position"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=32, blank=True, db_index=True)
    office_phone = models.CharField(_("office phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    wecom_id = models.CharField(_("WeCom ID"), max_length=100, blank=True)
    dingtalk_id = models.CharField(_("DingTalk ID"), max_length=100, blank=True)
    feishu_id = models.CharField(_("Feishu ID"), max_length=100, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    is_leader = models.BooleanField(
        _("client leader"), default=False, help_text=_("Signs off optimization and data requests.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["client__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        site = self.site if self.site_id is not None else None
        if site is not None and self.client_id is not None and site.client_id != self.client_id:
            raise ValidationError({"site": _("The site belongs to another client.")})


class Deployment(TimeStampedModel):
    """Which release of which product runs where, for one client."""

    class Environment(models.TextChoices):
        PRODUCTION = "production", _("Production")
        STAGING = "staging", _("Staging")
        TEST = "test", _("Test")
        TRAINING = "training", _("Training")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("client"))
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="deployments", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=200)
    # String references keep the layers apart: catalog and customers are peers.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="deployments", verbose_name=_("product")
    )
    release = models.ForeignKey(
        "catalog.Release", on_delete=models.PROTECT, related_name="deployments", verbose_name=_("version")
    )
    environment = models.CharField(
        _("environment"), max_length=20, choices=Environment.choices, default=Environment.PRODUCTION
    )
    url = models.URLField(_("address (URL)"), blank=True)
    went_live_on = models.DateField(_("went live on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["client__name", "name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="deployment_name_unique_per_client")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        release = self.release if self.release_id is not None else None
        if release is not None and self.product_id is not None and release.product_id != self.product_id:
            errors["release"] = _("This version belongs to another product.")
        site = self.site if self.site_id is not None else None
        if site is not None and self.client_id is not None and site.client_id != self.client_id:
            errors["site"] = _("The site belongs to another client.")
        if errors:
            raise ValidationError(errors)


class DeploymentNode(TimeStampedModel):
    """A server or device a deployment runs on."""

    class Role(models.TextChoices):
        APPLICATION = "application", _("Application server")
        DATABASE = "database", _("Database server")
        WEB = "web", _("Web / proxy")
        CACHE = "cache", _("Cache")
        STORAGE = "storage", _("Storage")
        NETWORK = "network", _("Network device")
        SECURITY = "security", _("Security device")
        TERMINAL = "terminal", _("Terminal")
        OTHER = "other", _("Other")

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("deployment")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    hostname = models.CharField(_("host name"), max_length=200)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    os = models.CharField(_("operating system"), max_length=100, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True, help_text=_("CPU, memory, disk"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("server or device")
        verbose_name_plural = _("servers and devices")
        ordering = ["deployment__name", "role", "hostname"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "hostname"], name="node_hostname_unique_per_deployment")
        ]

    def __str__(self) -> str:
        return self.hostname


def technical_file_path(instance: TechnicalFile, filename: str) -> str:
    # A random stored name: the client's file name never reaches the file system.
    return f"technical/{instance.client_id}/{uuid.uuid4().hex}"


class TechnicalFile(TimeStampedModel):
    """A delivered technical document or working file (R3, R8)."""

    class Kind(models.TextChoices):
        DESIGN = "design", _("Design")
        REQUIREMENTS = "requirements", _("Requirements report")
        DATA_DICTIONARY = "data_dictionary", _("Data dictionary")
        TEST = "test", _("Test plan or report")
        INSTALLATION = "installation", _("Installation manual")
        USER_MANUAL = "user_manual", _("User manual")
        MAINTENANCE = "maintenance", _("Maintenance manual")
        NETWORK = "network", _("Network diagram")
        ACCEPTANCE = "acceptance", _("Acceptance record")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="technical_files", verbose_name=_("client")
    )
    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technical_files",
        verbose_name=_("deployment"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to=technical_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("technical file")
        verbose_name_plural = _("technical files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        deployment = self.deployment if self.deployment_id is not None else None
        if deployment is not None and self.client_id is not None and deployment.client_id != self.client_id:
            raise ValidationError({"deployment": _("The deployment belongs to another client.")})
