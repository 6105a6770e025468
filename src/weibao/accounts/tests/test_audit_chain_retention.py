"""Retention: old audit events are pruned, the chain still verifies, the prune is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from weibao.accounts.audit import event_record
from weibao.accounts.audit_chain import chain_anchor, chain_verify
from weibao.accounts.audit_retention import RetentionTooShortError, audit_prune
from weibao.accounts.models import AuditEvent, User
from weibao.core.scheduler import REGISTRY, discover
from weibao.core.tests.helpers import weibao, weibao_env

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def _event_at(moment: dt.datetime, action: str, actor: User | None = None) -> AuditEvent:
    with time_machine.travel(moment, tick=False):
        return event_record(actor=actor, action=action)


def _trail(staff: User) -> None:
    _event_at(NOW - dt.timedelta(days=500), "old.one", staff)
    _event_at(NOW - dt.timedelta(days=400), "old.two", staff)
    _event_at(NOW - dt.timedelta(days=300), "kept.one", staff)
    _event_at(NOW - dt.timedelta(days=1), "kept.two", staff)


def test_prune_deletes_only_events_past_the_retention_period(staff: User, settings: object) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        result = audit_prune(actor=None, actor_label="scheduler")
    assert result.deleted == 2
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "kept.one",
        "kept.two",
        "audit.prune",
    ]


def test_the_chain_still_verifies_after_a_prune(staff: User) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        audit_prune(actor=None)
    report = chain_verify()
    assert report.ok, report.problem
    assert report.count == 3
    assert report.anchor is not None
    assert report.anchor.sequence == 2


def test_the_prune_is_itself_an_audit_event_with_counts(staff: User) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        audit_prune(actor=staff, retention_days=365)
    event = AuditEvent.objects.get(action="audit.prune")
    assert event.actor == staff
    assert event.after["deleted"] == 2
    assert event.after["retention_days"] == 365
    assert event.after["anchor_sequence"] == 2
    assert event.after["cutoff"].startswith("2025-11-20")


def test_deleting_more_old_rows_after_a_prune_is_still_found(staff: User) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        audit_prune(actor=None)
    from weibao.accounts.tests.test_audit_chain import tamper

    tamper("DELETE FROM accounts_auditevent WHERE action = 'kept.one'")
    report = chain_verify()
    assert not report.ok
    assert report.first_bad_sequence == 3


def test_a_later_prune_moves_the_anchor_past_the_earlier_prune_event(staff: User) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        audit_prune(actor=None)
    _event_at(NOW + dt.timedelta(days=300), "later.one", staff)
    with time_machine.travel(NOW + dt.timedelta(days=400), tick=False):
        result = audit_prune(actor=None)
    # kept.one, kept.two and the first prune's own event are now past retention.
    assert result.deleted == 3
    assert chain_anchor() is not None
    assert chain_verify().ok
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "later.one",
        "audit.prune",
    ]


def test_a_prune_with_nothing_to_delete_keeps_the_anchor(staff: User) -> None:
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        audit_prune(actor=None)
        second = audit_prune(actor=None)
    assert second.deleted == 0
    assert "anchor_sequence" not in second.event.after
    assert chain_verify().ok


def test_the_newest_event_is_never_pruned(staff: User) -> None:
    _event_at(NOW - dt.timedelta(days=900), "ancient.one", staff)
    _event_at(NOW - dt.timedelta(days=800), "ancient.two", staff)
    with time_machine.travel(NOW, tick=False):
        result = audit_prune(actor=None)
    assert result.deleted == 1
    assert chain_verify().ok


def test_an_event_within_retention_is_kept_even_behind_a_late_clock(staff: User) -> None:
    # A machine with a slow clock wrote a recent event with an old time after a newer one.
    _event_at(NOW - dt.timedelta(days=10), "recent.one", staff)
    _event_at(NOW - dt.timedelta(days=700), "slow.clock", staff)
    with time_machine.travel(NOW, tick=False):
        result = audit_prune(actor=None)
    assert result.deleted == 0
    assert AuditEvent.objects.filter(action="recent.one").exists()


def test_retention_below_180_days_is_refused(staff: User) -> None:
    _trail(staff)
    with pytest.raises(RetentionTooShortError):
        audit_prune(actor=None, retention_days=90)
    assert AuditEvent.objects.count() == 4


def test_the_retention_setting_comes_from_the_environment(staff: User, settings: object) -> None:
    settings.AUDIT_RETENTION_DAYS = 200  # type: ignore[attr-defined]
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        result = audit_prune(actor=None)
    assert result.deleted == 3


def test_a_retention_below_the_minimum_stops_startup_with_a_clear_error(tmp_path: object) -> None:
    result = weibao("check", env=weibao_env(tmp_path, WEIBAO_AUDIT_RETENTION_DAYS="90"))  # type: ignore[arg-type]
    assert result.returncode != 0
    assert "WEIBAO_AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


def test_the_scheduler_prunes_the_trail_daily(staff: User) -> None:
    discover()
    job = REGISTRY["accounts.audit_prune"]
    assert job.every == dt.timedelta(days=1)
    _trail(staff)
    with time_machine.travel(NOW, tick=False):
        job.function()
    event = AuditEvent.objects.get(action="audit.prune")
    assert event.actor_label == "scheduler"
    assert event.after["deleted"] == 2
