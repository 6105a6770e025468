"""Contract services: create, update, relations, delete — validation, permissions and events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.contracts import services
from weibao.contracts.models import Contract
from weibao.contracts.tests.factories import make_contract
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


def test_contract_create_saves_relations_and_records_an_event_with_the_client(staff, archive_a) -> None:
    contract = services.contract_create(
        actor=staff,
        client=archive_a.client,
        number="HT-2026-001",
        title="社区平台运维服务",
        signed_on=dt.date(2026, 1, 5),
        accepted_on=dt.date(2026, 2, 1),
        warranty_months=36,
        penalty_per_miss=Decimal("500"),
        deployments=[archive_a.deployment],
        resident_engineers=[staff],
    )
    assert list(contract.deployments.all()) == [archive_a.deployment]
    assert list(contract.resident_engineers.all()) == [staff]
    event = AuditEvent.objects.for_object(contract).get()
    assert event.action == "contract.create"
    assert event.client_id == archive_a.client.pk
    assert event.actor == staff
    assert event.after["deployments"] == [archive_a.deployment.pk]
    assert event.after["warranty_months"] == 36


def test_contract_create_names_every_bad_field_at_once_and_writes_nothing(staff, archive_a, archive_b, client_a_user):
    with pytest.raises(ValidationError) as caught:
        services.contract_create(
            actor=staff,
            client=archive_a.client,
            number="",
            title="t",
            signed_on=dt.date(2026, 1, 5),
            accepted_on=dt.date(2025, 12, 1),
            warranty_months=121,
            deployments=[archive_b.deployment],
            resident_engineers=[client_a_user],
        )
    errors = caught.value.message_dict
    assert set(errors) == {"number", "accepted_on", "warranty_months", "deployments", "resident_engineers"}
    assert archive_b.deployment.name in errors["deployments"][0]
    assert Contract.objects.filter(title="t").count() == 0
    assert not AuditEvent.objects.filter(action="contract.create").exists()


def test_contract_number_is_unique(staff, archive_a) -> None:
    with pytest.raises(ValidationError) as caught:
        services.contract_create(
            actor=staff,
            client=archive_a.client,
            number=archive_a.contract.number,
            title="t",
            signed_on=dt.date(2026, 1, 1),
        )
    assert "number" in caught.value.message_dict


def test_a_user_who_may_not_write_cannot_create_a_contract(auditor, archive_a) -> None:
    with pytest.raises(PermissionDeniedError):
        services.contract_create(
            actor=auditor, client=archive_a.client, number="HT-X", title="t", signed_on=dt.date(2026, 1, 1)
        )


def test_contract_update_records_only_the_changes(staff, archive_a) -> None:
    contract = archive_a.contract
    services.contract_update(actor=staff, contract=contract, changes={"title": "新标题", "warranty_months": 36})
    contract.refresh_from_db()
    assert contract.title == "新标题"
    event = AuditEvent.objects.for_object(contract).get(action="contract.update")
    assert event.before == {"title": "明日星城社区运维服务合同", "warranty_months": 12}
    assert event.after == {"title": "新标题", "warranty_months": 36}
    assert event.client_id == archive_a.client.pk


def test_contract_update_with_a_bad_field_changes_nothing(staff, archive_a, archive_b) -> None:
    contract = archive_a.contract
    with pytest.raises(ValidationError) as caught:
        services.contract_update(
            actor=staff,
            contract=contract,
            changes={"title": "新标题", "ends_on": dt.date(2020, 1, 1)},
            deployments=[archive_b.deployment],
        )
    assert set(caught.value.message_dict) == {"ends_on", "deployments"}
    contract.refresh_from_db()
    assert contract.title != "新标题"
    assert list(contract.deployments.all()) == [archive_a.deployment]


def test_contract_update_refuses_to_move_a_contract_to_another_client(staff, archive_a, archive_b) -> None:
    with pytest.raises(TypeError):
        services.contract_update(actor=staff, contract=archive_a.contract, changes={"client": archive_b.client})


def test_deployments_of_another_client_are_a_field_error(staff, archive_a, archive_b) -> None:
    with pytest.raises(ValidationError) as caught:
        services.contract_set_deployments(
            actor=staff, contract=archive_a.contract, deployments=[archive_a.deployment, archive_b.deployment]
        )
    assert list(caught.value.message_dict) == ["deployments"]
    assert list(archive_a.contract.deployments.all()) == [archive_a.deployment]


def test_set_deployments_replaces_the_set_and_records_before_and_after(staff, archive_a) -> None:
    services.contract_set_deployments(actor=staff, contract=archive_a.contract, deployments=[])
    assert archive_a.contract.deployments.count() == 0
    event = AuditEvent.objects.get(action="contract.set_deployments")
    assert event.before == {"deployments": [archive_a.deployment.pk]}
    assert event.after == {"deployments": []}
    assert event.client_id == archive_a.client.pk


def test_client_users_cannot_be_resident_engineers(staff, archive_a, client_a_user) -> None:
    with pytest.raises(ValidationError) as caught:
        services.contract_set_resident_engineers(actor=staff, contract=archive_a.contract, engineers=[client_a_user])
    assert list(caught.value.message_dict) == ["resident_engineers"]
    assert archive_a.contract.resident_engineers.count() == 0


def test_vendor_staff_can_be_resident_engineers(staff, admin, archive_a) -> None:
    services.contract_set_resident_engineers(actor=admin, contract=archive_a.contract, engineers=[staff])
    assert list(archive_a.contract.resident_engineers.all()) == [staff]
    event = AuditEvent.objects.get(action="contract.set_resident_engineers")
    assert event.after == {"resident_engineers": [staff.pk]}
    assert event.client_id == archive_a.client.pk


def test_a_contract_without_ledger_entries_can_be_deleted(staff, client_a) -> None:
    contract = make_contract(client_a)
    pk = contract.pk
    services.contract_delete(actor=staff, contract=contract)
    assert not Contract.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="contract.delete")
    assert event.object_id == str(pk)
    assert event.client_id == client_a.pk
    assert event.before["number"] == contract.number


def test_a_contract_with_ledger_entries_is_not_deleted(staff, archive_a) -> None:
    with pytest.raises(services.ContractHasLedgerError) as caught:
        services.contract_delete(actor=staff, contract=archive_a.contract)
    assert archive_a.contract.number in caught.value.message
    assert Contract.objects.filter(pk=archive_a.contract.pk).exists()


def test_a_user_who_may_not_write_cannot_delete(auditor, client_a) -> None:
    contract = make_contract(client_a)
    with pytest.raises(PermissionDeniedError):
        services.contract_delete(actor=auditor, contract=contract)


def test_a_number_taken_between_validation_and_save_is_a_field_error(staff, archive_a, monkeypatch) -> None:
    # Simulate a concurrent create that took the number after full_clean() ran.
    monkeypatch.setattr(Contract, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as caught:
        services.contract_create(
            actor=staff,
            client=archive_a.client,
            number=archive_a.contract.number,
            title="t",
            signed_on=dt.date(2026, 1, 1),
        )
    assert list(caught.value.message_dict) == ["number"]
