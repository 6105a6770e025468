"""Reads of articles, scoped to the actor: client users see published client-visible articles only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.scope import client_id_of
from weibao.knowledge.models import Article, ArticleRevision, Category, SearchEntry
from weibao.knowledge.search import Filters, search

# Most articles a text query lists on one page of the article list.
TEXT_QUERY_LIMIT = 100
# A published article not confirmed as still current for this long is due for review.
REVIEW_AFTER = dt.timedelta(days=180)


def articles_visible(actor: User) -> QuerySet[Article]:
    """The articles ``actor`` may read."""
    articles = Article.objects.select_related("category", "product", "release")
    if not actor.is_active:
        return articles.none()
    if not actor.is_client_side:
        return articles
    if client_id_of(actor) is None:
        return articles.none()
    return articles.filter(status=Article.Status.PUBLISHED, client_visible=True)


def article_get(*, actor: User, pk: int) -> Article:
    """One article the actor may read; ObjectNotFoundError otherwise (another's looks absent)."""
    article = articles_visible(actor).filter(pk=pk).first()
    if article is None:
        raise ObjectNotFoundError(_("Not found."))
    return article


def article_list(
    *,
    actor: User,
    q: str = "",
    kind: str | None = None,
    status: str | None = None,
    product_id: int | None = None,
    category_id: int | None = None,
) -> QuerySet[Article] | list[Article]:
    """Articles the actor may read, newest change first, or best match first when ``q`` is given."""
    articles = articles_visible(actor)
    if kind:
        articles = articles.filter(kind=kind)
    if status:
        articles = articles.filter(status=status)
    if product_id is not None:
        articles = articles.filter(product_id=product_id)
    if category_id is not None:
        articles = articles.filter(category_id=category_id)
    if not q.strip():
        return articles
    hits = search(
        actor=actor,
        query=q,
        filters=Filters(kinds=[SearchEntry.Kind.ARTICLE], product_id=product_id),
        limit=TEXT_QUERY_LIMIT,
    ).hits
    order = [hit.object_id for hit in hits]
    found = articles.in_bulk(order)
    return [found[pk] for pk in order if pk in found]


def revision_list(*, actor: User, article: Article) -> QuerySet[ArticleRevision]:
    """The article's revisions, newest first; vendor staff only (clients see the published text)."""
    if actor.is_client_side:
        return ArticleRevision.objects.none()
    return article.revisions.select_related("editor")


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def articles_due_for_review(*, actor: User) -> QuerySet[Article]:
    """Published articles nobody has confirmed as still current for ``REVIEW_AFTER`` (staff only), oldest first."""
    if actor.is_client_side:
        return Article.objects.none()
    stale = timezone.now() - REVIEW_AFTER
    return (
        articles_visible(actor)
        .filter(status=Article.Status.PUBLISHED)
        .filter(Q(reviewed_at__lt=stale) | Q(reviewed_at__isnull=True))
        .order_by("reviewed_at", "pk")
    )
