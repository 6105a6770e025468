"""The audit trail's hash chain: every row linked, tampering named by sequence."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection, connections
from django.utils import timezone

from weibao.accounts.audit import current_address, event_record
from weibao.accounts.audit_chain import ChainLink, chain_head, chain_verify, content_of
from weibao.accounts.audit_guard import guard_remove
from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.tokens import token_create

pytestmark = pytest.mark.django_db


def _execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Change rows as someone with full database rights would (triggers dropped; rolled back after the test)."""
    guard_remove()
    _execute(sql, params)


def _five_events(staff: User) -> None:
    token_create(actor=staff, name="监控导出", scope="read")
    event_record(actor=staff, action="thing.update", before={"name": "旧"}, after={"name": "新", "n": [1, 2]})
    event_record(actor=None, actor_label="zhangsan", action="user.login_failed", after={"username": "zhangsan"})
    event_record(actor=staff, action="thing.delete", client_id=42)
    event_record(actor=staff, action="thing.create", after={"when": "2026-05-10T08:00:00+08:00", "ok": True})


def test_each_event_links_to_the_one_before(staff: User) -> None:
    _five_events(staff)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == ""
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.row_hash
    assert all(len(e.row_hash) == 64 for e in events)


def test_row_hash_covers_the_stored_content_and_time(staff: User) -> None:
    current_address.set("::ffff:10.1.2.3")
    event = event_record(actor=staff, action="thing.update", after={"名称": "社区服务中心"})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == event.at
    assert content_of(stored).digest() == stored.row_hash == event.row_hash


def test_an_untouched_chain_verifies(staff: User) -> None:
    _five_events(staff)
    report = chain_verify(batch_size=2)
    assert report.ok
    assert report.count == 5
    assert report.head == chain_head()
    assert report.first_bad_sequence is None


def test_an_empty_trail_verifies() -> None:
    report = chain_verify()
    assert report.ok
    assert report.count == 0
    assert report.head is None


def test_changed_content_is_named_by_its_sequence(staff: User) -> None:
    _five_events(staff)
    tamper("UPDATE accounts_auditevent SET object_repr = %s WHERE sequence = 3", ["别人"])
    report = chain_verify(batch_size=2)
    assert not report.ok
    assert report.first_bad_sequence == 3
    assert "changed" in report.problem


def test_changed_before_and_after_values_break_the_chain(staff: User) -> None:
    _five_events(staff)
    tamper("UPDATE accounts_auditevent SET after = %s WHERE sequence = 2", ['{"n": [1, 2], "name": "改"}'])
    assert chain_verify().first_bad_sequence == 2


def test_changed_time_breaks_the_chain(staff: User) -> None:
    _five_events(staff)
    event = AuditEvent.objects.get(sequence=4)
    tamper("UPDATE accounts_auditevent SET at = %s WHERE sequence = 4", [event.at - dt.timedelta(microseconds=1)])
    assert chain_verify().first_bad_sequence == 4


def test_a_deleted_row_shows_as_a_gap(staff: User) -> None:
    _five_events(staff)
    tamper("DELETE FROM accounts_auditevent WHERE sequence = 2")
    report = chain_verify()
    assert not report.ok
    assert report.first_bad_sequence == 2
    assert "missing" in report.problem


def test_deleting_the_oldest_rows_without_a_prune_is_found(staff: User) -> None:
    _five_events(staff)
    tamper("DELETE FROM accounts_auditevent WHERE sequence <= 2")
    assert chain_verify().first_bad_sequence == 1


def test_a_rehashed_row_no_longer_links_to_the_next(staff: User) -> None:
    _five_events(staff)
    event = AuditEvent.objects.get(sequence=2)
    event.object_repr = "伪造"
    forged = content_of(event).digest()
    tamper("UPDATE accounts_auditevent SET object_repr = %s, row_hash = %s WHERE sequence = 2", ["伪造", forged])
    report = chain_verify()
    assert report.first_bad_sequence == 3
    assert "does not follow" in report.problem


def test_swapped_rows_are_found(staff: User) -> None:
    _five_events(staff)
    tamper("UPDATE accounts_auditevent SET sequence = 100 WHERE sequence = 2")
    _execute("UPDATE accounts_auditevent SET sequence = 2 WHERE sequence = 3")
    _execute("UPDATE accounts_auditevent SET sequence = 3 WHERE sequence = 100")
    assert chain_verify().first_bad_sequence == 2


def test_an_inserted_row_is_found(staff: User) -> None:
    _five_events(staff)
    tamper("UPDATE accounts_auditevent SET sequence = sequence + 10 WHERE sequence >= 3")
    _execute("UPDATE accounts_auditevent SET sequence = sequence - 9 WHERE sequence >= 13")
    # 1, 2, then a forged 3 whose prev_hash is right but whose content was never hashed.
    _execute(
        "INSERT INTO accounts_auditevent (at, actor_label, action, object_id, object_repr, before, after, "
        "sequence, prev_hash, row_hash) VALUES (%s, 'x', 'forged', '', '', '{}', '{}', 3, %s, %s)",
        [timezone.now(), AuditEvent.objects.get(sequence=2).row_hash, "0" * 64],
    )
    assert chain_verify().first_bad_sequence == 3


def test_a_row_written_around_the_chain_is_found(staff: User) -> None:
    _five_events(staff)
    _execute(
        "INSERT INTO accounts_auditevent (at, actor_label, action, object_id, object_repr, before, after, "
        "prev_hash, row_hash) VALUES (%s, 'x', 'sneaky', '', '', '{}', '{}', '', '')",
        [timezone.now()],
    )
    report = chain_verify()
    assert not report.ok
    assert "no sequence" in report.problem


def test_a_checkpoint_reveals_a_rewritten_or_cut_tail(staff: User) -> None:
    _five_events(staff)
    head = chain_head()
    assert head is not None
    assert chain_verify(checkpoint=head).ok
    assert chain_verify(checkpoint=ChainLink(sequence=head.sequence, row_hash="f" * 64)).first_bad_sequence == 5
    tamper("DELETE FROM accounts_auditevent WHERE sequence = 5")
    assert chain_verify().ok  # a cut tail alone looks like a shorter trail ...
    assert chain_verify(checkpoint=head).first_bad_sequence == 5  # ... but not against a noted head


def test_events_written_in_a_rolled_back_transaction_leave_no_gap(staff: User) -> None:
    from django.db import transaction

    def fails_after_recording() -> None:
        with transaction.atomic():
            event_record(actor=staff, action="thing.two")
            raise RuntimeError

    event_record(actor=staff, action="thing.one")
    with pytest.raises(RuntimeError):
        fails_after_recording()
    event_record(actor=staff, action="thing.three")
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]
    assert chain_verify().ok


def test_events_at_the_same_frozen_instant_still_chain(staff: User) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 10, 8, 0, tzinfo=dt.UTC), tick=False):
        for number in range(3):
            event_record(actor=staff, action=f"thing.n{number}")
    assert chain_verify().ok


def test_rows_from_before_the_chain_are_linked_by_the_migration(staff: User) -> None:
    from importlib import import_module

    migration = import_module("weibao.instance.migrations.0001_audit_append_only")
    event_record(actor=staff, action="thing.chained")
    guard_remove()
    for number in range(3):
        _execute(
            "INSERT INTO accounts_auditevent (at, actor_id, actor_label, action, object_id, object_repr, before, "
            "after, prev_hash, row_hash) VALUES (%s, %s, 'staff', %s, '', '', '{}', %s, '', '')",
            [timezone.now(), staff.pk, f"legacy.n{number}", '{"名称": "旧系统"}'],
        )
    migration.link_unchained_events(apps, SimpleNamespace(connection=connection))
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "thing.chained",
        "legacy.n0",
        "legacy.n1",
        "legacy.n2",
    ]
    assert chain_verify().ok
    event_record(actor=staff, action="thing.after")
    assert chain_verify().count == 5


def test_audit_rows_of_any_service_join_the_chain(staff: User) -> None:
    token = token_create(actor=staff, name="备份脚本", scope="read").token
    from weibao.accounts.tokens import token_revoke

    token_revoke(actor=staff, token_id=token.pk)
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", "sequence")) == [
        ("token.create", 1),
        ("token.revoke", 2),
    ]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_one_unbroken_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(name: str) -> None:
        try:
            start.wait()
            for number in range(200):
                event_record(actor=None, actor_label=name, action="load.write", after={"n": number})
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"writer-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = chain_verify()
    assert report.ok, report.problem
    assert report.count == 400
    assert AuditEvent.objects.filter(actor_label="writer-0").count() == 200
