"""Writes to clients, their sites and contacts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import PermissionDeniedError
from weibao.customers.errors import ArchiveInUseError
from weibao.customers.models import Client, Contact, Site
from weibao.customers.services._common import apply_changes, require_writer, snapshot, validate

CLIENT_FIELDS = frozenset(
    {"name", "short_name", "code", "kind", "region", "address", "email_domains", "notes", "is_active"}
)
SITE_FIELDS = frozenset({"name", "kind", "address", "notes"})
CONTACT_FIELDS = frozenset(
    {
        "site",
        "name",
        "title",
        "mobile",
        "office_phone",
        "email",
        "wecom_id",
        "dingtalk_id",
        "feishu_id",
        "wechat_id",
        "is_leader",
        "notes",
    }
)
PHONE_FIELDS = ("mobile", "office_phone")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


@transaction.atomic
def client_create(
    *,
    actor: User,
    name: str,
    code: str,
    kind: str,
    short_name: str = "",
    region: str = "",
    address: str = "",
    email_domains: str = "",
    notes: str = "",
    is_active: bool = True,
) -> Client:
    """Add a client.

    Needs ``actor.can_write_archive`` (client users never may: PermissionDeniedError).
    Raises ValidationError per field (blank, duplicate name or code, unknown kind).
    Side effects: Client row, ``client.create`` event.
    """
    if not actor.can_write_archive:
        raise PermissionDeniedError(_("You may not change the client archive."))
    client = Client()
    apply_changes(
        client,
        {
            "name": name,
            "code": code,
            "kind": kind,
            "short_name": short_name,
            "region": region,
            "address": address,
            "email_domains": _domains(email_domains),
            "notes": notes,
            "is_active": is_active,
        },
        CLIENT_FIELDS,
    )
    validate(client)
    client.save()
    event_record(actor=actor, action="client.create", obj=client, client_id=client.pk, after=snapshot(client))
    return client


@transaction.atomic
def client_update(*, actor: User, client: Client, changes: Mapping[str, Any]) -> Client:
    """Change some of a client's fields.

    Precondition: ``client`` came from a scoped selector. Scope then permission
    (ObjectNotFoundError, PermissionDeniedError). Locks the row; ValidationError per field.
    Side effects: ``client.update`` event with the changed fields.
    """
    require_writer(actor, client.pk)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    before = snapshot(locked)
    changes = dict(changes)
    if "email_domains" in changes:
        changes["email_domains"] = _domains(changes["email_domains"])
    apply_changes(locked, changes, CLIENT_FIELDS)
    validate(locked)
    locked.save()
    event_record(
        actor=actor,
        action="client.update",
        obj=locked,
        client_id=locked.pk,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def client_delete(*, actor: User, client: Client) -> None:
    """Delete a client with its sites and contacts, if nothing else refers to it.

    A client with deployments, technical files or contracts is refused with
    ArchiveInUseError (409): its record must survive (R3); deactivate it instead.
    Side effects: deletes rows; a ``contact.delete``/``site.delete`` event for each and ``client.delete``.
    """
    require_writer(actor, client.pk)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.deployments.exists() or locked.technical_files.exists() or locked.contracts.exists():
        raise ArchiveInUseError(
            _("This client has deployments, files or contracts, so it cannot be deleted. Deactivate it instead.")
        )
    for contact in locked.contacts.all():
        event_record(actor=actor, action="contact.delete", obj=contact, client_id=locked.pk, before=snapshot(contact))
    for site in locked.sites.all():
        event_record(actor=actor, action="site.delete", obj=site, client_id=locked.pk, before=snapshot(site))
    event_record(actor=actor, action="client.delete", obj=locked, client_id=locked.pk, before=snapshot(locked))
    locked.delete()


@transaction.atomic
def site_create(
    *, actor: User, client: Client, name: str, kind: str = Site.Kind.OFFICE, address: str = "", notes: str = ""
) -> Site:
    """Add a site to ``client``.

    Scope then permission; ValidationError per field (the name is unique per client).
    Side effects: Site row, ``site.create`` event.
    """
    require_writer(actor, client.pk)
    site = Site(client=client)
    apply_changes(site, {"name": name, "kind": kind, "address": address, "notes": notes}, SITE_FIELDS)
    validate(site, _site_duplicate(site))
    site.save()
    event_record(actor=actor, action="site.create", obj=site, client_id=client.pk, after=snapshot(site))
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, changes: Mapping[str, Any]) -> Site:
    """Change some of a site's fields. Scope then permission; ValidationError per field.

    Side effects: ``site.update`` event.
    """
    require_writer(actor, site.client_id)
    locked = Site.objects.select_for_update().select_related("client").get(pk=site.pk)
    before = snapshot(locked)
    apply_changes(locked, changes, SITE_FIELDS)
    validate(locked, _site_duplicate(locked))
    locked.save()
    event_record(
        actor=actor,
        action="site.update",
        obj=locked,
        client_id=locked.client_id,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def site_delete(*, actor: User, site: Site) -> None:
    """Delete a site; its contacts and deployments stay, without a site.

    Scope then permission. Side effects: ``site.delete`` event.
    """
    require_writer(actor, site.client_id)
    locked = Site.objects.select_for_update().select_related("client").get(pk=site.pk)
    event_record(actor=actor, action="site.delete", obj=locked, client_id=locked.client_id, before=snapshot(locked))
    locked.delete()


@transaction.atomic
def contact_create(
    *,
    actor: User,
    client: Client,
    name: str,
    site: Site | None = None,
    title: str = "",
    mobile: str = "",
    office_phone: str = "",
    email: str = "",
    wecom_id: str = "",
    dingtalk_id: str = "",
    feishu_id: str = "",
    wechat_id: str = "",
    is_leader: bool = False,
    notes: str = "",
) -> Contact:
    """Add a contact person to ``client``.

    Phone numbers are stored without spaces, dashes or brackets so that a hotline
    call can be matched to them. Scope then permission; ValidationError per field
    (the site must be the client's own).
    Side effects: Contact row, ``contact.create`` event.
    """
    require_writer(actor, client.pk)
    contact = Contact(client=client)
    fields: dict[str, Any] = {
        "site": site,
        "name": name,
        "title": title,
        "mobile": mobile,
        "office_phone": office_phone,
        "email": email,
        "wecom_id": wecom_id,
        "dingtalk_id": dingtalk_id,
        "feishu_id": feishu_id,
        "wechat_id": wechat_id,
        "is_leader": is_leader,
        "notes": notes,
    }
    apply_changes(contact, _normalised_phones(fields), CONTACT_FIELDS)
    validate(contact)
    contact.save()
    event_record(actor=actor, action="contact.create", obj=contact, client_id=client.pk, after=snapshot(contact))
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, changes: Mapping[str, Any]) -> Contact:
    """Change some of a contact's fields. Scope then permission; ValidationError per field.

    Side effects: ``contact.update`` event.
    """
    require_writer(actor, contact.client_id)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    before = snapshot(locked)
    apply_changes(locked, _normalised_phones(changes), CONTACT_FIELDS)
    validate(locked)
    locked.save()
    event_record(
        actor=actor,
        action="contact.update",
        obj=locked,
        client_id=locked.client_id,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    """Delete a contact. Scope then permission. Side effects: ``contact.delete`` event."""
    require_writer(actor, contact.client_id)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    event_record(actor=actor, action="contact.delete", obj=locked, client_id=locked.client_id, before=snapshot(locked))
    locked.delete()


def _domains(raw: str) -> str:
    parts = [part.strip().lower().lstrip("@") for part in re.split(r"[,，;；\s]+", raw or "")]
    return ",".join(part for part in parts if part)


def _normalised_phones(fields: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(fields)
    for name in PHONE_FIELDS:
        if isinstance(result.get(name), str):
            result[name] = _PHONE_SEPARATORS.sub("", result[name])
    return result


def _site_duplicate(site: Site) -> dict[str, str]:
    if site.name and Site.objects.filter(client_id=site.client_id, name=site.name).exclude(pk=site.pk).exists():
        return {"name": _("This client already has a site with this name.")}
    return {}
