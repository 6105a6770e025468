from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.customers import services
from weibao.customers.errors import ArchiveInUseError
from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site


def test_client_create_records_an_event_with_the_client_id_and_after(staff):
    client = services.client_create(actor=staff, name="  青山社区 ", code="qs", kind=Client.Kind.COMMUNITY)
    event = AuditEvent.objects.get(action="client.create")
    assert client.name == "青山社区"
    assert event.client_id == client.pk
    assert event.actor == staff
    assert event.after["name"] == "青山社区"
    assert event.before == {}


def test_client_create_names_every_bad_field(staff):
    with pytest.raises(ValidationError) as caught:
        services.client_create(actor=staff, name="", code="not a slug", kind="planet")
    assert set(caught.value.message_dict) == {"name", "code", "kind"}
    assert not Client.objects.exists()
    assert not AuditEvent.objects.exists()


def test_client_create_with_a_taken_code_is_a_code_error(staff, client_a):
    with pytest.raises(ValidationError) as caught:
        services.client_create(actor=staff, name="新客户", code=client_a.code, kind=Client.Kind.SCHOOL)
    assert list(caught.value.message_dict) == ["code"]


def test_client_user_may_not_create_clients(client_a_user):
    with pytest.raises(PermissionDeniedError):
        services.client_create(actor=client_a_user, name="x", code="x", kind=Client.Kind.OTHER)


def test_auditor_may_not_change_the_archive(auditor, archive_a):
    with pytest.raises(PermissionDeniedError):
        services.site_update(actor=auditor, site=archive_a.site, changes={"name": "新名称"})


def test_client_update_event_keeps_only_the_changed_fields(staff, client_a):
    services.client_update(actor=staff, client=client_a, changes={"region": "杭州市西湖区", "name": client_a.name})
    event = AuditEvent.objects.get(action="client.update")
    assert event.before == {"region": ""}
    assert event.after == {"region": "杭州市西湖区"}
    assert event.client_id == client_a.pk


def test_client_update_that_fails_validation_changes_nothing(staff, client_a, client_b):
    with pytest.raises(ValidationError):
        services.client_update(actor=staff, client=client_a, changes={"region": "新区域", "name": client_b.name})
    client_a.refresh_from_db()
    assert client_a.region == ""
    assert not AuditEvent.objects.filter(action="client.update").exists()


def test_client_email_domains_are_normalised(staff, client_a):
    updated = services.client_update(actor=staff, client=client_a, changes={"email_domains": "@Example.cn， gov.cn"})
    assert updated.email_domains == "example.cn,gov.cn"


def test_client_user_gets_403_for_their_own_site(client_a_user, archive_a):
    with pytest.raises(PermissionDeniedError):
        services.site_update(actor=client_a_user, site=archive_a.site, changes={"name": "改名"})


def test_client_user_gets_404_for_another_clients_site(client_a_user, archive_b):
    with pytest.raises(ObjectNotFoundError):
        services.site_delete(actor=client_a_user, site=archive_b.site)
    assert Site.objects.filter(pk=archive_b.site.pk).exists()


def test_site_name_taken_within_the_client_is_an_error_on_name(staff, archive_a, archive_b):
    with pytest.raises(ValidationError) as caught:
        services.site_create(actor=staff, client=archive_a.client, name=archive_a.site.name)
    assert list(caught.value.message_dict) == ["name"]
    # The same name at another client is fine.
    services.site_create(actor=staff, client=archive_b.client, name=archive_a.site.name)


def test_site_delete_keeps_its_contacts_without_a_site(staff, archive_a):
    services.site_delete(actor=staff, site=archive_a.site)
    archive_a.contact.refresh_from_db()
    assert archive_a.contact.site is None
    event = AuditEvent.objects.get(action="site.delete")
    assert event.before["name"] == archive_a.site.name
    assert event.client_id == archive_a.client.pk


def test_contact_site_must_belong_to_the_same_client(staff, archive_a, archive_b):
    with pytest.raises(ValidationError) as caught:
        services.contact_create(actor=staff, client=archive_a.client, name="王五", site=archive_b.site)
    assert list(caught.value.message_dict) == ["site"]


def test_contact_phone_numbers_are_stored_without_separators(staff, client_a):
    contact = services.contact_create(
        actor=staff, client=client_a, name="李四", mobile="138 0013-8000", office_phone="(0571) 8888-1234"
    )
    assert contact.mobile == "13800138000"
    assert contact.office_phone == "057188881234"


def test_contact_with_a_bad_email_is_an_error_on_email(staff, client_a):
    with pytest.raises(ValidationError) as caught:
        services.contact_create(actor=staff, client=client_a, name="李四", email="not-an-address")
    assert list(caught.value.message_dict) == ["email"]


def test_deployment_product_defaults_to_the_releases_product(staff, client_a, release):
    deployment = services.deployment_create(actor=staff, client=client_a, name="测试环境", release=release)
    assert deployment.product_id == release.product_id
    event = AuditEvent.objects.get(action="deployment.create")
    assert event.after["release"] == release.pk


def test_deployment_release_of_another_product_is_an_error_on_release(staff, client_a, release):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    with pytest.raises(ValidationError) as caught:
        services.deployment_create(actor=staff, client=client_a, name="x", release=release, product=other)
    assert list(caught.value.message_dict) == ["release"]


def test_deployment_without_a_release_is_an_error_on_release(staff, client_a):
    with pytest.raises(ValidationError) as caught:
        services.deployment_create(actor=staff, client=client_a, name="x", release=None)
    assert "release" in caught.value.message_dict


def test_deployment_upgrade_moves_to_the_new_release_and_records_it(staff, archive_a, product):
    newer = Release.objects.create(product=product, version="3.3.0", released_on=dt.date(2026, 6, 1))
    services.deployment_update(actor=staff, deployment=archive_a.deployment, changes={"release": newer})
    event = AuditEvent.objects.get(action="deployment.update")
    assert event.before == {"release": archive_a.deployment.release_id}
    assert event.after == {"release": newer.pk}


def test_deployment_covered_by_a_contract_cannot_be_deleted(staff, archive_a):
    with pytest.raises(ArchiveInUseError):
        services.deployment_delete(actor=staff, deployment=archive_a.deployment)
    assert Deployment.objects.filter(pk=archive_a.deployment.pk).exists()


def test_deployment_delete_removes_its_nodes_and_records_each(staff, archive_a):
    archive_a.contract.deployments.clear()
    services.deployment_delete(actor=staff, deployment=archive_a.deployment)
    assert not DeploymentNode.objects.filter(pk=archive_a.node.pk).exists()
    actions = set(AuditEvent.objects.filter(client_id=archive_a.client.pk).values_list("action", flat=True))
    assert {"node.delete", "deployment.delete"} <= actions


def test_client_with_deployments_cannot_be_deleted(staff, archive_a):
    with pytest.raises(ArchiveInUseError):
        services.client_delete(actor=staff, client=archive_a.client)


def test_client_with_only_sites_and_contacts_can_be_deleted(staff):
    client = services.client_create(actor=staff, name="临时客户", code="tmp", kind=Client.Kind.OTHER)
    site = services.site_create(actor=staff, client=client, name="办公室")
    services.contact_create(actor=staff, client=client, name="赵六", site=site)
    services.client_delete(actor=staff, client=client)
    assert not Contact.objects.filter(client_id=client.pk).exists()
    actions = list(AuditEvent.objects.filter(client_id=client.pk).values_list("action", flat=True))
    assert {"contact.delete", "site.delete", "client.delete"} <= set(actions)


def test_node_with_a_bad_address_is_an_error_on_address(staff, archive_a):
    with pytest.raises(ValidationError) as caught:
        services.node_create(
            actor=staff,
            deployment=archive_a.deployment,
            role=DeploymentNode.Role.DATABASE,
            hostname="db01",
            address="10.0.0",
        )
    assert list(caught.value.message_dict) == ["address"]


def test_node_host_name_taken_in_the_deployment_is_an_error_on_hostname(staff, archive_a):
    with pytest.raises(ValidationError) as caught:
        services.node_create(
            actor=staff, deployment=archive_a.deployment, role=DeploymentNode.Role.WEB, hostname=archive_a.node.hostname
        )
    assert list(caught.value.message_dict) == ["hostname"]


def test_node_events_carry_the_deployments_client(staff, archive_a):
    node = services.node_create(
        actor=staff, deployment=archive_a.deployment, role=DeploymentNode.Role.DATABASE, hostname="db01", address=""
    )
    assert node.address is None
    services.node_update(actor=staff, node=node, changes={"os": "openEuler 22.03"})
    events = AuditEvent.objects.filter(action__startswith="node.").order_by("id")
    assert [e.client_id for e in events] == [archive_a.client.pk, archive_a.client.pk]
    assert events[1].after == {"os": "openEuler 22.03"}


def test_client_user_gets_404_for_another_clients_node(client_a_user, archive_b):
    with pytest.raises(ObjectNotFoundError):
        services.node_update(actor=client_a_user, node=archive_b.node, changes={"os": "x"})


def test_unknown_change_fields_are_a_programming_error(staff, archive_a):
    with pytest.raises(TypeError):
        services.site_update(actor=staff, site=archive_a.site, changes={"client": archive_a.client})
