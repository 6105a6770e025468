"""Requests in the knowledge base's search index, kept in step in the saving transaction.

A receiver on the request's ``post_save`` and ``post_delete`` writes its entry in
the same transaction as the change (a save that names only fields the index does
not read, such as the SLA deadline, is skipped). Knowledge may not import the
service desk, so it imports this module by name at start-up (``autodiscover_modules``)
and the module registers the requests as a source for the reconcile command.

What is indexed is what the client may read of the request: number, summary,
description and resolution. Internal notes and replies are never indexed, so no
search can show them to a client user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models.signals import post_delete, post_save

from weibao.accounts.models import User
from weibao.customers.models import Deployment
from weibao.customers.scope import scoped
from weibao.knowledge.models import Article, SearchEntry
from weibao.knowledge.search import Document, document_index, document_remove, source_register
from weibao.knowledge.search.index import plain_text
from weibao.knowledge.services import RequestDraft, request_draft_register
from weibao.tickets.models import Ticket

# Fields of a request the index reads; a save of other fields only leaves the entry as it is.
INDEXED_FIELDS = frozenset({"number", "client", "deployment", "kind", "title", "description", "resolution", "status"})


def ticket_document(ticket: Ticket, product: tuple[int | None, int | None] | None = None) -> Document:
    """How the search index sees a request; ``product`` is its (product id, release id) if known."""
    if product is None:
        product = (None, None)
        if ticket.deployment_id is not None:
            if Ticket.deployment.is_cached(ticket):
                deployment = ticket.deployment
                assert deployment is not None
                product = (deployment.product_id, deployment.release_id)
            else:
                found = Deployment.objects.filter(pk=ticket.deployment_id).values_list("product_id", "release_id")
                product = found.first() or (None, None)
    body = ticket.description if not ticket.resolution else f"{ticket.description}\n\n{ticket.resolution}"
    return Document(
        kind=SearchEntry.Kind.REQUEST,
        object_id=ticket.pk,
        title=ticket.title,
        body=body,
        client_id=ticket.client_id,
        public=True,
        product_id=product[0],
        release_id=product[1],
        subtype=ticket.kind,
        status=ticket.status,
        reference=ticket.number,
        occurred_at=ticket.created_at,
    )


def ticket_index(ticket: Ticket, *, new: bool = False) -> None:
    """Write the request's entry (the caller is inside the change's transaction)."""
    document_index(ticket_document(ticket), new=new)


def _saved(
    sender: type[Ticket],
    instance: Ticket,
    created: bool = False,
    update_fields: frozenset[str] | None = None,
    **_: Any,
) -> None:
    if update_fields is not None and not (set(update_fields) & INDEXED_FIELDS):
        return
    ticket_index(instance, new=created)


def _deleted(sender: type[Ticket], instance: Ticket, **_: Any) -> None:
    document_remove(SearchEntry.Kind.REQUEST, instance.pk)


def ticket_documents() -> Iterator[Document]:
    """Every request as the index should hold it (for reconciliation)."""
    products = {
        pk: (product, release)
        for pk, product, release in Deployment.objects.values_list("pk", "product_id", "release_id")
    }
    for ticket in Ticket.objects.only("created_at", *INDEXED_FIELDS).order_by("pk").iterator(chunk_size=2000):
        product = products.get(ticket.deployment_id, (None, None)) if ticket.deployment_id else (None, None)
        yield ticket_document(ticket, product)


post_save.connect(_saved, sender=Ticket, dispatch_uid="weibao.tickets.search_sync.saved")
post_delete.connect(_deleted, sender=Ticket, dispatch_uid="weibao.tickets.search_sync.deleted")
source_register(SearchEntry.Kind.REQUEST, ticket_documents)


def ticket_article_draft(actor: User, request_id: int) -> RequestDraft | None:
    """A resolved request the actor may see, as the first text of a knowledge-base article."""
    ticket = scoped(Ticket.objects.select_related("deployment"), actor).filter(pk=request_id).first()
    if ticket is None or not ticket.resolution.strip():
        return None
    deployment = ticket.deployment
    return RequestDraft(
        request_id=ticket.pk,
        title=ticket.title,
        body=plain_text(ticket.description) or ticket.title,
        workaround=plain_text(ticket.resolution),
        kind=Article.Kind.KNOWN_ERROR if ticket.kind == "fault" else Article.Kind.FAQ,
        product_id=deployment.product_id if deployment else None,
        release_id=deployment.release_id if deployment else None,
    )


request_draft_register(ticket_article_draft)
