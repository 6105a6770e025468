"""/api/v1/contracts/{id}/deposit-entries and /api/v1/deposit-entries/{id}/waive."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from weibao.contracts import services
from weibao.contracts.models import DepositEntry
from weibao.contracts.tests.factories import make_contract

pytestmark = pytest.mark.django_db


def _entries(contract) -> str:
    return f"/api/v1/contracts/{contract.pk}/deposit-entries"


def _waive(entry) -> str:
    return f"/api/v1/deposit-entries/{entry.pk}/waive"


def post(http, url: str, body: dict[str, Any]):
    return http.post(url, data=json.dumps(body), content_type="application/json")


def test_the_ledger_lists_entries_oldest_first_with_running_balance(as_client_a, archive_a) -> None:
    services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference="R1")
    body = as_client_a.get(_entries(archive_a.contract)).json()
    assert body["count"] == 2
    assert [(i["kind"], Decimal(i["balance_after"])) for i in body["items"]] == [
        ("payment", Decimal("10000")),
        ("penalty", Decimal("9500")),
    ]
    assert body["items"][1]["recorded_by"] is None
    assert body["items"][1]["waived"] is False


def test_the_ledger_runs_a_fixed_number_of_queries(as_staff, archive_a, django_assert_max_num_queries) -> None:
    for n in range(15):
        services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference=f"r{n}")
    with django_assert_max_num_queries(6):
        assert as_staff.get(_entries(archive_a.contract)).json()["count"] == 16


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "payment", "amount": "500", "reason": "补缴"}, ("500", "10500")),
        ({"kind": "penalty", "reason": "响应超时", "reference": "REQ-1"}, ("-500", "9500")),
        ({"kind": "refund", "amount": "1000", "reason": "部分退还"}, ("-1000", "9000")),
        ({"kind": "adjustment", "amount": "-0.5", "reason": "手续费", "approved_by": "财务"}, ("-0.5", "9999.5")),
    ],
)
def test_staff_record_each_kind_of_movement(as_staff, staff, archive_a, body, expected) -> None:
    response = post(as_staff, _entries(archive_a.contract), body)
    assert response.status_code == 201
    entry = response.json()
    assert (Decimal(entry["amount"]), Decimal(entry["balance_after"])) == tuple(Decimal(v) for v in expected)
    assert entry["recorded_by"] == staff.pk


def test_a_penalty_posted_twice_with_one_reference_is_one_entry(as_staff, archive_a) -> None:
    body = {"kind": "penalty", "reason": "响应超时", "reference": "REQ-5/response"}
    first = post(as_staff, _entries(archive_a.contract), body).json()
    again = post(as_staff, _entries(archive_a.contract), body).json()
    assert first["id"] == again["id"]
    assert archive_a.contract.deposit_entries.filter(kind="penalty").count() == 1


def test_a_penalty_on_a_used_up_deposit_is_a_409_and_records_nothing(as_staff, client_a) -> None:
    contract = make_contract(client_a)
    response = post(as_staff, _entries(contract), {"kind": "penalty", "reason": "超时", "reference": "x"})
    assert response.status_code == 409
    assert response.json()["detail"] == "质保金已扣完，本次未扣款。"
    assert not contract.deposit_entries.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind"}),
        ({"kind": "bonus", "amount": "1", "reason": "x"}, {"kind"}),
        ({"kind": "payment", "reason": "x"}, {"amount"}),
        ({"kind": "payment", "amount": "-1", "reason": "x"}, {"amount"}),
        ({"kind": "payment", "amount": "1"}, {"reason"}),
        ({"kind": "payment", "amount": "abc", "reason": "x"}, {"amount"}),
        ({"kind": "refund", "amount": "10000.01", "reason": "x"}, {"amount"}),
        ({"kind": "adjustment", "amount": "0", "reason": "x"}, {"amount"}),
    ],
)
def test_bad_movements_are_422_naming_the_field(as_staff, archive_a, body, fields) -> None:
    response = post(as_staff, _entries(archive_a.contract), body)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert archive_a.contract.deposit_entries.count() == 1


def test_a_missing_reason_is_reported_in_chinese_and_in_english(as_staff, staff, archive_a) -> None:
    body = {"kind": "payment", "amount": "1"}
    assert post(as_staff, _entries(archive_a.contract), body).json()["errors"] == {"reason": ["这个字段是必填项。"]}
    staff.language = "en"
    staff.save()
    assert post(as_staff, _entries(archive_a.contract), body).json()["errors"] == {
        "reason": ["This field is required."]
    }


def test_client_users_cannot_record_movements(as_client_a, archive_a, archive_b) -> None:
    body = {"kind": "payment", "amount": "1", "reason": "x"}
    assert post(as_client_a, _entries(archive_a.contract), body).status_code == 403
    assert post(as_client_a, _entries(archive_b.contract), body).status_code == 404
    assert as_client_a.get(_entries(archive_b.contract)).status_code == 404


def test_a_penalty_is_waived_once_with_reason_and_approver(as_staff, archive_a) -> None:
    penalty = services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference="R")
    assert penalty is not None
    missing = post(as_staff, _waive(penalty), {"reason": "停电"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"approved_by": ["这个字段是必填项。"]}
    response = post(as_staff, _waive(penalty), {"reason": "停电，甲方同意豁免", "approved_by": "王主任"})
    assert response.status_code == 201
    waiver = response.json()
    assert (waiver["kind"], waiver["waived_entry"], Decimal(waiver["balance_after"])) == (
        "waiver",
        penalty.pk,
        Decimal("10000"),
    )
    again = post(as_staff, _waive(penalty), {"reason": "再次", "approved_by": "王主任"})
    assert again.status_code == 409
    assert as_staff.get(_entries(archive_a.contract)).json()["items"][1]["waived"] is True


def test_a_payment_cannot_be_waived(as_staff, archive_a) -> None:
    response = post(as_staff, _waive(archive_a.deposit_entry), {"reason": "x", "approved_by": "y"})
    assert response.status_code == 409
    assert DepositEntry.objects.filter(kind="waiver").count() == 0


def test_client_users_cannot_waive(as_client_a, archive_a, archive_b) -> None:
    body = {"reason": "x", "approved_by": "y"}
    assert post(as_client_a, _waive(archive_a.deposit_entry), body).status_code == 403
    assert post(as_client_a, _waive(archive_b.deposit_entry), body).status_code == 404
