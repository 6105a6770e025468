"""The warranty deposit ledger (R2.4): never negative, idempotent penalties, waivers once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.contracts import selectors, services
from weibao.contracts.models import DepositEntry
from weibao.contracts.services import deposit as deposit_services
from weibao.contracts.tests.factories import make_contract
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(client_a, staff):
    contract = make_contract(client_a, penalty_per_miss=Decimal("500"))
    services.deposit_pay(actor=staff, contract=contract, amount=Decimal("1200"), reason="质保金到账")
    return contract


def _penalty(contract, reference: str = "", amount: Decimal | None = None, actor=None):
    return services.deposit_deduct_penalty(
        actor=actor, contract=contract, reason="响应超时", reference=reference, amount=amount
    )


def test_a_payment_raises_the_balance_and_records_an_event(contract, staff) -> None:
    entry = services.deposit_pay(actor=staff, contract=contract, amount=Decimal("300"), reason="补缴")
    assert entry.balance_after == Decimal("1500")
    assert selectors.deposit_balance(contract) == Decimal("1500")
    event = AuditEvent.objects.for_object(entry).get()
    assert event.action == "deposit.pay"
    assert event.client_id == contract.client_id
    assert Decimal(event.after["amount"]) == Decimal("300")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), None])
def test_a_payment_must_be_positive(contract, staff, amount) -> None:
    with pytest.raises(ValidationError) as caught:
        services.deposit_pay(actor=staff, contract=contract, amount=amount, reason="x")
    assert list(caught.value.message_dict) == ["amount"]


def test_a_payment_needs_a_reason(contract, staff) -> None:
    with pytest.raises(ValidationError) as caught:
        services.deposit_pay(actor=staff, contract=contract, amount=Decimal("1"), reason="  ")
    assert list(caught.value.message_dict) == ["reason"]


def test_a_penalty_deducts_the_contract_amount_by_default(contract) -> None:
    entry = _penalty(contract, "REQ-1/response")
    assert entry is not None
    assert entry.amount == Decimal("-500")
    assert entry.balance_after == Decimal("700")
    assert entry.actor is None
    event = AuditEvent.objects.for_object(entry).get()
    assert (event.action, event.actor_label, event.client_id) == (
        "deposit.deduct_penalty",
        "system",
        contract.client_id,
    )


def test_a_penalty_larger_than_the_balance_deducts_only_the_rest(contract) -> None:
    _penalty(contract, "a", amount=Decimal("1000"))
    entry = _penalty(contract, "b", amount=Decimal("1000"))
    assert entry is not None
    assert entry.amount == Decimal("-200")
    assert entry.balance_after == Decimal("0")


def test_a_penalty_at_zero_balance_returns_none_and_writes_nothing(contract) -> None:
    _penalty(contract, "a", amount=Decimal("1200"))
    rows = DepositEntry.objects.count()
    events = AuditEvent.objects.count()
    assert _penalty(contract, "b") is None
    assert DepositEntry.objects.count() == rows
    assert AuditEvent.objects.count() == events
    assert selectors.deposit_balance(contract) == Decimal("0")


def test_the_balance_never_goes_negative_over_many_penalties(contract) -> None:
    for n in range(5):
        _penalty(contract, f"miss-{n}")
    balances = list(contract.deposit_entries.order_by("id").values_list("balance_after", flat=True))
    assert balances == [Decimal("1200"), Decimal("700"), Decimal("200"), Decimal("0")]


def test_a_penalty_is_posted_once_per_reference(contract) -> None:
    first = _penalty(contract, "REQ-7/response")
    again = _penalty(contract, "REQ-7/response", amount=Decimal("100"))
    assert first is not None
    assert again is not None
    assert again.pk == first.pk
    assert contract.deposit_entries.filter(kind=DepositEntry.Kind.PENALTY).count() == 1
    assert selectors.deposit_balance(contract) == Decimal("700")


def test_a_replayed_penalty_returns_the_entry_even_once_the_deposit_is_used_up(contract) -> None:
    first = _penalty(contract, "big", amount=Decimal("1200"))
    assert _penalty(contract, "big") == first


def test_penalties_without_a_reference_are_not_deduplicated(contract) -> None:
    _penalty(contract)
    _penalty(contract)
    assert contract.deposit_entries.filter(kind=DepositEntry.Kind.PENALTY).count() == 2


def test_an_integrity_error_on_the_reference_returns_the_existing_entry(contract, monkeypatch) -> None:
    first = _penalty(contract, "race")
    # Simulate a caller that missed the existing entry: the unique constraint must catch it.
    original = deposit_services._penalty_for
    calls: list[str] = []

    def blind_first_time(c, r):
        calls.append(r)
        return None if len(calls) == 1 else original(c, r)

    monkeypatch.setattr(deposit_services, "_penalty_for", blind_first_time)
    again = _penalty(contract, "race")
    assert calls == ["race", "race"]  # the lookup missed, the insert failed, the retry found it
    assert again == first
    assert contract.deposit_entries.filter(reference="race").count() == 1


def test_no_penalty_is_deducted_when_the_contract_sets_none(client_a, staff) -> None:
    contract = make_contract(client_a, penalty_per_miss=Decimal("0"))
    services.deposit_pay(actor=staff, contract=contract, amount=Decimal("100"), reason="x")
    assert _penalty(contract, "r") is None


def test_an_explicit_penalty_must_be_positive(contract) -> None:
    with pytest.raises(ValidationError) as caught:
        _penalty(contract, "r", amount=Decimal("0"))
    assert list(caught.value.message_dict) == ["amount"]


def test_a_user_who_may_not_write_cannot_deduct(contract, auditor) -> None:
    with pytest.raises(PermissionDeniedError):
        _penalty(contract, "r", actor=auditor)


def test_a_waiver_returns_the_penalty_once(contract, staff) -> None:
    penalty = _penalty(contract, "REQ-9/restore")
    assert penalty is not None
    waiver = services.deposit_waive_penalty(
        actor=staff, entry=penalty, reason="甲方同意豁免：停电导致", approved_by="王主任"
    )
    assert waiver.kind == DepositEntry.Kind.WAIVER
    assert waiver.amount == Decimal("500")
    assert waiver.balance_after == Decimal("1200")
    assert waiver.waived_entry == penalty
    assert waiver.approved_by == "王主任"
    event = AuditEvent.objects.for_object(waiver).get()
    assert (event.action, event.client_id) == ("deposit.waive_penalty", contract.client_id)
    with pytest.raises(services.DepositEntryNotWaivableError):
        services.deposit_waive_penalty(actor=staff, entry=penalty, reason="再来一次", approved_by="王主任")
    assert selectors.deposit_balance(contract) == Decimal("1200")


@pytest.mark.parametrize(
    ("reason", "approved_by", "fields"),
    [("", "王主任", {"reason"}), ("停电", "", {"approved_by"}), (" ", " ", {"reason", "approved_by"})],
)
def test_a_waiver_needs_a_reason_and_an_approver(contract, staff, reason, approved_by, fields) -> None:
    penalty = _penalty(contract, "r")
    with pytest.raises(ValidationError) as caught:
        services.deposit_waive_penalty(actor=staff, entry=penalty, reason=reason, approved_by=approved_by)
    assert set(caught.value.message_dict) == fields
    assert not DepositEntry.objects.filter(kind=DepositEntry.Kind.WAIVER).exists()


def test_only_a_penalty_can_be_waived(contract, staff) -> None:
    payment = contract.deposit_entries.get()
    with pytest.raises(services.DepositEntryNotWaivableError):
        services.deposit_waive_penalty(actor=staff, entry=payment, reason="x", approved_by="y")


def test_a_refund_defaults_to_the_whole_balance(contract, staff) -> None:
    entry = services.deposit_refund(actor=staff, contract=contract, reason="质保期满退还")
    assert entry.amount == Decimal("-1200")
    assert entry.balance_after == Decimal("0")
    assert AuditEvent.objects.for_object(entry).get().action == "deposit.refund"


def test_a_refund_cannot_exceed_the_balance(contract, staff) -> None:
    with pytest.raises(ValidationError) as caught:
        services.deposit_refund(actor=staff, contract=contract, reason="x", amount=Decimal("1200.01"))
    assert list(caught.value.message_dict) == ["amount"]


def test_an_adjustment_moves_the_balance_either_way_but_not_below_zero(contract, staff) -> None:
    down = services.deposit_adjust(actor=staff, contract=contract, amount=Decimal("-0.50"), reason="银行手续费")
    assert down.balance_after == Decimal("1199.50")
    up = services.deposit_adjust(actor=staff, contract=contract, amount=Decimal("0.50"), reason="冲正")
    assert up.balance_after == Decimal("1200")
    with pytest.raises(ValidationError) as caught:
        services.deposit_adjust(actor=staff, contract=contract, amount=Decimal("-1200.01"), reason="x")
    assert list(caught.value.message_dict) == ["amount"]
    with pytest.raises(ValidationError):
        services.deposit_adjust(actor=staff, contract=contract, amount=Decimal("0"), reason="x")
    assert AuditEvent.objects.filter(action="deposit.adjust").count() == 2


def test_an_amount_with_too_many_decimals_is_a_field_error(contract, staff) -> None:
    with pytest.raises(ValidationError) as caught:
        services.deposit_pay(actor=staff, contract=contract, amount=Decimal("1.005"), reason="x")
    assert list(caught.value.message_dict) == ["amount"]


def test_the_database_itself_refuses_a_second_waiver_of_one_penalty(contract, staff) -> None:
    from django.db import IntegrityError, transaction

    penalty = _penalty(contract, "r")
    services.deposit_waive_penalty(actor=staff, entry=penalty, reason="停电", approved_by="王主任")
    with pytest.raises(IntegrityError), transaction.atomic():
        DepositEntry.objects.create(
            contract=contract,
            kind="waiver",
            amount=Decimal("500"),
            balance_after=Decimal("1700"),
            reason="x",
            waived_entry=penalty,
        )
