from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.core.sealed import SealedField


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    AGENT = "agent", _("Service-desk agent")
    FIELD_ENGINEER = "field_engineer", _("Field engineer")
    OM_ENGINEER = "om_engineer", _("O&M engineer")
    QUALITY = "quality", _("Quality staff")
    AUDITOR = "auditor", _("Auditor (read-only)")
    # 三员分立: unlocks accounts and resets two-factor sign-in; reads the audit trail.
    SECURITY_OFFICER = "security_officer", _("Security officer")
    CLIENT_USER = "client_user", _("Client user")
    CLIENT_LEADER = "client_leader", _("Client leader")


CLIENT_ROLES = frozenset({Role.CLIENT_USER, Role.CLIENT_LEADER})
# Roles that may change the archive (clients, deployments, contracts, products).
ARCHIVE_WRITER_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT, Role.FIELD_ENGINEER, Role.OM_ENGINEER})
# Roles that may read the whole audit trail.
AUDIT_READER_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.SERVICE_MANAGER, Role.SECURITY_OFFICER})
# With separation of duties (三员分立) only these read it, and the administrator does not.
SEPARATED_AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_OFFICER})


# Landlines with area code and extension (0591-8765 4321 转 802), mobiles, +86 numbers.
phone_validator = RegexValidator(
    r"^\+?\(?[0-9][0-9 ()\-]{2,24}(?:\s*(?:转|ext\.?|x)\s*[0-9]{1,6})?$",
    _("Enter a phone number: digits, spaces, +, - and parentheses, optionally 转 and an extension."),
    code="invalid_phone",
)


class WeibaoUserManager(UserManager["User"]):
    def _create_user_object(self, username: str, email: str | None, password: str | None, **extra_fields: Any) -> User:
        # Through set_password, so that the password validators' password_changed hook
        # records the first password in the history like every later one.
        user: User = super()._create_user_object(username, email, None, **extra_fields)  # type: ignore[misc]
        if password is not None:
            user.set_password(password)
        return user


class User(AbstractUser):
    """A person who signs in: vendor staff or a client's staff.

    A client-side user belongs to exactly one client through
    ``customers.ClientMembership``; this layer only knows the role.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[phone_validator])
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Set whenever a password is stored (passwords.PasswordHistoryValidator); drives expiry.
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True, editable=False)

    objects: ClassVar[WeibaoUserManager] = WeibaoUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_client_side(self) -> bool:
        return self.role in CLIENT_ROLES

    @property
    def can_write_archive(self) -> bool:
        return self.is_active and (self.is_superuser or self.role in ARCHIVE_WRITER_ROLES)

    @property
    def can_read_audit(self) -> bool:
        # The setting is read at call time so that switching it needs no restart of tests.
        if not self.is_active:
            return False
        if settings.SEPARATION_OF_DUTIES:
            return self.role in SEPARATED_AUDIT_READER_ROLES
        return self.is_superuser or self.role in AUDIT_READER_ROLES

    @property
    def can_manage_security(self) -> bool:
        """May unlock accounts and reset other users' two-factor sign-in."""
        if not self.is_active:
            return False
        if settings.SEPARATION_OF_DUTIES:
            return self.role == Role.SECURITY_OFFICER
        return self.is_administrator or self.role == Role.SECURITY_OFFICER

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class AccessToken(models.Model):
    """A personal access token for the REST API.

    Only a SHA-256 of the secret is kept; the token is shown once, at creation.
    The secret has 256 bits of entropy, so a fast hash is enough (no brute force).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (wb_{self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(object_type=content_type, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """An append-only record of one change or security event.

    Written by services in the same transaction as the change it describes.
    ``client_id`` is the client the object belongs to, so that a client's own
    history can be shown without joining every table.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    # Tamper evidence: each row's hash covers its content and the previous row's hash.
    sequence = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class PasswordHistory(models.Model):
    """A hash of a password the user had, so that it cannot be chosen again soon.

    One row is written each time a password is stored; only the latest
    ``settings.PASSWORD_HISTORY`` rows (at least one) are kept.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("user"))
    password_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed sign-ins counted per user name and per client address, and the lock they lead to.

    All changes are conditional UPDATEs on the one row per (kind, key), so that several
    web servers sharing the database agree on the count and only one records a lockout.
    """

    class Kind(models.TextChoices):
        USERNAME = "username", _("User name")
        ADDRESS = "address", _("Address")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=150)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("counting since"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        ordering = ["-locked_until", "kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="login_throttle_kind_key_uniq")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class TotpDevice(models.Model):
    """A user's confirmed authenticator app (TOTP, RFC 6238).

    The shared secret must be readable to check codes, so it is sealed rather than
    hashed (``weibao.core.sealed``); ``last_step`` refuses a code that was already used
    (replay).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user"))
    secret = SealedField(purpose="totp")
    confirmed_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator; only its SHA-256 is kept.

    The codes carry 80 random bits, so a fast hash is enough (as for access tokens).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user"))
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_user_hash_uniq")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.code_hash[:8]}"
