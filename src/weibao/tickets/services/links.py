"""Links between requests: related, parent and child, merged duplicates.

Rules, for the pages and the API built on them:

- Only vendor workers link requests (merging: dispatchers), and the actor must see
  both requests: each is looked up through the client scope, so for a client user
  another client's request is not found.
- **Related** links are symmetric and may join requests of different clients (one
  cause seen by several clients). **Parent and child** model one outage reported by
  many clients: children may belong to other clients than the parent. One level only:
  a child cannot itself be a parent, which also rules out cycles. A closed parent
  takes no new children. Closing a parent does nothing to its children: each child is
  closed on its own (its client accepts its own fix).
- **Merging** a duplicate closes it as *merged* through the procedure
  (``ticket_transition``), only within one client; its followers follow the surviving
  request, its attachments are listed there too (new rows referring to the same stored
  files; no file is copied) and its children move under the surviving request.
- Every link writes a ``linked`` timeline entry on both sides. When the two requests
  belong to different clients the entries are internal, so that no client reads
  another client's request number.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.tickets.models import Attachment, Ticket, TicketEvent
from weibao.tickets.services._common import (
    require_dispatcher,
    require_worker,
    snapshot,
    ticket_lock,
    ticket_save,
    timeline_add,
)
from weibao.tickets.services.quality import complaint_ensure
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.workflow import Action


def _lock_pair(*, actor: User, first_id: int, second_id: int) -> tuple[Ticket, Ticket]:
    """Both requests, locked in id order so that two links between them cannot deadlock."""
    low, high = sorted((first_id, second_id))
    locked = {pk: ticket_lock(actor=actor, ticket_id=pk) for pk in (low, high)}
    return locked[first_id], locked[second_id]


def _touch(*, ticket: Ticket, actor: User, action: str, after: dict[str, Any]) -> None:
    """A new version of a locked request whose own fields did not change, with its audit row."""
    ticket.version += 1
    ticket.save(update_fields=["version", "updated_at"])
    event_record(actor=actor, action=action, obj=ticket, client_id=ticket.client_id, after=after)


def _linked(*, ticket: Ticket, actor: User, other: Ticket, body: str, data: dict[str, Any]) -> None:
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.LINKED,
        body=body,
        internal=ticket.client_id != other.client_id,
        data=data,
    )


@transaction.atomic
def ticket_link(*, actor: User, ticket_id: int, other_id: int, link: bool = True) -> Ticket:
    """Mark two requests as related (or, with ``link=False``, no longer related).

    Vendor workers only; both requests must be visible to ``actor``
    (ObjectNotFoundError otherwise). ValidationError ``other_id`` for the request
    itself. Linking what is already linked, or unlinking what is not, changes nothing.
    Side effects: the symmetric link, a ``linked`` timeline entry and a
    ``ticket.link``/``ticket.unlink`` audit row on each request.
    """
    if ticket_id == other_id:
        raise ValidationError({"other_id": [_("A request cannot be related to itself.")]})
    ticket, other = _lock_pair(actor=actor, first_id=ticket_id, second_id=other_id)
    require_worker(actor)
    if ticket.related.filter(pk=other.pk).exists() == link:
        return ticket
    if link:
        ticket.related.add(other)
    else:
        ticket.related.remove(other)
    for this, that in ((ticket, other), (other, ticket)):
        message = _("Related to %(number)s.") if link else _("No longer related to %(number)s.")
        _linked(
            ticket=this,
            actor=actor,
            other=that,
            body=message % {"number": that.number},
            data={"related": that.number, "linked": link},
        )
        _touch(ticket=this, actor=actor, action="ticket.link" if link else "ticket.unlink", after={"related": that.pk})
        complaint_ensure(ticket=this, actor=actor)
    return ticket


def _parent_errors(ticket: Ticket, parent: Ticket) -> list[str]:
    if parent.is_closed:
        return [_("%(number)s is closed and cannot take new requests under it.") % {"number": parent.number}]
    if parent.parent_id is not None:
        return [
            _("%(number)s is itself under another request; choose that one (one level only).")
            % {"number": parent.number}
        ]
    if ticket.children.exists():
        return [
            _("%(number)s has requests under it, so it cannot be put under another one.") % {"number": ticket.number}
        ]
    return []


@transaction.atomic
def ticket_set_parent(*, actor: User, ticket_id: int, parent_id: int | None) -> Ticket:
    """Put a request under a parent (one outage, many clients), or with None take it out.

    Vendor workers only; both must be visible to ``actor``. The parent may belong to
    another client. ValidationError ``parent_id`` when the parent is the request
    itself, is closed, is itself a child, or when the request already has children
    (one level only, so no cycles). Setting the same parent again changes nothing.
    Side effects: ``parent``; ``linked`` timeline entries on the child, the new parent
    and the former parent; ``ticket.set_parent`` audit row on the child and
    ``ticket.child_add``/``ticket.child_remove`` on the parents.
    """
    if parent_id is not None and parent_id == ticket_id:
        raise ValidationError({"parent_id": [_("A request cannot be its own parent.")]})
    if parent_id is None:
        ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
        parent = None
    else:
        ticket, parent = _lock_pair(actor=actor, first_id=ticket_id, second_id=parent_id)
    require_worker(actor)
    if (parent.pk if parent is not None else None) == ticket.parent_id:
        return ticket
    if parent is not None:
        errors = _parent_errors(ticket, parent)
        if errors:
            raise ValidationError({"parent_id": errors})
    former = Ticket.objects.filter(pk=ticket.parent_id).first() if ticket.parent_id is not None else None
    before = snapshot(ticket)
    ticket.parent = parent
    if former is not None:
        _linked(
            ticket=ticket,
            actor=actor,
            other=former,
            body=_("No longer under %(number)s.") % {"number": former.number},
            data={"parent": former.number, "linked": False},
        )
        _linked(
            ticket=former,
            actor=actor,
            other=ticket,
            body=_("%(number)s is no longer under this request.") % {"number": ticket.number},
            data={"child": ticket.number, "linked": False},
        )
        # The former parent is not locked: only its version moves, atomically.
        Ticket.objects.filter(pk=former.pk).update(version=F("version") + 1)
        event_record(
            actor=actor,
            action="ticket.child_remove",
            obj=former,
            client_id=former.client_id,
            after={"child": ticket.pk},
        )
    if parent is not None:
        _linked(
            ticket=ticket,
            actor=actor,
            other=parent,
            body=_("Now under %(number)s.") % {"number": parent.number},
            data={"parent": parent.number, "linked": True},
        )
        _linked(
            ticket=parent,
            actor=actor,
            other=ticket,
            body=_("%(number)s is now under this request.") % {"number": ticket.number},
            data={"child": ticket.number, "linked": True},
        )
        _touch(ticket=parent, actor=actor, action="ticket.child_add", after={"child": ticket.pk})
        complaint_ensure(ticket=parent, actor=actor)
    ticket_save(ticket=ticket, actor=actor, action="ticket.set_parent", before=before, fields=["parent"])
    complaint_ensure(ticket=ticket, actor=actor)
    return ticket


def _copy_attachments(*, source: Ticket, into: Ticket, event: TicketEvent | None) -> int:
    """List ``source``'s attachments on ``into`` too: new rows, same stored files."""
    present = set(into.attachments.values_list("sha256", "internal"))
    copies = [
        Attachment(
            ticket=into,
            event=event,
            internal=attachment.internal,
            file=attachment.file.name,
            original_name=attachment.original_name,
            size=attachment.size,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
            uploaded_by_id=attachment.uploaded_by_id,
        )
        for attachment in source.attachments.order_by("id")
        if (attachment.sha256, attachment.internal) not in present
    ]
    Attachment.objects.bulk_create(copies)
    return len(copies)


@transaction.atomic
def ticket_merge(*, actor: User, ticket_id: int, into_id: int, reason: str) -> Ticket:
    """Close a duplicate as merged into another request of the same client.

    Dispatchers only (PermissionDeniedError); both must be visible to ``actor``.
    ValidationError ``reason`` when empty; ``into_id`` when it is the request itself,
    another client's, closed, or itself a child while the duplicate has children.
    The procedure's refusal (the duplicate already closed) is TransitionRefusedError.
    Side effects: everything ``ticket_transition(action="merge")`` does; the
    duplicate's followers follow the surviving request; its attachments are listed
    there (rows referring to the same files); its children move under the surviving
    request; a ``ticket.merge_in`` audit row on the surviving request. Returns the
    merged duplicate.
    """
    if ticket_id == into_id:
        raise ValidationError({"into_id": [_("A request cannot be merged into itself.")]})
    ticket, into = _lock_pair(actor=actor, first_id=ticket_id, second_id=into_id)
    require_dispatcher(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the requests are duplicates.")]})
    children = list(Ticket.objects.select_for_update(of=("self",)).filter(parent=ticket).order_by("id"))
    if children and into.parent_id is not None:
        raise ValidationError(
            {
                "into_id": [
                    _("%(number)s has requests under it; merge it into a request that is not itself under another.")
                    % {"number": ticket.number}
                ]
            }
        )
    try:
        merged = ticket_transition(
            actor=actor, ticket_id=ticket.pk, action=Action.MERGE, reason=reason, merge_into=into
        )
    except ValidationError as exc:
        # The caller names the surviving request ``into_id``; so do the errors.
        errors = {("into_id" if key == "merge_into" else key): value for key, value in exc.message_dict.items()}
        raise ValidationError(errors) from None
    event = into.events.filter(kind=TicketEvent.Kind.LINKED).order_by("-id").first()
    into.followers.add(*ticket.followers.all())
    copied = _copy_attachments(source=ticket, into=into, event=event)
    for child in children:
        before = snapshot(child)
        child.parent = into
        _linked(
            ticket=child,
            actor=actor,
            other=into,
            body=_("Now under %(number)s (%(merged)s was merged into it).")
            % {"number": into.number, "merged": ticket.number},
            data={"parent": into.number, "linked": True},
        )
        ticket_save(ticket=child, actor=actor, action="ticket.set_parent", before=before, fields=["parent"])
        _linked(
            ticket=into,
            actor=actor,
            other=child,
            body=_("%(number)s is now under this request.") % {"number": child.number},
            data={"child": child.number, "linked": True},
        )
    _touch(
        ticket=into,
        actor=actor,
        action="ticket.merge_in",
        after={
            "merged": ticket.pk,
            "followers": ticket.followers.count(),
            "attachments": copied,
            "children": [child.pk for child in children],
        },
    )
    complaint_ensure(ticket=merged, actor=actor)
    complaint_ensure(ticket=into, actor=actor)
    return merged
