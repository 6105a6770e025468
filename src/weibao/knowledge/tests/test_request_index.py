"""Requests enter, change and leave the search index with the request; drift is found and repaired."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search import search
from weibao.knowledge.search.reconcile import reconcile
from weibao.knowledge.tests.factories import published_article
from weibao.tickets.models import Ticket
from weibao.tickets.services.tickets import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def _request(actor: User, client: Client, title: str, description: str = "") -> Ticket:
    return ticket_create(
        actor=actor, client=client, title=title, kind="fault", channel="hotline", description=description
    )


def _found(actor: User, query: str) -> list[tuple[str, int]]:
    return [(hit.kind, hit.object_id) for hit in search(actor=actor, query=query).hits]


def test_a_new_request_is_searchable_in_its_own_transaction(staff: User, client_a: Client) -> None:
    with transaction.atomic():
        ticket = _request(staff, client_a, "政务外网访问缓慢", "<p>下午三点起网络丢包</p>")
        assert _found(staff, "丢包") == [("request", ticket.pk)]
    assert _found(staff, ticket.number) == [("request", ticket.pk)]
    entry = SearchEntry.objects.get(kind="request", object_id=ticket.pk)
    assert entry.body == "下午三点起网络丢包"
    assert entry.product_id is None


def test_editing_a_request_reindexes_it(staff: User, client_a: Client) -> None:
    ticket = _request(staff, client_a, "政务外网访问缓慢")
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"title": "证书过期导致登录失败"})
    assert _found(staff, "证书") == [("request", ticket.pk)]
    assert _found(staff, "外网") == []


def test_a_rolled_back_request_leaves_no_entry(staff: User, client_a: Client) -> None:
    def create_then_fail() -> None:
        with transaction.atomic():
            _request(staff, client_a, "政务外网访问缓慢")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert not SearchEntry.objects.exists()


def test_deleting_a_request_takes_it_out_of_the_index(staff: User, client_a: Client) -> None:
    ticket = _request(staff, client_a, "政务外网访问缓慢")
    ticket.delete()
    assert not SearchEntry.objects.filter(kind="request").exists()


def test_a_save_of_fields_the_index_does_not_read_leaves_the_entry(staff: User, client_a: Client) -> None:
    ticket = _request(staff, client_a, "政务外网访问缓慢")
    Ticket.objects.filter(pk=ticket.pk).update(title="改过的标题")
    ticket.refresh_from_db()
    ticket.save(update_fields=["supervised"])
    assert SearchEntry.objects.get(object_id=ticket.pk).title == "政务外网访问缓慢"


def test_client_isolation_requests_of_another_client_are_never_found(
    staff: User, client_a: Client, client_b: Client, client_a_user: User
) -> None:
    mine = _request(staff, client_a, "证书过期")
    theirs = _request(staff, client_b, "证书过期")
    assert _found(client_a_user, "证书") == [("request", mine.pk)]
    assert _found(client_a_user, theirs.number) == []


def test_reconcile_finds_and_repairs_missing_stale_and_orphan_entries(staff: User, client_a: Client) -> None:
    article = published_article(staff, title="证书更新", body="步骤")
    kept = _request(staff, client_a, "证书过期")
    lost = _request(staff, client_a, "网络中断")
    changed = _request(staff, client_a, "打印机卡纸")
    SearchEntry.objects.filter(object_id=lost.pk, kind="request").delete()
    Ticket.objects.filter(pk=changed.pk).update(title="扫描仪故障")
    SearchEntry.objects.create(kind="request", object_id=999_999, title="x", digest="x", updated_at=kept.created_at)
    drift = {d.kind: d for d in reconcile(repair=False)}
    assert (drift["request"].missing, drift["request"].stale, drift["request"].orphans) == (1, 1, 1)
    assert drift["article"].total == 0
    with pytest.raises(CommandError):
        call_command("search_reconcile", "--check")
    call_command("search_reconcile")
    assert all(d.total == 0 for d in reconcile(repair=False))
    assert _found(staff, "扫描仪") == [("request", changed.pk)]
    assert _found(staff, "网络") == [("request", lost.pk)]
    assert _found(staff, "证书更新")[0] == ("article", article.pk)
