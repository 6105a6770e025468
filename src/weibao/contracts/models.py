"""Contracts (R2.4, R2.5): warranty, post-warranty terms, deposit and its ledger."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weibao.contracts.phases import Phase, phase_on, warranty_end
from weibao.core.models import TimeStampedModel
from weibao.customers.models import Client, Deployment

PHASE_LABELS = {
    Phase.NOT_ACCEPTED: _("Not yet accepted"),
    Phase.IN_WARRANTY: _("In warranty"),
    Phase.POST_WARRANTY: _("After warranty"),
    Phase.EXPIRED: _("Expired"),
}


def _money() -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=2)


class ContractQuerySet(models.QuerySet["Contract"]):
    def with_balance(self) -> ContractQuerySet:
        """Annotate each contract with its deposit balance (one subquery, no N+1)."""
        latest = DepositEntry.objects.filter(contract=models.OuterRef("pk")).order_by("-id").values("balance_after")[:1]
        return self.annotate(
            annotated_balance=Coalesce(
                models.Subquery(latest, output_field=_money()), models.Value(Decimal("0")), output_field=_money()
            )
        )

    def covering(self, deployment: Deployment) -> ContractQuerySet:
        return self.filter(deployments=deployment)

    def search(self, q: str) -> ContractQuerySet:
        return self.filter(models.Q(number__icontains=q) | models.Q(title__icontains=q))

    def in_phase(self, phase: Phase, day: dt.date) -> ContractQuerySet:
        """The contracts in ``phase`` on the local calendar ``day``.

        Expired and not-yet-accepted narrow in SQL; the warranty boundary needs
        calendar-month arithmetic (month ends) that SQLite and PostgreSQL do not
        share, so in/after warranty is decided in Python over (id, dates) rows.
        """
        live = models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day)
        if phase == Phase.EXPIRED:
            return self.filter(ends_on__lt=day)
        if phase == Phase.NOT_ACCEPTED:
            return self.filter(live & (models.Q(accepted_on__isnull=True) | models.Q(accepted_on__gt=day)))
        candidates = self.filter(live, accepted_on__lte=day).values_list(
            "pk", "accepted_on", "warranty_months", "ends_on"
        )
        wanted = [
            pk
            for pk, accepted_on, months, ends_on in candidates
            if phase_on(day, accepted_on=accepted_on, warranty_months=months, ends_on=ends_on) == phase
        ]
        return self.filter(pk__in=wanted)


class Contract(TimeStampedModel):
    """A service contract with one client, covering some of its deployments."""

    class ServiceHours(models.TextChoices):
        ALWAYS = "7x24", _("7×24")
        WORKING = "5x8", _("Working days, office hours")
        EXTENDED = "7x12", _("Every day, 08:00–20:00")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("client"))
    number = models.CharField(_("contract number"), max_length=64, unique=True)
    title = models.CharField(pgettext_lazy("contract", "title"), max_length=200)
    deployments = models.ManyToManyField(
        Deployment, blank=True, related_name="contracts", verbose_name=_("deployments covered")
    )
    scope = models.TextField(_("service scope"), blank=True)
    signed_on = models.DateField(_("signed on"))
    accepted_on = models.DateField(
        _("accepted on"), null=True, blank=True, help_text=_("Warranty starts at acceptance.")
    )
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), default=12, validators=[MinValueValidator(0), MaxValueValidator(120)]
    )
    ends_on = models.DateField(_("service ends on"), null=True, blank=True)
    post_warranty_terms = models.TextField(_("post-warranty terms"), blank=True)
    service_hours = models.CharField(
        _("service hours"), max_length=10, choices=ServiceHours.choices, default=ServiceHours.ALWAYS
    )
    amount = models.DecimalField(
        _("contract amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    deposit_amount = models.DecimalField(
        _("warranty deposit (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    penalty_per_miss = models.DecimalField(
        _("penalty per missed response (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    resident_engineers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="resident_contracts", verbose_name=_("resident engineers")
    )
    notes = models.TextField(_("notes"), blank=True)
    # Service levels (R2.5): one policy while in warranty, another after it.
    warranty_policy = models.ForeignKey(
        "sla.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warranty_contracts",
        verbose_name=_("SLA policy in warranty"),
    )
    post_warranty_policy = models.ForeignKey(
        "sla.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="post_warranty_contracts",
        verbose_name=_("SLA policy after warranty"),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.accepted_on is not None and self.signed_on is not None and self.accepted_on < self.signed_on:
            errors["accepted_on"] = str(_("Acceptance cannot come before signing."))
        if self.ends_on is not None and self.signed_on is not None and self.ends_on < self.signed_on:
            errors["ends_on"] = str(_("The service cannot end before the contract is signed."))
        if errors:
            raise ValidationError(errors)

    @property
    def warranty_ends_on(self) -> dt.date | None:
        return warranty_end(self.accepted_on, self.warranty_months)

    def phase_at(self, instant: dt.datetime | None = None) -> Phase:
        """The phase at ``instant`` (default now), judged on the contract's calendar day.

        The day is taken in settings.TIME_ZONE (Asia/Shanghai), not in whatever
        zone happens to be active: 2026-02-28T17:00Z is already 2026-03-01 for the client.
        """
        return phase_on(
            contract_day(instant),
            accepted_on=self.accepted_on,
            warranty_months=self.warranty_months,
            ends_on=self.ends_on,
        )

    @property
    def deposit_balance(self) -> Decimal:
        """The current deposit balance; annotated by ``with_balance()`` or read from the ledger."""
        annotated: Decimal | None = self.__dict__.get("annotated_balance")
        if annotated is not None:
            return annotated
        return DepositEntry.objects.balance_of(self)

    @property
    def phase(self) -> Phase:
        return self.phase_at()

    @property
    def phase_label(self) -> str:
        return str(PHASE_LABELS[self.phase])


def contract_day(instant: dt.datetime | None = None) -> dt.date:
    """The calendar day of ``instant`` (default now) where the contracts are performed."""
    return timezone.localdate(instant or timezone.now(), timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))


class DepositEntryQuerySet(models.QuerySet["DepositEntry"]):
    def balance_of(self, contract: Contract) -> Decimal:
        """The balance after the latest entry of ``contract``; zero with no entries."""
        latest = self.filter(contract=contract).order_by("-id").values_list("balance_after", flat=True).first()
        return latest if latest is not None else Decimal("0")


class DepositEntry(models.Model):
    """One movement of a contract's warranty deposit; the ledger is append-only.

    ``amount`` is signed: payments in are positive, deductions negative.
    ``balance_after`` is the running balance, never below zero.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Deposit paid")
        PENALTY = "penalty", _("Penalty deduction")
        WAIVER = "waiver", _("Penalty waived (refund)")
        REFUND = "refund", _("Deposit returned")
        ADJUSTMENT = "adjustment", _("Adjustment")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="deposit_entries", verbose_name=_("contract")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after (CNY)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("What caused it, e.g. a request number and target.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    # One-to-one: the database itself refuses a second waiver of the same penalty.
    waived_entry = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="waiver", verbose_name=_("penalty waived")
    )

    objects = DepositEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("deposit entry")
        verbose_name_plural = _("deposit entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="deposit_balance_never_negative"),
            # A penalty for the same cause (e.g. one breach) is posted once.
            models.UniqueConstraint(
                fields=["contract", "kind", "reference"],
                condition=models.Q(kind="penalty") & ~models.Q(reference=""),
                name="deposit_penalty_once_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_kind_display()} {self.amount}"
