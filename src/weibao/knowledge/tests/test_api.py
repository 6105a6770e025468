"""The knowledge API: articles, workflow, feedback, search and suggestions, with client isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.knowledge.models import Article
from weibao.knowledge.tests.factories import published_article
from weibao.tickets.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
API = "/api/v1/knowledge"


def _json(http: HttpClient, method: str, url: str, data: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if data is not None:
        kwargs = {"data": data, "content_type": "application/json"}
    return getattr(http, method)(url, **kwargs)


def test_staff_write_submit_publish_and_read_revisions(as_staff: HttpClient) -> None:
    created = _json(as_staff, "post", f"{API}/articles", {"title": "证书过期", "body": "更新证书", "kind": "howto"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = _json(as_staff, "patch", f"{API}/articles/{pk}", {"body": "更新 SSL 证书", "note": "补充"})
    assert changed.json()["revision"] == 2
    for action in ("submit", "publish"):
        moved = _json(as_staff, "post", f"{API}/articles/{pk}/transitions", {"action": action})
        assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "published"
    revisions = as_staff.get(f"{API}/articles/{pk}/revisions").json()
    assert [r["number"] for r in revisions] == [2, 1]
    assert _json(as_staff, "delete", f"{API}/articles/{pk}").status_code == 204


def test_bad_input_names_the_field(as_staff: HttpClient, product: Any) -> None:
    missing = _json(as_staff, "post", f"{API}/articles", {"title": " ", "body": "x"})
    assert missing.status_code == 422
    assert "title" in missing.json()["errors"]
    unknown = _json(as_staff, "post", f"{API}/articles", {"title": "t", "body": "x", "category": 9999})
    assert unknown.status_code == 422
    assert "category" in unknown.json()["errors"]
    kind = _json(as_staff, "post", f"{API}/articles", {"title": "t", "body": "x", "kind": "poem"})
    assert kind.status_code == 422
    step = _json(as_staff, "post", f"{API}/articles", {"title": "t", "body": "x"})
    wrong = _json(as_staff, "post", f"{API}/articles/{step.json()['id']}/transitions", {"action": "publish"})
    assert wrong.status_code == 409
    assert Article.objects.count() == 1


def test_client_users_may_not_write(as_client_a: HttpClient) -> None:
    refused = _json(as_client_a, "post", f"{API}/articles", {"title": "t", "body": "x"})
    assert refused.status_code == 403


def test_client_isolation_api_hides_internal_and_unpublished_articles(
    staff: User, as_client_a: HttpClient, client_a: Client
) -> None:
    public = published_article(staff, title="密码重置", body="点击忘记密码")
    internal = published_article(staff, title="密码重置 内部", body="改库", client_visible=False)
    listed = as_client_a.get(f"{API}/articles").json()["items"]
    assert [a["id"] for a in listed] == [public.pk]
    assert as_client_a.get(f"{API}/articles/{internal.pk}").status_code == 404
    feedback = _json(as_client_a, "post", f"{API}/articles/{internal.pk}/feedback", {"helpful": True})
    assert feedback.status_code == 404
    assert as_client_a.get(f"{API}/articles/{public.pk}").json()["view_count"] == 1


def test_client_isolation_search_and_suggestions_never_show_what_a_client_may_not_see(
    staff: User, as_client_a: HttpClient, client_a: Client, client_b: Client
) -> None:
    public = published_article(staff, title="Nginx 502 错误", body="上游超时")
    published_article(staff, title="Nginx 502 错误 内部", body="改配置", client_visible=False)
    mine = ticket_create(actor=staff, client=client_a, title="Nginx 502 错误", kind="fault", channel="hotline")
    ticket_create(actor=staff, client=client_b, title="Nginx 502 错误", kind="fault", channel="hotline")
    found = as_client_a.get(f"{API}/search", {"q": "Nginx 502 错误"}).json()["results"]
    assert {(r["kind"], r["id"]) for r in found} == {("article", public.pk), ("request", mine.pk)}
    assert {r["url"] for r in found} == {f"/knowledge/portal/{public.pk}/", f"/portal/{mine.pk}/"}
    suggested = as_client_a.get(f"{API}/suggestions", {"q": "登录后 nginx 报 502"}).json()["results"]
    assert [(r["kind"], r["id"]) for r in suggested] == [("article", public.pk)]


def test_staff_search_filters_by_kind_and_client(
    staff: User, as_staff: HttpClient, client_a: Client, client_b: Client
) -> None:
    ticket_create(actor=staff, client=client_a, title="宕机", kind="fault", channel="hotline")
    theirs = ticket_create(actor=staff, client=client_b, title="宕机", kind="fault", channel="hotline")
    found = as_staff.get(f"{API}/search", {"q": "宕机", "kind": "request", "client": str(client_b.pk)}).json()
    assert [r["id"] for r in found["results"]] == [theirs.pk]
    assert "<mark>宕机</mark>" in found["results"][0]["title"]


def test_search_refuses_bad_parameters_by_name(as_staff: HttpClient) -> None:
    answer = as_staff.get(f"{API}/search", {"q": "x", "limit": "0"})
    assert answer.status_code == 422
    assert "limit" in answer.json()["errors"]


def test_an_empty_search_finds_nothing_without_an_error(as_staff: HttpClient) -> None:
    for name in ("search", "suggestions"):
        answer = as_staff.get(f"{API}/{name}")
        assert answer.status_code == 200
        assert answer.json()["results"] == []
