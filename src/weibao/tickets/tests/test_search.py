"""Text search over requests answers substrings, Chinese included, on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from weibao.tickets.selectors import TicketFilter, ticket_count, ticket_list
from weibao.tickets.services.tickets import ticket_update
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def found(actor, q: str) -> set[str]:
    return {t.title for t in ticket_list(actor=actor, filters=TicketFilter(queue="all", q=q))}


@pytest.fixture
def tickets(staff, client_a):
    make_ticket(actor=staff, client=client_a, title="打印机无法连接", description="<p>三楼 Printer 报错</p>")
    make_ticket(actor=staff, client=client_a, title="证书过期导致登录失败", description="")
    make_ticket(actor=staff, client=client_a, title="数据同步异常", description="<p>100% 卡住 a_b</p>")


@pytest.mark.usefixtures("tickets")
@pytest.mark.parametrize(
    ("q", "titles"),
    [
        ("打印机", {"打印机无法连接"}),
        ("printer", {"打印机无法连接"}),
        ("登录", {"证书过期导致登录失败"}),
        ("证书过期", {"证书过期导致登录失败"}),
        ("量子纠缠", set()),
        ("100%", {"数据同步异常"}),
        ("_", {"数据同步异常"}),
        ('"打印', set()),
    ],
)
def test_search_finds_substrings_of_summary_and_description(staff, q: str, titles: set[str]) -> None:
    assert found(staff, q) == titles


def test_search_follows_an_edited_summary(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, title="旧的标题内容")
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"title": "新的标题内容"})
    assert found(staff, "旧的标题") == set()
    assert found(staff, "新的标题") == {"新的标题内容"}


def test_search_never_crosses_client_isolation(staff, client_a, client_b, client_b_user) -> None:
    make_ticket(actor=staff, client=client_a, title="打印机卡纸")
    assert found(client_b_user, "打印机") == set()


@pytest.mark.parametrize("dialled", ["+86 139 1234 5678", "13912345678", "0086-139-1234-5678"])
def test_search_by_the_callers_number_in_any_spelling(staff, client_a, dialled: str) -> None:
    make_ticket(actor=staff, client=client_a, title="来电报修", caller_phone="139-1234-5678")
    assert found(staff, dialled) == {"来电报修"}


@pytest.mark.parametrize("name", ["欧阳振华", "李娜"])
def test_search_by_the_contacts_name_finds_their_requests_and_text_matches(staff, archive_a, name: str) -> None:
    archive_a.contact.name = name
    archive_a.contact.save()
    make_ticket(actor=staff, client=archive_a.client, title="门户无法访问", contact=archive_a.contact)
    make_ticket(actor=staff, client=archive_a.client, title=f"{name}反映报表缺数")
    make_ticket(actor=staff, client=archive_a.client, title="与此无关")
    assert found(staff, name) == {"门户无法访问", f"{name}反映报表缺数"}
    assert ticket_count(actor=staff, filters=TicketFilter(queue="all", q=name)) == 2


def test_search_by_the_contacts_mobile(staff, archive_a) -> None:
    make_ticket(actor=staff, client=archive_a.client, title="联系人来电", contact=archive_a.contact)
    assert found(staff, archive_a.contact.mobile) == {"联系人来电"}


def test_the_search_index_survives_every_migration() -> None:
    """A migration that rebuilds the request table on SQLite drops its triggers unless it restores them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets_ticket'")
            expected = {"tickets_ticket_search_insert", "tickets_ticket_search_delete", "tickets_ticket_search_update"}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'")
            expected = {"tickets_ticket_search_trgm"}
        assert expected <= {name for (name,) in cursor.fetchall()}
