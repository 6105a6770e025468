"""Writes to a contract's warranty-deposit ledger (R2.4).

Ledger writes lock the contract row (``select_for_update``) before reading the
balance, so two deductions never both see the same balance and overdraw it; on
SQLite the IMMEDIATE transaction mode serialises writers to the same effect.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.contracts.models import Contract, DepositEntry
from weibao.contracts.services._common import (
    MONEY_VALIDATOR,
    ZERO,
    DepositEntryNotWaivableError,
    _require_writer,
)
from weibao.core.snapshot import model_snapshot


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _positive_amount(amount: Decimal | None) -> Decimal:
    if amount is None:
        raise ValidationError({"amount": _("This field is required.")})
    if amount <= ZERO:
        raise ValidationError({"amount": _("Enter an amount greater than zero.")})
    return amount


def _require_text(**values: str) -> None:
    missing = {name: _("This field is required.") for name, value in values.items() if not (value or "").strip()}
    if missing:
        raise ValidationError(missing)


def _post(
    *,
    actor: User | None,
    contract: Contract,
    kind: str,
    amount: Decimal,
    reason: str,
    action: str,
    reference: str = "",
    approved_by: str = "",
    waived_entry: DepositEntry | None = None,
) -> DepositEntry:
    """Append one entry to a locked contract's ledger and record its event."""
    try:
        MONEY_VALIDATOR(amount)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from exc
    balance = DepositEntry.objects.balance_of(contract)
    entry = DepositEntry(
        contract=contract,
        kind=kind,
        amount=amount,
        balance_after=balance + amount,
        reason=reason.strip(),
        reference=reference.strip(),
        approved_by=approved_by.strip(),
        actor=actor,
        waived_entry=waived_entry,
    )
    # Uniqueness and the balance constraint were checked above under the row lock and
    # are enforced by the database; re-validating them here would only turn a lost race
    # into a vague error instead of the IntegrityError the callers resolve.
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save()
    event_record(
        actor=actor,
        action=action,
        obj=entry,
        client_id=contract.client_id,
        after=model_snapshot(entry),
    )
    return entry


@transaction.atomic
def deposit_pay(*, actor: User, contract: Contract, amount: Decimal | None, reason: str) -> DepositEntry:
    """Record a warranty deposit (质保金) payment received.

    Side effects: locks the contract row, appends a payment entry; event ``deposit.pay``.
    Raises PermissionDeniedError, ValidationError (amount not positive, reason missing).
    """
    _require_writer(actor)
    positive = _positive_amount(amount)
    _require_text(reason=reason)
    locked = _lock(contract)
    return _post(
        actor=actor,
        contract=locked,
        kind=DepositEntry.Kind.PAYMENT,
        amount=positive,
        reason=reason,
        action="deposit.pay",
    )


@transaction.atomic
def deposit_deduct_penalty(
    *,
    actor: User | None,
    contract: Contract,
    reason: str,
    reference: str,
    amount: Decimal | None = None,
) -> DepositEntry | None:
    """Deduct a penalty for a missed commitment from the deposit (R2.4), never below zero.

    ``actor`` None means the system (the SLA engine); ``amount`` defaults to the
    contract's penalty per miss. Deducts min(amount, balance). Idempotent per
    non-empty ``reference``: a second call returns the entry already posted.
    Returns None, writing nothing, when the balance is already zero or the
    contract sets no penalty.
    Side effects: locks the contract row, appends a penalty entry; event ``deposit.deduct_penalty``.
    Raises PermissionDeniedError (a user who may not write), ValidationError (amount, reason).
    """
    if actor is not None:
        _require_writer(actor)
    if amount is not None:
        _positive_amount(amount)
    _require_text(reason=reason)
    reference = reference.strip()
    locked = _lock(contract)
    # With the row lock held, an entry committed by a concurrent caller is visible here.
    if reference and (existing := _penalty_for(locked, reference)) is not None:
        return existing
    wanted = locked.penalty_per_miss if amount is None else amount
    balance = DepositEntry.objects.balance_of(locked)
    if wanted <= ZERO or balance <= ZERO:
        return None
    try:
        with transaction.atomic():
            return _post(
                actor=actor,
                contract=locked,
                kind=DepositEntry.Kind.PENALTY,
                amount=-min(wanted, balance),
                reason=reason,
                reference=reference,
                action="deposit.deduct_penalty",
            )
    except IntegrityError:
        # A caller that did not take the lock (or a replica race) posted it first.
        existing = _penalty_for(locked, reference) if reference else None
        if existing is None:
            raise
        return existing


def _penalty_for(contract: Contract, reference: str) -> DepositEntry | None:
    return DepositEntry.objects.filter(contract=contract, kind=DepositEntry.Kind.PENALTY, reference=reference).first()


@transaction.atomic
def deposit_waive_penalty(*, actor: User, entry: DepositEntry, reason: str, approved_by: str) -> DepositEntry:
    """Waive a penalty: pay its amount back into the deposit, once, with a reason and an approver.

    Preconditions: ``entry`` is visible to ``actor``.
    Side effects: locks the contract row, appends a waiver entry linked to the penalty;
    event ``deposit.waive_penalty``.
    Raises PermissionDeniedError, ValidationError (reason or approver missing),
    DepositEntryNotWaivableError (not a penalty, or already waived).
    """
    _require_writer(actor)
    _require_text(reason=reason, approved_by=approved_by)
    locked = _lock(entry.contract)
    if entry.kind != DepositEntry.Kind.PENALTY:
        raise DepositEntryNotWaivableError(_("Only a penalty deduction can be waived."))
    if DepositEntry.objects.filter(waived_entry=entry).exists():
        raise DepositEntryNotWaivableError(_("This penalty has already been waived."))
    try:
        with transaction.atomic():
            return _post(
                actor=actor,
                contract=locked,
                kind=DepositEntry.Kind.WAIVER,
                amount=-entry.amount,
                reason=reason,
                approved_by=approved_by,
                reference=entry.reference,
                waived_entry=entry,
                action="deposit.waive_penalty",
            )
    except IntegrityError as exc:
        raise DepositEntryNotWaivableError(_("This penalty has already been waived.")) from exc


@transaction.atomic
def deposit_refund(*, actor: User, contract: Contract, reason: str, amount: Decimal | None = None) -> DepositEntry:
    """Return deposit to the client (退还质保金); ``amount`` defaults to the whole balance.

    Side effects: locks the contract row, appends a refund entry; event ``deposit.refund``.
    Raises PermissionDeniedError, ValidationError (amount not positive or above the balance, reason).
    """
    _require_writer(actor)
    _require_text(reason=reason)
    locked = _lock(contract)
    balance = DepositEntry.objects.balance_of(locked)
    if amount is None:
        if balance <= ZERO:
            raise ValidationError({"amount": _("There is no deposit left to return.")})
        amount = balance
    positive = _positive_amount(amount)
    if positive > balance:
        raise ValidationError({"amount": _("Only %(balance)s CNY is left to return.") % {"balance": balance}})
    return _post(
        actor=actor,
        contract=locked,
        kind=DepositEntry.Kind.REFUND,
        amount=-positive,
        reason=reason,
        action="deposit.refund",
    )


@transaction.atomic
def deposit_adjust(
    *, actor: User, contract: Contract, amount: Decimal | None, reason: str, approved_by: str = ""
) -> DepositEntry:
    """Correct the deposit balance by a signed ``amount`` (a booking error, a bank charge).

    Side effects: locks the contract row, appends an adjustment entry; event ``deposit.adjust``.
    Raises PermissionDeniedError, ValidationError (amount zero or taking the balance below zero, reason).
    """
    _require_writer(actor)
    if amount is None:
        raise ValidationError({"amount": _("This field is required.")})
    if amount == ZERO:
        raise ValidationError({"amount": _("An adjustment cannot be zero.")})
    _require_text(reason=reason)
    locked = _lock(contract)
    balance = DepositEntry.objects.balance_of(locked)
    if balance + amount < ZERO:
        raise ValidationError(
            {"amount": _("The balance is %(balance)s CNY; it cannot go below zero.") % {"balance": balance}}
        )
    return _post(
        actor=actor,
        contract=locked,
        kind=DepositEntry.Kind.ADJUSTMENT,
        amount=amount,
        reason=reason,
        approved_by=approved_by,
        action="deposit.adjust",
    )
