"""Writes to technical files: upload with limits, metadata changes, delete."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.customers.models import Client, Deployment, TechnicalFile
from weibao.customers.services._common import apply_changes, require_writer, snapshot, validate
from weibao.customers.uploads import clean_file_name, extension_allowed, sniff_content_type

TECHNICAL_FILE_FIELDS = frozenset({"title", "kind", "deployment"})
SNIFF_BYTES = 512


def upload_errors(upload: UploadedFile[Any] | None) -> dict[str, str]:
    """Why ``upload`` cannot be stored (empty dict if it can), keyed ``file``."""
    if upload is None:
        return {"file": _("Choose a file to upload.")}
    name = clean_file_name(upload.name or "")
    allowed = list(settings.UPLOAD_EXTENSIONS)
    if not name:
        return {"file": _("The file has no name.")}
    if not extension_allowed(name, allowed):
        return {
            "file": _("Files of this type cannot be uploaded. Allowed types: %(types)s.")
            % {"types": ", ".join(sorted(allowed))}
        }
    if upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
        return {
            "file": _("The file is too large: at most %(limit)s may be uploaded.")
            % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        }
    if upload.size == 0:
        return {"file": _("The file is empty.")}
    return {}


@transaction.atomic
def technical_file_create(
    *,
    actor: User,
    client: Client,
    title: str,
    file: UploadedFile[Any] | None,
    kind: str = TechnicalFile.Kind.OTHER,
    deployment: Deployment | None = None,
) -> TechnicalFile:
    """Store an uploaded technical document for ``client``.

    The file must have an allowed extension (``UPLOAD_EXTENSIONS``) and at most
    ``UPLOAD_MAX_BYTES``; it is stored under a random name, with its SHA-256,
    size, cleaned original name and sniffed content type recorded.
    Scope then permission; ValidationError per field (``file``, ``title`` …).
    Side effects: a stored file (removed again if the transaction fails) and
    the TechnicalFile row, ``technical_file.create`` event.
    """
    require_writer(actor, client.pk)
    technical_file = TechnicalFile(client=client, uploaded_by=actor)
    apply_changes(technical_file, {"title": title, "kind": kind, "deployment": deployment}, TECHNICAL_FILE_FIELDS)
    problems = upload_errors(file)
    if problems or file is None:
        # Check the other fields too, so that one answer names every problem.
        technical_file.file.name = "pending"
        technical_file.original_name = technical_file.content_type = "pending"
        technical_file.size, technical_file.sha256 = 0, "0" * 64
        validate(technical_file, problems)
        raise ValidationError(problems)
    digest, head = _digest(file)
    technical_file.original_name = clean_file_name(file.name or "")
    technical_file.size = file.size or 0
    technical_file.sha256 = digest
    technical_file.content_type = sniff_content_type(head, technical_file.original_name, file.content_type)
    technical_file.file.name = "pending"
    validate(technical_file)
    technical_file.file.save(technical_file.original_name, file, save=False)
    stored = technical_file.file.name
    # The stored file is not part of the transaction: remove it if the row is not
    # written. (A rollback of an enclosing transaction would leave it orphaned;
    # only a random name, it is never reachable without a row.)
    try:
        technical_file.save()
        event_record(
            actor=actor,
            action="technical_file.create",
            obj=technical_file,
            client_id=client.pk,
            after=snapshot(technical_file),
        )
    except BaseException:
        technical_file.file.storage.delete(stored)
        raise
    return technical_file


@transaction.atomic
def technical_file_update(*, actor: User, technical_file: TechnicalFile, changes: Mapping[str, Any]) -> TechnicalFile:
    """Change a technical file's title, kind or deployment (the content itself never changes).

    Scope then permission; ValidationError per field (the deployment must be the client's own).
    Side effects: ``technical_file.update`` event.
    """
    require_writer(actor, technical_file.client_id)
    locked = TechnicalFile.objects.select_for_update().get(pk=technical_file.pk)
    before = snapshot(locked)
    apply_changes(locked, changes, TECHNICAL_FILE_FIELDS)
    validate(locked)
    locked.save()
    event_record(
        actor=actor,
        action="technical_file.update",
        obj=locked,
        client_id=locked.client_id,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def technical_file_delete(*, actor: User, technical_file: TechnicalFile) -> None:
    """Delete a technical file; the stored content is removed once the deletion commits.

    Scope then permission. Side effects: ``technical_file.delete`` event; file removal on commit.
    """
    require_writer(actor, technical_file.client_id)
    locked = TechnicalFile.objects.select_for_update().get(pk=technical_file.pk)
    storage, name = locked.file.storage, locked.file.name
    event_record(
        actor=actor,
        action="technical_file.delete",
        obj=locked,
        client_id=locked.client_id,
        before=snapshot(locked),
    )
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _digest(upload: UploadedFile[Any]) -> tuple[str, bytes]:
    sha = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest(), head
