"""REST API of the knowledge base: articles, their workflow and feedback, search and suggestions."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from weibao.accounts.api_auth import acting_user
from weibao.catalog.models import Product, Release
from weibao.core.api_errors import (
    CREATE_ERRORS,
    DELETE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ObjectId,
    Pagination,
)
from weibao.knowledge import selectors, services
from weibao.knowledge.links import hit_url
from weibao.knowledge.models import Article, ArticleRevision, Category
from weibao.knowledge.schemas import (
    ArticleFeedbackIn,
    ArticleIn,
    ArticleKind,
    ArticleOut,
    ArticlePatch,
    RevisionOut,
    SearchOut,
    TransitionIn,
)
from weibao.knowledge.search import Filters, search

router = Router()

SUGGESTIONS = 5


def _related(data: dict[str, Any]) -> dict[str, Any]:
    """Ids of category, product and release in ``data`` replaced by the objects; unknown ids name the field."""
    models: dict[str, Any] = {"category": Category, "product": Product, "release": Release}
    for name, model in models.items():
        if name in data and data[name] is not None:
            found = model.objects.filter(pk=data[name]).first()
            if found is None:
                raise ValidationError({name: [_("No such %(name)s.") % {"name": model._meta.verbose_name}]})
            data[name] = found
    return data


class ArticleFilters(Schema):
    q: str = Field(default="", max_length=500, description="Words to match; results are then ranked by match.")
    kind: ArticleKind | None = None
    status: Literal["draft", "review", "published"] | None = None
    product: ObjectId | None = None
    category: ObjectId | None = None


@router.get("/knowledge/articles", response={200: list[ArticleOut], **LIST_ERRORS}, operation_id="article_list")
@paginate(Pagination, page_size=50)
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> QuerySet[Article] | list[Article]:
    """Articles the caller may read (client users: published client-visible ones); ``q`` ranks by match."""
    return selectors.article_list(
        actor=acting_user(request),
        q=filters.q,
        kind=filters.kind,
        status=filters.status,
        product_id=filters.product,
        category_id=filters.category,
    )


@router.post("/knowledge/articles", response={201: ArticleOut, **CREATE_ERRORS}, operation_id="article_create")
def article_create(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    """Write a draft article; vendor writers only."""
    article = services.article_create(actor=acting_user(request), **_related(payload.model_dump()))
    return Status(201, article)


@router.get("/knowledge/articles/{article_id}", response={200: ArticleOut, **READ_ERRORS}, operation_id="article_get")
def article_get(request: HttpRequest, article_id: int) -> Article:
    """One article; counts as a view."""
    article = selectors.article_get(actor=acting_user(request), pk=article_id)
    services.article_viewed(article=article)
    return article


@router.patch(
    "/knowledge/articles/{article_id}", response={200: ArticleOut, **WRITE_ERRORS}, operation_id="article_update"
)
def article_update(request: HttpRequest, article_id: int, payload: ArticlePatch) -> Article:
    """Change the fields sent; a change of title, text or workaround is a new revision."""
    changes = payload.model_dump(exclude_unset=True)
    note = changes.pop("note", "")
    return services.article_update(
        actor=acting_user(request), article_id=article_id, changes=_related(changes), note=note
    )


@router.delete("/knowledge/articles/{article_id}", response={204: None, **DELETE_ERRORS}, operation_id="article_delete")
def article_delete(request: HttpRequest, article_id: int) -> Status[None]:
    """Delete an article and its revisions; reviewers only."""
    services.article_delete(actor=acting_user(request), article_id=article_id)
    return Status(204, None)


@router.post(
    "/knowledge/articles/{article_id}/transitions",
    response={200: ArticleOut, **WRITE_ERRORS},
    operation_id="article_transition",
)
def article_transition(request: HttpRequest, article_id: int, payload: TransitionIn) -> Article:
    """``submit`` a draft for review; ``publish`` or ``return`` it; ``withdraw`` a published article."""
    return services.article_transition(actor=acting_user(request), article_id=article_id, action=payload.action)


@router.post(
    "/knowledge/articles/{article_id}/feedback",
    response={200: ArticleOut, **WRITE_ERRORS},
    operation_id="article_feedback",
)
def article_feedback(request: HttpRequest, article_id: int, payload: ArticleFeedbackIn) -> Article:
    """Say whether the article helped (one verdict per reader; the latest counts)."""
    return services.article_feedback(actor=acting_user(request), article_id=article_id, helpful=payload.helpful)


@router.get(
    "/knowledge/articles/{article_id}/revisions",
    response={200: list[RevisionOut], **READ_ERRORS},
    operation_id="article_revision_list",
)
def article_revision_list(request: HttpRequest, article_id: int) -> QuerySet[ArticleRevision]:
    """The article's revisions, newest first (vendor staff; client users get an empty list)."""
    actor = acting_user(request)
    return selectors.revision_list(actor=actor, article=selectors.article_get(actor=actor, pk=article_id))


class SearchParams(Schema):
    q: str = Field(default="", max_length=500, description="Words in Chinese or English, codes, request numbers.")
    kind: Literal["article", "request"] | None = None
    product: ObjectId | None = None
    release: ObjectId | None = None
    type: str | None = Field(default=None, max_length=20, description="Article or request type.")
    client: ObjectId | None = Field(default=None, description="Staff only; ignored for client users.")
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


def _results(request: HttpRequest, query: str, filters: Filters, limit: int, offset: int = 0) -> dict[str, Any]:
    actor = acting_user(request)
    found = search(actor=actor, query=query, filters=filters, limit=limit, offset=offset)
    return {
        "results": [
            {
                "kind": hit.kind,
                "id": hit.object_id,
                "title": hit.title,
                "snippet": hit.snippet,
                "score": hit.score,
                "type": hit.subtype,
                "status": hit.status,
                "reference": hit.reference,
                "url": hit_url(hit, actor),
            }
            for hit in found.hits
        ],
        "has_more": found.has_more,
        "terms": found.terms,
        "fuzzy": found.fuzzy,
    }


@router.get("/knowledge/search", response={200: SearchOut, **LIST_ERRORS}, operation_id="knowledge_search")
def knowledge_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Articles and requests the caller may see that match ``q``, best first, with highlighted snippets."""
    filters = Filters(
        kinds=[params.kind] if params.kind else ("article", "request"),
        product_id=params.product,
        release_id=params.release,
        subtypes=[params.type] if params.type else (),
        client_id=params.client,
    )
    return _results(request, params.q, filters, params.limit, params.offset)


class SuggestParams(Schema):
    q: str = Field(
        default="", max_length=2000, description="What the request says so far (its summary and description)."
    )


@router.get("/knowledge/suggestions", response={200: SearchOut, **LIST_ERRORS}, operation_id="knowledge_suggest")
def knowledge_suggest(request: HttpRequest, params: Query[SuggestParams]) -> dict[str, Any]:
    """The top five published articles a new request's text matches (client users: client-visible only)."""
    filters = Filters(kinds=["article"], published_only=True)
    return _results(request, params.q, filters, SUGGESTIONS)
