"""Search speed and indexing throughput at size, on the configured database.

    WEIBAO_DATA_DIR=/tmp/kb-speed weibao migrate
    WEIBAO_DATA_DIR=/tmp/kb-speed python bench/search_speed.py --articles 100000 --requests 1000000

Fills the search index (deterministically, from the relevance bench's vocabulary)
with ``--articles`` article entries and ``--requests`` request entries spread over
200 clients, through the same segmenting and bulk indexing code the reconcile
command uses, and reports documents indexed per second. Then times ``--queries``
searches (one- and two-character words, mixed Chinese/English, error codes, request
numbers, paraphrased questions) as a vendor agent over everything and as a client
user (public articles plus one client's requests), and prints p50/p95/p99 in ms
per actor, then one JSON line. Entries it adds have object ids from 800,000,000 up;
``--clear`` removes them first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent / "search_relevance"))
BASE = 800_000_000
CLIENTS = 200


def _documents(kind: str, count: int, seed: int) -> Iterator[object]:
    from generate import COMPONENTS, SYMPTOMS  # type: ignore[import-not-found]

    from weibao.knowledge.search import Document

    rng = random.Random(seed)
    for n in range(count):
        component, names = rng.choice(COMPONENTS)
        symptom, synonyms, cause, fix = rng.choice(SYMPTOMS)
        code = f"E{rng.randint(1000, 9999)}"
        body = (
            f"现象：{component}{symptom}，用户反馈{rng.choice(synonyms)}，错误码 {code}。"
            f"原因：{cause}。处理：{fix}。{rng.choice(names)} 版本 3.{rng.randint(0, 9)}。"
        )
        if kind == "article":
            yield Document(
                kind="article", object_id=BASE + n, title=f"{component}{symptom}", body=body, public=n % 3 != 0
            )
        else:
            day = 20260101 + (n // 2000) % 28 + 100 * ((n // 56000) % 11)
            yield Document(
                kind="request",
                object_id=BASE + n,
                title=f"{rng.choice(names)}{rng.choice(synonyms)}",
                body=body,
                client_id=1 + n % CLIENTS,
                public=True,
                subtype="fault",
                reference=f"WB-{day}-{n % 10000:04d}",
            )


def _load(kind: str, count: int) -> float:
    from django.db import transaction

    from weibao.knowledge.search.index import documents_index_bulk

    started = time.perf_counter()
    documents = _documents(kind, count, seed=7 if kind == "article" else 11)
    done = 0
    while done < count:
        chunk = [d for _, d in zip(range(10_000), documents, strict=False)]
        if not chunk:
            break
        with transaction.atomic():
            documents_index_bulk(chunk, batch=2000)  # type: ignore[arg-type]
        done += len(chunk)
        print(f"  {kind}: {done} indexed, {done / (time.perf_counter() - started):.0f}/s", file=sys.stderr)
    return count / (time.perf_counter() - started)


QUERIES = [
    "宕机",
    "网络",
    "证书",
    "白屏",
    "Nginx 502 错误",
    "nginx 502",
    "ORA-12541",
    "E4821",
    "oracle 登录失败",
    "数据库 连接超时",
    "政务外网 连不上",
    "redis 内存溢出",
    "tomcat 很卡怎么办",
    "备份失败了怎么处理",
    "短信网关 timeout",
    "堡垒机 登不上",
    "磁盘满了",
    "App 闪退",
    "统一认证 SSO 登录报错",
    "支付接口 502",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--clear", action="store_true")
    parser.add_argument("--skip-load", action="store_true", help="Time searches on what is loaded already.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    django.setup()
    from django.db import connection

    from weibao.accounts.models import Role, User
    from weibao.knowledge.models import SearchEntry
    from weibao.knowledge.search import search

    figures: dict[str, object] = {"database": connection.vendor}
    if args.clear:
        SearchEntry.objects.filter(object_id__gte=BASE).delete()
    if not args.skip_load:
        figures["articles_per_s"] = round(_load("article", args.articles))
        figures["requests_per_s"] = round(_load("request", args.requests))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledge_searchentry")
        else:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('optimize')")
    figures["entries"] = SearchEntry.objects.count()
    agent = User(username="bench-speed", role=Role.AGENT, is_active=True)
    client = User(username="bench-speed-client", role=Role.CLIENT_USER, is_active=True)
    client._weibao_client_id = 17  # type: ignore[attr-defined]
    rng = random.Random(5)
    numbers = [f"WB-{20260101 + i % 28}-{i:04d}" for i in range(50)]
    for label, actor in (("agent", agent), ("client", client)):
        timings = []
        for i in range(args.queries):
            query = rng.choice(numbers) if i % 10 == 9 else rng.choice(QUERIES)
            started = time.perf_counter()
            search(actor=actor, query=query, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        quantiles = statistics.quantiles(timings, n=100)
        figures[label] = {
            "n": len(timings),
            "p50": round(quantiles[49], 1),
            "p95": round(quantiles[94], 1),
            "p99": round(quantiles[98], 1),
            "max": round(timings[-1], 1),
        }
        print(f"{connection.vendor} {label}: " + json.dumps(figures[label]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
