"""The FAQ compiled from how often questions recur (R4): requests grouped by similar summaries.

Each request's summary is segmented into terms (phrasing words dropped); MinHash
over those term sets groups summaries whose terms mostly agree (estimated Jaccard
similarity ≥ ``THRESHOLD``). The largest groups of a period and product are the
frequent questions; each is shown with its count, example requests and the
published articles that best answer it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from weibao.accounts.models import User
from weibao.knowledge import minhash
from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search import Filters, Hit, query_terms, search

THRESHOLD = 0.5
# Most requests read for one FAQ (the newest of the period).
MAX_REQUESTS = 20_000


@dataclass
class QuestionGroup:
    question: str
    count: int
    request_ids: list[int]
    references: list[str]
    articles: list[Hit] = field(default_factory=list)


def question_groups(
    *,
    actor: User,
    since: dt.datetime,
    until: dt.datetime,
    product_id: int | None = None,
    top: int = 20,
    minimum: int = 2,
) -> list[QuestionGroup]:
    """The ``top`` groups of at least ``minimum`` similar requests registered in [since, until)."""
    if actor.is_client_side or not actor.is_active:
        return []
    rows = SearchEntry.objects.filter(kind=SearchEntry.Kind.REQUEST, occurred_at__gte=since, occurred_at__lt=until)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    entries = list(rows.order_by("-occurred_at").values_list("object_id", "title", "reference")[:MAX_REQUESTS])
    signatures = [minhash.signature(query_terms(title)) for _pk, title, _ref in entries]
    found: list[QuestionGroup] = []
    for members in minhash.groups(signatures, threshold=THRESHOLD):
        if len(members) < minimum or len(found) >= top:
            break
        titles = Counter(entries[i][1] for i in members)
        question = titles.most_common(1)[0][0]
        group = QuestionGroup(
            question=question,
            count=len(members),
            request_ids=[entries[i][0] for i in members[:10]],
            references=[entries[i][2] for i in members[:10]],
        )
        group.articles = search(
            actor=actor, query=question, filters=Filters(kinds=["article"], published_only=True), limit=3
        ).hits
        found.append(group)
    return found
