"""Reads of requests for queues, pages, the API and exports; all scoped to the actor.

Queues page by keyset (the last row's sort key and id in an opaque cursor), never
by OFFSET, so the 40,000th page costs what the first does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import Contact
from weibao.customers.scope import scoped
from weibao.tickets import workflow
from weibao.tickets.models import Attachment, Ticket, TicketEvent
from weibao.tickets.models.tickets import phone_digits

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# The shortest term the trigram indexes can answer.
TRIGRAM = 3
NUMBER_PATTERN = re.compile(r"^[A-Za-z]{1,6}-\d{8}-\d{3,6}$")


class Queue:
    """Named queues (R1 engineer queues); each is a filter on top of the actor's scope."""

    ALL_OPEN = "open"
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    WAITING = "waiting"
    FOLLOWED = "followed"
    SUPERVISED = "supervised"
    CLOSED = "closed"
    ALL = "all"

    CHOICES = (ALL_OPEN, MINE, TEAM, UNASSIGNED, WAITING, FOLLOWED, SUPERVISED, CLOSED, ALL)


class Sort:
    DEADLINE = "deadline"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = (DEADLINE, NEWEST, OLDEST)


# Sort -> (key field, descending)
SORT_KEYS = {Sort.DEADLINE: ("queue_key", False), Sort.NEWEST: ("created_at", True), Sort.OLDEST: ("created_at", False)}


@dataclass
class TicketFilter:
    """What a queue shows; every field optional. Built from a query string by views and the API."""

    queue: str = Queue.ALL_OPEN
    status: list[str] = field(default_factory=list)
    client_id: int | None = None
    deployment_id: int | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    kind: list[str] = field(default_factory=list)
    level: list[int] = field(default_factory=list)
    channel: str = ""
    q: str = ""
    sort: str = Sort.DEADLINE

    def errors(self) -> dict[str, list[str]]:
        """Field-named problems with the filter's values (bad input, not an empty result)."""
        problems: dict[str, list[str]] = {}
        if self.queue not in Queue.CHOICES:
            problems["queue"] = [_("Unknown queue “%(value)s”.") % {"value": self.queue}]
        unknown = [s for s in self.status if s not in set(workflow.Status)]
        if unknown:
            problems["status"] = [_("Unknown status “%(value)s”.") % {"value": unknown[0]}]
        unknown = [k for k in self.kind if k not in set(workflow.Kind)]
        if unknown:
            problems["kind"] = [_("Unknown request type “%(value)s”.") % {"value": unknown[0]}]
        if any(level not in {1, 2, 3, 4} for level in self.level):
            problems["level"] = [_("Levels are 1 to 4.")]
        if self.sort not in Sort.CHOICES:
            problems["sort"] = [_("Unknown sort order “%(value)s”.") % {"value": self.sort}]
        return problems


class Unindexed(Func):
    """A column's value written so that the SQLite planner cannot use an index on it (unary ``+``).

    A status list (the open queue, the closed queue, several chosen statuses) matches a
    large share of the requests. Through the ``(status, queue_key, id)`` index SQLite
    must sort every match before it can return the first page; walking the
    ``(queue_key, id)`` order and testing the status instead stops after one page. A
    single status keeps its index, whose order is already the queue's. PostgreSQL's
    planner weighs both plans itself.
    """

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _queue_filter(tickets: QuerySet[Ticket], actor: User, queue: str, status_field: str) -> QuerySet[Ticket]:
    open_states = Q(**{f"{status_field}__in": [s.value for s in workflow.OPEN]})
    queues = {
        Queue.ALL_OPEN: open_states,
        Queue.MINE: open_states & Q(assignee=actor),
        Queue.TEAM: open_states & Q(team__members=actor),
        Queue.UNASSIGNED: open_states & Q(assignee__isnull=True),
        Queue.WAITING: Q(status=workflow.Status.PENDING_CLIENT),
        Queue.FOLLOWED: open_states & Q(followers=actor),
        Queue.SUPERVISED: open_states & Q(supervised=True),
        Queue.CLOSED: Q(**{f"{status_field}__in": [s.value for s in workflow.CLOSED]}),
    }
    condition = queues.get(queue)
    return tickets if condition is None else tickets.filter(condition)


def _search(tickets: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    term = q.strip()
    if not term:
        return tickets
    if NUMBER_PATTERN.match(term):
        return tickets.filter(number__iexact=term)
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 7 and len(digits) >= len(term.replace(" ", "").replace("-", "")) - 1:
        dialled = Contact.objects.filter(Q(mobile__endswith=digits) | Q(office_phone__endswith=digits)).values("pk")
        return tickets.filter(Q(contact_id__in=dialled) | Q(caller_digits=phone_digits(term)))
    if len(term) >= TRIGRAM:
        # One id set from two indexed lookups. Written as ``pk IN (a) OR contact IN (b)``,
        # PostgreSQL tests both subplans against every request in queue order, which is a
        # walk of the whole table when nothing matches; a UNION of ids joins instead.
        return tickets.filter(pk__in=text_or_contact_matches(term))
    # Too short for the trigram index, the text branch scans anyway: walking the queue
    # order and stopping at the first page of matches is then the cheaper plan.
    named = Contact.objects.filter(name=term).values("pk")
    return tickets.filter(Q(pk__in=text_matches(term)) | Q(contact_id__in=named))


CONTACT_NAMED_UNION = (
    " UNION SELECT id FROM tickets_ticket WHERE contact_id IN (SELECT id FROM customers_contact WHERE name = %s)"
)


def text_or_contact_matches(term: str) -> RawSQL:
    """Ids of requests whose text contains ``term`` or whose contact is named ``term``."""
    matches = text_matches(term)
    sql = matches.sql + CONTACT_NAMED_UNION
    if connection.vendor == "postgresql":
        # Handed over as an array, the ids are fetched by primary key and the page is a
        # top-N sort of the matches; as a plain subquery PostgreSQL overestimates them
        # and hash-joins against a scan of every request (~100 ms at 100,000).
        sql = f"SELECT unnest(ARRAY({sql}))"
    # Only constant SQL is joined here; the term is a bound parameter in both parts.
    return RawSQL(sql, (*matches.params, term))  # noqa: S611


def text_matches(term: str) -> RawSQL:
    """Ids of requests whose summary or description contains ``term`` (case-insensitive).

    Terms of three characters or more are answered from the trigram index
    (migration 0002); shorter ones scan. Same results on both databases.
    """
    if connection.vendor == "sqlite" and len(term) >= TRIGRAM:
        quoted = '"' + term.replace('"', '""') + '"'
        return RawSQL("SELECT rowid FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %s", [quoted])
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if connection.vendor == "postgresql":
        return RawSQL("SELECT id FROM tickets_ticket WHERE (title || ' ' || description) ILIKE %s", [pattern])
    return RawSQL(
        "SELECT id FROM tickets_ticket WHERE title LIKE %s ESCAPE '\\' OR description LIKE %s ESCAPE '\\'",
        [pattern, pattern],
    )


def _filtered(actor: User, filters: TicketFilter, *, status_field: str) -> QuerySet[Ticket]:
    """The requests of ``filters``; status lists on ``status_field`` (see ``Unindexed``)."""
    aliased: QuerySet[Ticket] = Ticket.objects.alias(status_scan=Unindexed("status"))
    tickets = scoped(aliased, actor)
    if actor.is_client_side and filters.queue in {Queue.MINE, Queue.TEAM, Queue.UNASSIGNED, Queue.SUPERVISED}:
        filters.queue = Queue.ALL_OPEN
    tickets = _queue_filter(tickets, actor, filters.queue, status_field)
    if filters.status:
        field = status_field if len(filters.status) > 1 else "status"
        tickets = tickets.filter(**{f"{field}__in": filters.status})
    if filters.client_id is not None:
        tickets = tickets.filter(client_id=filters.client_id)
    if filters.deployment_id is not None:
        tickets = tickets.filter(deployment_id=filters.deployment_id)
    if filters.assignee_id is not None:
        tickets = tickets.filter(assignee_id=filters.assignee_id)
    if filters.team_id is not None:
        tickets = tickets.filter(team_id=filters.team_id)
    if filters.kind:
        tickets = tickets.filter(kind__in=filters.kind)
    if filters.level:
        tickets = tickets.filter(level__in=filters.level)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    return _search(tickets, filters.q)


def ticket_count(*, actor: User, filters: TicketFilter | None = None) -> int:
    """How many requests ``ticket_list`` would give: one COUNT that may use the status indexes."""
    return _filtered(actor, filters or TicketFilter(), status_field="status").order_by().count()


def ticket_list(*, actor: User, filters: TicketFilter | None = None) -> QuerySet[Ticket]:
    """Requests ``actor`` may see, narrowed by ``filters`` and sorted; client users see their client's only."""
    filters = filters or TicketFilter()
    tickets = _filtered(actor, filters, status_field="status_scan")
    key, descending = SORT_KEYS.get(filters.sort, SORT_KEYS[Sort.DEADLINE])
    order = [f"-{key}", "-id"] if descending else [key, "id"]
    return tickets.select_related("client", "assignee", "deployment", "team").order_by(*order)


@dataclass
class KeysetPage:
    items: list[Ticket]
    next_cursor: str | None
    has_previous: bool


class CursorError(ValueError):
    """A cursor that was not made by ``ticket_page``."""


def _encode(sort: str, ticket: Ticket) -> str:
    key, _descending = SORT_KEYS[sort]
    value: dt.datetime = getattr(ticket, key)
    raw = json.dumps([sort, value.isoformat(), ticket.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, pk = json.loads(raw)
        instant = dt.datetime.fromisoformat(value)
        if made_for != sort or not isinstance(pk, int) or instant.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise CursorError(_("This page link is not valid (it may belong to another sort order).")) from exc
    return instant, pk


def ticket_page(tickets: QuerySet[Ticket], *, sort: str, cursor: str = "", size: int = PAGE_SIZE) -> KeysetPage:
    """One page of ``tickets`` (already sorted by ``sort``) after ``cursor``; raises CursorError for junk."""
    key, descending = SORT_KEYS.get(sort, SORT_KEYS[Sort.DEADLINE])
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        value, pk = _decode(cursor, sort)
        if descending:
            tickets = tickets.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": pk}))
        else:
            tickets = tickets.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": pk}))
    rows = list(tickets[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    return KeysetPage(items=items, next_cursor=_encode(sort, items[-1]) if more else None, has_previous=bool(cursor))


def ticket_get(*, actor: User, ticket_id: int) -> Ticket:
    """One request ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    ticket = (
        scoped(Ticket.objects.select_related("client", "deployment", "contact", "assignee", "team", "requester"), actor)
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise ObjectNotFoundError(_("Not found."))
    return ticket


def ticket_by_number(*, actor: User, number: str) -> Ticket:
    ticket = scoped(Ticket.objects.all(), actor).filter(number__iexact=number.strip()).first()
    if ticket is None:
        raise ObjectNotFoundError(_("Not found."))
    return ticket


def ticket_timeline(*, actor: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The request's timeline as ``actor`` may see it: client users never see internal entries."""
    events = ticket.events.select_related("actor").prefetch_related("attachments").order_by("id")
    if actor.is_client_side:
        events = events.filter(internal=False)
    return events


def attachment_list(*, actor: User, ticket: Ticket) -> QuerySet[Attachment]:
    attachments = ticket.attachments.order_by("id")
    if actor.is_client_side:
        attachments = attachments.filter(internal=False)
    return attachments


def attachment_get(*, actor: User, attachment_id: int) -> Attachment:
    """One attachment ``actor`` may see (not internal ones for client users)."""
    attachments = scoped(Attachment.objects.select_related("ticket"), actor, client_field="ticket__client")
    if actor.is_client_side:
        attachments = attachments.filter(internal=False)
    attachment = attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise ObjectNotFoundError(_("Not found."))
    return attachment


def ticket_ids_visible(*, actor: User, ticket_ids: Iterable[int]) -> list[int]:
    return list(scoped(Ticket.objects.filter(pk__in=list(ticket_ids)), actor).values_list("pk", flat=True))


def filter_from_query(params: Any) -> TicketFilter:
    """A TicketFilter from a QueryDict-like mapping (views, saved filters, exports)."""

    def ints(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    return TicketFilter(
        queue=params.get("queue") or Queue.ALL_OPEN,
        status=[s for s in params.getlist("status") if s],
        client_id=ints("client"),
        deployment_id=ints("deployment"),
        assignee_id=ints("assignee"),
        team_id=ints("team"),
        kind=[k for k in params.getlist("kind") if k],
        level=[int(v) for v in params.getlist("level") if v.isdigit()],
        channel=params.get("channel") or "",
        q=params.get("q") or "",
        sort=params.get("sort") or Sort.DEADLINE,
    )
