"""Writing documents into the search index, in the caller's transaction.

Every app that makes something searchable describes it as a ``Document`` and calls
``document_index`` where it saves the object (inside the same transaction), and
``document_remove`` where it deletes it. An app also registers a ``Source`` (all
its documents, for the reconcile command that finds and repairs drift).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import strip_tags

from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search.segment import segment

_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# The original text kept for snippets; the segmented text is built from all of it.
BODY_LIMIT = 20_000


@dataclass(frozen=True)
class Document:
    """What the index needs to know about one searchable object."""

    kind: str
    object_id: int
    title: str
    body: str
    client_id: int | None = None
    public: bool = False
    product_id: int | None = None
    release_id: int | None = None
    subtype: str = ""
    status: str = ""
    reference: str = ""
    occurred_at: dt.datetime | None = None

    def fields(self) -> dict[str, object]:
        """The entry's column values (the segmented text included) for this document."""
        body = plain_text(self.body)
        values: dict[str, object] = {
            "client_id": self.client_id,
            "public": self.public,
            "product_id": self.product_id,
            "release_id": self.release_id,
            "subtype": str(self.subtype),
            "status": str(self.status),
            "reference": str(self.reference),
            "occurred_at": self.occurred_at,
            "title": self.title[:300],
            "body": body[:BODY_LIMIT],
            "title_terms": segment(f"{self.reference} {self.title}"),
            "terms": segment(body),
        }
        # Plain strings only (a choices member and its value must digest alike).
        picture = "\x1f".join(f"{name}={value}" for name, value in sorted(values.items()))
        digest = hashlib.sha1(picture.encode(), usedforsecurity=False).hexdigest()
        values["digest"] = digest
        return values


def plain_text(text: str) -> str:
    """``text`` without HTML tags and with its blank runs tidied."""
    if "<" in text:
        text = strip_tags(text.replace("<br>", "\n").replace("</p>", "\n"))
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()


def document_index(document: Document, *, new: bool = False) -> SearchEntry:
    """Write ``document`` into the index (insert or replace); the caller holds the transaction.

    ``new``: the object was just created, so its entry is inserted at once (one query).
    """
    values = document.fields()
    values["updated_at"] = timezone.now()
    if new:
        return SearchEntry.objects.create(kind=document.kind, object_id=document.object_id, **values)
    changed = SearchEntry.objects.filter(kind=document.kind, object_id=document.object_id).update(**values)
    if changed:
        return SearchEntry(kind=document.kind, object_id=document.object_id, **values)
    return SearchEntry.objects.create(kind=document.kind, object_id=document.object_id, **values)


def document_remove(kind: str, object_id: int) -> None:
    """Take an object out of the index."""
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def documents_index_bulk(documents: Iterable[Document], *, batch: int = 1000) -> int:
    """Insert many new documents at once (loading, benchmarks); returns how many."""
    now = timezone.now()
    count = 0
    rows: list[SearchEntry] = []
    for document in documents:
        rows.append(SearchEntry(kind=document.kind, object_id=document.object_id, updated_at=now, **document.fields()))
        if len(rows) >= batch:
            SearchEntry.objects.bulk_create(rows)
            count += len(rows)
            rows = []
    if rows:
        SearchEntry.objects.bulk_create(rows)
        count += len(rows)
    return count


@dataclass(frozen=True)
class Source:
    """All documents of one kind, as their owning app sees them now."""

    kind: str
    documents: Callable[[], Iterator[Document]]


SOURCES: dict[str, Source] = {}


def source_register(kind: str, documents: Callable[[], Iterator[Document]]) -> None:
    """Register the documents of ``kind`` for reconciliation (the owning app calls this)."""
    SOURCES[kind] = Source(kind=kind, documents=documents)
