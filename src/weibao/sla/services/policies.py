"""Writes to SLA policies, their targets and escalation steps.

Each writes an audit row and sends ``policy_changed`` on commit (running clocks keep their snapshot).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.sla import registry
from weibao.sla.access import require_manager
from weibao.sla.models import Calendar, SlaEscalationStep, SlaPolicy, SlaTarget
from weibao.sla.services._common import ObjectInUseError, full_clean, locked_changed, snap, unknown_refuse
from weibao.sla.signals import policy_changed

POLICY_FIELDS = frozenset({"name", "description", "is_default"})
TARGET_FIELDS = frozenset({"kind", "level", "metric", "seconds", "calendar", "warn_percent", "penalty_amount"})
STEP_FIELDS = frozenset(
    {
        "order",
        "after_seconds",
        "raise_level",
        "notify_roles",
        "notify_assignee",
        "notify_on_duty",
        "reassign_team_id",
    }
)
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _policy_touched(policy_id: int) -> None:
    transaction.on_commit(lambda: policy_changed.send(sender=SlaPolicy, policy_id=policy_id))


def _clear_other_defaults(policy: SlaPolicy) -> None:
    if policy.is_default:
        SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)


@transaction.atomic
def policy_create(*, actor: User, name: str, description: str = "", is_default: bool = False) -> SlaPolicy:
    """Create a policy; marking it default unmarks the previous default. Event ``sla.policy.create``."""
    require_manager(actor)
    policy = SlaPolicy(name=name, description=description, is_default=is_default)
    full_clean(policy, exclude=["is_default"])
    _clear_other_defaults(policy)
    policy.save()
    event_record(actor=actor, action="sla.policy.create", obj=policy, after=snap(policy))
    _policy_touched(policy.pk)
    return policy


@transaction.atomic
def policy_update(*, actor: User, policy: SlaPolicy, changes: Mapping[str, Any]) -> SlaPolicy:
    """Change name, description or the default mark. Event ``sla.policy.update``; ``policy_changed``."""
    require_manager(actor)
    locked, before = locked_changed(SlaPolicy, policy.pk, changes, POLICY_FIELDS)
    full_clean(locked, exclude=["is_default"])
    _clear_other_defaults(locked)
    locked.save()
    event_record(actor=actor, action="sla.policy.update", obj=locked, before=before, after=snap(locked))
    _policy_touched(locked.pk)
    return locked


@transaction.atomic
def policy_delete(*, actor: User, policy: SlaPolicy) -> None:
    """Delete a policy no contract binds. Raises ObjectInUseError (409) otherwise."""
    require_manager(actor)
    event_record(actor=actor, action="sla.policy.delete", obj=policy, before=snap(policy), only_changes=False)
    policy_id = policy.pk
    try:
        with transaction.atomic():
            policy.delete()
    except ProtectedError as exc:
        raise ObjectInUseError(
            _("Policy %(name)s is bound by contracts; unbind it there first.") % {"name": policy.name}
        ) from exc
    _policy_touched(policy_id)


def _target_errors(target: SlaTarget) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        full_clean(target)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    kinds = {value for value, _label in registry.request_kinds()}
    if target.kind and not (target.kind in kinds if kinds else _KIND_RE.match(target.kind)):
        errors.setdefault("kind", []).append(_("Unknown request kind: %(kind)s.") % {"kind": target.kind})
    return errors


@transaction.atomic
def target_create(
    *,
    actor: User,
    policy: SlaPolicy,
    metric: str,
    seconds: int,
    calendar: Calendar,
    kind: str = "",
    level: int | None = None,
    warn_percent: int = 75,
    penalty_amount: Decimal | None = None,
) -> SlaTarget:
    """Add a target to ``policy``. Event ``sla.target.create``; ``policy_changed`` on commit.

    Raises ValidationError (field dict: a second target for the same kind, level and metric,
    an unknown kind, a duration under a minute, a warning threshold outside 1–99).
    """
    require_manager(actor)
    target = SlaTarget(
        policy=policy,
        kind=kind,
        level=level,
        metric=metric,
        seconds=seconds,
        calendar=calendar,
        warn_percent=warn_percent,
        penalty_amount=penalty_amount,
    )
    if errors := _target_errors(target):
        raise ValidationError(errors)
    target.save()
    event_record(actor=actor, action="sla.target.create", obj=target, after=snap(target))
    _policy_touched(policy.pk)
    return target


@transaction.atomic
def target_update(*, actor: User, target: SlaTarget, changes: Mapping[str, Any]) -> SlaTarget:
    """Change a target. Event ``sla.target.update``; ``policy_changed`` on commit."""
    require_manager(actor)
    locked, before = locked_changed(SlaTarget, target.pk, changes, TARGET_FIELDS)
    if errors := _target_errors(locked):
        raise ValidationError(errors)
    locked.save()
    event_record(actor=actor, action="sla.target.update", obj=locked, before=before, after=snap(locked))
    _policy_touched(locked.policy_id)
    return locked


@transaction.atomic
def target_delete(*, actor: User, target: SlaTarget) -> None:
    """Delete a target and its escalation steps. Event ``sla.target.delete``."""
    require_manager(actor)
    event_record(actor=actor, action="sla.target.delete", obj=target, before=snap(target), only_changes=False)
    policy_id = target.policy_id
    target.delete()
    _policy_touched(policy_id)


def _step_errors(step: SlaEscalationStep, users: Sequence[User] | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        full_clean(step)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    roles = step.notify_roles
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        errors.setdefault("notify_roles", []).append(_("Give a list of role names."))
    elif unknown := sorted(set(roles) - set(Role.values)):
        errors.setdefault("notify_roles", []).append(_("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)})
    if users is not None and (clients := [str(u) for u in users if u.is_client_side]):
        errors.setdefault("notify_users", []).append(
            _("Only vendor staff can be notified of escalations, not: %(names)s.") % {"names": "、".join(clients)}
        )
    return errors


def _step_snapshot(step: SlaEscalationStep) -> dict[str, Any]:
    return snap(step) | {"notify_users": sorted(step.notify_users.values_list("pk", flat=True))}


@transaction.atomic
def escalation_create(
    *,
    actor: User,
    target: SlaTarget,
    notify_users: Sequence[User] = (),
    **fields: Any,
) -> SlaEscalationStep:
    """Add an escalation step to ``target``. Event ``sla.escalation.create``; ``policy_changed``.

    ``fields`` are STEP_FIELDS; ``order`` defaults to after the last step.
    """
    require_manager(actor)
    unknown_refuse(fields, STEP_FIELDS)
    if fields.get("order") is None:
        last = target.escalations.order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 1
    step = SlaEscalationStep(target=target, **fields)
    if errors := _step_errors(step, notify_users):
        raise ValidationError(errors)
    step.save()
    step.notify_users.set(notify_users)
    event_record(actor=actor, action="sla.escalation.create", obj=step, after=_step_snapshot(step))
    _policy_touched(target.policy_id)
    return step


@transaction.atomic
def escalation_update(
    *,
    actor: User,
    step: SlaEscalationStep,
    changes: Mapping[str, Any],
    notify_users: Sequence[User] | None = None,
) -> SlaEscalationStep:
    """Change an escalation step. Event ``sla.escalation.update``; ``policy_changed``."""
    require_manager(actor)
    locked, before = locked_changed(SlaEscalationStep, step.pk, changes, STEP_FIELDS, _step_snapshot)
    if errors := _step_errors(locked, notify_users):
        raise ValidationError(errors)
    locked.save()
    if notify_users is not None:
        locked.notify_users.set(notify_users)
    event_record(actor=actor, action="sla.escalation.update", obj=locked, before=before, after=_step_snapshot(locked))
    _policy_touched(locked.target.policy_id)
    return locked


@transaction.atomic
def escalation_delete(*, actor: User, step: SlaEscalationStep) -> None:
    require_manager(actor)
    event_record(actor=actor, action="sla.escalation.delete", obj=step, before=_step_snapshot(step), only_changes=False)
    policy_id = step.target.policy_id
    step.delete()
    _policy_touched(policy_id)
