from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from weibao.catalog.models import Product, Release


def test_product_list_searches_filters_and_paginates(as_staff, product):
    Product.objects.bulk_create(Product(name=f"产品{i:02d}", code=f"p{i:02d}", is_active=i % 2 == 0) for i in range(40))
    url = reverse("catalog:product_list")
    first = as_staff.get(url).content.decode()
    assert "产品00" in first
    assert "产品39" not in first
    assert "产品39" in as_staff.get(url, {"page": 2}).content.decode()
    searched = as_staff.get(url, {"q": "community"}).content.decode()
    assert product.name in searched
    assert "产品00" not in searched
    inactive = as_staff.get(url, {"is_active": "0"}).content.decode()
    assert "产品01" in inactive
    assert "产品02" not in inactive


def test_product_list_has_a_fixed_number_of_queries(as_staff, product, django_assert_max_num_queries):
    Product.objects.bulk_create(Product(name=f"产品{i:02d}", code=f"p{i:02d}") for i in range(30))
    with django_assert_max_num_queries(10):
        assert as_staff.get(reverse("catalog:product_list")).status_code == 200


def test_product_detail_shows_releases_deployment_count_and_history(as_staff, staff, archive_a, release):
    from weibao.catalog import services

    services.product_update(actor=staff, product=release.product, changes={"description": "面向街道社区"})
    page = as_staff.get(reverse("catalog:product_detail", args=[release.product_id])).content.decode()
    assert "3.2.0" in page
    assert f"{reverse('customers:deployment_list')}?product={release.product_id}" in page
    assert "product.update" in page
    assert "面向街道社区" in page


def test_client_users_may_read_products_but_see_no_counts_or_buttons(as_client_a, archive_a, release):
    response = as_client_a.get(reverse("catalog:product_detail", args=[release.product_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3.2.0" in page
    assert f"?product={release.product_id}" not in page
    assert reverse("catalog:release_create", args=[release.product_id]) not in page


@pytest.mark.parametrize("name", ["catalog:product_update", "catalog:product_delete", "catalog:release_create"])
def test_client_users_get_403_on_product_write_pages(as_client_a, product, name):
    key = "product_pk" if name.endswith("release_create") else "pk"
    assert as_client_a.get(reverse(name, kwargs={key: product.pk})).status_code == 403


def test_product_create_redirects_to_the_new_product(as_staff):
    response = as_staff.post(
        reverse("catalog:product_create"), {"name": "智慧校园平台", "code": "campus", "is_active": "on"}
    )
    product = Product.objects.get(code="campus")
    assert response["Location"] == reverse("catalog:product_detail", args=[product.pk])


def test_product_form_shows_field_errors_in_chinese(as_staff, product):
    page = as_staff.post(reverse("catalog:product_create"), {"name": product.name, "code": ""}).content.decode()
    assert "这个字段是必填项。" in page
    assert "已存在" in page


def test_product_form_shows_field_errors_in_english_for_an_english_user(as_staff, staff):
    staff.language = "en"
    staff.save()
    page = as_staff.post(reverse("catalog:product_create"), {"name": "", "code": "ok"}).content.decode()
    assert "This field is required." in page


def test_release_form_reports_a_taken_version_on_the_version_field(as_staff, release):
    url = reverse("catalog:release_create", args=[release.product_id])
    page = as_staff.post(url, {"version": "3.2.0", "released_on": "2026-05-01"}).content.decode()
    assert "该产品已有此版本号。" in page
    assert Release.objects.count() == 1


def test_release_can_be_added_edited_and_deleted(as_staff, product):
    create = reverse("catalog:release_create", args=[product.pk])
    assert as_staff.post(create, {"version": "4.0.0", "released_on": "2026-10-01"}).status_code == 302
    release = Release.objects.get(version="4.0.0")
    update = reverse("catalog:release_update", args=[release.pk])
    assert as_staff.post(update, {"version": "4.0.1", "released_on": "2026-10-02"}).status_code == 302
    assert "release.update" in as_staff.get(update).content.decode()
    assert as_staff.post(reverse("catalog:release_delete", args=[release.pk])).status_code == 302
    assert not Release.objects.filter(pk=release.pk).exists()


def test_deleting_a_product_in_use_shows_why_not(as_staff, archive_a, product):
    response = as_staff.post(reverse("catalog:product_delete", args=[product.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()


def test_product_with_only_releases_can_be_deleted_from_the_page(as_staff):
    product = Product.objects.create(name="旧系统", code="old")
    Release.objects.create(product=product, version="1.0", released_on=dt.date(2020, 1, 1))
    assert as_staff.post(reverse("catalog:product_delete", args=[product.pk])).status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
