"""Append-only in the database itself: raw SQL cannot change or drop audit rows."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from weibao.accounts.audit import event_record
from weibao.accounts.audit_chain import chain_verify
from weibao.accounts.audit_guard import guard_install, guard_installed, guard_remove, prune_allowed
from weibao.accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def _execute(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.rowcount)


def _three_events(staff: User) -> None:
    for number in range(3):
        event_record(actor=staff, action=f"thing.n{number}")


def test_the_append_only_triggers_are_installed_by_migrate() -> None:
    assert guard_installed()


def test_raw_update_of_an_audit_row_is_refused_by_the_database(staff: User) -> None:
    _three_events(staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("UPDATE accounts_auditevent SET object_repr = 'changed' WHERE sequence = 2")
    assert chain_verify().ok


def test_raw_update_of_every_row_is_refused(staff: User) -> None:
    _three_events(staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("UPDATE accounts_auditevent SET actor_label = 'nobody'")
    assert not AuditEvent.objects.filter(actor_label="nobody").exists()


def test_raw_delete_of_a_middle_row_is_refused(staff: User) -> None:
    _three_events(staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("DELETE FROM accounts_auditevent WHERE sequence = 2")
    assert AuditEvent.objects.count() == 3


def test_raw_delete_of_the_newest_row_is_refused(staff: User) -> None:
    _three_events(staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("DELETE FROM accounts_auditevent WHERE sequence = 3")
    assert chain_verify().count == 3


@pytest.mark.postgres_only
def test_on_postgresql_even_the_oldest_row_needs_the_prune_setting(staff: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    _three_events(staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("DELETE FROM accounts_auditevent WHERE sequence = 1")
    with transaction.atomic(), prune_allowed():
        assert _execute("DELETE FROM accounts_auditevent WHERE sequence = 1") == 1
    # The permission ended with its block.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute("DELETE FROM accounts_auditevent WHERE sequence = 2")


def test_on_sqlite_only_the_oldest_rows_may_go(staff: User) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pass only")
    _three_events(staff)
    assert _execute("DELETE FROM accounts_auditevent WHERE sequence <= 2") == 2
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == [3]


def test_the_model_refuses_to_save_a_changed_row(staff: User) -> None:
    event = event_record(actor=staff, action="thing.update")
    event.action = "thing.other"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()


def test_installing_the_guard_twice_is_harmless() -> None:
    guard_install()
    guard_install()
    assert guard_installed()
    guard_remove()
    assert not guard_installed()
    guard_install()
    assert guard_installed()


@pytest.mark.django_db(transaction=True)
def test_flush_between_test_runs_still_empties_the_trail(staff: User) -> None:
    # A transactional test ends with Django's flush; the triggers must not stop it.
    _three_events(staff)
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    assert AuditEvent.objects.count() == 0
    assert guard_installed()
