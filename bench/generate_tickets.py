"""Fill Weibao's service-request tables with many deterministic requests, fast.

    python bench/generate_tickets.py sample --count 3 --seed 1
    python bench/generate_tickets.py insert --count 100000 --seed 1 [--replace]
    python bench/generate_tickets.py insert --source workload --count 100000 --seed 42 --replace

Sources:
  domain    (default) realistic Chinese service requests from ``ticket_text.py``: ~60
            clients with contacts and deployments, 5 teams, 20 engineers, every request
            type, channel and level, two years of history, mostly archived.
  workload  the shared peer benchmark's data set (``benchlib.workload.generate_tickets``,
            needs the harness folder on PYTHONPATH): the same tickets, text, statuses,
            queues and dates the peer gets. Each logical queue becomes a client and a
            team of the same name, so that either filter can stand for the queue.

Runs against the database Weibao is configured for (``WEIBAO_DATABASE_URL``, else the
SQLite file under ``WEIBAO_DATA_DIR``), SQLite or PostgreSQL, with the migrations
applied. Requests and their ``created`` timeline entries are written in batches
(``--batch``, default 5,000), one transaction per batch, with Django's ``bulk_create``
(``--method orm``, the default, as the peer's seeder does) or with one ``executemany``
INSERT per table and batch (``--method raw``: no model instances, ids given by the
loader; about twice as fast). Closed domain requests also get their closing
``status`` entry. The SQLite search index (FTS5) and PostgreSQL's trigram index are
kept up by the database as rows arrive, as in normal operation. The bulk load is not
a user action: it writes no audit rows and sends no notifications. Request numbers
follow ``TICKET_NUMBER_FORMAT`` and continue each day's counter, so a load never
collides with numbers already handed out.

``--replace`` deletes every request first (through the ORM, so every related row
goes too), timed separately. The last line printed is one JSON object: tickets,
events, reset_seconds, insert_seconds, tickets_per_second, rows_per_second, db_size_mb …
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ticket_text  # noqa: E402

# Logical statuses of the shared workload -> Weibao's procedure states.
WORKLOAD_STATUS = {
    "open": "registered",
    "reopened": "in_progress",  # reopened: back in progress, reopen_count 1
    "resolved": "acceptance",
    "closed": "archived",
    "duplicate": "merged",
}
WORKLOAD_CLOSED = {"archived", "merged"}
# Priority 1..5 (1 highest) -> fault level 1..4.
WORKLOAD_LEVEL = {1: 1, 2: 2, 3: 3, 4: 4, 5: 4}
WORKLOAD_DEADLINE_HOURS = {1: 4, 2: 12, 3: 24, 4: 72}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    import django

    django.setup()


@contextlib.contextmanager
def _keep_given_times() -> Iterator[None]:
    """Let bulk_create store the generated creation times instead of now()."""
    from weibao.tickets.models import Ticket, TicketEvent

    fields = [
        (Ticket._meta.get_field("created_at"), "auto_now_add"),
        (Ticket._meta.get_field("updated_at"), "auto_now"),
        (TicketEvent._meta.get_field("created_at"), "auto_now_add"),
    ]
    saved = [(f, attr, getattr(f, attr)) for f, attr in fields]
    for f, attr in fields:
        setattr(f, attr, False)
    try:
        yield
    finally:
        for f, attr, value in saved:
            setattr(f, attr, value)


def _user(username: str, *, role: str, first_name: str = "") -> Any:
    from weibao.accounts.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": first_name, "email": f"{username}@bench.invalid"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _client(code: str, name: str, kind: str, region: str = "") -> Any:
    from weibao.customers.models import Client

    found = Client.objects.filter(code=code).first()
    if found is not None:
        return found
    if Client.objects.filter(name=name).exists():  # a real client of the same name: keep it apart
        name = f"{name}（{code}）"
    return Client.objects.create(code=code, name=name, kind=kind, region=region)


def _team(name: str) -> Any:
    from weibao.tickets.models import Team

    return Team.objects.get_or_create(name=name)[0]


def domain_reference(seed: int) -> dict[str, Any]:
    """Create (or find) the clients, contacts, products, deployments, teams and engineers."""
    from django.db import transaction

    from weibao.catalog.models import Product, Release
    from weibao.customers.models import Contact, Deployment

    ref = ticket_text.reference(seed)
    with transaction.atomic():
        products = []
        for k, (name, _modules) in enumerate(ref["systems"]):
            product = Product.objects.filter(name=name).first() or Product.objects.create(
                name=name, code=f"bench-system-{k + 1}"
            )
            release = product.releases.order_by("-released_on").first() or Release.objects.create(
                product=product, version="3.0.0", released_on=dt.date(2024, 1, 15)
            )
            products.append((product, release))
        clients, contacts, deployments = [], [], []
        for spec in ref["clients"]:
            client = _client(spec["code"], spec["name"], spec["kind"], spec["region"])
            clients.append(client)
            have = {c.name: c for c in client.contacts.all()}
            mine = []
            for c in spec["contacts"]:
                contact = have.get(c["name"]) or Contact.objects.create(
                    client=client, name=c["name"], title=c["title"], mobile=c["mobile"], is_leader=c["is_leader"]
                )
                have[c["name"]] = contact
                mine.append(contact)
            contacts.append(mine)
            deps = {}
            for system in spec["systems"]:
                product, release = products[system]
                deps[system] = Deployment.objects.get_or_create(
                    client=client, name=product.name, defaults={"product": product, "release": release}
                )[0]
            deployments.append(deps)
        teams = [_team(name) for name in ref["teams"]]
        engineers = [
            _user(e["username"], role="field_engineer" if k % 3 else "agent", first_name=e["name"])
            for k, e in enumerate(ref["engineers"])
        ]
    return {
        "clients": clients,
        "contacts": contacts,
        "deployments": deployments,
        "teams": teams,
        "engineers": engineers,
    }


def workload_reference(assignee_username: str) -> dict[str, Any]:
    from benchlib import workload  # the shared harness; on PYTHONPATH
    from django.db import transaction

    with transaction.atomic():
        clients = {
            slug: _client(f"bench-queue-{slug}", f"基准测试 {title}", "enterprise")
            for slug, title, _w in workload.QUEUES
        }
        teams = {slug: _team(f"基准测试 {title}") for slug, title, _w in workload.QUEUES}
        assignee = _user(assignee_username, role="agent")
    return {"clients": clients, "teams": teams, "assignee": assignee}


def _local_day(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return instant.astimezone(tz).date()


def _derive(values: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns ``Ticket.save()`` derives, which a bulk insert bypasses.

    ``bench/tests/test_generate_tickets.py`` saves loaded requests again and fails if
    any column changes, so a newly derived column shows up there.
    """
    from weibao.tickets.models import NO_DEADLINE
    from weibao.tickets.models import tickets as ticket_models

    values["queue_key"] = values.get("next_deadline") or NO_DEADLINE
    digits = getattr(ticket_models, "phone_digits", None)
    if digits is not None:
        values["caller_digits"] = digits(values.get("caller_phone") or "")
    return values


def domain_rows(count: int, seed: int, ref: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dt.date, int]]:
    """(Ticket field values, local day, sequence within this load) for each domain request."""

    for row in ticket_text.requests(count, seed):
        _prefix, day_text, seq = row["number"].rsplit("-", 2)
        day = dt.date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
        ci = row["client"]
        assignee = row["assignee"]
        values = {
            "client": ref["clients"][ci],
            "contact": ref["contacts"][ci][row["contact"]],
            "deployment": ref["deployments"][ci][row["system"]],
            "team": ref["teams"][row["team"]],
            "assignee": None if assignee is None else ref["engineers"][assignee],
            "channel": row["channel"],
            "kind": row["kind"],
            "level": row["level"],
            "title": row["title"],
            "description": row["description"],
            "status": row["status"],
            "resolution": row["resolution"],
            "reopen_count": row["reopen_count"],
            "caller_name": row["caller_name"],
            "caller_phone": row["caller_phone"],
            "call_started_at": row["call_started_at"],
            "call_seconds": row["call_seconds"],
            "created_at": row["created_at"],
            "updated_at": row["closed_at"] or row["created_at"],
            "closed_at": row["closed_at"],
            "next_deadline": row["next_deadline"],
        }
        yield _derive(values), day, int(seq)


def workload_rows(
    count: int, seed: int, ref: dict[str, Any], tz: dt.tzinfo
) -> Iterator[tuple[dict[str, Any], dt.date, int]]:
    from benchlib import workload

    per_day: dict[dt.date, int] = {}
    for t in workload.generate_tickets(count, seed):
        status = WORKLOAD_STATUS[t["status"]]
        level = WORKLOAD_LEVEL[t["priority"]]
        created = t["created"]
        closed = status in WORKLOAD_CLOSED
        deadline = None if closed else created + dt.timedelta(hours=WORKLOAD_DEADLINE_HOURS[level])
        day = _local_day(created, tz)
        per_day[day] = per_day.get(day, 0) + 1
        values = {
            "client": ref["clients"][t["queue"]],
            "team": ref["teams"][t["queue"]],
            "assignee": ref["assignee"] if t["assigned"] else None,
            "channel": "email",
            "kind": "fault",
            "level": level,
            "title": t["title"][:200],
            "description": t["description"],
            "status": status,
            "reopen_count": 1 if t["status"] == "reopened" else 0,
            "created_at": created,
            "updated_at": created,
            "closed_at": created if closed else None,
            "next_deadline": deadline,
        }
        yield _derive(values), day, per_day[day]


def _events(values: dict[str, Any], ticket_id: int, source: str) -> list[dict[str, Any]]:
    """The timeline a request registered by ticket_create (and, if closed, closed by its engineer) has."""
    out = [
        {
            "ticket_id": ticket_id,
            "actor_label": values.get("caller_name") or "system",
            "kind": "created",
            "body": values["description"],
            "data": {"channel": values["channel"], "on_behalf": False},
            "created_at": values["created_at"],
        }
    ]
    if source == "domain" and values.get("closed_at") is not None:
        assignee = values.get("assignee")
        out.append(
            {
                "ticket_id": ticket_id,
                "actor": assignee,
                "actor_label": assignee.first_name if assignee is not None else "system",
                "kind": "status",
                "body": values["resolution"],
                "data": {"action": "close", "from": "in_progress", "to": values["status"]},
                "created_at": values["closed_at"],
            }
        )
    return out


def _max_id(model: Any) -> int:
    """The highest id the table has handed out (SQLite's AUTOINCREMENT remembers deleted ones)."""
    from django.db import connection
    from django.db.models import Max

    top = model.objects.aggregate(top=Max("id"))["top"] or 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
    return int(top)


class _RawInsert:
    """``executemany`` of one INSERT for a model: no model instances, no SQL compiler per batch.

    Values are given by field name (a related object or its id) or attname; missing
    fields take the field's default. Date-times and JSON go through the field's own
    conversion for the database; everything else is passed as is.
    """

    def __init__(self, model: Any, *, with_id: bool) -> None:
        from django.db import connection, models

        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
        self.plan = []
        for f in self.fields:
            convert = (
                (lambda v, f=f: f.get_db_prep_save(v, connection))
                if isinstance(f, models.DateTimeField | models.JSONField)
                else None
            )
            related = f.is_relation
            default = None if f.primary_key else f.get_default()
            self.plan.append((f.name, f.attname, related, default, convert))

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, attname, related, default, convert in self.plan:
            if name in values:
                v = values[name]
                if related and v is not None:
                    v = v.pk
            else:
                v = values.get(attname, default)
            out.append(convert(v) if convert is not None and v is not None else v)
        return tuple(out)

    def run(self, rows: list[dict[str, Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, [self.row(v) for v in rows])


def insert(
    *,
    source: str,
    count: int,
    seed: int,
    batch: int,
    replace: bool,
    api_user: str,
    method: str = "orm",
    log: Any = None,
) -> dict[str, Any]:
    """Load ``count`` requests; returns the figures printed as the last JSON line."""
    from django.conf import settings
    from django.db import connection, transaction

    from weibao.tickets.models import Ticket, TicketEvent, TicketSequence
    from weibao.tickets.services.numbers import number_format

    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    t0 = time.perf_counter()
    deleted = 0
    if replace:
        deleted = Ticket.objects.count()
        with transaction.atomic():
            Ticket.objects.all().delete()
    t_reset = time.perf_counter() - t0

    t1 = time.perf_counter()
    if source == "domain":
        ref = domain_reference(seed)
        rows = domain_rows(count, seed, ref)
    else:
        ref = workload_reference(api_user)
        rows = workload_rows(count, seed, ref, tz)
    t_ref = time.perf_counter() - t1
    # Continue each day's counter past numbers already handed out.
    offsets = dict(TicketSequence.objects.values_list("day", "last"))
    last_seq: dict[dt.date, int] = {}

    n_tickets = n_events = 0
    t2, cpu2 = time.perf_counter(), time.process_time()
    pending: list[dict[str, Any]] = []
    tickets_raw = _RawInsert(Ticket, with_id=True) if method == "raw" else None
    events_raw = _RawInsert(TicketEvent, with_id=False) if method == "raw" else None
    next_id = _max_id(Ticket) + 1

    def flush() -> None:
        nonlocal n_tickets, n_events, next_id
        with transaction.atomic():
            if tickets_raw is not None and events_raw is not None:
                for values in pending:
                    values["id"] = next_id
                    next_id += 1
                tickets_raw.run(pending)
                events = [e for values in pending for e in _events(values, values["id"], source)]
                events_raw.run(events)
            else:
                made = Ticket.objects.bulk_create([Ticket(**values) for values in pending])
                events = [
                    e for ticket, values in zip(made, pending, strict=True) for e in _events(values, ticket.pk, source)
                ]
                TicketEvent.objects.bulk_create([TicketEvent(**e) for e in events])
        n_tickets += len(pending)
        n_events += len(events)
        pending.clear()
        if log is not None:
            rate = n_tickets / (time.perf_counter() - t2)
            print(f"  {n_tickets:,} requests, {n_events:,} timeline entries ({rate:,.0f} requests/s)", file=log)

    with _keep_given_times():
        for values, day, seq_in_load in rows:
            seq = seq_in_load + offsets.get(day, 0)
            last_seq[day] = max(last_seq.get(day, 0), seq)
            values["number"] = number_format(day, seq)
            pending.append(values)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    if method == "raw" and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # explicit ids leave the identity sequence behind
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), (SELECT MAX(id) FROM tickets_ticket))"
            )
    t_insert, cpu_insert = time.perf_counter() - t2, time.process_time() - cpu2

    with transaction.atomic():
        existing = set(TicketSequence.objects.filter(day__in=list(last_seq)).values_list("day", flat=True))
        TicketSequence.objects.bulk_create(
            [TicketSequence(day=d, last=s) for d, s in last_seq.items() if d not in existing]
        )
        for d in existing:
            TicketSequence.objects.filter(day=d, last__lt=last_seq[d]).update(last=last_seq[d])

    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if not connection.in_atomic_block:  # a caller's transaction (tests) holds the WAL
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("ANALYZE tickets_ticket")
            cursor.execute("ANALYZE tickets_ticketevent")
    t_after = time.perf_counter() - t3

    info: dict[str, Any] = {
        "source": source,
        "seed": seed,
        "tickets": n_tickets,
        "events": n_events,
        "deleted_before": deleted,
        "reset_seconds": round(t_reset, 2),
        "reference_seconds": round(t_ref, 2),
        "insert_seconds": round(t_insert, 2),
        "after_seconds": round(t_after, 2),
        # This process only: on SQLite that includes the database's work, on PostgreSQL not.
        "insert_cpu_seconds": round(cpu_insert, 2),
        "tickets_per_second": round(n_tickets / t_insert, 1) if t_insert else None,
        "rows_per_second": round((n_tickets + n_events) / t_insert, 1) if t_insert else None,
        "batch": batch,
        "method": method,
        "database": connection.vendor,
        "total_in_db": Ticket.objects.count(),
    }
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if os.path.exists(name):
            info["db_size_mb"] = round(os.path.getsize(name) / 2**20, 1)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            info["db_size_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="print generated domain requests as JSON lines (no database)")
    sample.add_argument("--count", type=int, default=5)
    sample.add_argument("--seed", type=int, default=1)
    ins = sub.add_parser("insert", help="load requests into Weibao's database")
    ins.add_argument("--source", choices=["domain", "workload"], default="domain")
    ins.add_argument("--count", type=int, default=100_000)
    ins.add_argument("--seed", type=int, default=None, help="default 1 (domain) or 42 (workload)")
    ins.add_argument("--batch", type=int, default=5000)
    ins.add_argument("--replace", action="store_true", help="delete every request first")
    ins.add_argument(
        "--method",
        choices=["orm", "raw"],
        default="orm",
        help="orm: Model.objects.bulk_create (default); raw: one executemany INSERT per batch",
    )
    ins.add_argument("--api-user", default=os.environ.get("BENCH_API_USER", "bench-api"))
    ins.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    if args.command == "sample":
        for row in ticket_text.requests(args.count, args.seed):
            print(json.dumps(row, default=str, ensure_ascii=False))
        return
    _django()
    seed = args.seed if args.seed is not None else (1 if args.source == "domain" else 42)
    info = insert(
        source=args.source,
        count=args.count,
        seed=seed,
        batch=args.batch,
        replace=args.replace,
        api_user=args.api_user,
        method=args.method,
        log=None if args.quiet else sys.stderr,
    )
    print(json.dumps(info))


if __name__ == "__main__":
    main()
