"""Link the audit rows written before the hash chain existed, then make the table append-only.

Rows without a sequence (from before accounts 0004) are chained in the order they were
written (by id), after whatever the chain already holds. The triggers come last: they
would refuse the UPDATEs that do the linking.
"""

from django.db import migrations

BATCH = 500


def link_unchained_events(apps, schema_editor):
    from weibao.accounts.audit_chain import GENESIS_HASH, EventContent
    from weibao.accounts.audit_guard import guard_remove

    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    connection = schema_editor.connection
    # A post_migrate run may have installed the triggers before this migration ran.
    guard_remove(connection)
    types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(connection.alias).all()}
    events = AuditEvent.objects.using(connection.alias)
    head = events.filter(sequence__isnull=False).order_by("-sequence").values_list("sequence", "row_hash").first()
    sequence, previous = head if head is not None else (0, GENESIS_HASH)
    while True:
        batch = list(events.filter(sequence__isnull=True).order_by("id")[:BATCH])
        if not batch:
            break
        for event in batch:
            sequence += 1
            event.sequence = sequence
            event.prev_hash = previous
            event.row_hash = EventContent(
                sequence=sequence,
                at=event.at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                address=event.address,
                action=event.action,
                object_type=types.get(event.object_type_id, "") if event.object_type_id else "",
                object_id=event.object_id,
                object_repr=event.object_repr,
                client_id=event.client_id,
                before=event.before,
                after=event.after,
                prev_hash=previous,
            ).digest()
            previous = event.row_hash
        events.bulk_update(batch, ["sequence", "prev_hash", "row_hash"])


def install_guard(apps, schema_editor):
    from weibao.accounts.audit_guard import guard_install

    guard_install(schema_editor.connection)


def remove_guard(apps, schema_editor):
    from weibao.accounts.audit_guard import guard_remove

    guard_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_hash_chain"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(link_unchained_events, migrations.RunPython.noop),
        migrations.RunPython(install_guard, remove_guard),
    ]
