from __future__ import annotations

import datetime as dt

import pytest

from weibao.catalog import selectors
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError


def test_product_list_searches_name_and_code_and_filters_activity(staff, product):
    retired = Product.objects.create(name="旧系统", code="legacy", is_active=False)
    assert list(selectors.product_list(actor=staff, q="legacy")) == [retired]
    assert list(selectors.product_list(actor=staff, q="社区")) == [product]
    assert list(selectors.product_list(actor=staff, is_active=False)) == [retired]


def test_staff_get_deployment_counts_and_client_users_do_not(staff, client_a_user, archive_a, archive_b, product):
    assert getattr(selectors.product_list(actor=staff).get(), "deployment_count") == 2  # noqa: B009
    assert not hasattr(selectors.product_list(actor=client_a_user).get(), "deployment_count")
    assert selectors.product_deployment_count(actor=client_a_user, product=product) is None
    assert selectors.product_deployment_count(actor=staff, product=product) == 2


def test_products_and_releases_are_readable_by_every_client(client_a_user, archive_b, release):
    # Vendor-wide objects: a client user may read the product another client runs.
    assert selectors.product_get(actor=client_a_user, product_id=release.product_id) == release.product
    assert selectors.release_get(actor=client_a_user, release_id=release.pk) == release


def test_unknown_ids_raise_not_found(staff):
    with pytest.raises(ObjectNotFoundError):
        selectors.product_get(actor=staff, product_id=404)
    with pytest.raises(ObjectNotFoundError):
        selectors.release_get(actor=staff, release_id=404)


def test_release_list_is_newest_first_within_a_product(staff, release):
    newer = Release.objects.create(product=release.product, version="3.3.0", released_on=dt.date(2026, 9, 1))
    assert list(selectors.release_list(actor=staff, product=release.product)) == [newer, release]
