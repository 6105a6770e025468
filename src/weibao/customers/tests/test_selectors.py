from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from weibao.accounts.models import Role
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError
from weibao.customers import selectors
from weibao.customers.models import Client, Contact, Deployment

GETTERS: list[tuple[Callable[..., Any], str, str]] = [
    (selectors.client_get, "client_id", "client"),
    (selectors.site_get, "site_id", "site"),
    (selectors.contact_get, "contact_id", "contact"),
    (selectors.deployment_get, "deployment_id", "deployment"),
    (selectors.node_get, "node_id", "node"),
    (selectors.technical_file_get, "technical_file_id", "technical_file"),
]


@pytest.mark.parametrize("case", GETTERS, ids=[g[2] for g in GETTERS])
def test_client_user_cannot_get_another_clients_object(client_a_user, archive_a, archive_b, case):
    getter, argument, attribute = case
    own = getattr(archive_a, attribute)
    assert getter(actor=client_a_user, **{argument: own.pk}).pk == own.pk
    with pytest.raises(ObjectNotFoundError):
        getter(actor=client_a_user, **{argument: getattr(archive_b, attribute).pk})


def test_staff_see_every_client(staff, archive_a, archive_b):
    assert set(selectors.client_list(actor=staff)) == {archive_a.client, archive_b.client}


def test_client_user_lists_only_their_own_archive(client_a_user, archive_a, archive_b):
    assert list(selectors.client_list(actor=client_a_user)) == [archive_a.client]
    assert list(selectors.site_list(actor=client_a_user)) == [archive_a.site]
    assert list(selectors.contact_list(actor=client_a_user)) == [archive_a.contact]
    assert list(selectors.deployment_list(actor=client_a_user)) == [archive_a.deployment]
    assert list(selectors.node_list(actor=client_a_user)) == [archive_a.node]
    assert list(selectors.technical_file_list(actor=client_a_user)) == [archive_a.technical_file]


def test_client_user_filtering_by_another_client_gets_nothing(client_a_user, archive_a, archive_b):
    assert not selectors.deployment_list(actor=client_a_user, client_id=archive_b.client.pk).exists()
    assert not selectors.site_list(actor=client_a_user, client_id=archive_b.client.pk).exists()


def test_client_user_without_a_membership_sees_nothing(archive_a, django_user_model):
    orphan = django_user_model.objects.create_user(username="orphan", role=Role.CLIENT_USER)
    assert not selectors.client_list(actor=orphan).exists()
    with pytest.raises(ObjectNotFoundError):
        selectors.client_get(actor=orphan, client_id=archive_a.client.pk)


def test_inactive_staff_see_nothing(staff, archive_a):
    staff.is_active = False
    assert not selectors.client_list(actor=staff).exists()


def test_client_list_filters_by_kind_region_activity_and_search(staff, archive_a, archive_b):
    school = Client.objects.create(
        name="实验小学", code="school", kind=Client.Kind.SCHOOL, region="余杭区", is_active=False
    )
    assert list(selectors.client_list(actor=staff, kind=Client.Kind.SCHOOL)) == [school]
    assert list(selectors.client_list(actor=staff, region="余杭")) == [school]
    assert school not in selectors.client_list(actor=staff, is_active=True)
    assert list(selectors.client_list(actor=staff, q="hyjd")) == [archive_b.client]
    assert list(selectors.client_list(actor=staff, q="明日")) == [archive_a.client]


@pytest.mark.parametrize(
    "dialled",
    ["13912345678", "139 1234 5678", "+86 139-1234-5678", "008613912345678", "057188881234", "88881234"],
)
def test_contact_is_found_by_the_number_a_caller_dials(staff, client_a, dialled):
    mobile = Contact.objects.create(client=client_a, name="手机联系人", mobile="13912345678")
    landline = Contact.objects.create(client=client_a, name="座机联系人", office_phone="057188881234")
    found = set(selectors.contact_list(actor=staff, phone=dialled))
    assert found == ({mobile} if dialled.replace(" ", "").replace("-", "").endswith("5678") else {landline})


def test_contact_is_not_found_by_a_short_fragment_of_a_number(staff, client_a):
    Contact.objects.create(client=client_a, name="手机联系人", mobile="13912345678")
    assert not selectors.contact_list(actor=staff, phone="5678").exists()


def test_contact_is_found_by_email_ignoring_case_and_by_name(staff, client_a):
    contact = Contact.objects.create(client=client_a, name="张三丰", email="zhang@example.cn")
    assert list(selectors.contact_list(actor=staff, email="ZHANG@example.cn")) == [contact]
    assert list(selectors.contact_list(actor=staff, name="三丰")) == [contact]


def test_client_user_cannot_find_another_clients_contact_by_phone(client_a_user, archive_a, archive_b):
    assert not selectors.contact_list(actor=client_a_user, phone=archive_b.contact.mobile).exists()


def test_deployment_list_filters(staff, archive_a, archive_b, product):
    other = Product.objects.create(name="网格化管理系统", code="grid")
    grid = Release.objects.create(product=other, version="1.0", released_on=dt.date(2026, 1, 1))
    staging = Deployment.objects.create(
        client=archive_a.client,
        name="网格预发布",
        product=other,
        release=grid,
        environment=Deployment.Environment.STAGING,
    )
    assert list(selectors.deployment_list(actor=staff, product_id=other.pk)) == [staging]
    assert list(selectors.deployment_list(actor=staff, release_id=grid.pk)) == [staging]
    assert list(selectors.deployment_list(actor=staff, environment="staging")) == [staging]
    assert set(selectors.deployment_list(actor=staff, client_id=archive_a.client.pk)) == {archive_a.deployment, staging}
    assert list(selectors.deployment_list(actor=staff, q="海源")) == [archive_b.deployment]
    assert list(selectors.deployment_list(actor=staff, q="1.0")) == [staging]


def test_client_history_shows_staff_every_archive_event_and_client_users_only_the_client_record(
    staff, client_a_user, archive_a
):
    from weibao.customers import services

    services.site_update(actor=staff, site=archive_a.site, changes={"address": "一楼"})
    services.client_update(actor=staff, client=archive_a.client, changes={"region": "西湖区"})
    staff_view = [e.action for e in selectors.client_history(actor=staff, client=archive_a.client)]
    client_view = [e.action for e in selectors.client_history(actor=client_a_user, client=archive_a.client)]
    assert staff_view == ["client.update", "site.update"]
    assert client_view == ["client.update"]
