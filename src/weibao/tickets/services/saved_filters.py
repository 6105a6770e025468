"""A user's saved queue filters: a name for a query string of the queue page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets.models import SavedFilter

# Parameters of the queue page worth keeping; a page cursor is never saved.
SAVED_PARAMETERS = frozenset(
    {"queue", "q", "status", "client", "deployment", "kind", "level", "channel", "assignee", "team", "sort"}
)
MAX_SAVED_FILTERS = 50


def query_clean(query: str) -> str:
    """``query`` with only the queue's filter parameters, empty values dropped, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k in SAVED_PARAMETERS]
    return urlencode(sorted(pairs))


@transaction.atomic
def saved_filter_create(*, actor: User, name: str, query: str) -> SavedFilter:
    """Save the queue's current filter under ``name`` for ``actor``; a filter of the same name is replaced.

    ValidationError ``name`` when empty or when the user already keeps the maximum
    number of filters; ``query`` when it filters nothing. Side effects: the row and
    a ``saved_filter.create`` audit row.
    """
    name = (name or "").strip()
    cleaned = query_clean(query or "")
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the filter a name.")]
    if not cleaned:
        errors["query"] = [_("Choose a queue or a filter first; there is nothing to save.")]
    existing = SavedFilter.objects.select_for_update().filter(owner=actor, name=name).first()
    if existing is None and SavedFilter.objects.filter(owner=actor).count() >= MAX_SAVED_FILTERS:
        errors.setdefault("name", []).append(
            _("You keep %(n)s saved filters already; delete one first.") % {"n": MAX_SAVED_FILTERS}
        )
    if errors:
        raise ValidationError(errors)
    saved = existing or SavedFilter(owner=actor, name=name)
    saved.query = cleaned
    saved.full_clean()
    saved.save()
    event_record(actor=actor, action="saved_filter.create", obj=saved, after={"name": name, "query": cleaned})
    return saved


@transaction.atomic
def saved_filter_delete(*, actor: User, saved_filter_id: int) -> None:
    """Delete one of ``actor``'s own saved filters; another user's is ObjectNotFoundError."""
    saved = SavedFilter.objects.select_for_update().filter(owner=actor, pk=saved_filter_id).first()
    if saved is None:
        raise ObjectNotFoundError(_("Not found."))
    event_record(actor=actor, action="saved_filter.delete", obj=saved, before={"name": saved.name})
    saved.delete()
