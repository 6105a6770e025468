"""The search interface finds Chinese, mixed text, codes and request numbers on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from weibao.accounts.models import User
from weibao.customers.models import Client, ClientMembership
from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search import Document, Filters, document_index, document_remove, search, segment
from weibao.knowledge.search.segment import query_terms


def _article(pk: int, title: str, body: str, *, public: bool = True, status: str = "published") -> None:
    document_index(
        Document(kind="article", object_id=pk, title=title, body=body, public=public, status=status, subtype="faq")
    )


def _request(pk: int, client: Client, title: str, body: str = "", number: str = "") -> None:
    document_index(
        Document(
            kind="request",
            object_id=pk,
            title=title,
            body=body,
            client_id=client.pk,
            public=True,
            reference=number,
            subtype="fault",
        )
    )


def _found(actor: User, query: str, **filters: object) -> list[tuple[str, int]]:
    results = search(actor=actor, query=query, filters=Filters(**filters))  # type: ignore[arg-type]
    return [(hit.kind, hit.object_id) for hit in results.hits]


def test_segment_keeps_latin_numbers_and_codes_as_terms() -> None:
    terms = segment("Nginx 502 错误 WB-20261121-0007 ORA-12541").split()
    assert {"nginx", "502", "错误", "wb202611210007", "ora12541", "20261121"} <= set(terms)


def test_query_terms_drop_phrasing_words_but_never_everything() -> None:
    assert query_terms("服务器宕机了怎么办") == ["服务", "务器", "服务器", "宕机"]
    assert query_terms("怎么办") == ["怎么", "怎么办"]


@pytest.mark.django_db
def test_two_character_words_are_found(staff: User) -> None:
    _article(1, "服务器宕机处理", "机房断电后服务器宕机，按以下步骤恢复。")
    _article(2, "网络不通排查", "先检查交换机和网线，再检查政务外网网闸。")
    assert _found(staff, "宕机") == [("article", 1)]
    assert _found(staff, "网络") == [("article", 2)]


@pytest.mark.django_db
def test_one_character_words_are_found(staff: User) -> None:
    _article(1, "卡", "读卡器无法识别社保卡")
    assert _found(staff, "卡") == [("article", 1)]


@pytest.mark.django_db
def test_mixed_text_and_error_codes_are_found(staff: User) -> None:
    _article(1, "Nginx 502 错误", "上游服务超时，Nginx 返回 502 Bad Gateway。")
    _article(2, "数据库连接失败", "Oracle 报 ORA-12541: TNS 无监听程序。")
    _article(3, "Nginx 配置说明", "如何修改 nginx.conf 的 worker 数量。")
    assert _found(staff, "Nginx 502 错误")[0] == ("article", 1)
    assert _found(staff, "ORA-12541") == [("article", 2)]
    assert _found(staff, "nginx")[:2] in ([("article", 3), ("article", 1)], [("article", 1), ("article", 3)])


@pytest.mark.django_db
def test_request_numbers_are_found(staff: User, client_a: Client) -> None:
    _request(7, client_a, "登录页面白屏", number="WB-20261121-0007")
    _request(8, client_a, "登录页面白屏", number="WB-20261121-0008")
    assert _found(staff, "WB-20261121-0007") == [("request", 7)]


@pytest.mark.django_db
def test_documents_with_every_term_rank_before_those_with_some(staff: User) -> None:
    _article(1, "打印机故障", "打印机卡纸")
    _article(2, "网络故障", "网络中断，打印机无法连接")
    hits = _found(staff, "网络 打印机")
    assert hits == [("article", 2), ("article", 1)]


@pytest.mark.django_db
def test_title_matches_rank_above_text_matches(staff: User) -> None:
    _article(1, "备份说明", "每日备份。证书过期后需要更新证书。")
    _article(2, "证书过期", "更新证书的步骤。")
    assert _found(staff, "证书过期")[0] == ("article", 2)


@pytest.mark.django_db
def test_snippets_mark_the_original_text(staff: User) -> None:
    _article(1, "Nginx 502 错误", "前文" * 50 + "上游服务超时，Nginx 返回 502，<script>不会执行</script>。")
    hit = search(actor=staff, query="nginx 502").hits[0]
    assert "<mark>Nginx</mark>" in hit.title
    assert "<mark>502</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet or "<script>" not in hit.snippet
    assert hit.snippet.startswith("…")


@pytest.mark.django_db
def test_filters_narrow_by_kind_and_client(staff: User, client_a: Client, client_b: Client) -> None:
    _article(1, "证书过期", "更新证书")
    _request(2, client_a, "证书过期了")
    _request(3, client_b, "证书过期了")
    assert _found(staff, "证书", kinds=["request"], client_id=client_b.pk) == [("request", 3)]
    assert _found(staff, "证书", kinds=["article"]) == [("article", 1)]


@pytest.mark.django_db
def test_client_isolation_search_shows_public_articles_and_own_requests(
    client_a_user: User, client_a: Client, client_b: Client
) -> None:
    _article(1, "证书过期 公开", "更新证书")
    _article(2, "证书过期 内部", "内部处理办法", public=False)
    _article(3, "证书过期 草稿", "草稿", public=False, status="draft")
    _request(4, client_a, "证书过期了")
    _request(5, client_b, "证书过期了")
    found = set(_found(client_a_user, "证书"))
    assert found == {("article", 1), ("request", 4)}
    assert set(_found(client_a_user, "证书", client_id=client_b.pk)) == found


@pytest.mark.django_db
def test_client_isolation_client_user_without_client_finds_nothing(client_a_user: User) -> None:
    _article(1, "证书过期", "更新证书")
    ClientMembership.objects.filter(user=client_a_user).delete()
    fresh = User.objects.get(pk=client_a_user.pk)
    assert _found(fresh, "证书") == []


@pytest.mark.django_db
def test_reindexing_replaces_and_removing_deletes(staff: User) -> None:
    _article(1, "证书过期", "更新证书")
    _article(1, "密码重置", "重置密码")
    assert _found(staff, "证书") == []
    assert _found(staff, "密码") == [("article", 1)]
    document_remove("article", 1)
    assert _found(staff, "密码") == []
    assert not SearchEntry.objects.exists()


@pytest.mark.django_db
def test_paging_returns_the_next_results(staff: User) -> None:
    for pk in range(1, 8):
        _article(pk, f"网络故障 {pk}", "网络")
    first = search(actor=staff, query="网络", limit=5)
    second = search(actor=staff, query="网络", limit=5, offset=5)
    assert first.has_more
    assert not second.has_more
    assert len({h.object_id for h in first.hits} | {h.object_id for h in second.hits}) == 7


@pytest.mark.django_db
def test_an_empty_query_finds_nothing(staff: User) -> None:
    _article(1, "网络", "网络")
    assert search(actor=staff, query="  ，。 ").hits == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm near matches are PostgreSQL's")
@pytest.mark.django_db
def test_misspelt_english_words_find_near_matches_on_postgresql(staff: User) -> None:
    _article(1, "Gateway timeout on login", "upstream")
    results = search(actor=staff, query="gatway timout")
    assert [h.object_id for h in results.hits] == [1]
    assert results.fuzzy
