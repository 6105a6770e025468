from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient

from weibao.accounts.models import AccessToken
from weibao.accounts.tokens import token_create
from weibao.catalog.models import Product, Release

API = "/api/v1"


def test_product_and_release_crud_through_the_api(as_staff):
    created = as_staff.post(f"{API}/products", {"name": "智慧校园平台", "code": "campus"}, "application/json")
    assert created.status_code == 201
    product_id = created.json()["id"]
    patched = as_staff.patch(f"{API}/products/{product_id}", {"description": "面向中小学"}, "application/json")
    assert patched.json()["description"] == "面向中小学"
    release = as_staff.post(
        f"{API}/products/{product_id}/releases", {"version": "1.0.0", "released_on": "2026-10-01"}, "application/json"
    )
    assert release.status_code == 201
    release_id = release.json()["id"]
    assert release.json()["product_name"] == "智慧校园平台"
    listed = as_staff.get(f"{API}/products/{product_id}/releases").json()
    assert [item["id"] for item in listed["items"]] == [release_id]
    assert as_staff.patch(f"{API}/releases/{release_id}", {"notes": "首个版本"}, "application/json").status_code == 200
    assert as_staff.get(f"{API}/releases/{release_id}").json()["notes"] == "首个版本"
    assert as_staff.delete(f"{API}/releases/{release_id}").status_code == 204
    assert as_staff.delete(f"{API}/products/{product_id}").status_code == 204
    assert not Product.objects.filter(pk=product_id).exists()


def test_product_list_searches_and_filters(as_staff, product):
    Product.objects.create(name="旧系统", code="legacy", is_active=False)
    assert as_staff.get(f"{API}/products", {"q": "legacy"}).json()["items"][0]["code"] == "legacy"
    assert as_staff.get(f"{API}/products", {"is_active": "true"}).json()["count"] == 1


def test_bad_product_fields_are_422_naming_each_field(as_staff, product):
    response = as_staff.post(f"{API}/products", {"name": product.name, "code": "a b"}, "application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "code"}


def test_missing_release_date_is_422_on_released_on_in_english(as_staff, staff, product):
    staff.language = "en"
    staff.save()
    response = as_staff.post(f"{API}/products/{product.pk}/releases", {"version": "9"}, "application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"released_on": ["This field is required."]}


def test_taken_version_is_422_on_version_in_chinese(as_staff, release):
    url = f"{API}/products/{release.product_id}/releases"
    response = as_staff.post(url, {"version": "3.2.0", "released_on": "2026-01-01"}, "application/json")
    assert response.json()["errors"] == {"version": ["该产品已有此版本号。"]}


def test_product_in_use_is_409_on_delete(as_staff, archive_a, product):
    response = as_staff.delete(f"{API}/products/{product.pk}")
    assert response.status_code == 409
    assert "不能删除" in response.json()["detail"]


def test_client_users_read_products_but_cannot_write_them(as_client_a, release):
    assert as_client_a.get(f"{API}/products/{release.product_id}").status_code == 200
    assert as_client_a.get(f"{API}/releases/{release.pk}").status_code == 200
    response = as_client_a.patch(f"{API}/products/{release.product_id}", {"name": "x"}, "application/json")
    assert response.status_code == 403


def test_read_only_token_cannot_write(staff, product):
    issued = token_create(actor=staff, name="只读", scope=AccessToken.Scope.READ)
    reader = HttpClient(headers={"Authorization": f"Bearer {issued.plaintext}"})
    assert reader.get(f"{API}/products/{product.pk}").status_code == 200
    assert reader.delete(f"{API}/products/{product.pk}").status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_unknown_product_is_404(as_staff):
    assert as_staff.get(f"{API}/products/999").status_code == 404


def test_list_endpoints_use_a_fixed_number_of_queries(as_staff, product, django_assert_max_num_queries):
    Release.objects.bulk_create(
        Release(product=product, version=f"1.{i}", released_on=dt.date(2026, 1, 1) + dt.timedelta(days=i))
        for i in range(30)
    )
    Product.objects.bulk_create(Product(name=f"产品{i}", code=f"p{i}") for i in range(30))
    with django_assert_max_num_queries(6):
        assert as_staff.get(f"{API}/products").status_code == 200
    with django_assert_max_num_queries(7):
        assert as_staff.get(f"{API}/products/{product.pk}/releases").json()["count"] == 30


def test_patch_with_null_for_a_required_field_is_422_on_that_field(as_staff, product):
    response = as_staff.patch(f"{API}/products/{product.pk}", {"name": None}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["name"]
