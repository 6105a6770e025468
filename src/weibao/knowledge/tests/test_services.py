"""Articles: writing, the review workflow, revisions, feedback, and the index kept in step."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from weibao.accounts.models import AuditEvent, User
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.knowledge import selectors, services
from weibao.knowledge.models import Article, SearchEntry
from weibao.knowledge.search import search
from weibao.knowledge.tests.factories import published_article

pytestmark = pytest.mark.django_db


def _ids(actor: User, query: str) -> list[int]:
    return [hit.object_id for hit in search(actor=actor, query=query).hits]


def test_a_new_article_is_a_draft_with_its_first_revision_and_is_searchable_by_staff(staff: User) -> None:
    article = services.article_create(actor=staff, title="打印机卡纸", body="打开后盖取出纸张")
    assert article.status == Article.Status.DRAFT
    assert list(article.revisions.values_list("number", flat=True)) == [1]
    assert _ids(staff, "卡纸") == [article.pk]
    assert AuditEvent.objects.filter(action="knowledge.article.create").count() == 1


def test_editing_the_text_adds_a_revision_and_reindexes_in_the_same_transaction(staff: User) -> None:
    article = services.article_create(actor=staff, title="打印机卡纸", body="打开后盖取出纸张")
    with transaction.atomic():
        services.article_update(actor=staff, article_id=article.pk, changes={"title": "扫描仪无法启动"})
        assert _ids(staff, "扫描仪") == [article.pk]
        assert _ids(staff, "后盖") == [article.pk]  # still in the text
        assert _ids(staff, "打印机") == []
    article.refresh_from_db()
    assert article.revision == 2
    assert [r.title for r in article.revisions.all()] == ["扫描仪无法启动", "打印机卡纸"]


def test_a_failed_edit_leaves_the_index_as_it_was(staff: User) -> None:
    article = services.article_create(actor=staff, title="打印机卡纸", body="打开后盖取出纸张")
    with pytest.raises(ValidationError) as caught:
        services.article_update(actor=staff, article_id=article.pk, changes={"title": "扫描仪", "body": " "})
    assert "body" in caught.value.error_dict
    assert _ids(staff, "扫描仪") == []
    assert _ids(staff, "打印机") == [article.pk]


def test_deleting_an_article_takes_it_out_of_the_index(staff: User) -> None:
    article = services.article_create(actor=staff, title="打印机卡纸", body="打开后盖取出纸张")
    services.article_delete(actor=staff, article_id=article.pk)
    assert not SearchEntry.objects.exists()
    assert not Article.objects.exists()


def test_workflow_runs_draft_review_published_and_back(staff: User) -> None:
    article = services.article_create(actor=staff, title="证书更新", body="步骤")
    article = services.article_transition(actor=staff, article_id=article.pk, action="submit")
    assert article.status == Article.Status.REVIEW
    article = services.article_transition(actor=staff, article_id=article.pk, action="return")
    assert article.status == Article.Status.DRAFT
    services.article_transition(actor=staff, article_id=article.pk, action="submit")
    article = services.article_transition(actor=staff, article_id=article.pk, action="publish")
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    with pytest.raises(services.ArticleStateError):
        services.article_transition(actor=staff, article_id=article.pk, action="publish")
    with pytest.raises(ValidationError):
        services.article_transition(actor=staff, article_id=article.pk, action="explode")


def test_clients_see_only_published_client_visible_articles(staff: User, client_a_user: User) -> None:
    public = published_article(staff, title="密码重置", body="点击忘记密码")
    internal = published_article(staff, title="密码重置 内部", body="后台直接改库", client_visible=False)
    draft = services.article_create(actor=staff, title="密码重置 草稿", body="未完成", client_visible=True)
    assert list(selectors.articles_visible(client_a_user)) == [public]
    assert _ids(client_a_user, "密码") == [public.pk]
    for hidden in (internal, draft):
        with pytest.raises(ObjectNotFoundError):
            selectors.article_get(actor=client_a_user, pk=hidden.pk)


def test_withdrawing_a_published_article_hides_it_from_clients_at_once(staff: User, client_a_user: User) -> None:
    article = published_article(staff, title="密码重置", body="点击忘记密码")
    services.article_transition(actor=staff, article_id=article.pk, action="withdraw")
    assert _ids(client_a_user, "密码") == []


def test_client_users_and_auditors_may_not_write(client_a_user: User, auditor: User) -> None:
    for actor in (client_a_user, auditor):
        with pytest.raises(PermissionDeniedError):
            services.article_create(actor=actor, title="x", body="y")


def test_a_version_must_belong_to_the_articles_product(staff: User, release: Release) -> None:
    other = Product.objects.create(name="其他产品", code="other")
    with pytest.raises(ValidationError) as caught:
        services.article_create(actor=staff, title="t", body="b", product=other, release=release)
    assert "release" in caught.value.error_dict
    article = services.article_create(actor=staff, title="t", body="b", release=release)
    assert article.product_id == release.product_id


def test_feedback_counts_one_verdict_per_reader(staff: User, client_a_user: User) -> None:
    article = published_article(staff, title="密码重置", body="点击忘记密码")
    services.article_feedback(actor=client_a_user, article_id=article.pk, helpful=False)
    article = services.article_feedback(actor=client_a_user, article_id=article.pk, helpful=True)
    article = services.article_feedback(actor=staff, article_id=article.pk, helpful=True)
    assert (article.helpful_count, article.unhelpful_count) == (2, 0)


def test_views_are_counted(staff: User) -> None:
    article = published_article(staff, title="密码重置", body="点击忘记密码")
    services.article_viewed(article=article)
    services.article_viewed(article=article)
    article.refresh_from_db()
    assert article.view_count == 2


def test_published_articles_not_confirmed_for_six_months_are_due_for_review(staff: User, time_machine) -> None:
    time_machine.move_to("2026-01-01T00:00:00Z")
    old = published_article(staff, title="证书更新", body="步骤")
    time_machine.move_to("2026-08-01T00:00:00Z")
    fresh = published_article(staff, title="密码重置", body="步骤")
    assert list(selectors.articles_due_for_review(actor=staff)) == [old]
    services.article_confirm_current(actor=staff, article_id=old.pk)
    assert list(selectors.articles_due_for_review(actor=staff)) == []
    assert fresh.pk
