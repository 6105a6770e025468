"""The one search interface over the index, on SQLite (FTS5) and PostgreSQL (tsvector).

A query is segmented like the documents were. Documents holding every term rank
first (bm25 on SQLite, ``ts_rank_cd`` on PostgreSQL, title terms weighted above
text terms); when those are fewer than a page, documents holding some of the terms
follow, ranked the same way. On PostgreSQL a query that finds nothing is retried
as a near match of the title (pg_trgm), for misspelt words. Snippets are cut from
the original text, never the segmented one.

Client users find only published client-visible articles and their own client's
requests; a client user without a client finds nothing; vendor staff find all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from weibao.accounts.models import User
from weibao.customers.scope import client_id_of
from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search.segment import query_terms

MAX_LIMIT = 100
SNIPPET_CHARS = 160
# Before and after the first match in a snippet.
SNIPPET_LEAD = 40
MAX_QUERY_TERMS = 32
NEAR_THRESHOLD = 0.45
_LATIN = re.compile(r"[a-z]{3,}")


@dataclass(frozen=True)
class Filters:
    """Narrowing of a search; every field optional. ``client_id`` is for staff only."""

    kinds: Sequence[str] = (SearchEntry.Kind.ARTICLE, SearchEntry.Kind.REQUEST)
    product_id: int | None = None
    release_id: int | None = None
    subtypes: Sequence[str] = ()
    client_id: int | None = None
    published_only: bool = False


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: SafeString
    snippet: SafeString
    score: float
    subtype: str
    status: str
    reference: str
    client_id: int | None
    product_id: int | None


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False
    terms: list[str] = field(default_factory=list)
    fuzzy: bool = False


def search(*, actor: User, query: str, filters: Filters | None = None, limit: int = 20, offset: int = 0) -> Results:
    """The page of documents ``actor`` may see that match ``query``, best first."""
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    words = query_terms(query)[:MAX_QUERY_TERMS]
    results = Results(terms=words)
    if not words or not actor.is_active:
        return results
    where, params = _conditions(actor, filters)
    if where is None:
        return results
    wanted = offset + limit + 1
    ranked = _ranked(words, "and", where, params, wanted, ())
    if len(ranked) < wanted and len(words) > 1:
        ranked += _ranked(words, "or", where, params, wanted - len(ranked), [r[0] for r in ranked])
    if not ranked and connection.vendor == "postgresql":
        latin = " ".join(_LATIN.findall(" ".join(words)))
        if latin:
            ranked = _near(latin, where, params, wanted)
            results.fuzzy = bool(ranked)
    page = ranked[offset : offset + limit]
    results.has_more = len(ranked) > offset + limit
    entries = SearchEntry.objects.in_bulk([pk for pk, _score in page])
    pattern = _highlighter(words)
    for pk, score in page:
        entry = entries.get(pk)
        if entry is None:
            continue
        results.hits.append(
            Hit(
                kind=entry.kind,
                object_id=entry.object_id,
                title=highlight(entry.title, pattern),
                snippet=snippet(entry.body, pattern),
                score=float(score),
                subtype=entry.subtype,
                status=entry.status,
                reference=entry.reference,
                client_id=entry.client_id,
                product_id=entry.product_id,
            )
        )
    return results


# Every clause below is a fixed string with %s placeholders; values go as parameters.
def _conditions(actor: User, filters: Filters) -> tuple[str | None, list[Any]]:
    """The WHERE clauses on entry ``e`` for the actor's scope and the filters; None: nothing visible."""
    clauses: list[str] = []
    params: list[Any] = []
    kinds = [k for k in filters.kinds if k in SearchEntry.Kind.values]
    if not kinds:
        return None, []
    if len(kinds) < len(SearchEntry.Kind.values):
        clauses.append(f"e.kind IN ({', '.join(['%s'] * len(kinds))})")
        params += kinds
    if actor.is_client_side:
        client_id = client_id_of(actor)
        if client_id is None:
            return None, []
        clauses.append("e.public = %s AND (e.kind = %s OR e.client_id = %s)")
        params += [True, SearchEntry.Kind.ARTICLE, client_id]
    elif filters.client_id is not None:
        clauses.append("e.client_id = %s")
        params.append(filters.client_id)
    if filters.published_only:
        clauses.append("(e.kind <> %s OR e.status = %s)")
        params += [SearchEntry.Kind.ARTICLE, "published"]
    if filters.product_id is not None:
        clauses.append("e.product_id = %s")
        params.append(filters.product_id)
    if filters.release_id is not None:
        clauses.append("e.release_id = %s")
        params.append(filters.release_id)
    if filters.subtypes:
        clauses.append(f"e.subtype IN ({', '.join(['%s'] * len(filters.subtypes))})")
        params += list(filters.subtypes)
    return " AND ".join(clauses) or "1 = 1", params


def _ranked(  # noqa: PLR0917 - one private call shape
    words: list[str], mode: str, where: str, params: list[Any], limit: int, exclude: Sequence[int]
) -> list[tuple[int, float]]:
    not_in = ""
    extra: list[Any] = []
    if exclude:
        not_in = f" AND e.id NOT IN ({', '.join(['%s'] * len(exclude))})"
        extra = list(exclude)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = _expression(words, mode, "'", " & ", " | ")
            cursor.execute(
                "SELECT e.id, ts_rank_cd(e.vector, q) AS score "  # noqa: S608 - fixed clauses, values as parameters
                "FROM knowledge_searchentry e, to_tsquery('simple', %s) q "
                f"WHERE e.vector @@ q AND {where}{not_in} ORDER BY score DESC, e.id DESC LIMIT %s",
                [tsquery, *params, *extra, limit],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
        match = _expression(words, mode, '"', " AND ", " OR ")
        cursor.execute(
            "SELECT e.id, bm25(knowledge_search_fts, 4.0, 1.0) AS score "  # noqa: S608 - fixed clauses, values as parameters
            "FROM knowledge_search_fts JOIN knowledge_searchentry e ON e.id = knowledge_search_fts.rowid "
            f"WHERE knowledge_search_fts MATCH %s AND {where}{not_in} ORDER BY score, e.id DESC LIMIT %s",
            [match, *params, *extra, limit],
        )
        return [(row[0], -float(row[1])) for row in cursor.fetchall()]


def _expression(words: list[str], mode: str, quote: str, conjunction: str, disjunction: str) -> str:
    """The full-text query: every term, or the codes and numbers plus any of the other terms."""
    quoted = [f"{quote}{w}{quote}" for w in words]
    if mode == "and":
        return conjunction.join(quoted)
    required = [q for w, q in zip(words, quoted, strict=True) if _is_code(w)]
    optional = [q for w, q in zip(words, quoted, strict=True) if not _is_code(w)]
    if not optional:
        return conjunction.join(required)
    return conjunction.join([*required, f"({disjunction.join(optional)})"])


def _is_code(word: str) -> bool:
    """Numbers and codes (502, ORA-12541, request numbers) are never optional in a query."""
    return len(word) >= 3 and any(c.isdigit() for c in word)


def _near(text: str, where: str, params: list[Any], limit: int) -> list[tuple[int, float]]:
    """PostgreSQL only: titles holding a word close to one of ``text``'s (pg_trgm)."""
    words = text.split()[:8]
    near = " OR ".join(["%s <%% lower(e.title)"] * len(words))
    score = " + ".join(["word_similarity(%s, lower(e.title))"] * len(words))
    with transaction.atomic(), connection.cursor() as cursor:
        # Looser than pg_trgm's default (0.6): one wrong or missing letter in a short word.
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(NEAR_THRESHOLD)])
        cursor.execute(
            f"SELECT e.id, {score} AS score FROM knowledge_searchentry e "  # noqa: S608 - fixed clauses, values as parameters
            f"WHERE ({near}) AND {where} ORDER BY score DESC, e.id DESC LIMIT %s",
            [*words, *words, *params, limit],
        )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def _highlighter(words: list[str]) -> re.Pattern[str] | None:
    # One-letter Latin terms and lone digits (parts of codes) would mark noise.
    marks = sorted({w for w in words if len(w) > 1 or not w.isascii()}, key=len, reverse=True)
    if not marks:
        return None
    return re.compile("|".join(re.escape(w) for w in marks), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """``text`` escaped, with every match of ``pattern`` wrapped in ``<mark>``."""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """About ``SNIPPET_CHARS`` of ``text`` around its first match, matches marked."""
    text = " ".join(text.split())
    found = pattern.search(text) if pattern is not None else None
    start = max(0, found.start() - SNIPPET_LEAD) if found else 0
    end = min(len(text), start + SNIPPET_CHARS)
    piece = highlight(text[start:end], pattern)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{piece}{suffix}")  # noqa: S308 - piece is escaped by highlight
