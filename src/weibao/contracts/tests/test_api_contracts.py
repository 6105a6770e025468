"""/api/v1/contracts: list, create, get, update, delete and phase."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from weibao.accounts.models import AuditEvent
from weibao.accounts.tokens import token_create
from weibao.contracts.models import Contract
from weibao.contracts.tests.factories import make_contract

pytestmark = pytest.mark.django_db

BASE = "/api/v1/contracts"
NOW = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)


def _url(contract: Contract, suffix: str = "") -> str:
    return f"{BASE}/{contract.pk}{suffix}"


def post(http, url: str, body: dict[str, Any], **extra):
    return http.post(url, data=json.dumps(body), content_type="application/json", **extra)


def patch(http, url: str, body: dict[str, Any], **extra):
    return http.patch(url, data=json.dumps(body), content_type="application/json", **extra)


def _new(client_id: int, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "client": client_id,
        "number": "HT-API-1",
        "title": "接口创建的合同",
        "signed_on": "2026-01-05",
        "accepted_on": "2026-02-01",
        "warranty_months": 36,
        "penalty_per_miss": "500",
    }
    body.update(extra)
    return body


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_computed_warranty_end_phase_and_balance(as_staff, archive_a, archive_b) -> None:
    with time_machine.travel(NOW, tick=False):
        body = as_staff.get(BASE).json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["number"] == archive_a.contract.number)
    assert item["client"] == archive_a.client.pk
    assert item["warranty_ends_on"] == "2026-02-28"
    assert item["phase"] == "in_warranty"
    assert item["phase_label"] == "质保期内"
    assert Decimal(item["deposit_balance"]) == Decimal("10000")
    assert item["deployments"] == [archive_a.deployment.pk]


def test_a_client_user_lists_only_their_own_contracts(as_client_a, archive_a, archive_b) -> None:
    body = as_client_a.get(BASE).json()
    assert [i["number"] for i in body["items"]] == [archive_a.contract.number]
    assert as_client_a.get(BASE, {"client": archive_b.client.pk}).json()["count"] == 0


def test_the_list_filters_by_client_phase_and_text(as_staff, archive_a, archive_b, client_b) -> None:
    expired = make_contract(client_b, ends_on=dt.date(2025, 12, 31))
    with time_machine.travel(NOW, tick=False):
        assert [i["id"] for i in as_staff.get(BASE, {"phase": "expired"}).json()["items"]] == [expired.pk]
        numbers = {i["number"] for i in as_staff.get(BASE, {"client": archive_b.client.pk}).json()["items"]}
    assert numbers == {archive_b.contract.number, expired.number}
    assert [i["number"] for i in as_staff.get(BASE, {"q": "明日星城"}).json()["items"]] == [archive_a.contract.number]


def test_an_unknown_phase_filter_is_a_422_naming_the_field(as_staff) -> None:
    response = as_staff.get(BASE, {"phase": "soon"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["phase"]


def test_the_list_runs_a_fixed_number_of_queries(as_staff, client_a, staff, django_assert_max_num_queries) -> None:
    for _ in range(30):
        contract = make_contract(client_a)
        contract.resident_engineers.add(staff)
    with django_assert_max_num_queries(8):
        response = as_staff.get(BASE)
    assert response.json()["count"] == 31


# --- create -----------------------------------------------------------------------------------


def test_staff_create_a_contract(as_staff, staff, archive_a) -> None:
    response = post(
        as_staff, BASE, _new(archive_a.client.pk, deployments=[archive_a.deployment.pk], resident_engineers=[staff.pk])
    )
    assert response.status_code == 201
    body = response.json()
    assert body["warranty_ends_on"] == "2029-01-31"
    assert body["deployments"] == [archive_a.deployment.pk]
    assert body["resident_engineers"] == [staff.pk]
    assert body["deposit_balance"] in {"0", "0.00"}
    contract = Contract.objects.get(pk=body["id"])
    assert AuditEvent.objects.for_object(contract).get().client_id == archive_a.client.pk


def test_create_reports_missing_and_invalid_fields_in_chinese(as_staff, archive_a) -> None:
    body = _new(archive_a.client.pk, warranty_months=200)
    del body["title"]
    response = post(as_staff, BASE, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"title": ["这个字段是必填项。"]}
    response = post(as_staff, BASE, _new(archive_a.client.pk, warranty_months=200, accepted_on="2025-01-01"))
    errors = response.json()["errors"]
    assert set(errors) == {"warranty_months", "accepted_on"}
    assert errors["accepted_on"] == ["验收日期不能早于签订日期。"]
    assert not Contract.objects.filter(number="HT-API-1").exists()


def test_create_reports_field_errors_in_english_for_an_english_user(as_staff, staff, archive_a) -> None:
    staff.language = "en"
    staff.save()
    response = post(as_staff, BASE, _new(archive_a.client.pk, accepted_on="2025-01-01"))
    assert response.status_code == 422
    assert response.json()["errors"] == {"accepted_on": ["Acceptance cannot come before signing."]}


def test_deployments_of_another_client_are_a_422_on_deployments(as_staff, archive_a, archive_b) -> None:
    response = post(as_staff, BASE, _new(archive_a.client.pk, deployments=[archive_b.deployment.pk]))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["deployments"]
    assert not Contract.objects.filter(number="HT-API-1").exists()


def test_unknown_ids_are_field_errors(as_staff, archive_a) -> None:
    assert list(post(as_staff, BASE, _new(999_999)).json()["errors"]) == ["client"]
    assert list(post(as_staff, BASE, _new(archive_a.client.pk, deployments=[999_999])).json()["errors"]) == [
        "deployments"
    ]
    response = post(as_staff, BASE, _new(archive_a.client.pk, resident_engineers=[999_999]))
    assert list(response.json()["errors"]) == ["resident_engineers"]


def test_a_client_user_as_resident_engineer_is_a_422(as_staff, archive_a, client_a_user) -> None:
    response = post(as_staff, BASE, _new(archive_a.client.pk, resident_engineers=[client_a_user.pk]))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["resident_engineers"]


def test_client_users_cannot_create(as_client_a, archive_a) -> None:
    assert post(as_client_a, BASE, _new(archive_a.client.pk)).status_code == 403


def test_a_read_only_token_cannot_create(staff, archive_a, client) -> None:
    issued = token_create(actor=staff, name="只读", scope="read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert client.get(BASE, **auth).status_code == 200
    assert post(client, BASE, _new(archive_a.client.pk), **auth).status_code == 403


def test_a_read_write_token_creates(staff, archive_a, client) -> None:
    issued = token_create(actor=staff, name="读写", scope="read_write")
    response = post(client, BASE, _new(archive_a.client.pk), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 201


# --- get / update / delete -------------------------------------------------------------------


def test_a_client_user_reads_their_contract_and_gets_404_for_another(as_client_a, archive_a, archive_b) -> None:
    assert as_client_a.get(_url(archive_a.contract)).json()["number"] == archive_a.contract.number
    response = as_client_a.get(_url(archive_b.contract))
    assert response.status_code == 404
    assert archive_b.contract.number not in response.content.decode()


def test_patch_changes_only_the_fields_sent(as_staff, archive_a) -> None:
    response = patch(as_staff, _url(archive_a.contract), {"title": "新标题", "ends_on": "2028-12-31"})
    assert response.status_code == 200
    assert response.json()["title"] == "新标题"
    archive_a.contract.refresh_from_db()
    assert archive_a.contract.ends_on == dt.date(2028, 12, 31)
    assert archive_a.contract.warranty_months == 12
    assert list(archive_a.contract.deployments.all()) == [archive_a.deployment]


def test_patch_can_clear_acceptance_and_replace_deployments(as_staff, archive_a) -> None:
    response = patch(as_staff, _url(archive_a.contract), {"accepted_on": None, "deployments": []})
    body = response.json()
    assert (body["accepted_on"], body["phase"], body["deployments"]) == (None, "not_accepted", [])


def test_an_invalid_patch_is_a_422_and_changes_nothing(as_staff, archive_a, archive_b) -> None:
    response = patch(
        as_staff,
        _url(archive_a.contract),
        {"title": "", "deployments": [archive_b.deployment.pk], "amount": "-1"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"title", "deployments", "amount"}
    archive_a.contract.refresh_from_db()
    assert archive_a.contract.title == "明日星城社区运维服务合同"


def test_a_patch_with_a_bad_type_is_a_422_in_english(as_staff, staff, archive_a) -> None:
    staff.language = "en"
    staff.save()
    response = patch(as_staff, _url(archive_a.contract), {"signed_on": "yesterday"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"signed_on": ["Enter a valid date."]}


def test_client_users_get_403_patching_their_own_and_404_for_others(as_client_a, archive_a, archive_b) -> None:
    assert patch(as_client_a, _url(archive_a.contract), {"title": "x"}).status_code == 403
    assert patch(as_client_a, _url(archive_b.contract), {"title": "x"}).status_code == 404


def test_delete_removes_a_contract_without_ledger(as_staff, client_a) -> None:
    contract = make_contract(client_a)
    assert as_staff.delete(_url(contract)).status_code == 204
    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_delete_refuses_a_contract_with_ledger_with_409(as_staff, archive_a) -> None:
    response = as_staff.delete(_url(archive_a.contract))
    assert response.status_code == 409
    assert "质保金台账" in response.json()["detail"]


def test_client_users_cannot_delete(as_client_a, archive_a, archive_b) -> None:
    assert as_client_a.delete(_url(archive_a.contract)).status_code == 403
    assert as_client_a.delete(_url(archive_b.contract)).status_code == 404


# --- phase ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "phase", "day"),
    [
        ("2026-02-28T15:59:59Z", "in_warranty", "2026-02-28"),
        ("2026-02-28T17:00:00Z", "post_warranty", "2026-03-01"),
        ("2026-02-28T23:30:00+08:00", "in_warranty", "2026-02-28"),
        ("2026-03-01T00:30:00", "post_warranty", "2026-03-01"),  # no offset: Shanghai time
        ("2025-02-28T16:00:00Z", "in_warranty", "2025-03-01"),
    ],
)
def test_the_phase_at_an_instant_is_judged_on_the_shanghai_day(as_staff, archive_a, at, phase, day) -> None:
    body = as_staff.get(_url(archive_a.contract, "/phase"), {"at": at}).json()
    assert (body["phase"], body["day"], body["warranty_ends_on"]) == (phase, day, "2026-02-28")


def test_the_phase_defaults_to_now(as_client_a, archive_a) -> None:
    with time_machine.travel(dt.datetime(2026, 2, 28, 17, 0, tzinfo=dt.UTC), tick=False):
        body = as_client_a.get(_url(archive_a.contract, "/phase")).json()
    assert (body["phase"], body["phase_label"]) == ("post_warranty", "质保期满后")


def test_a_bad_instant_is_a_422_on_at(as_staff, archive_a) -> None:
    response = as_staff.get(_url(archive_a.contract, "/phase"), {"at": "next tuesday"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["at"]


def test_the_phase_of_another_clients_contract_is_404(as_client_a, archive_b) -> None:
    assert as_client_a.get(_url(archive_b.contract, "/phase")).status_code == 404
