"""Two schedulers deducting penalties from one deposit at once never overdraw it (PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from weibao.contracts import services
from weibao.contracts.models import Contract, DepositEntry
from weibao.contracts.tests.factories import make_contract


def _in_parallel(work, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[n] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def funded(client_a, staff) -> Contract:
    contract = make_contract(client_a, penalty_per_miss=Decimal("500"))
    services.deposit_pay(actor=staff, contract=contract, amount=Decimal("1200"), reason="质保金到账")
    return contract


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_deductions_never_overdraw_the_deposit(funded: Contract) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and separate connections")
    results = _in_parallel(
        lambda n: services.deposit_deduct_penalty(actor=None, contract=funded, reason="超时", reference=f"miss-{n}"),
        6,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    penalties = DepositEntry.objects.filter(contract=funded, kind=DepositEntry.Kind.PENALTY).order_by("id")
    assert sorted(p.amount for p in penalties) == [Decimal("-500"), Decimal("-500"), Decimal("-200")]
    assert [p.balance_after for p in penalties] == [Decimal("700"), Decimal("200"), Decimal("0")]
    assert sum(1 for r in results if r is None) == 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_deductions_with_one_reference_post_once(funded: Contract) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and separate connections")
    results = _in_parallel(
        lambda n: services.deposit_deduct_penalty(actor=None, contract=funded, reason="超时", reference="REQ-1"),
        4,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results if isinstance(r, DepositEntry)}) == 1
    assert DepositEntry.objects.filter(contract=funded, kind=DepositEntry.Kind.PENALTY).count() == 1
