"""The service desk's first pages and creation against a running server, at any table size.

    python bench/at_scale.py --base-url http://127.0.0.1:8803 [--requests 50] [--creates 50]

Runs against a ``weibao serve`` started on the database Weibao is configured for
(``WEIBAO_DATABASE_URL`` or the SQLite file under ``WEIBAO_DATA_DIR``), usually filled
first with ``bench/generate_tickets.py insert --count 1000000``. This script connects to
the same database in-process only to pick a busy client and status and to issue a
token and a password for a bench agent; everything it times goes over HTTP, one request
at a time (latency, not throughput):

- ``queue page``: the staff queue page (HTML), filtered by status and client, sorted by
  deadline, signed in with a session;
- ``list api``: ``GET /api/v1/tickets`` with the same filters and sort, with a token;
- ``list api, all open``: the open queue of every client;
- ``create api``: ``POST /api/v1/tickets``, a new fault report for that client;
- ``create throughput`` (with ``--throughput N``): N more creations sent by
  ``--threads`` clients at once (default 8), as requests per second.

Prints one line per surface (n, p50, p95, p99 in ms, the total the server reported)
(for the queue page: the rows on it) and, last, one JSON object with the same figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import statistics
import sys
import time
from typing import Any

import django
import httpx


def _setup() -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    django.setup()
    from django.db.models import Count

    from weibao.accounts.models import AccessToken, Role, User
    from weibao.accounts.tokens import token_create
    from weibao.tickets.models import Ticket

    user, _ = User.objects.get_or_create(username="bench-scale", defaults={"role": Role.AGENT})
    password = secrets.token_urlsafe(18) + "Aa1!"
    user.set_password(password)
    user.role = Role.AGENT
    user.save()
    issued = token_create(actor=user, name=f"at-scale {time.time():.0f}", scope=AccessToken.Scope.READ_WRITE)
    busiest = (
        Ticket.objects.filter(status="in_progress").values("client_id").annotate(n=Count("id")).order_by("-n").first()
    )
    if busiest is None:
        sys.exit("no requests in progress: load some first (bench/generate_tickets.py)")
    return {
        "username": user.username,
        "password": password,
        "token": issued.plaintext,
        "client_id": busiest["client_id"],
        "status": "in_progress",
        "rows": Ticket.objects.count(),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(label: str, n: int, call: Any) -> dict[str, Any]:
    call()  # one warm-up request, not counted
    timings: list[float] = []
    total = None
    for _ in range(n):
        started = time.perf_counter()
        total = call()
        timings.append((time.perf_counter() - started) * 1000)
    row = {
        "surface": label,
        "n": n,
        "p50": round(statistics.median(timings), 1),
        "p95": round(_percentile(timings, 0.95), 1),
        "p99": round(_percentile(timings, 0.99), 1),
        "total": total,
    }
    print(f"{label:<22} n={n:<4} p50 {row['p50']:>7} ms  p95 {row['p95']:>7} ms  p99 {row['p99']:>7} ms  total {total}")
    return row


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8803")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--creates", type=int, default=50)
    parser.add_argument("--throughput", type=int, default=0, help="creations for the throughput phase (0: none)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    ctx = _setup()
    api = httpx.Client(base_url=args.base_url, headers={"Authorization": f"Bearer {ctx['token']}"}, timeout=60)
    ui = httpx.Client(base_url=args.base_url, timeout=60)
    login_page = ui.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
    if csrf is None:
        sys.exit("the login page has no CSRF token")
    signed_in = ui.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf.group(1), "username": ctx["username"], "password": ctx["password"]},
        headers={"Referer": f"{args.base_url}/accounts/login/"},
    )
    if signed_in.status_code not in (200, 302) or "sessionid" not in ui.cookies:
        sys.exit(f"sign-in failed: HTTP {signed_in.status_code}")
    filters = {"queue": "all", "status": ctx["status"], "client_id": ctx["client_id"], "sort": "deadline", "limit": 25}
    ui_filters = {"queue": "all", "status": ctx["status"], "client": ctx["client_id"], "sort": "deadline"}

    def queue_page() -> int:
        r = ui.get("/tickets/", params=ui_filters)
        r.raise_for_status()
        return len(set(re.findall(r'href="/tickets/(\d+)/"', r.text)))  # rows on the page

    def list_api(params: dict[str, Any]) -> Any:
        def call() -> int:
            r = api.get("/api/v1/tickets", params=params)
            r.raise_for_status()
            return int(r.json()["count"])

        return call

    def create_body() -> dict[str, Any]:
        return {
            "client_id": ctx["client_id"],
            "title": "门户网站无法访问，提示 502 错误",
            "kind": "fault",
            "level": 2,
            "description": "上午九点起门户首页打不开，多个科室反映。",
        }

    def create_api() -> int:
        r = api.post("/api/v1/tickets", json=create_body())
        if r.status_code != 201:
            sys.exit(f"create failed: HTTP {r.status_code} {r.text[:200]}")
        return 1

    print(f"{ctx['rows']:,} requests in the table; client {ctx['client_id']}, status {ctx['status']}")
    rows = [
        _time("queue page (UI)", args.requests, queue_page),
        _time("list api", args.requests, list_api(filters)),
        _time("list api, all open", args.requests, list_api({"queue": "open", "limit": 25})),
        _time("create api", args.creates, create_api),
    ]
    if args.throughput:
        rows.append(_throughput(args, ctx["token"], create_body(), args.throughput, args.threads))
    print(json.dumps({"rows_in_table": ctx["rows"], "results": rows}, ensure_ascii=False))


def _throughput(args: argparse.Namespace, token: str, body: dict[str, Any], n: int, threads: int) -> dict[str, Any]:
    """``n`` creations from ``threads`` clients at once (one connection each): requests per second."""
    from concurrent.futures import ThreadPoolExecutor

    def worker(count: int) -> list[float]:
        timings = []
        with httpx.Client(base_url=args.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            for _ in range(count):
                started = time.perf_counter()
                r = http.post("/api/v1/tickets", json=body)
                if r.status_code != 201:
                    raise SystemExit(f"create failed: HTTP {r.status_code} {r.text[:200]}")
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    shares = [n // threads + (1 if k < n % threads else 0) for k in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        timings = [t for part in pool.map(worker, shares) for t in part]
    seconds = time.perf_counter() - started
    row = {
        "surface": f"create throughput ({threads} clients)",
        "n": n,
        "per_second": round(n / seconds, 1),
        "p50": round(statistics.median(timings), 1),
        "p95": round(_percentile(timings, 0.95), 1),
    }
    print(f"{row['surface']:<22} n={n:<4} {row['per_second']} /s  p50 {row['p50']} ms  p95 {row['p95']} ms")
    return row


if __name__ == "__main__":
    main()
