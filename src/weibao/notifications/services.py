"""Changes people make in the notification centre and administrators make to its settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.core.errors import PermissionDeniedError
from weibao.notifications.events import EVENTS
from weibao.notifications.messages import template_check
from weibao.notifications.models import PERSONAL_CHANNELS, Endpoint, InboxItem, MessageTemplate, Preference, Rule
from weibao.notifications.selectors import inbox_get
from weibao.notifications.ssrf import OutboundRefusedError, url_check

ROLE_VALUES = {r.value for r in Role}


def require_admin(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDeniedError(_("Only administrators may change notification settings."))


def inbox_mark_read(*, actor: User, pk: int) -> InboxItem:
    """Mark one of the actor's entries read (idempotent); another person's entry is not found."""
    item = inbox_get(actor=actor, pk=pk)
    if item.read_at is None:
        item.read_at = timezone.now()
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=item.read_at)
    return item


def inbox_mark_all_read(*, actor: User) -> int:
    return InboxItem.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


def preferences_set(*, actor: User, choices: Iterable[tuple[str, str, bool]]) -> None:
    """Store the actor's (event, channel, enabled) choices; unknown events or channels are field errors."""
    channels = {c.value for c in PERSONAL_CHANNELS}
    rows = list(choices)
    errors: dict[str, list[str]] = {}
    for index, (event, channel, _enabled) in enumerate(rows):
        if event not in EVENTS:
            errors[f"items.{index}.event"] = [_("Unknown event “%(event)s”.") % {"event": event}]
        if channel not in channels:
            errors[f"items.{index}.channel"] = [_("Unknown channel “%(channel)s”.") % {"channel": channel}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for event, channel, enabled in rows:
            Preference.objects.update_or_create(
                user=actor, event=event, channel=channel, defaults={"enabled": bool(enabled)}
            )


def _endpoint_snapshot(endpoint: Endpoint) -> dict[str, Any]:
    # The secret never goes into the audit trail; only whether there is one.
    return {
        "kind": endpoint.kind,
        "name": endpoint.name,
        "url": endpoint.url.split("?", 1)[0],
        "has_secret": bool(endpoint.secret),
        "events": list(endpoint.events),
        "client_id": endpoint.client_id,
        "mention_on_duty": endpoint.mention_on_duty,
        "enabled": endpoint.enabled,
    }


def endpoint_save(*, actor: User, endpoint: Endpoint) -> Endpoint:
    """Create or update a robot / webhook after checking its URL against the outbound guard."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    try:
        url_check(endpoint.url, unresolvable_ok=True)
    except OutboundRefusedError as exc:
        errors["url"] = [exc.message]
    unknown = [e for e in endpoint.events if e not in EVENTS]
    if unknown:
        errors["events"] = [_("Unknown event “%(event)s”.") % {"event": unknown[0]}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = _endpoint_snapshot(Endpoint.objects.get(pk=endpoint.pk)) if endpoint.pk else {}
        endpoint.full_clean()
        endpoint.save()
        event_record(
            actor=actor,
            action="notifications.channel.update" if before else "notifications.channel.create",
            obj=endpoint,
            before=before,
            after=_endpoint_snapshot(endpoint),
        )
    return endpoint


def endpoint_delete(*, actor: User, endpoint: Endpoint) -> None:
    require_admin(actor)
    with transaction.atomic():
        event_record(
            actor=actor, action="notifications.channel.delete", obj=endpoint, before=_endpoint_snapshot(endpoint)
        )
        endpoint.delete()


def rule_save(*, actor: User, event: str, enabled: bool, channels: list[str], extra_roles: list[str]) -> Rule:
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    if event not in EVENTS:
        errors["event"] = [_("Unknown event “%(event)s”.") % {"event": event}]
    if any(c not in {p.value for p in PERSONAL_CHANNELS} for c in channels):
        errors["channels"] = [_("Choose e-mail and/or in-app.")]
    if any(r not in ROLE_VALUES for r in extra_roles):
        errors["extra_roles"] = [_("Choose roles from the list.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, _created = Rule.objects.get_or_create(event=event)
        before = {"enabled": rule.enabled, "channels": rule.channels, "extra_roles": rule.extra_roles}
        rule.enabled, rule.channels, rule.extra_roles = enabled, channels, extra_roles
        rule.save()
        event_record(
            actor=actor,
            action="notifications.rule.update",
            obj=rule,
            before=before,
            after={"enabled": enabled, "channels": channels, "extra_roles": extra_roles},
        )
    return rule


def template_save(*, actor: User, event: str, language: str, subject: str, body: str) -> MessageTemplate | None:
    """Store an administrator's wording; empty subject and body return to the built-in one."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    for field, source in (("subject", subject), ("body", body)):
        problem = template_check(source)
        if problem:
            errors[field] = [_("Template error: %(problem)s") % {"problem": problem}]
    if bool(subject.strip()) != bool(body.strip()):
        errors["body" if subject.strip() else "subject"] = [_("Give both subject and body, or neither.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = MessageTemplate.objects.filter(event=event, language=language).first()
        before = {"subject": existing.subject, "body": existing.body} if existing else {}
        if not subject.strip():
            if existing:
                existing.delete()
            event_record(actor=actor, action="notifications.template.reset", before=before)
            return None
        template, _created = MessageTemplate.objects.update_or_create(
            event=event, language=language, defaults={"subject": subject.strip(), "body": body.strip()}
        )
        event_record(
            actor=actor,
            action="notifications.template.update",
            obj=template,
            before=before,
            after={"subject": template.subject, "body": template.body},
        )
    return template
