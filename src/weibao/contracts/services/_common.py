"""What contract services share: errors, permission check, money constants."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import PermissionDeniedError, WeibaoError

ZERO = Decimal("0")
# The ledger's amount column; checked before the balance is computed from it.
MONEY_VALIDATOR = DecimalValidator(max_digits=14, decimal_places=2)


class ContractHasLedgerError(WeibaoError):
    """A contract with deposit movements is kept for the record."""

    status_code = 409


class DepositEntryNotWaivableError(WeibaoError):
    """Only a penalty can be waived, and only once."""

    status_code = 409


def _require_writer(actor: User) -> None:
    if not actor.can_write_archive:
        raise PermissionDeniedError(_("You may not change contracts."))


def refuse_nulls(instance: Model, changes: Mapping[str, Any]) -> None:
    """Refuse ``None`` for fields the database cannot hold null in, naming each field.

    ``full_clean`` skips a ``blank=True`` field whose value is empty, None included,
    so without this ``{"scope": null}`` reached the database as an IntegrityError
    (a 500 the API fuzzer found).
    """
    errors = {
        name: [field.error_messages["null"]]
        for name, value in changes.items()
        if value is None and isinstance(field := instance._meta.get_field(name), Field) and not field.null
    }
    if errors:
        raise ValidationError(errors)
