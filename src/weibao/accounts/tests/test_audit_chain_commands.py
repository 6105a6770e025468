"""``weibao audit verify|export|prune``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from weibao.accounts.audit import event_record
from weibao.accounts.audit_chain import chain_head
from weibao.accounts.audit_guard import guard_remove
from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tests.test_audit_chain import tamper

pytestmark = pytest.mark.django_db


def audit(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_verify_says_ok_with_the_number_of_events(staff: User) -> None:
    for number in range(3):
        event_record(actor=staff, action=f"thing.n{number}")
    head = chain_head()
    assert head is not None
    assert audit("verify").strip() == f"ok, 3 events (head 3:{head.row_hash})"


def test_verify_fails_naming_the_first_bad_sequence(staff: User) -> None:
    for number in range(4):
        event_record(actor=staff, action=f"thing.n{number}")
    tamper("UPDATE accounts_auditevent SET action = 'thing.other' WHERE sequence = 2")
    with pytest.raises(CommandError, match="broken at event 2"):
        audit("verify")


def test_verify_checks_a_checkpoint_noted_earlier(staff: User) -> None:
    event_record(actor=staff, action="thing.one")
    head = chain_head()
    assert head is not None
    assert audit("verify", "--checkpoint", f"{head.sequence}:{head.row_hash}").startswith("ok, 1 events")
    with pytest.raises(CommandError, match="broken at event 1"):
        audit("verify", "--checkpoint", f"1:{'a' * 64}")
    with pytest.raises(CommandError, match="SEQUENCE:HASH"):
        audit("verify", "--checkpoint", "nonsense")


def test_verify_fails_when_the_append_only_triggers_are_gone(staff: User) -> None:
    event_record(actor=staff, action="thing.one")
    guard_remove()
    with pytest.raises(CommandError, match="append-only triggers"):
        audit("verify")


def test_export_writes_csv_with_a_bom_and_records_the_export(staff: User, tmp_path: Path) -> None:
    event_record(actor=staff, action="thing.update", after={"名称": "社区"})
    target = tmp_path / "audit.csv"
    call_command("audit", "export", "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "thing.update" in text
    assert "社区" in text
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor is None
    assert event.actor_label.startswith("cli")
    assert event.after["rows"] == 1
    assert event.after["format"] == "csv"


def test_export_jsonl_within_dates_to_standard_output(staff: User) -> None:
    for day in (9, 10, 11):
        with time_machine.travel(dt.datetime(2026, 5, day, 4, 0, tzinfo=dt.UTC), tick=False):
            event_record(actor=staff, action=f"thing.day{day}")
    out = audit("export", "--format", "jsonl", "--since", "2026-05-10", "--until", "2026-05-11")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["action"] for r in records] == ["thing.day10", "thing.day11"]
    assert records[0]["actor"] == "staff"
    assert len(records[0]["row_hash"]) == 64
    export = AuditEvent.objects.get(action="audit.export")
    assert export.after["rows"] == 2
    assert export.after["filters"]["since"].startswith("2026-05-10T00:00:00")


def test_export_refuses_a_bad_date(staff: User) -> None:
    with pytest.raises(CommandError, match="not a date"):
        audit("export", "--since", "yesterday")
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_prune_reports_what_it_deleted(staff: User) -> None:
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    with time_machine.travel(now - dt.timedelta(days=400), tick=False):
        event_record(actor=staff, action="thing.old")
    with time_machine.travel(now - dt.timedelta(days=1), tick=False):
        event_record(actor=staff, action="thing.new")
    with time_machine.travel(now, tick=False):
        assert audit("prune").startswith("deleted 1 events older than 2025-11-20")
    assert audit("verify").startswith("ok, 2 events")


def test_prune_refuses_a_retention_below_the_minimum(staff: User) -> None:
    with pytest.raises(CommandError, match="at least 180 days"):
        audit("prune", "--days", "30")
