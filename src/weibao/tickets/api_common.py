"""What the service desk's API modules share: field names as sent, looking up ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.customers.scope import scoped
from weibao.tickets import selectors
from weibao.tickets.models import Ticket

# A model field named by a service -> the request field the caller sent.
REQUEST_NAMES = {
    "client": "client_id",
    "deployment": "deployment_id",
    "contact": "contact_id",
    "requester": "requester_id",
    "parent": "parent_id",
    "merge_into": "merge_into_id",
    "merged_into": "merge_into_id",
    "assignee": "assignee_id",
    "team": "team_id",
}

# Request field -> (where the id is looked up, the id sent or None).
References = dict[str, tuple[QuerySet[Any], int | None]]


def not_a_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


@contextmanager
def named_as_in_the_request(names: dict[str, str] | None = None) -> Iterator[None]:
    """Field errors of a service, renamed to the request's field names."""
    renames = {**REQUEST_NAMES, **(names or {})}
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({renames.get(field, field): errors for field, errors in exc.error_dict.items()}) from exc


def objects_by_id(references: References) -> dict[str, Any]:
    """Each reference as its object (None for no id); an id the queryset lacks is a field error."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, (queryset, pk) in references.items():
        found[field] = None if pk is None else queryset.filter(pk=pk).first()
        if pk is not None and found[field] is None:
            errors[field] = [not_a_choice()]
    if errors:
        raise ValidationError(errors)
    return found


def visible_tickets(actor: User) -> QuerySet[Ticket]:
    return scoped(Ticket.objects.all(), actor)


def ticket_out(actor: User, ticket_id: int) -> Ticket:
    """The request as the API shows it after a write (its relations joined in one query)."""
    return selectors.ticket_get(actor=actor, ticket_id=ticket_id)
