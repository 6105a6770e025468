from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient

from weibao.accounts.models import AccessToken, AuditEvent
from weibao.accounts.tokens import token_create
from weibao.catalog.models import Product, Release
from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site

API = "/api/v1"


def bearer(user, scope=AccessToken.Scope.READ_WRITE) -> HttpClient:
    issued = token_create(actor=user, name="测试", scope=scope)
    return HttpClient(headers={"Authorization": f"Bearer {issued.plaintext}"})


def test_client_crud_through_the_api(as_staff):
    created = as_staff.post(
        f"{API}/clients", {"name": "城东社区", "code": "cd", "kind": "community"}, "application/json"
    )
    assert created.status_code == 201, created.content
    client_id = created.json()["id"]
    assert as_staff.get(f"{API}/clients/{client_id}").json()["name"] == "城东社区"
    patched = as_staff.patch(f"{API}/clients/{client_id}", {"region": "上城区"}, "application/json")
    assert patched.status_code == 200
    assert patched.json()["region"] == "上城区"
    assert patched.json()["name"] == "城东社区"
    assert as_staff.delete(f"{API}/clients/{client_id}").status_code == 204
    assert not Client.objects.filter(pk=client_id).exists()
    actions = list(AuditEvent.objects.filter(client_id=client_id).values_list("action", flat=True))
    assert sorted(actions) == ["client.create", "client.delete", "client.update"]


def test_client_create_with_bad_fields_is_422_naming_each_field_in_chinese(as_staff, client_a):
    response = as_staff.post(
        f"{API}/clients", {"name": client_a.name, "code": "x y", "kind": "planet"}, "application/json"
    )
    body = response.json()
    assert response.status_code == 422
    assert set(body["errors"]) == {"name", "code", "kind"}
    assert "不是有效选项" in body["errors"]["kind"][0]
    assert Client.objects.count() == 1


def test_client_create_errors_are_in_english_for_an_english_user(as_staff, staff):
    staff.language = "en"
    staff.save()
    response = as_staff.post(f"{API}/clients", {"code": "ok", "kind": "school"}, "application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["name"] == ["This field is required."]


def test_client_list_filters_and_paginates(as_staff, archive_a, archive_b):
    Client.objects.create(name="实验小学", code="school", kind=Client.Kind.SCHOOL, region="余杭区")
    body = as_staff.get(f"{API}/clients", {"kind": "school"}).json()
    assert body["count"] == 1
    assert body["items"][0]["code"] == "school"
    assert as_staff.get(f"{API}/clients", {"q": "海源"}).json()["items"][0]["id"] == archive_b.client.pk
    assert as_staff.get(f"{API}/clients", {"page": 1}).json()["count"] == 3


def test_client_user_lists_only_their_client(as_client_a, archive_a, archive_b):
    body = as_client_a.get(f"{API}/clients").json()
    assert [item["id"] for item in body["items"]] == [archive_a.client.pk]
    deployments = as_client_a.get(f"{API}/deployments").json()
    assert [item["id"] for item in deployments["items"]] == [archive_a.deployment.pk]


def test_client_user_gets_404_for_another_clients_objects(as_client_a, archive_b):
    assert as_client_a.get(f"{API}/clients/{archive_b.client.pk}").status_code == 404
    assert as_client_a.get(f"{API}/sites/{archive_b.site.pk}").status_code == 404
    assert as_client_a.get(f"{API}/contacts/{archive_b.contact.pk}").status_code == 404
    assert as_client_a.get(f"{API}/nodes/{archive_b.node.pk}").status_code == 404
    response = as_client_a.patch(f"{API}/deployments/{archive_b.deployment.pk}", {"name": "x"}, "application/json")
    assert response.status_code == 404
    assert "errors" not in response.json()


def test_client_user_gets_403_when_writing_their_own_objects(as_client_a, archive_a):
    response = as_client_a.patch(f"{API}/sites/{archive_a.site.pk}", {"name": "改名"}, "application/json")
    assert response.status_code == 403
    assert as_client_a.delete(f"{API}/contacts/{archive_a.contact.pk}").status_code == 403
    assert Contact.objects.filter(pk=archive_a.contact.pk).exists()


def test_read_only_token_cannot_write(staff, archive_a):
    reader = bearer(staff, AccessToken.Scope.READ)
    assert reader.get(f"{API}/sites/{archive_a.site.pk}").status_code == 200
    assert reader.patch(f"{API}/sites/{archive_a.site.pk}", {"name": "x"}, "application/json").status_code == 403
    assert (
        reader.post(f"{API}/clients/{archive_a.client.pk}/sites", {"name": "新站点"}, "application/json").status_code
        == 403
    )
    assert not Site.objects.filter(name="新站点").exists()


def test_read_write_token_can_create_a_site(staff, archive_a):
    writer = bearer(staff)
    response = writer.post(f"{API}/clients/{archive_a.client.pk}/sites", {"name": "新站点"}, "application/json")
    assert response.status_code == 201
    assert response.json()["client_id"] == archive_a.client.pk
    assert response.json()["kind"] == "office"


def test_site_with_a_taken_name_is_422_on_name(as_staff, archive_a):
    url = f"{API}/clients/{archive_a.client.pk}/sites"
    response = as_staff.post(url, {"name": archive_a.site.name}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["name"]


def test_unauthenticated_requests_get_401(archive_a):
    assert HttpClient().get(f"{API}/clients").status_code == 401


def test_contact_create_names_site_id_when_the_site_is_another_clients(as_staff, archive_a, archive_b):
    url = f"{API}/clients/{archive_a.client.pk}/contacts"
    response = as_staff.post(url, {"name": "孙八", "site_id": archive_b.site.pk}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["site_id"]
    response = as_staff.post(url, {"name": "孙八", "site_id": 999999}, "application/json")
    assert list(response.json()["errors"]) == ["site_id"]
    assert not Contact.objects.filter(name="孙八").exists()


def test_contact_patch_can_clear_the_site(as_staff, archive_a):
    response = as_staff.patch(f"{API}/contacts/{archive_a.contact.pk}", {"site_id": None}, "application/json")
    assert response.status_code == 200
    assert response.json()["site_id"] is None


def test_contacts_are_found_by_the_dialled_phone_number(as_staff, archive_a, archive_b):
    Contact.objects.filter(pk=archive_a.contact.pk).update(mobile="13912345678")
    body = as_staff.get(f"{API}/contacts", {"phone": "+86 139-1234-5678"}).json()
    assert [item["id"] for item in body["items"]] == [archive_a.contact.pk]
    assert body["items"][0]["client_id"] == archive_a.client.pk


def test_deployment_crud_through_the_api(as_staff, archive_a, release):
    url = f"{API}/clients/{archive_a.client.pk}/deployments"
    created = as_staff.post(
        url, {"name": "测试环境", "release_id": release.pk, "environment": "test"}, "application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["product_id"] == release.product_id
    assert body["product_name"] == "社区综合服务平台"
    assert body["version"] == "3.2.0"
    newer = Release.objects.create(product=release.product, version="3.3.0", released_on=dt.date(2026, 9, 1))
    patched = as_staff.patch(f"{API}/deployments/{body['id']}", {"release_id": newer.pk}, "application/json")
    assert patched.json()["version"] == "3.3.0"
    assert as_staff.delete(f"{API}/deployments/{body['id']}").status_code == 204


def test_deployment_with_a_version_of_another_product_is_422_on_release_id(as_staff, archive_a, release):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    url = f"{API}/clients/{archive_a.client.pk}/deployments"
    payload = {"name": "x", "release_id": release.pk, "product_id": other.pk}
    response = as_staff.post(url, payload, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["release_id"]
    assert response.json()["errors"]["release_id"] == ["该版本属于其他产品。"]


def test_deployment_with_an_unknown_release_is_422_on_release_id(as_staff, archive_a):
    url = f"{API}/clients/{archive_a.client.pk}/deployments"
    response = as_staff.post(url, {"name": "x", "release_id": 424242}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["release_id"]


def test_deployment_covered_by_a_contract_is_409_on_delete(as_staff, archive_a):
    response = as_staff.delete(f"{API}/deployments/{archive_a.deployment.pk}")
    assert response.status_code == 409
    assert "合同" in response.json()["detail"]


def test_deployment_list_filters(as_staff, archive_a, archive_b):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    grid = Release.objects.create(product=other, version="1.0", released_on=dt.date(2026, 1, 1))
    Deployment.objects.create(client=archive_b.client, name="网格测试", product=other, release=grid, environment="test")

    def ids(params: dict[str, object]) -> list[str]:
        return [item["name"] for item in as_staff.get(f"{API}/deployments", params).json()["items"]]

    assert ids({"product_id": other.pk}) == ["网格测试"]
    assert ids({"release_id": grid.pk}) == ["网格测试"]
    assert ids({"environment": "test"}) == ["网格测试"]
    assert ids({"client_id": archive_a.client.pk}) == [archive_a.deployment.name]
    assert ids({"q": "网格"}) == ["网格测试"]


def test_node_crud_and_field_errors(as_staff, archive_a):
    url = f"{API}/deployments/{archive_a.deployment.pk}/nodes"
    bad = as_staff.post(url, {"role": "nonsense", "hostname": "", "address": "1.2.3"}, "application/json")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"role", "hostname", "address"}
    created = as_staff.post(url, {"role": "database", "hostname": "db01", "address": "10.0.0.9"}, "application/json")
    assert created.status_code == 201
    node_id = created.json()["id"]
    assert created.json()["client_id"] == archive_a.client.pk
    assert as_staff.patch(f"{API}/nodes/{node_id}", {"os": "openEuler"}, "application/json").json()["os"] == "openEuler"
    listed = as_staff.get(f"{API}/nodes", {"deployment_id": archive_a.deployment.pk}).json()
    assert {item["hostname"] for item in listed["items"]} == {"db01", archive_a.node.hostname}
    assert as_staff.delete(f"{API}/nodes/{node_id}").status_code == 204
    assert not DeploymentNode.objects.filter(pk=node_id).exists()


def test_patch_with_a_value_of_the_wrong_type_is_422(as_staff, archive_a):
    response = as_staff.patch(f"{API}/clients/{archive_a.client.pk}", {"is_active": "perhaps"}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["is_active"]


@pytest.mark.usefixtures("archive_a")
@pytest.mark.parametrize("path", ["clients", "sites", "contacts", "deployments", "nodes", "technical-files"])
def test_list_endpoints_use_a_fixed_number_of_queries(as_staff, release, path, django_assert_max_num_queries):
    for i in range(20):
        client = Client.objects.create(name=f"社区{i}", code=f"c{i}", kind=Client.Kind.COMMUNITY)
        site = Site.objects.create(client=client, name="机房")
        Contact.objects.create(client=client, site=site, name=f"联系人{i}")
        deployment = Deployment.objects.create(
            client=client, name="生产", product_id=release.product_id, release=release
        )
        DeploymentNode.objects.create(deployment=deployment, role="web", hostname=f"web{i}")
    with django_assert_max_num_queries(8):
        response = as_staff.get(f"{API}/{path}")
    assert response.status_code == 200
    assert response.json()["count"] >= 1
