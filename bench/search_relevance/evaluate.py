"""Recall@5 and MRR of Weibao's search and of a plain LIKE baseline on the labelled set.

    WEIBAO_DATA_DIR=/tmp/kb-bench weibao migrate && python bench/search_relevance/evaluate.py
    WEIBAO_DATABASE_URL=postgres://…/kb_bench weibao migrate && WEIBAO_DATABASE_URL=… python …/evaluate.py

Loads ``corpus.jsonl`` (run ``generate.py`` first) into the search index inside a
transaction that is rolled back at the end, runs every query of ``queries.jsonl``
as a vendor agent through ``weibao.knowledge.search.search`` and through the
baseline (each whitespace-separated word of the query must occur in the title or
text, ``icontains``, newest first — what a plain ``LIKE`` search does), and prints
recall@5 and MRR (over the top 10) per method and per query kind, then one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import django

HERE = Path(__file__).parent
TOP = 10


class _RollbackError(Exception):
    pass


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    django.setup()
    from django.db import connection, transaction
    from django.db.models import Q

    from weibao.accounts.models import Role, User
    from weibao.knowledge.models import SearchEntry
    from weibao.knowledge.search import Document, Filters, search
    from weibao.knowledge.search.index import documents_index_bulk

    articles = [json.loads(line) for line in (HERE / "corpus.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (HERE / "queries.jsonl").open(encoding="utf-8")]
    agent = User(username="bench-relevance", role=Role.AGENT, is_active=True)
    offset = 900_000_000

    def weibao(text: str) -> list[int]:
        hits = search(actor=agent, query=text, filters=Filters(kinds=["article"]), limit=TOP).hits
        return [hit.object_id - offset for hit in hits]

    def like(text: str) -> list[int]:
        condition = Q(kind="article")
        for word in text.split():
            condition &= Q(title__icontains=word) | Q(body__icontains=word)
        rows = SearchEntry.objects.filter(condition).order_by("-object_id").values_list("object_id", flat=True)
        return [pk - offset for pk in rows[:TOP]]

    figures: dict[str, Any] = {"database": connection.vendor, "articles": len(articles), "queries": len(queries)}
    try:
        with transaction.atomic():
            SearchEntry.objects.filter(kind="article").delete()
            documents_index_bulk(
                Document(kind="article", object_id=offset + a["id"], title=a["title"], body=a["body"], public=True)
                for a in articles
            )
            for name, method in (("weibao", weibao), ("like", like)):
                by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
                for query in queries:
                    ranked = method(query["query"])
                    relevant = set(query["relevant"])
                    recall = len(relevant & set(ranked[:5])) / len(relevant)
                    rank = next((i + 1 for i, pk in enumerate(ranked) if pk in relevant), None)
                    reciprocal = 1 / rank if rank else 0.0
                    by_kind["all"].append((recall, reciprocal))
                    by_kind[query["kind"]].append((recall, reciprocal))
                for kind, rows in sorted(by_kind.items()):
                    r5 = sum(r for r, _ in rows) / len(rows)
                    mrr = sum(m for _, m in rows) / len(rows)
                    figures[f"{name}.{kind}"] = {"n": len(rows), "recall@5": round(r5, 3), "mrr": round(mrr, 3)}
                    print(f"{connection.vendor:10} {name:7} {kind:11} n={len(rows):4} recall@5={r5:.3f} MRR={mrr:.3f}")
            raise _RollbackError
    except _RollbackError:
        pass
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
