"""Knowledge pages: staff articles and workflow, the portal's articles, search, suggestions, from a request."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.knowledge.models import Article
from weibao.knowledge.tests.factories import published_article
from weibao.tickets.models import Ticket
from weibao.tickets.services.tickets import ticket_create

pytestmark = pytest.mark.django_db


def test_staff_write_submit_and_publish_an_article_through_the_pages(as_staff: HttpClient) -> None:
    answer = as_staff.post(
        reverse("knowledge:article_create"),
        {"kind": "howto", "title": "证书更新", "body": "登录服务器，替换证书文件。", "client_visible": "on"},
    )
    article = Article.objects.get()
    assert answer["Location"] == reverse("knowledge:article_detail", args=[article.pk])
    step = reverse("knowledge:article_transition", args=[article.pk])
    as_staff.post(step, {"action": "submit"})
    as_staff.post(step, {"action": "publish"})
    article.refresh_from_db()
    assert article.status == "published"
    page = as_staff.get(reverse("knowledge:article_detail", args=[article.pk])).content.decode()
    assert "证书更新" in page
    assert "修订历史" in page


def test_a_blank_article_is_refused_naming_the_field(as_staff: HttpClient) -> None:
    answer = as_staff.post(reverse("knowledge:article_create"), {"kind": "faq", "title": "", "body": "x"})
    assert answer.status_code == 200
    assert answer.context["form"].errors["title"]
    assert not Article.objects.exists()


def test_editing_through_the_page_keeps_a_revision(staff: User, as_staff: HttpClient) -> None:
    article = published_article(staff, title="证书更新", body="旧步骤")
    fields = {"kind": "howto", "title": "证书更新", "body": "新步骤", "note": "改步骤", "client_visible": "on"}
    as_staff.post(reverse("knowledge:article_update", args=[article.pk]), fields)
    article.refresh_from_db()
    assert article.revision == 2
    assert article.revisions.first().note == "改步骤"  # type: ignore[union-attr]


def test_the_article_list_and_search_page_find_chinese_words(staff: User, as_staff: HttpClient) -> None:
    published_article(staff, title="服务器宕机处理", body="断电后恢复")
    listed = as_staff.get(reverse("knowledge:article_list"), {"q": "宕机"}).content.decode()
    assert "服务器宕机处理" in listed
    found = as_staff.get(reverse("knowledge:search"), {"q": "宕机"}).content.decode()
    assert "<mark>宕机</mark>" in found


def test_client_isolation_portal_pages_show_only_public_articles(
    staff: User, as_client_a: HttpClient, client_a: Client
) -> None:
    public = published_article(staff, title="密码重置", body="点击忘记密码")
    internal = published_article(staff, title="密码重置 内部", body="改库", client_visible=False)
    listed = as_client_a.get(reverse("knowledge:portal_list"), {"q": "密码"}).content.decode()
    assert "点击" not in listed
    assert "密码重置" in listed
    assert "内部" not in listed
    assert as_client_a.get(reverse("knowledge:portal_article", args=[public.pk])).status_code == 200
    assert as_client_a.get(reverse("knowledge:portal_article", args=[internal.pk])).status_code == 404
    assert as_client_a.get(reverse("knowledge:article_detail", args=[internal.pk])).status_code == 302
    assert as_client_a.get(reverse("knowledge:article_update", args=[internal.pk])).status_code == 404
    assert as_client_a.get(reverse("knowledge:article_create")).status_code == 404


def test_client_isolation_suggestions_offer_only_public_published_articles(
    staff: User, as_client_a: HttpClient, client_a: Client
) -> None:
    published_article(staff, title="登录页面白屏", body="清除浏览器缓存")
    published_article(staff, title="登录页面白屏 内部", body="重启服务", client_visible=False)
    fragment = as_client_a.get(reverse("knowledge:suggest"), {"title": "登录后白屏", "description": ""})
    text = fragment.content.decode()
    assert text.count("<li>") == 1
    assert "内部" not in text


def test_the_request_forms_ask_for_suggestions_while_typing(as_staff: HttpClient, as_client_a: HttpClient) -> None:
    for http, name in ((as_staff, "tickets:create"), (as_client_a, "portal:create")):
        assert reverse("knowledge:suggest") in http.get(reverse(name)).content.decode()


def test_an_article_is_written_from_a_resolved_request_in_one_click(
    staff: User, as_staff: HttpClient, client_a: Client
) -> None:
    ticket = ticket_create(actor=staff, client=client_a, title="打印机卡纸", kind="fault", channel="hotline")
    assert as_staff.get(reverse("knowledge:article_create"), {"request": ticket.pk}).status_code == 404
    Ticket.objects.filter(pk=ticket.pk).update(resolution="打开后盖取出纸张")
    assert "据此工单编写知识库文章" in as_staff.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    form = as_staff.get(reverse("knowledge:article_create"), {"request": ticket.pk}).context["form"]
    assert form.initial["workaround"] == "打开后盖取出纸张"
    assert form.initial["kind"] == "known_error"
    url = reverse("knowledge:article_create") + f"?request={ticket.pk}"
    as_staff.post(url, {"kind": "known_error", "title": "打印机卡纸", "body": "打印机卡纸", "workaround": "取纸"})
    assert Article.objects.get().source_request_id == ticket.pk


def test_client_isolation_no_article_from_another_clients_request(
    staff: User, client_b: Client, as_client_a: HttpClient, admin: User
) -> None:
    ticket = ticket_create(actor=staff, client=client_b, title="打印机卡纸", kind="fault", channel="hotline")
    Ticket.objects.filter(pk=ticket.pk).update(resolution="取纸")
    assert as_client_a.get(reverse("knowledge:article_create"), {"request": ticket.pk}).status_code == 404


def test_the_pages_speak_chinese(staff: User, as_staff: HttpClient) -> None:
    as_staff.cookies["django_language"] = "zh-hans"
    page = as_staff.get(reverse("knowledge:article_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "知识库" in page
    assert "新建文章" in page


def test_the_faq_page_and_pdf_list_frequent_questions(staff: User, as_staff: HttpClient, client_a: Client) -> None:
    for title in ("登录页面白屏", "登录后页面白屏"):
        ticket_create(actor=staff, client=client_a, title=title, kind="fault", channel="hotline")
    page = as_staff.get(reverse("knowledge:faq"), {"days": "30"})
    assert page.context["groups"][0].count == 2
    pdf = as_staff.get(reverse("knowledge:faq_pdf"), {"days": "30"})
    assert pdf.content.startswith(b"%PDF")


def test_client_isolation_clients_do_not_see_the_faq_of_all_requests(as_client_a: HttpClient) -> None:
    assert as_client_a.get(reverse("knowledge:faq")).status_code == 404
