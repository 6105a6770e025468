"""Tamper evidence for the audit trail: a SHA-256 hash chain over the event rows.

Every event gets the next ``sequence`` number, the previous event's hash as
``prev_hash``, and ``row_hash`` = SHA-256 of a canonical JSON of its content and
``prev_hash``. Changing, deleting, inserting or reordering rows breaks the chain at
the first row touched, which :func:`chain_verify` names.

Writers are serialised so that sequence order is commit order: on PostgreSQL by a
transaction-level advisory lock taken before the head is read (held until the
writer's transaction ends); on SQLite the IMMEDIATE transaction mode already gives
one writer at a time. The unique ``sequence`` column is the safety net.

Retention pruning removes the oldest rows; the ``audit.prune`` event it writes names
the last pruned row (``anchor_sequence``, ``anchor_hash``), and verification starts
from the newest such anchor. The anchor sits inside the chain, so forging it breaks
the chain too. An unkeyed chain cannot reveal a rewrite of the whole tail by someone
who recomputes every hash: compare ``weibao audit verify``'s head hash with one kept
outside the database (``--checkpoint``) for that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from weibao.accounts.models import AuditEvent

# pg_advisory_xact_lock key of the audit chain ("WBAUDIT" in ASCII).
CHAIN_LOCK_KEY = 0x57_42_41_55_44_49_54
PRUNE_ACTION = "audit.prune"
GENESIS_HASH = ""


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same text for the same value on every database."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_normalised(value: Any) -> Any:
    """``value`` as it comes back from a JSON column (tuples as lists, keys as strings)."""
    return json.loads(canonical_json(value))


def canonical_address(address: str | None) -> str | None:
    """One spelling per address, whichever form the database returns it in."""
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(str(address).split("/", 1)[0]))
    except ValueError:
        return str(address)


def canonical_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class EventContent:
    """What a row's hash covers, in canonical form."""

    sequence: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    address: str | None
    action: str
    object_type: str  # "app_label.model", or "" for none
    object_id: str
    object_repr: str
    client_id: int | None
    before: Any
    after: Any
    prev_hash: str

    def digest(self) -> str:
        document = {
            "sequence": self.sequence,
            "at": canonical_time(self.at),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "address": canonical_address(self.address),
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "client_id": self.client_id,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }
        return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def _type_label(content_type: ContentType | None) -> str:
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""


@dataclass(frozen=True)
class ChainLink:
    """A row's place in the chain."""

    sequence: int
    row_hash: str


def chain_lock() -> None:
    """Serialise chain writers until the current transaction ends.

    Preconditions: inside ``transaction.atomic``. On SQLite the open IMMEDIATE
    transaction already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_head() -> ChainLink | None:
    """The newest event in the chain; None when the trail is empty."""
    row = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "row_hash")
        .first()
    )
    return ChainLink(sequence=int(row[0]), row_hash=row[1]) if row is not None and row[0] is not None else None


def chain_append(event: AuditEvent) -> AuditEvent:
    """Link ``event`` (unsaved) to the head of the chain and insert it.

    Side effects: takes the chain lock, sets ``at``, ``sequence``, ``prev_hash`` and
    ``row_hash``, inserts the row. Runs in its own savepoint when the caller has a
    transaction, else in a transaction of its own.
    """
    with transaction.atomic():
        chain_lock()
        head = chain_head()
        event.sequence = head.sequence + 1 if head is not None else 1
        event.prev_hash = head.row_hash if head is not None else GENESIS_HASH
        # The hash covers the stored time, so it is fixed here rather than by auto_now_add
        # (which would pick a later instant while saving).
        event.at = timezone.now()
        event.before = json_normalised(event.before)
        event.after = json_normalised(event.after)
        event.row_hash = content_of(event).digest()
        # raw=True inserts the values exactly as given (no pre_save, so ``at`` stays the hashed one).
        event.save_base(raw=True, force_insert=True)
    return event


def content_of(event: AuditEvent, *, content_type: ContentType | None = None) -> EventContent:
    """The hashed content of a saved or about-to-be-saved event."""
    if content_type is None and event.object_type_id is not None:
        content_type = ContentType.objects.get_for_id(event.object_type_id)
    assert event.sequence is not None
    return EventContent(
        sequence=event.sequence,
        at=event.at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        address=event.address,
        action=event.action,
        object_type=_type_label(content_type),
        object_id=event.object_id,
        object_repr=event.object_repr,
        client_id=event.client_id,
        before=event.before,
        after=event.after,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification; ``first_bad_sequence`` is None when the chain is whole."""

    ok: bool
    count: int
    head: ChainLink | None
    anchor: ChainLink | None
    first_bad_sequence: int | None = None
    problem: str = ""


def chain_anchor() -> ChainLink | None:
    """The last row removed by the newest retention prune, which the chain now starts after."""
    after = (
        AuditEvent.objects.filter(action=PRUNE_ACTION, after__has_key="anchor_sequence")
        .order_by("-sequence")
        .values_list("after", flat=True)
        .first()
    )
    if not isinstance(after, dict):
        return None
    try:
        return ChainLink(sequence=int(after["anchor_sequence"]), row_hash=str(after["anchor_hash"]))
    except (KeyError, TypeError, ValueError):
        return None


_FIELDS = (
    "id",
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "address",
    "action",
    "object_type_id",
    "object_id",
    "object_repr",
    "client_id",
    "before",
    "after",
    "prev_hash",
    "row_hash",
)


def chain_rows(*, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every chained row in sequence order, read in batches by key (constant memory)."""
    rows = AuditEvent.objects.filter(sequence__isnull=False).order_by("sequence").values(*_FIELDS)
    batch = list(rows[:batch_size])
    while batch:
        yield from batch
        batch = list(rows.filter(sequence__gt=batch[-1]["sequence"])[:batch_size])


def _row_content(row: dict[str, Any], types: dict[int, str]) -> EventContent:
    return EventContent(
        sequence=row["sequence"],
        at=row["at"],
        actor_id=row["actor_id"],
        actor_label=row["actor_label"],
        address=row["address"],
        action=row["action"],
        object_type=types.get(row["object_type_id"], f"#{row['object_type_id']}")
        if row["object_type_id"] is not None
        else "",
        object_id=row["object_id"],
        object_repr=row["object_repr"],
        client_id=row["client_id"],
        before=row["before"],
        after=row["after"],
        prev_hash=row["prev_hash"],
    )


def _row_problem(
    row: dict[str, Any], *, expected: int, previous_hash: str, types: dict[int, str], checkpoint: ChainLink | None
) -> tuple[int, str] | None:
    """(first bad sequence, what is wrong) for the row expected next, or None if it fits."""
    sequence = int(row["sequence"])
    problem: tuple[int, str] | None = None
    if sequence < expected:
        problem = (sequence, f"event {sequence} lies before the start of the chain (event {expected})")
    elif sequence > expected:
        problem = (expected, f"events {expected}–{sequence - 1} are missing (deleted)")
    elif _row_content(row, types).digest() != row["row_hash"]:
        problem = (sequence, f"event {sequence} was changed after it was written")
    elif row["prev_hash"] != previous_hash:
        problem = (sequence, f"event {sequence} does not follow event {sequence - 1} (inserted or reordered)")
    elif checkpoint is not None and sequence == checkpoint.sequence and row["row_hash"] != checkpoint.row_hash:
        problem = (sequence, f"event {sequence} no longer has the hash of the checkpoint")
    return problem


def chain_verify(*, batch_size: int = 1000, checkpoint: ChainLink | None = None) -> ChainReport:
    """Walk the whole chain and report the first row that breaks it.

    Breaks found: a row whose content no longer matches its hash (changed), a gap in
    the sequence (deleted rows), a row whose ``prev_hash`` is not the previous row's
    hash (inserted or reordered rows), rows without a sequence (written around the
    chain), and, with ``checkpoint``, a row that no longer has the hash noted earlier
    or is gone from the end.
    Reads in batches of ``batch_size``; no side effects.
    """
    types = {ct.pk: _type_label(ct) for ct in ContentType.objects.all()}
    anchor = chain_anchor()
    head = chain_head()
    expected = anchor.sequence + 1 if anchor is not None else 1
    previous_hash = anchor.row_hash if anchor is not None else GENESIS_HASH
    count = 0
    problem: tuple[int, str] | None = None
    for row in chain_rows(batch_size=batch_size):
        problem = _row_problem(row, expected=expected, previous_hash=previous_hash, types=types, checkpoint=checkpoint)
        if problem is not None:
            break
        previous_hash = row["row_hash"]
        expected += 1
        count += 1
    if problem is None:
        unchained = AuditEvent.objects.filter(sequence__isnull=True).order_by("id").values_list("id", flat=True)
        if unchained.exists():
            problem = (expected, f"event row id {unchained[0]} has no sequence number (written around the chain)")
        elif checkpoint is not None and checkpoint.sequence >= expected:
            problem = (checkpoint.sequence, f"event {checkpoint.sequence} of the checkpoint is missing")
    if problem is not None:
        return ChainReport(
            ok=False, count=count, head=head, anchor=anchor, first_bad_sequence=problem[0], problem=problem[1]
        )
    return ChainReport(ok=True, count=count, head=head, anchor=anchor)
