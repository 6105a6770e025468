"""Finding and repairing drift between the search index and the objects it describes.

Writes index their object in the same transaction, so drift comes only from
writes that bypass them (bulk loads, restores, SQL by hand). For each registered
source this compares every object's expected entry (by digest) with the stored one:
missing entries are added, stale ones rewritten, orphans (the object is gone) removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search.index import SOURCES, Document, document_index, documents_index_bulk

BATCH = 1000


@dataclass
class Drift:
    kind: str
    checked: int = 0
    missing: int = 0
    stale: int = 0
    orphans: int = 0

    @property
    def total(self) -> int:
        return self.missing + self.stale + self.orphans


def reconcile(*, repair: bool = True, kinds: Iterable[str] | None = None) -> list[Drift]:
    """The drift of each source's entries; with ``repair`` also fixed, one batch per transaction."""
    wanted = set(kinds) if kinds is not None else set(SOURCES)
    report: list[Drift] = []
    for kind in sorted(wanted & set(SOURCES)):
        drift = Drift(kind=kind)
        stored = dict(SearchEntry.objects.filter(kind=kind).values_list("object_id", "digest").iterator(5000))
        missing: list[Document] = []
        stale: list[Document] = []
        for document in SOURCES[kind].documents():
            drift.checked += 1
            digest = stored.pop(document.object_id, None)
            if digest is None:
                drift.missing += 1
                missing.append(document)
            elif digest != document.fields()["digest"]:
                drift.stale += 1
                stale.append(document)
            if repair and len(missing) + len(stale) >= BATCH:
                _repair(missing, stale)
                missing, stale = [], []
        drift.orphans = len(stored)
        if repair:
            _repair(missing, stale)
            orphans = list(stored)
            for start in range(0, len(orphans), BATCH):
                SearchEntry.objects.filter(kind=kind, object_id__in=orphans[start : start + BATCH]).delete()
        report.append(drift)
    return report


def _repair(missing: list[Document], stale: list[Document]) -> None:
    with transaction.atomic():
        documents_index_bulk(missing)
        for document in stale:
            document_index(document)
