"""Records kept while a request is worked on: remote consents, work logs, milestones.

Remote consents (R1.9), work logs (服务机时, R1.12), and the milestones of emergencies
and personalised changes (R1.10, R1.11). None of these moves the request through the
procedure; each locks the request, checks its state, and writes its record with one
public timeline entry and one audit row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import PermissionDeniedError
from weibao.tickets import workflow
from weibao.tickets.models import MILESTONES_BY_KIND, Milestone, RemoteConsent, Ticket, TicketEvent, WorkLog
from weibao.tickets.services._common import TransitionRefusedError, record_audit, require_worker, side_of, ticket_lock
from weibao.tickets.services._procedure import (
    aware,
    clean_record,
    local_time,
    raise_if,
    record_changed,
    record_event,
    record_snapshot,
    require_open,
    ticket_id_of,
)
from weibao.tickets.workflow import Side


@transaction.atomic
def remote_consent_record(
    *,
    actor: User,
    ticket_id: int,
    granted_by_name: str,
    scope: str,
    minutes_allowed: int,
    granted_via: str = "",
    granted_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> RemoteConsent:
    """Record the client's consent to a remote session (R1.9): who, when, scope and duration.

    Vendor workers record a consent the client gave by phone, e-mail … (``granted_via``
    required, ``granted_at`` defaults to now and cannot be in the future). A client
    user grants it in the portal: then the grantor is the actor, ``granted_via`` is
    the portal and ``granted_at`` is now. Not on a closed request
    (TransitionRefusedError). ValidationError ``granted_by_name``, ``granted_via``,
    ``scope``, ``minutes_allowed`` (1 to 1,440), ``granted_at``. Side effects: the
    RemoteConsent, its ``record`` timeline entry, ``remote_consent.create`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    side = side_of(actor)
    if side == Side.STAFF:
        require_worker(actor)
    require_open(ticket)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    name = (granted_by_name or "").strip()
    if side == Side.STAFF:
        via = (granted_via or "").strip()
        if not via:
            errors["granted_via"] = [_("Say how the client gave consent (phone call, e-mail …).")]
        granted_at = aware(granted_at, "granted_at") or now
        if granted_at > now:
            errors["granted_at"] = [_("A consent cannot be recorded as given in the future.")]
        if not name:
            errors["granted_by_name"] = [_("Name the client's person who gave consent.")]
        granted_by = None
    else:
        via = str(_("Portal"))
        granted_at = now
        name = name or actor.get_full_name() or actor.get_username()
        granted_by = actor
    if isinstance(minutes_allowed, bool) or not isinstance(minutes_allowed, int):
        errors["minutes_allowed"] = [_("Give the minutes allowed as a whole number.")]
    consent = RemoteConsent(
        ticket=ticket,
        granted_by=granted_by,
        granted_by_name=name,
        granted_via=via,
        scope=(scope or "").strip(),
        minutes_allowed=minutes_allowed,
        granted_at=granted_at,
        recorded_by=actor,
    )
    if "minutes_allowed" not in errors:
        clean_record(consent, errors, exclude=["ticket", "granted_by", "recorded_by"])
    raise_if(errors)
    consent.save()
    record_event(
        ticket=ticket,
        actor=actor,
        record=consent,
        name="remote_consent",
        body=consent.scope,
        extra={
            "granted_by_name": consent.granted_by_name,
            "granted_via": consent.granted_via,
            "minutes_allowed": consent.minutes_allowed,
            "granted_at": consent.granted_at.isoformat(),
        },
    )
    record_audit(actor=actor, action="remote_consent.create", record=consent, ticket=ticket)
    return consent


@transaction.atomic
def remote_consent_revoke(*, actor: User, consent_id: int) -> RemoteConsent:
    """Withdraw a remote-access consent from now on.

    The client's users or vendor workers. Work already done within the consent's
    window stays covered; later remote work needs a new consent. Raises
    TransitionRefusedError when already revoked. Side effects: ``revoked_at``, a
    ``record`` timeline entry, ``remote_consent.revoke`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id_of(RemoteConsent, consent_id, actor))
    if side_of(actor) == Side.STAFF:
        require_worker(actor)
    consent = RemoteConsent.objects.select_for_update().get(pk=consent_id)
    if consent.revoked_at is not None:
        raise TransitionRefusedError(
            _("This consent was already revoked at %(at)s.") % {"at": local_time(consent.revoked_at)}
        )
    before = record_snapshot(consent)
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    record_event(
        ticket=ticket,
        actor=actor,
        record=consent,
        name="remote_consent",
        body=_("Remote-access consent revoked."),
        extra={"revoked": True},
    )
    record_changed(actor=actor, action="remote_consent.revoke", record=consent, ticket=ticket, before=before)
    return consent


def consent_window_end(consent: RemoteConsent) -> dt.datetime:
    """When a consent stops covering work: after its minutes, or when it was revoked if sooner."""
    end = consent.granted_at + dt.timedelta(minutes=consent.minutes_allowed)
    if consent.revoked_at is not None:
        end = min(end, consent.revoked_at)
    return end


def consent_covers(consent: RemoteConsent, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether work from ``start`` to ``end`` lies within the consent's window."""
    return consent.granted_at <= start and end <= consent_window_end(consent)


def _consent_for(
    *, ticket: Ticket, consent_id: int | None, start: dt.datetime, end: dt.datetime
) -> tuple[RemoteConsent | None, str]:
    """The consent that covers remote work from ``start`` to ``end``, or None and why not (R1.9)."""
    needed = _("Remote work needs the client's recorded consent first.")
    consents = list(ticket.remote_consents.order_by("-granted_at", "-id"))
    if consent_id is not None:
        consents = [c for c in consents if c.pk == consent_id]
        if not consents:
            return None, _("This consent is not one of this request's.")
    if not consents:
        return None, needed
    for consent in consents:
        if consent_covers(consent, start, end):
            return consent, ""
    windows = "、".join(f"{local_time(c.granted_at)}–{local_time(consent_window_end(c))}" for c in consents)
    detail = _("The work (%(start)s–%(end)s) lies outside every consent's window (%(windows)s).") % {
        "start": local_time(start),
        "end": local_time(end),
        "windows": windows,
    }
    return None, f"{needed} {detail}"


@transaction.atomic
def work_log_add(
    *,
    actor: User,
    ticket_id: int,
    mode: str,
    started_at: dt.datetime,
    minutes: int,
    description: str,
    consent_id: int | None = None,
    task_order_id: int | None = None,
    expected_version: int | None = None,
) -> WorkLog:
    """Record time the actor spent on a request (服务机时, R1.12).

    Vendor workers only (PermissionDeniedError for client users); not on a closed
    request (TransitionRefusedError). Remote work (R1.9) must lie within the window
    of a consent recorded on this request (from ``granted_at`` for
    ``minutes_allowed``, ending early if revoked); ``consent_id`` names one, else
    the covering consent is found. ValidationError ``consent`` otherwise, and for
    ``mode``, ``started_at`` (not in the future), ``minutes`` (1 to 1,440),
    ``description``, ``task_order`` (of this request). Side effects: the WorkLog,
    its ``record`` timeline entry, ``work_log.create`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    if side_of(actor) != Side.STAFF:
        raise PermissionDeniedError(_("Only the vendor's engineers record work logs."))
    require_worker(actor)
    require_open(ticket)
    errors: dict[str, list[str]] = {}
    start = aware(started_at, "started_at")
    if start is None:
        errors["started_at"] = [_("Give the time the work started.")]
    elif start > timezone.now():
        errors["started_at"] = [_("Work cannot start in the future.")]
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["minutes"] = [_("Give the minutes as a whole number.")]
    task_order = None
    if task_order_id is not None:
        task_order = ticket.task_orders.filter(pk=task_order_id).first()
        if task_order is None:
            errors["task_order"] = [_("This task order is not one of this request's.")]
    log = WorkLog(
        ticket=ticket,
        engineer=actor,
        mode=mode,
        started_at=start or timezone.now(),
        minutes=minutes,
        description=(description or "").strip(),
        task_order=task_order,
    )
    if "minutes" not in errors:
        clean_record(log, errors, exclude=["ticket", "engineer", "consent", "task_order", "started_at"])
    if mode == WorkLog.Mode.REMOTE:
        if start is not None and not {"started_at", "minutes"} & errors.keys():
            log.consent, problem = _consent_for(
                ticket=ticket, consent_id=consent_id, start=start, end=start + dt.timedelta(minutes=minutes)
            )
            if problem:
                errors["consent"] = [problem]
    elif consent_id is not None and "mode" not in errors:
        errors["consent"] = [_("Only remote work cites a remote-access consent.")]
    raise_if(errors)
    log.save()
    record_event(
        ticket=ticket,
        actor=actor,
        record=log,
        name="work_log",
        body=log.description,
        extra={"mode": log.mode, "minutes": log.minutes, "consent_id": log.consent_id},
    )
    record_audit(actor=actor, action="work_log.create", record=log, ticket=ticket)
    return log


@transaction.atomic
def milestone_record(
    *,
    actor: User,
    ticket_id: int,
    step: str,
    reached_at: dt.datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Milestone:
    """Record that an emergency (R1.10) or personalised change (R1.11) reached one of its steps.

    Only the steps of the request's type (``MILESTONES_BY_KIND``), each once;
    ``reached_at`` (default now) neither in the future nor before the request was
    registered. Vendor workers only; not on a closed request (TransitionRefusedError).
    ValidationError ``step``, ``reached_at``. Side effects: the Milestone, its
    ``milestone`` timeline entry, ``milestone.create`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    require_open(ticket)
    kind_label = workflow.KIND_LABELS[ticket.kind_enum]
    steps = MILESTONES_BY_KIND.get(ticket.kind, [])
    if not steps:
        raise ValidationError({"step": [_("Requests of type “%(kind)s” have no milestones.") % {"kind": kind_label}]})
    if step not in steps:
        names = "、".join(str(Milestone.Step(s).label) for s in steps)
        raise ValidationError(
            {
                "step": [
                    _("“%(step)s” is not a milestone of a “%(kind)s” request; its milestones are: %(steps)s.")
                    % {"step": step, "kind": kind_label, "steps": names}
                ]
            }
        )
    label = Milestone.Step(step).label
    earlier = ticket.milestones.filter(step=step).first()
    if earlier is not None:
        raise ValidationError(
            {
                "step": [
                    _("“%(step)s” was already recorded, reached at %(at)s.")
                    % {"step": label, "at": local_time(earlier.reached_at)}
                ]
            }
        )
    now = timezone.now()
    reached = aware(reached_at, "reached_at") or now
    if reached > now:
        raise ValidationError({"reached_at": [_("A milestone cannot be reached in the future.")]})
    if reached < ticket.created_at:
        raise ValidationError({"reached_at": [_("A milestone cannot be reached before the request was registered.")]})
    milestone = Milestone(ticket=ticket, step=step, reached_at=reached, note=(note or "").strip(), recorded_by=actor)
    errors: dict[str, list[str]] = {}
    clean_record(milestone, errors, exclude=["ticket", "recorded_by"])
    raise_if(errors)
    milestone.save()
    record_event(
        ticket=ticket,
        actor=actor,
        record=milestone,
        name="milestone",
        kind=TicketEvent.Kind.MILESTONE,
        body=milestone.note,
        extra={"step": step, "reached_at": reached.isoformat()},
    )
    record_audit(actor=actor, action="milestone.create", record=milestone, ticket=ticket)
    return milestone
