from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client as HttpClient

from weibao.accounts.models import AuditEvent, Role, User
from weibao.catalog.models import Product, Release
from weibao.contracts.models import Contract, DepositEntry
from weibao.contracts.phases import Phase
from weibao.customers.models import (
    Client,
    ClientMembership,
    Contact,
    Deployment,
    DeploymentNode,
    Site,
    TechnicalFile,
)
from weibao.customers.scope import visible_clients
from weibao.demo import dataset
from weibao.demo.loader import COUNTED, DEFAULT_PASSWORD, DemoSummary, _Loader, demo_load

pytestmark = pytest.mark.django_db

ALL_MODELS: list[type[models.Model]] = [
    Product,
    Release,
    Client,
    Site,
    Contact,
    User,
    ClientMembership,
    Deployment,
    DeploymentNode,
    Contract,
    DepositEntry,
    TechnicalFile,
]


def row_counts() -> dict[str, int]:
    counts = {model._meta.label: model._default_manager.count() for model in ALL_MODELS}
    counts["audit"] = AuditEvent.objects.count()
    return counts


def test_demo_creates_clients_of_every_kind_including_mingri_xingcheng(loaded: DemoSummary) -> None:
    kinds = set(Client.objects.values_list("kind", flat=True))

    assert Client.objects.count() >= 6
    assert {
        Client.Kind.GOVERNMENT,
        Client.Kind.COMMUNITY,
        Client.Kind.SCHOOL,
        Client.Kind.ENTERPRISE,
    } <= kinds
    assert Client.objects.filter(name="明日星城社区").exists()
    assert Product.objects.count() >= 4
    assert all(2 <= product.releases.count() <= 4 for product in Product.objects.all())


def test_contracts_cover_all_four_phases_today(loaded: DemoSummary) -> None:
    phases = {contract.phase for contract in Contract.objects.all()}

    assert phases == {Phase.NOT_ACCEPTED, Phase.IN_WARRANTY, Phase.POST_WARRANTY, Phase.EXPIRED}


def test_every_client_has_one_or_two_contracts_with_a_paid_deposit(loaded: DemoSummary) -> None:
    for client in Client.objects.all():
        contracts = list(client.contracts.all())
        assert 1 <= len(contracts) <= 2, client.name
        for contract in contracts:
            assert contract.deposit_entries.filter(kind=DepositEntry.Kind.PAYMENT).count() == 1
            assert contract.deployments.exists()
            assert all(d.client_id == client.pk for d in contract.deployments.all())


def test_one_contract_has_penalty_deductions_with_references_and_a_running_balance(loaded: DemoSummary) -> None:
    contract = Contract.objects.get(number="HZ-JS-2024-003")
    entries = list(contract.deposit_entries.order_by("id"))
    penalties = [entry for entry in entries if entry.kind == DepositEntry.Kind.PENALTY]

    assert [entry.balance_after for entry in entries] == [Decimal("50000"), Decimal("49500"), Decimal("49000")]
    assert len(penalties) == 2
    assert all(entry.reference and entry.amount == -contract.penalty_per_miss for entry in penalties)
    assert entries[1].created_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == dt.date(2026, 3, 12)
    assert contract.resident_engineers.filter(role=Role.FIELD_ENGINEER).exists()


def test_every_deployments_release_belongs_to_its_product(loaded: DemoSummary) -> None:
    deployments = Deployment.objects.select_related("release")

    assert deployments.count() >= 9
    assert {d.environment for d in deployments} >= {Deployment.Environment.PRODUCTION, Deployment.Environment.TEST}
    assert all(d.release.product_id == d.product_id for d in deployments)
    assert all(d.url and d.went_live_on for d in deployments)


def test_every_node_has_a_role_hostname_address_and_os(loaded: DemoSummary) -> None:
    nodes = list(DeploymentNode.objects.all())

    assert nodes
    assert all(node.role and node.hostname and node.address and node.os for node in nodes)
    assert {node.role for node in nodes} >= {
        DeploymentNode.Role.APPLICATION,
        DeploymentNode.Role.DATABASE,
        DeploymentNode.Role.WEB,
        DeploymentNode.Role.STORAGE,
        DeploymentNode.Role.NETWORK,
        DeploymentNode.Role.SECURITY,
    }


def test_every_client_has_three_to_five_contacts_and_exactly_one_leader(loaded: DemoSummary) -> None:
    for client in Client.objects.all():
        contacts = list(client.contacts.all())
        assert 3 <= len(contacts) <= 5, client.name
        assert sum(contact.is_leader for contact in contacts) == 1, client.name
        assert all(contact.email.endswith("@" + client.email_domains) for contact in contacts if contact.email)
        assert client.sites.exists()


def test_technical_files_hold_what_their_size_and_checksum_say(loaded: DemoSummary, uploads: Path) -> None:
    files = list(TechnicalFile.objects.all())

    assert len(files) >= 2 * Client.objects.count()
    for record in files:
        data = record.file.read()
        record.file.close()
        assert len(data) == record.size
        assert hashlib.sha256(data).hexdigest() == record.sha256
        assert record.original_name.rsplit(".", 1)[1] in {"md", "txt", "csv"}
        assert record.content_type.startswith("text/")
    assert {record.kind for record in files} >= {
        TechnicalFile.Kind.INSTALLATION,
        TechnicalFile.Kind.DATA_DICTIONARY,
        TechnicalFile.Kind.NETWORK,
        TechnicalFile.Kind.ACCEPTANCE,
    }
    assert len([path for path in uploads.rglob("*") if path.is_file()]) == len(files)


def test_every_demo_row_passes_full_clean(loaded: DemoSummary) -> None:
    for model in ALL_MODELS:
        for instance in model._default_manager.all():
            instance.full_clean()


def test_first_run_records_one_demo_load_event_with_the_counts(loaded: DemoSummary) -> None:
    event = AuditEvent.objects.get(action="demo.load")

    assert loaded.event_id == event.pk
    assert event.actor is None
    assert event.after["created"]["clients"] == Client.objects.count()
    assert event.after["created"]["technical_files"] == TechnicalFile.objects.count()
    assert loaded.created_total == sum(event.after["created"].values())


def test_second_run_creates_nothing_and_records_no_event(loaded: DemoSummary) -> None:
    before = row_counts()

    again = demo_load(password=DEFAULT_PASSWORD)

    assert row_counts() == before
    assert again.created_total == 0
    assert again.event_id is None
    assert again.present == loaded.created
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_rows_edited_after_loading_are_left_alone(loaded: DemoSummary) -> None:
    Client.objects.filter(code="mrxc").update(notes="已改")
    Deployment.objects.filter(name="临港花园社区综合服务平台（生产环境）").update(url="http://10.18.38.99/")

    demo_load(password=DEFAULT_PASSWORD)

    assert Client.objects.get(code="mrxc").notes == "已改"
    assert Deployment.objects.get(name="临港花园社区综合服务平台（生产环境）").url == "http://10.18.38.99/"


def test_a_missing_row_is_recreated_without_duplicating_the_rest(loaded: DemoSummary) -> None:
    DeploymentNode.objects.filter(hostname="mrxc-nas01").delete()
    before = row_counts()

    again = demo_load(password=DEFAULT_PASSWORD)

    assert again.created == {key: int(key == "nodes") for key in COUNTED}
    assert DeploymentNode.objects.filter(hostname="mrxc-nas01").count() == 1
    assert row_counts()["customers.DeploymentNode"] == before["customers.DeploymentNode"] + 1
    assert AuditEvent.objects.filter(action="demo.load").count() == 2


def test_client_users_belong_to_their_clients_and_see_only_them(loaded: DemoSummary) -> None:
    client_users = User.objects.filter(role__in=[Role.CLIENT_USER, Role.CLIENT_LEADER])

    assert client_users.count() >= 4
    for user in client_users:
        spec = next(spec for spec in dataset.USERS if spec.username == user.username)
        assert user.client_membership.client.code == spec.client_code
        assert list(visible_clients(user)) == [user.client_membership.client]
        assert user.client_membership.client.contacts.filter(name=user.display_name).exists()
    assert set(User.objects.filter(client_membership__isnull=True).values_list("role", flat=True)) >= {
        Role.ADMIN,
        Role.SERVICE_MANAGER,
        Role.AGENT,
        Role.FIELD_ENGINEER,
        Role.OM_ENGINEER,
        Role.QUALITY,
        Role.AUDITOR,
    }


def test_admin_is_a_superuser_and_other_staff_are_not(loaded: DemoSummary) -> None:
    admin = User.objects.get(username=dataset.ADMIN_USERNAME)

    assert admin.is_superuser
    assert admin.is_staff
    assert admin.is_administrator
    assert not User.objects.exclude(pk=admin.pk).filter(is_superuser=True).exists()


def test_demo_users_can_sign_in_with_the_demo_password(loaded: DemoSummary) -> None:
    for spec in dataset.USERS:
        assert HttpClient().login(username=spec.username, password=DEFAULT_PASSWORD), spec.username


def test_existing_passwords_are_kept_unless_passwords_are_reset(loaded: DemoSummary) -> None:
    admin = User.objects.get(username="admin")
    admin.set_password("Changed-Pass-2026")
    admin.save()

    kept = demo_load(password=DEFAULT_PASSWORD)
    assert kept.passwords_reset == 0
    assert HttpClient().login(username="admin", password="Changed-Pass-2026")

    reset = demo_load(password=DEFAULT_PASSWORD, reset_passwords=True)
    assert reset.passwords_reset == len(dataset.USERS)
    assert HttpClient().login(username="admin", password=DEFAULT_PASSWORD)
    event = AuditEvent.objects.filter(action="demo.load").first()
    assert event is not None
    assert event.pk == reset.event_id
    assert event.after["passwords_reset"] == len(dataset.USERS)


def test_a_password_the_validators_reject_writes_nothing(db: None) -> None:
    with pytest.raises(ValidationError):
        demo_load(password="123")

    assert Client.objects.count() == 0
    assert User.objects.count() == 0


def test_a_failed_load_keeps_no_rows_and_no_files(db: None, uploads: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: _Loader) -> DemoSummary:
        raise RuntimeError("disk full")

    monkeypatch.setattr(_Loader, "_finish", fail)

    with pytest.raises(RuntimeError):
        demo_load(password=DEFAULT_PASSWORD)

    assert TechnicalFile.objects.count() == 0
    assert Client.objects.count() == 0
    assert [path for path in uploads.rglob("*") if path.is_file()] == []
