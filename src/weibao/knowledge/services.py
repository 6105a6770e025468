"""Writes of the knowledge base: articles, their workflow, revisions, feedback and views.

Every write indexes the article for search in the same transaction, so the index
never lags the article (docs/adr/0007-chinese-search.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.catalog.models import Product, Release
from weibao.core.errors import PermissionDeniedError, WeibaoError
from weibao.core.snapshot import model_snapshot
from weibao.knowledge.models import Article, ArticleFeedback, ArticleRevision, Category, SearchEntry
from weibao.knowledge.search import Document, document_index, document_remove, source_register
from weibao.knowledge.selectors import article_get

# Vendor roles that write articles; auditors and security officers only read.
WRITER_ROLES = frozenset(
    {Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT, Role.FIELD_ENGINEER, Role.OM_ENGINEER, Role.QUALITY}
)
# Vendor roles that review: publish, send back, withdraw and delete.
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT, Role.QUALITY})

AUDITED_FIELDS = [
    "kind",
    "title",
    "category",
    "product",
    "release",
    "client_visible",
    "status",
    "revision",
    "source_request_id",
]
EDITABLE_FIELDS = frozenset({"kind", "title", "body", "workaround", "category", "product", "release", "client_visible"})
# Fields whose change is a new revision of the text.
TEXT_FIELDS = ("title", "body", "workaround")


class ArticleStateError(WeibaoError):
    """The article is not in a state that allows this step."""

    status_code = 409


class Transition:
    SUBMIT = "submit"
    PUBLISH = "publish"
    RETURN = "return"
    WITHDRAW = "withdraw"
    CHOICES = (SUBMIT, PUBLISH, RETURN, WITHDRAW)


# action -> (allowed from, to, reviewers only)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    Transition.SUBMIT: (frozenset({Article.Status.DRAFT}), Article.Status.REVIEW, False),
    Transition.PUBLISH: (frozenset({Article.Status.REVIEW}), Article.Status.PUBLISHED, True),
    Transition.RETURN: (frozenset({Article.Status.REVIEW}), Article.Status.DRAFT, True),
    Transition.WITHDRAW: (frozenset({Article.Status.PUBLISHED}), Article.Status.DRAFT, True),
}


def can_write(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in WRITER_ROLES)


def can_review(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in REVIEWER_ROLES)


def _require_writer(actor: User) -> None:
    if not can_write(actor):
        raise PermissionDeniedError(_("You may not write knowledge-base articles."))


def _require_reviewer(actor: User) -> None:
    if not can_review(actor):
        raise PermissionDeniedError(_("You may not review knowledge-base articles."))


def article_document(article: Article) -> Document:
    """How the search index sees an article."""
    body = article.body if not article.workaround else f"{article.body}\n\n{article.workaround}"
    return Document(
        kind=SearchEntry.Kind.ARTICLE,
        object_id=article.pk,
        title=article.title,
        body=body,
        public=article.is_public,
        product_id=article.product_id,
        release_id=article.release_id,
        subtype=article.kind,
        status=article.status,
    )


def _snapshot(article: Article) -> dict[str, Any]:
    return model_snapshot(article, AUDITED_FIELDS)


def _validate(article: Article) -> None:
    errors: dict[str, list[str]] = {}
    article.title = (article.title or "").strip()
    article.body = (article.body or "").strip()
    article.workaround = (article.workaround or "").strip()
    if not article.title:
        errors["title"] = [_("This field cannot be empty.")]
    elif len(article.title) > Article._meta.get_field("title").max_length:  # type: ignore[operator]
        errors["title"] = [_("At most 200 characters.")]
    if not article.body:
        errors["body"] = [_("This field cannot be empty.")]
    if article.kind not in Article.Kind.values:
        errors["kind"] = [_("Unknown article type “%(value)s”.") % {"value": article.kind}]
    if article.release_id is not None:
        release = Release.objects.filter(pk=article.release_id).values_list("product_id", flat=True).first()
        if article.product_id is None:
            article.product_id = release
        elif release != article.product_id:
            errors["release"] = [_("This version belongs to another product.")]
    if errors:
        raise ValidationError(errors)


def _revision(article: Article, actor: User, note: str) -> None:
    ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        title=article.title,
        body=article.body,
        workaround=article.workaround,
        editor=actor,
        note=note[:200],
    )


@transaction.atomic
def article_create(
    *,
    actor: User,
    title: str,
    body: str,
    kind: str = Article.Kind.FAQ,
    workaround: str = "",
    category: Category | None = None,
    product: Product | None = None,
    release: Release | None = None,
    client_visible: bool = False,
    source_request_id: int | None = None,
) -> Article:
    """Write a new draft article (revision 1) and index it.

    Vendor writers only. Raises ValidationError per field. Side effects: revision 1,
    the search entry, ``knowledge.article.create`` audit row.
    """
    _require_writer(actor)
    article = Article(
        kind=kind,
        title=title,
        body=body,
        workaround=workaround,
        category=category,
        product=product,
        release=release,
        client_visible=client_visible,
        source_request_id=source_request_id,
        created_by=actor,
    )
    _validate(article)
    article.save()
    _revision(article, actor, _("First version"))
    document_index(article_document(article), new=True)
    event_record(actor=actor, action="knowledge.article.create", obj=article, after=_snapshot(article))
    return article


def _locked(actor: User, article_id: int) -> Article:
    article_get(actor=actor, pk=article_id)
    return Article.objects.select_for_update().get(pk=article_id)


@transaction.atomic
def article_update(*, actor: User, article_id: int, changes: Mapping[str, Any], note: str = "") -> Article:
    """Change an article's text or tags; a text change is a new revision. Reindexes it.

    Vendor writers only. Raises ValidationError per field.
    """
    article = _locked(actor, article_id)
    _require_writer(actor)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of an article")
    before = _snapshot(article)
    old_text = tuple(getattr(article, name) for name in TEXT_FIELDS)
    for name, value in changes.items():
        if name in {"category", "product", "release"}:
            setattr(article, f"{name}_id", value.pk if value is not None else None)
        else:
            setattr(article, name, value)
    _validate(article)
    if tuple(getattr(article, name) for name in TEXT_FIELDS) != old_text:
        article.revision += 1
        _revision(article, actor, note)
    article.save()
    document_index(article_document(article))
    event_record(actor=actor, action="knowledge.article.update", obj=article, before=before, after=_snapshot(article))
    return article


@transaction.atomic
def article_transition(*, actor: User, article_id: int, action: str) -> Article:
    """Move an article through draft → review → published (or back); reindexes it.

    ``submit`` needs a writer; ``publish``, ``return`` and ``withdraw`` a reviewer.
    Raises ValidationError for an unknown action, ArticleStateError from the wrong state.
    """
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("Unknown step “%(value)s”.") % {"value": action}]})
    article = _locked(actor, article_id)
    allowed, target, reviewers_only = TRANSITIONS[action]
    _require_writer(actor)
    if reviewers_only:
        _require_reviewer(actor)
    if article.status not in allowed:
        raise ArticleStateError(
            _("An article that is “%(status)s” cannot take this step.") % {"status": article.get_status_display()}
        )
    before = _snapshot(article)
    article.status = target
    if target == Article.Status.PUBLISHED:
        article.published_at = article.reviewed_at = timezone.now()
    article.save()
    document_index(article_document(article))
    event_record(
        actor=actor, action=f"knowledge.article.{action}", obj=article, before=before, after=_snapshot(article)
    )
    return article


@transaction.atomic
def article_confirm_current(*, actor: User, article_id: int) -> Article:
    """Record that a reviewer checked the article and it is still right (resets its review reminder)."""
    article = _locked(actor, article_id)
    _require_reviewer(actor)
    article.reviewed_at = timezone.now()
    article.save(update_fields=["reviewed_at", "updated_at"])
    event_record(actor=actor, action="knowledge.article.confirm", obj=article, after=_snapshot(article))
    return article


@transaction.atomic
def article_delete(*, actor: User, article_id: int) -> None:
    """Delete an article, its revisions and feedback, and take it out of the index. Reviewers only."""
    article = _locked(actor, article_id)
    _require_reviewer(actor)
    before = _snapshot(article)
    document_remove(SearchEntry.Kind.ARTICLE, article.pk)
    event_record(actor=actor, action="knowledge.article.delete", obj=article, before=before)
    article.delete()


@transaction.atomic
def article_feedback(*, actor: User, article_id: int, helpful: bool) -> Article:
    """Record whether the article helped the reader (one verdict each, the latest counts)."""
    article = _locked(actor, article_id)
    ArticleFeedback.objects.update_or_create(article=article, user=actor, defaults={"helpful": helpful})
    counts = ArticleFeedback.objects.filter(article=article).aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )
    article.helpful_count = counts["yes"]
    article.unhelpful_count = counts["no"]
    article.save(update_fields=["helpful_count", "unhelpful_count"])
    return article


def article_viewed(*, article: Article) -> None:
    """Count one reading of the article (no audit row: views are not changes)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    article.view_count += 1


def article_documents() -> Iterator[Document]:
    """Every article as the index should hold it (for reconciliation)."""
    for article in Article.objects.order_by("pk").iterator(chunk_size=1000):
        yield article_document(article)


def sources_register() -> None:
    source_register(SearchEntry.Kind.ARTICLE, article_documents)


@dataclass(frozen=True)
class RequestDraft:
    """An article's first text prefilled from a resolved request (R4: record every question)."""

    request_id: int
    title: str
    body: str
    workaround: str
    kind: str
    product_id: int | None
    release_id: int | None


# The service desk (a higher layer) registers the function that reads a request for an actor.
REQUEST_DRAFTS: list[Callable[[User, int], RequestDraft | None]] = []


def request_draft_register(reader: Callable[[User, int], RequestDraft | None]) -> None:
    if reader not in REQUEST_DRAFTS:
        REQUEST_DRAFTS.append(reader)


def request_draft(*, actor: User, request_id: int) -> RequestDraft | None:
    """The article draft for a resolved request the actor may see; None if there is none."""
    for reader in REQUEST_DRAFTS:
        draft = reader(actor, request_id)
        if draft is not None:
            return draft
    return None
