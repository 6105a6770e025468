"""Requests are grouped by similar questions (MinHash) into the FAQ, with counts and linked articles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.knowledge import minhash
from weibao.knowledge.faq import question_groups
from weibao.knowledge.search.segment import query_terms
from weibao.knowledge.tests.factories import published_article
from weibao.tickets.services.tickets import ticket_create


def test_similar_term_sets_get_close_signatures_and_different_ones_do_not() -> None:
    a = minhash.signature(query_terms("登录页面白屏"))
    b = minhash.signature(query_terms("登录页面白屏了"))
    c = minhash.signature(query_terms("打印机卡纸"))
    assert minhash.similarity(a, b) == 1.0
    assert minhash.similarity(a, c) < 0.2


def test_groups_join_similar_questions_largest_first() -> None:
    texts = ["登录页面白屏", "登录后页面白屏", "页面白屏无法登录", "打印机卡纸", "打印机又卡纸", "证书过期"]
    found = minhash.groups([minhash.signature(query_terms(t)) for t in texts], threshold=0.5)
    assert sorted(map(sorted, found[:2])) == [[0, 1, 2], [3, 4]]
    assert [5] in found


@pytest.mark.django_db
def test_the_faq_lists_frequent_questions_with_counts_and_articles(
    staff: User, client_a: Client, client_b: Client, client_a_user: User
) -> None:
    article = published_article(staff, title="登录页面白屏的处理方法", body="清除缓存")
    for client, title in [(client_a, "登录页面白屏"), (client_b, "登录页面白屏了"), (client_a, "登录后页面白屏")]:
        ticket_create(actor=staff, client=client, title=title, kind="fault", channel="hotline")
    ticket_create(actor=staff, client=client_a, title="打印机卡纸", kind="fault", channel="hotline")
    now = timezone.now()
    groups = question_groups(actor=staff, since=now - dt.timedelta(days=30), until=now + dt.timedelta(minutes=1))
    assert [g.count for g in groups] == [3]
    assert "白屏" in groups[0].question
    assert [hit.object_id for hit in groups[0].articles] == [article.pk]
    assert question_groups(actor=client_a_user, since=now - dt.timedelta(days=30), until=now) == []
