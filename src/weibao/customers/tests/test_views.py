from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from weibao.accounts.models import AuditEvent
from weibao.catalog.models import Product, Release
from weibao.customers import services
from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site


@pytest.fixture
def english_staff(staff):
    staff.language = "en"
    staff.save()
    return staff


def test_client_list_shows_every_client_to_staff(as_staff, archive_a, archive_b):
    page = as_staff.get(reverse("customers:client_list")).content.decode()
    assert archive_a.client.name in page
    assert archive_b.client.name in page


def test_client_list_shows_a_client_user_only_their_client(as_client_a, archive_a, archive_b):
    page = as_client_a.get(reverse("customers:client_list")).content.decode()
    assert archive_a.client.name in page
    assert archive_b.client.name not in page


def test_client_list_filters_by_kind_region_status_and_search(as_staff, archive_a, archive_b):
    Client.objects.create(name="实验小学", code="school", kind=Client.Kind.SCHOOL, region="余杭区", is_active=False)
    url = reverse("customers:client_list")
    assert "实验小学" in as_staff.get(url, {"kind": "school"}).content.decode()
    assert archive_a.client.name not in as_staff.get(url, {"kind": "school"}).content.decode()
    assert "实验小学" in as_staff.get(url, {"region": "余杭"}).content.decode()
    assert "实验小学" not in as_staff.get(url, {"is_active": "1"}).content.decode()
    page = as_staff.get(url, {"q": "海源"}).content.decode()
    assert archive_b.client.name in page
    assert archive_a.client.name not in page


def test_client_list_ignores_junk_filters(as_staff, archive_a):
    response = as_staff.get(reverse("customers:client_list"), {"kind": "planet", "page": "x"})
    assert response.status_code == 200


def test_client_list_is_paginated_with_a_fixed_number_of_queries(as_staff, django_assert_max_num_queries):
    Client.objects.bulk_create(
        Client(name=f"社区{i:02d}", code=f"c{i:02d}", kind=Client.Kind.COMMUNITY) for i in range(60)
    )
    with django_assert_max_num_queries(12):
        first = as_staff.get(reverse("customers:client_list"))
    assert "社区00" in first.content.decode()
    assert "社区30" not in first.content.decode()
    second = as_staff.get(reverse("customers:client_list"), {"page": 2}).content.decode()
    assert "社区30" in second
    assert "社区00" not in second


def test_client_detail_shows_every_section_and_links_to_its_contracts(as_staff, archive_a):
    response = as_staff.get(reverse("customers:client_detail", args=[archive_a.client.pk]))
    page = response.content.decode()
    assert archive_a.site.name in page
    assert archive_a.contact.name in page
    assert archive_a.deployment.name in page
    assert "3.2.0" in page
    assert "社区综合服务平台" in page
    assert archive_a.technical_file.title in page
    assert f"{reverse('contracts:contract_list')}?client={archive_a.client.pk}" in page


def test_client_detail_shows_its_history(as_staff, staff, archive_a):
    services.client_update(actor=staff, client=archive_a.client, changes={"region": "滨江区"})
    services.site_update(actor=staff, site=archive_a.site, changes={"address": "三楼机房"})
    page = as_staff.get(reverse("customers:client_detail", args=[archive_a.client.pk])).content.decode()
    assert "client.update" in page
    assert "滨江区" in page
    assert "site.update" in page
    assert "三楼机房" in page


def test_client_detail_has_a_bounded_number_of_queries(as_staff, staff, archive_a, django_assert_max_num_queries):
    for i in range(10):
        services.site_create(actor=staff, client=archive_a.client, name=f"站点{i}")
        services.contact_create(actor=staff, client=archive_a.client, name=f"联系人{i}")
    with django_assert_max_num_queries(16):
        as_staff.get(reverse("customers:client_detail", args=[archive_a.client.pk]))


def test_client_user_sees_no_edit_buttons(as_client_a, archive_a):
    page = as_client_a.get(reverse("customers:client_detail", args=[archive_a.client.pk])).content.decode()
    assert reverse("customers:client_update", args=[archive_a.client.pk]) not in page
    assert reverse("customers:site_create", args=[archive_a.client.pk]) not in page


def test_client_user_gets_403_on_their_own_clients_edit_page(as_client_a, archive_a):
    response = as_client_a.get(reverse("customers:client_update", args=[archive_a.client.pk]))
    assert response.status_code == 403
    assert "您无权" in response.content.decode()


def test_client_user_gets_404_on_another_clients_page(as_client_a, archive_b):
    assert as_client_a.get(reverse("customers:client_detail", args=[archive_b.client.pk])).status_code == 404


def test_client_create_adds_the_client_and_redirects_to_it(as_staff):
    data = {"name": "滨江区政务服务中心", "code": "bj-zw", "kind": "government", "is_active": "on"}
    response = as_staff.post(reverse("customers:client_create"), data)
    client = Client.objects.get(code="bj-zw")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:client_detail", args=[client.pk])
    assert AuditEvent.objects.filter(action="client.create", client_id=client.pk).exists()


def test_client_form_errors_are_shown_per_field_in_chinese(as_staff, client_a):
    response = as_staff.post(reverse("customers:client_create"), {"name": client_a.name, "code": "a b", "kind": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in page
    assert "已存在" in page
    assert Client.objects.count() == 1


def test_client_form_errors_are_in_english_for_an_english_user(as_staff, english_staff, client_a):
    page = as_staff.post(reverse("customers:client_create"), {"name": "", "code": "ok", "kind": "community"}).content
    assert "This field is required." in page.decode()


def test_site_form_reports_a_duplicate_name_on_the_name_field(as_staff, archive_a):
    url = reverse("customers:site_create", args=[archive_a.client.pk])
    page = as_staff.post(url, {"name": archive_a.site.name, "kind": "office"}).content.decode()
    assert "该客户已有同名地点。" in page
    assert Site.objects.filter(client=archive_a.client).count() == 1


def test_site_update_shows_history_and_saves(as_staff, archive_a):
    url = reverse("customers:site_update", args=[archive_a.site.pk])
    response = as_staff.post(url, {"name": "新机房", "kind": "machine_room", "address": "", "notes": ""})
    assert response.status_code == 302
    assert "site.update" in as_staff.get(url).content.decode()


def test_contact_form_offers_only_the_clients_own_sites(as_staff, archive_a, archive_b):
    url = reverse("customers:contact_create", args=[archive_a.client.pk])
    page = as_staff.get(url).content.decode()
    assert archive_a.site.name in page
    assert archive_b.site.name not in page
    response = as_staff.post(url, {"name": "钱七", "site": archive_b.site.pk})
    assert "请选择有效的选项" in response.content.decode()
    assert not Contact.objects.filter(name="钱七").exists()


def test_contact_update_saves_normalised_phone_numbers(as_staff, archive_a):
    url = reverse("customers:contact_update", args=[archive_a.contact.pk])
    response = as_staff.post(url, {"name": "改名", "mobile": "139-1234-5678"})
    assert response.status_code == 302
    archive_a.contact.refresh_from_db()
    assert archive_a.contact.mobile == "13912345678"


def test_deployment_form_groups_versions_under_their_products(as_staff, archive_a, product):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    Release.objects.create(product=other, version="1.4.2", released_on=dt.date(2026, 5, 1))
    retired = Product.objects.create(name="旧系统", code="old", is_active=False)
    Release.objects.create(product=retired, version="0.9", released_on=dt.date(2020, 1, 1))
    page = as_staff.get(reverse("customers:deployment_create", args=[archive_a.client.pk])).content.decode()
    assert '<optgroup label="网格化管理系统">' in page
    assert f'<optgroup label="{product.name}">' in page
    assert "1.4.2" in page
    assert "0.9" not in page


def test_deployment_create_sets_the_product_from_the_release(as_staff, archive_a, release):
    url = reverse("customers:deployment_create", args=[archive_a.client.pk])
    response = as_staff.post(url, {"name": "培训环境", "release": release.pk, "environment": "training"})
    deployment = Deployment.objects.get(name="培训环境")
    assert response.status_code == 302
    assert deployment.product_id == release.product_id


def test_deployment_form_reports_a_missing_version(as_staff, archive_a):
    url = reverse("customers:deployment_create", args=[archive_a.client.pk])
    page = as_staff.post(url, {"name": "培训环境", "environment": "training"}).content.decode()
    assert "这个字段是必填项。" in page


def test_deployment_list_filters_by_client_product_environment_and_search(as_staff, archive_a, archive_b):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    grid = Release.objects.create(product=other, version="1.0", released_on=dt.date(2026, 1, 1))
    Deployment.objects.create(
        client=archive_b.client, name="网格测试", product=other, release=grid, environment=Deployment.Environment.TEST
    )
    url = reverse("customers:deployment_list")
    page = as_staff.get(url, {"client": archive_a.client.pk}).content.decode()
    assert archive_a.deployment.name in page
    assert archive_b.deployment.name not in page
    page = as_staff.get(url, {"product": other.pk}).content.decode()
    assert "网格测试" in page
    assert archive_a.deployment.name not in page
    page = as_staff.get(url, {"environment": "test"}).content.decode()
    assert "网格测试" in page
    assert archive_b.deployment.name not in page
    page = as_staff.get(url, {"q": "明日"}).content.decode()
    assert archive_a.deployment.name in page
    assert "网格测试" not in page


def test_deployment_list_has_a_fixed_number_of_queries(as_staff, archive_a, release, django_assert_max_num_queries):
    Deployment.objects.bulk_create(
        Deployment(client=archive_a.client, name=f"环境{i}", product_id=release.product_id, release=release)
        for i in range(30)
    )
    with django_assert_max_num_queries(12):
        response = as_staff.get(reverse("customers:deployment_list"))
    assert response.status_code == 200


def test_client_user_cannot_filter_deployments_by_another_client(as_client_a, archive_a, archive_b):
    page = as_client_a.get(reverse("customers:deployment_list"), {"client": archive_b.client.pk}).content.decode()
    assert archive_b.deployment.name not in page


def test_deployment_detail_lists_servers_with_role_host_address_and_os(as_staff, archive_a):
    page = as_staff.get(reverse("customers:deployment_detail", args=[archive_a.deployment.pk])).content.decode()
    assert "应用服务器" in page
    assert archive_a.node.hostname in page
    assert "10.0.0.1" in page
    assert "Kylin V10" in page
    assert reverse("customers:node_create", args=[archive_a.deployment.pk]) in page


def test_node_can_be_added_edited_and_deleted_from_the_deployment_page(as_staff, archive_a):
    create = reverse("customers:node_create", args=[archive_a.deployment.pk])
    data = {"role": "database", "hostname": "db01", "address": "10.0.0.2", "os": "openEuler"}
    assert as_staff.post(create, data).status_code == 302
    node = DeploymentNode.objects.get(hostname="db01")
    update = reverse("customers:node_update", args=[node.pk])
    assert as_staff.post(update, {**data, "os": "openEuler 22.03"}).status_code == 302
    assert "node.update" in as_staff.get(update).content.decode()
    delete = reverse("customers:node_delete", args=[node.pk])
    assert as_staff.get(delete).status_code == 200
    assert as_staff.post(delete).status_code == 302
    assert not DeploymentNode.objects.filter(pk=node.pk).exists()


def test_node_form_reports_a_bad_address_on_the_address_field(as_staff, archive_a):
    create = reverse("customers:node_create", args=[archive_a.deployment.pk])
    response = as_staff.post(create, {"role": "web", "hostname": "web01", "address": "999.1.1.1"})
    assert response.status_code == 200
    assert 'class="field has-error' in response.content.decode()
    assert not DeploymentNode.objects.filter(hostname="web01").exists()


def test_deleting_a_deployment_under_contract_shows_why_not(as_staff, archive_a):
    response = as_staff.post(reverse("customers:deployment_delete", args=[archive_a.deployment.pk]), follow=True)
    assert "合同" in response.content.decode()
    assert Deployment.objects.filter(pk=archive_a.deployment.pk).exists()


def test_client_user_cannot_delete_their_own_site(as_client_a, archive_a):
    assert as_client_a.post(reverse("customers:site_delete", args=[archive_a.site.pk])).status_code == 403
    assert Site.objects.filter(pk=archive_a.site.pk).exists()
