"""Selectors: scoped lists and lookups, and the contract in force for a deployment (for the SLA engine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from weibao.contracts import selectors
from weibao.contracts.phases import Phase
from weibao.contracts.tests.factories import make_contract
from weibao.core.errors import ObjectNotFoundError

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_contract_get_hides_another_clients_contract(client_a_user, archive_a, archive_b) -> None:
    assert selectors.contract_get(actor=client_a_user, pk=archive_a.contract.pk) == archive_a.contract
    with pytest.raises(ObjectNotFoundError):
        selectors.contract_get(actor=client_a_user, pk=archive_b.contract.pk)
    with pytest.raises(ObjectNotFoundError):
        selectors.contract_get(actor=client_a_user, pk=999_999)


def test_deposit_entry_get_hides_another_clients_entry(client_a_user, archive_a, archive_b) -> None:
    assert selectors.deposit_entry_get(actor=client_a_user, pk=archive_a.deposit_entry.pk) == archive_a.deposit_entry
    with pytest.raises(ObjectNotFoundError):
        selectors.deposit_entry_get(actor=client_a_user, pk=archive_b.deposit_entry.pk)


def test_an_inactive_user_sees_no_contracts(staff, archive_a) -> None:
    staff.is_active = False
    assert list(selectors.contract_list(actor=staff)) == []


def test_contract_list_annotates_the_balance(staff, archive_a, archive_b) -> None:
    empty = make_contract(archive_b.client)
    balances = {c.pk: c.deposit_balance for c in selectors.contract_list(actor=staff)}
    assert balances == {archive_a.contract.pk: Decimal("10000"), archive_b.contract.pk: Decimal("10000"), empty.pk: 0}


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.NOT_ACCEPTED, {"pending", "future"}),
        (Phase.IN_WARRANTY, {"archive_a", "archive_b", "month_end"}),
        (Phase.POST_WARRANTY, {"old", "ends_today"}),
        (Phase.EXPIRED, {"expired"}),
    ],
)
def test_contract_list_filters_by_phase_on_a_day(staff, archive_a, archive_b, phase, expected) -> None:
    client_b = archive_b.client
    named = {
        "archive_a": archive_a.contract,
        "archive_b": archive_b.contract,
        "pending": make_contract(client_b, accepted_on=None),
        "future": make_contract(client_b, signed_on=dt.date(2026, 1, 1), accepted_on=dt.date(2026, 3, 1)),
        "old": make_contract(client_b, signed_on=dt.date(2020, 1, 1), accepted_on=dt.date(2021, 1, 1)),
        "ends_today": make_contract(
            client_b, signed_on=dt.date(2020, 1, 1), accepted_on=dt.date(2021, 1, 1), ends_on=dt.date(2026, 2, 28)
        ),
        "expired": make_contract(client_b, ends_on=dt.date(2025, 12, 31)),
        "month_end": make_contract(
            client_b, signed_on=dt.date(2026, 1, 1), accepted_on=dt.date(2026, 1, 31), warranty_months=1
        ),
    }
    names = {contract.pk: name for name, contract in named.items()}
    found = selectors.contract_list(actor=staff, phase=phase, on=dt.date(2026, 2, 28))
    assert {names[c.pk] for c in found} == expected


def test_contracts_covering_lists_every_contract_of_a_deployment(archive_a, client_a) -> None:
    other = make_contract(client_a)
    other.deployments.add(archive_a.deployment)
    make_contract(client_a)  # covers nothing
    assert set(selectors.contracts_covering(archive_a.deployment)) == {archive_a.contract, other}


def test_the_contract_in_force_prefers_one_not_expired(archive_a, client_a) -> None:
    deployment = archive_a.deployment
    archive_a.contract.ends_on = dt.date(2025, 12, 31)
    archive_a.contract.save()
    renewal = make_contract(client_a, signed_on=dt.date(2025, 12, 1), accepted_on=None)
    renewal.deployments.add(deployment)
    instant = dt.datetime(2026, 1, 10, tzinfo=UTC)
    assert selectors.contract_for_deployment_at(deployment, instant) == renewal
    before_expiry = dt.datetime(2025, 6, 1, tzinfo=UTC)
    assert selectors.contract_for_deployment_at(deployment, before_expiry) == archive_a.contract


def test_the_contract_in_force_is_judged_on_the_shanghai_day(archive_a, client_a) -> None:
    archive_a.contract.ends_on = dt.date(2026, 6, 30)
    archive_a.contract.save()
    follow_up = make_contract(client_a, signed_on=dt.date(2026, 6, 1), accepted_on=dt.date(2026, 7, 1))
    follow_up.deployments.add(archive_a.deployment)
    last_evening = dt.datetime(2026, 6, 30, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    next_morning = dt.datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # 00:00 on 1 July in Shanghai
    assert selectors.contract_for_deployment_at(archive_a.deployment, last_evening) == archive_a.contract
    assert selectors.contract_for_deployment_at(archive_a.deployment, next_morning) == follow_up


def test_the_contract_in_force_falls_back_to_an_expired_one(archive_a) -> None:
    archive_a.contract.ends_on = dt.date(2025, 12, 31)
    archive_a.contract.save()
    found = selectors.contract_for_deployment_at(archive_a.deployment, dt.datetime(2026, 5, 1, tzinfo=UTC))
    assert found == archive_a.contract
    assert found is not None
    assert found.phase_at(dt.datetime(2026, 5, 1, tzinfo=UTC)) == Phase.EXPIRED


def test_no_contract_covers_an_uncovered_deployment(archive_a) -> None:
    archive_a.contract.deployments.clear()
    assert selectors.contract_for_deployment_at(archive_a.deployment, dt.datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_contract_events_include_the_ledgers_events(staff, archive_a) -> None:
    from weibao.contracts import services

    services.contract_update(actor=staff, contract=archive_a.contract, changes={"notes": "x"})
    services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference="r")
    actions = [e.action for e in selectors.contract_events(archive_a.contract)]
    assert actions == ["deposit.deduct_penalty", "contract.update"]
