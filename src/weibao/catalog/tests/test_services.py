from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.catalog import services
from weibao.catalog.errors import ProductInUseError
from weibao.catalog.models import Product, Release
from weibao.core.errors import PermissionDeniedError


def test_product_create_records_an_event_without_a_client(staff):
    product = services.product_create(actor=staff, name=" 智慧校园平台 ", code="campus")
    event = AuditEvent.objects.get(action="product.create")
    assert product.name == "智慧校园平台"
    assert event.client_id is None
    assert event.after["code"] == "campus"


def test_product_create_names_every_bad_field(staff, product):
    with pytest.raises(ValidationError) as caught:
        services.product_create(actor=staff, name=product.name, code="not a slug")
    assert set(caught.value.message_dict) == {"name", "code"}
    assert Product.objects.count() == 1


@pytest.mark.parametrize("persona", ["client_a_user", "auditor"])
def test_only_archive_writers_may_change_products(request, persona, product):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDeniedError):
        services.product_update(actor=actor, product=product, changes={"name": "x"})


def test_product_update_records_only_the_changed_fields(staff, product):
    services.product_update(actor=staff, product=product, changes={"is_active": False, "name": product.name})
    event = AuditEvent.objects.get(action="product.update")
    assert event.before == {"is_active": True}
    assert event.after == {"is_active": False}


def test_product_in_use_cannot_be_deleted(staff, archive_a):
    with pytest.raises(ProductInUseError) as caught:
        services.product_delete(actor=staff, product=archive_a.deployment.product)
    assert "1" in caught.value.message
    assert caught.value.status_code == 409


def test_product_delete_takes_its_releases_along(staff):
    product = services.product_create(actor=staff, name="旧系统", code="old")
    services.release_create(actor=staff, product=product, version="1.0", released_on=dt.date(2020, 1, 1))
    services.product_delete(actor=staff, product=product)
    assert not Release.objects.filter(product_id=product.pk).exists()
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["product.create", "product.delete", "release.create", "release.delete"]


def test_release_version_taken_in_the_product_is_an_error_on_version(staff, release):
    with pytest.raises(ValidationError) as caught:
        services.release_create(actor=staff, product=release.product, version="3.2.0", released_on=dt.date(2026, 4, 1))
    assert list(caught.value.message_dict) == ["version"]


def test_release_without_a_date_is_an_error_on_released_on(staff, product):
    with pytest.raises(ValidationError) as caught:
        services.release_create(actor=staff, product=product, version="4.0", released_on=None)
    assert list(caught.value.message_dict) == ["released_on"]


def test_release_update_and_delete_record_events(staff, product):
    release = services.release_create(actor=staff, product=product, version="4.0", released_on=dt.date(2026, 8, 1))
    services.release_update(actor=staff, release=release, changes={"notes": "修复若干问题"})
    services.release_delete(actor=staff, release=release)
    events = AuditEvent.objects.filter(action__startswith="release.").order_by("id")
    assert [e.action for e in events] == ["release.create", "release.update", "release.delete"]
    assert events[1].after == {"notes": "修复若干问题"}


def test_release_in_use_cannot_be_deleted(staff, archive_a):
    with pytest.raises(ProductInUseError):
        services.release_delete(actor=staff, release=archive_a.deployment.release)
