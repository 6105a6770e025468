"""Service-level clocks on requests: started from the contract's policy, met, paused, recomputed, breached once."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.accounts.models import User
from weibao.contracts.models import DepositEntry
from weibao.customers.models import Client
from weibao.sla.models import CalendarDay, WorkingInterval
from weibao.tickets.clock_selectors import breaching_soon, sla_compliance
from weibao.tickets.models import NO_DEADLINE, SlaBreach, SlaClock, SlaClockEvent, SlaEscalationRun, Team, Ticket
from weibao.tickets.services.clock_acts import clock_waive, clocks_reapply, clocks_recompute_calendar
from weibao.tickets.services.clock_tick import clocks_tick
from weibao.tickets.services.tickets import ticket_reply, ticket_transition, ticket_update
from weibao.tickets.tests.clock_fixtures import (
    HOUR,
    MONDAY_9,
    always_calendar,
    no_default_policy,
    office_calendar,
    policy_with,
)
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def clocks(ticket: Ticket) -> dict[str, SlaClock]:
    return {c.metric: c for c in SlaClock.objects.filter(ticket=ticket)}


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def default_policy(db: None) -> None:
    policy_with("Default", always_calendar(), {"response": HOUR, "resolve": 8 * HOUR}, default=True)


def test_a_new_request_gets_one_clock_per_target_with_absolute_deadlines(
    staff: User, client_a: Client, default_policy: None
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
    found = clocks(ticket)
    assert set(found) == {"response", "resolve"}
    assert found["response"].due_at == MONDAY_9 + dt.timedelta(hours=1)
    assert found["response"].warn_at == MONDAY_9 + dt.timedelta(minutes=45)
    assert found["resolve"].due_at == MONDAY_9 + dt.timedelta(hours=8)
    assert found["response"].policy_name == "Default"
    ticket = fresh(ticket)
    assert ticket.next_deadline == MONDAY_9 + dt.timedelta(hours=1)
    assert ticket.queue_key == ticket.next_deadline
    assert SlaClockEvent.objects.filter(ticket=ticket, kind="started").count() == 2


def test_a_request_without_any_policy_has_no_clock(staff: User, client_a: Client) -> None:
    no_default_policy()
    ticket = make_ticket(actor=staff, client=client_a)
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    assert fresh(ticket).next_deadline is None


def test_working_hours_carry_a_deadline_over_lunch_and_the_weekend(staff: User, client_a: Client) -> None:
    policy_with("Office", office_calendar(), {"resolve": 4 * HOUR}, default=True)
    friday_16 = MONDAY_9 + dt.timedelta(days=4, hours=7)
    with time_machine.travel(friday_16, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
    # Friday 16:00–18:00 is two hours; Monday 09:00–11:00 the other two.
    assert clocks(ticket)["resolve"].due_at == MONDAY_9 + dt.timedelta(days=7, hours=2)


def test_the_contract_phase_chooses_the_policy(staff: User, client_a: Client, archive_a: object) -> None:
    calendar = always_calendar()
    warranty = policy_with("Warranty", calendar, {"response": HOUR})
    after = policy_with("After warranty", calendar, {"response": 2 * HOUR})
    policy_with("Fallback", calendar, {"response": 9 * HOUR}, default=True)
    contract = archive_a.contract  # type: ignore[attr-defined]
    contract.warranty_policy = warranty
    contract.post_warranty_policy = after
    contract.save()
    deployment = archive_a.deployment  # type: ignore[attr-defined]
    in_warranty = dt.datetime(2026, 2, 2, 1, tzinfo=dt.UTC)
    with time_machine.travel(in_warranty, tick=False):
        early = make_ticket(actor=staff, client=client_a, deployment=deployment)
    with time_machine.travel(MONDAY_9, tick=False):
        late = make_ticket(actor=staff, client=client_a, deployment=deployment)
        bare = make_ticket(actor=staff, client=client_a)
    assert clocks(early)["response"].policy_name == "Warranty"
    assert clocks(early)["response"].contract_id == contract.pk
    assert clocks(late)["response"].target_seconds == 2 * HOUR
    assert clocks(bare)["response"].policy_name == "Fallback"


def test_a_staff_reply_meets_the_response_but_a_client_reply_does_not(
    staff: User, client_a_user: User, client_a: Client, default_policy: None
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal")
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=10), tick=False):
        ticket_reply(actor=client_a_user, ticket_id=ticket.pk, body="还有一个截图")
        assert clocks(ticket)["response"].state == "running"
        ticket_reply(actor=staff, ticket_id=ticket.pk, body="收到，正在处理")
    response = clocks(ticket)["response"]
    assert response.state == "met"
    assert response.stopped_at == MONDAY_9 + dt.timedelta(minutes=10)
    assert fresh(ticket).next_deadline == MONDAY_9 + dt.timedelta(hours=8)


def test_waiting_on_the_client_pauses_and_resuming_recomputes_from_the_time_left(
    staff: User, client_a_user: User, client_a: Client, default_policy: None
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a, requester=client_a_user)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="wait_client", reason="请提供日志")
    resolve = clocks(ticket)["resolve"]
    assert resolve.state == "paused"
    assert resolve.used_seconds == 2 * HOUR
    assert resolve.due_at is None
    assert fresh(ticket).next_deadline is None
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=5), tick=False):
        ticket_reply(actor=client_a_user, ticket_id=ticket.pk, body="日志已上传")
    resolve = clocks(ticket)["resolve"]
    assert resolve.state == "running"
    # Six hours were left; the three hours waiting do not count.
    assert resolve.due_at == MONDAY_9 + dt.timedelta(hours=11)
    assert fresh(ticket).next_deadline == resolve.due_at
    kinds = list(SlaClockEvent.objects.filter(clock=resolve).values_list("kind", flat=True))
    assert kinds == ["started", "paused", "resumed"]


def test_a_level_change_keeps_the_time_used_and_applies_the_new_levels_target(staff: User, client_a: Client) -> None:
    calendar = always_calendar()
    policy_with("Levels", calendar, {"resolve": 24 * HOUR}, default=True, level=3)
    policy_with("Levels", calendar, {"resolve": 12 * HOUR}, level=2)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a, level=3)
    assert clocks(ticket)["resolve"].due_at == MONDAY_9 + dt.timedelta(hours=24)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=4), tick=False):
        ticket_update(actor=staff, ticket_id=ticket.pk, changes={"level": 2})
    resolve = clocks(ticket)["resolve"]
    assert resolve.target_seconds == 12 * HOUR
    assert resolve.level == 2
    assert resolve.due_at == MONDAY_9 + dt.timedelta(hours=12)
    assert fresh(ticket).next_deadline == resolve.due_at


def test_resolving_meets_restore_and_resolve_and_archiving_meets_the_rest(staff: User, client_a: Client) -> None:
    policy_with("Full", always_calendar(), {"restore": 4 * HOUR, "resolve": 8 * HOUR, "plan": HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="resolve")
        assert {m: c.state for m, c in clocks(ticket).items()} == {
            "restore": "met",
            "resolve": "met",
            "plan": "running",
        }
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="close", reason="done")
    assert clocks(ticket)["plan"].state == "met"
    assert fresh(ticket).next_deadline is None


def test_a_withdrawn_request_cancels_its_clocks(client_a_user: User, client_a: Client, default_policy: None) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal")
    ticket_transition(actor=client_a_user, ticket_id=ticket.pk, action="withdraw", reason="不需要了")
    assert {c.state for c in clocks(ticket).values()} == {"cancelled"}


def test_the_tick_warns_then_breaches_once_posts_the_penalty_and_escalates_once(
    staff: User, client_a: Client, archive_a: object
) -> None:
    team = Team.objects.create(name="二线", on_duty_contact="13800000000")
    policy = policy_with(
        "Strict",
        always_calendar(),
        {"response": HOUR},
        escalate={"after_seconds": 0, "raise_level": True, "notify_on_duty": True, "reassign_team_id": team.pk},
    )
    contract = archive_a.contract  # type: ignore[attr-defined]
    contract.post_warranty_policy = policy
    contract.save()
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a, deployment=archive_a.deployment, level=3)  # type: ignore[attr-defined]
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=50), tick=False):
        assert clocks_tick() == 1
        assert clocks_tick() == 0
    response = clocks(ticket)["response"]
    assert response.warned_at == MONDAY_9 + dt.timedelta(minutes=50)
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=61), tick=False):
        assert clocks_tick() == 1
        assert clocks_tick() == 0
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.metric == "response"
    assert breach.late_seconds == 60
    assert breach.penalty_entry_id is not None
    penalty = DepositEntry.objects.get(pk=breach.penalty_entry_id)
    assert penalty.amount == Decimal("-500")
    assert SlaEscalationRun.objects.filter(clock__ticket=ticket).count() == 1
    ticket = fresh(ticket)
    assert ticket.level == 2
    assert ticket.team == team
    assert ticket.events.filter(data__escalation_step=1).count() == 1
    kinds = list(SlaClockEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds.count("breached") == 1
    assert kinds.count("escalated") == 1
    assert kinds.count("warned") == 1


def test_a_later_escalation_step_waits_for_its_time(staff: User, client_a: Client) -> None:
    policy_with("Later", always_calendar(), {"response": HOUR}, default=True, escalate={"after_seconds": 2 * HOUR})
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        clocks_tick()
    assert SlaBreach.objects.filter(ticket=ticket).count() == 1
    assert not SlaEscalationRun.objects.exists()
    assert clocks(ticket)["response"].next_check_at == MONDAY_9 + dt.timedelta(hours=3)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=3), tick=False):
        clocks_tick()
    assert SlaEscalationRun.objects.count() == 1
    assert clocks(ticket)["response"].next_check_at is None


def test_a_tick_with_nothing_due_is_one_query(
    staff: User, client_a: Client, default_policy: None, django_assert_max_num_queries: object
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        for _ in range(3):
            make_ticket(actor=staff, client=client_a)
        with django_assert_max_num_queries(1):  # type: ignore[operator]
            assert clocks_tick() == 0


def test_a_breached_clock_met_later_records_by_how_much(staff: User, client_a: Client, default_policy: None) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1, minutes=5), tick=False):
        clocks_tick()
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1, minutes=30), tick=False):
        ticket_reply(actor=staff, ticket_id=ticket.pk, body="抱歉久等")
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.late_seconds == 30 * 60
    assert clocks(ticket)["response"].state == "met"


def test_a_waiver_needs_a_reason_and_who_agreed_and_ends_the_clock(
    staff: User, admin: User, client_a: Client, default_policy: None
) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    clock = clocks(ticket)["resolve"]
    with pytest.raises(ValidationError) as refused:
        clock_waive(actor=admin, clock_id=clock.pk, reason=" ", agreed_by="")
    assert set(refused.value.message_dict) == {"reason", "agreed_by"}
    clock_waive(actor=admin, clock_id=clock.pk, reason="双方同意顺延", agreed_by="王主任")
    clock.refresh_from_db()
    assert clock.state == "waived"
    assert clock.waiver_agreed_by == "王主任"
    assert clock.waived_by == admin
    with pytest.raises(ValidationError) as again:
        clock_waive(actor=admin, clock_id=clock.pk, reason="再次", agreed_by="王主任")
    assert "clock" in again.value.message_dict


def test_reapplying_takes_the_policys_current_targets_with_an_event(
    staff: User, client_a: Client, default_policy: None
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
    from weibao.sla.models import SlaTarget

    SlaTarget.objects.filter(metric="resolve").update(seconds=4 * HOUR)
    assert clocks(ticket)["resolve"].target_seconds == 8 * HOUR  # a snapshot: the edit changed nothing
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        clocks_reapply(actor=staff, ticket_id=ticket.pk)
    resolve = clocks(ticket)["resolve"]
    assert resolve.target_seconds == 4 * HOUR
    assert resolve.due_at == MONDAY_9 + dt.timedelta(hours=4)
    assert fresh(ticket).events.filter(data__sla_policy__isnull=False).count() == 1


def test_a_calendar_edit_moves_the_running_deadlines_on_it(staff: User, client_a: Client) -> None:
    calendar = office_calendar()
    policy_with("Office", calendar, {"resolve": 4 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        assert clocks(ticket)["resolve"].due_at == MONDAY_9 + dt.timedelta(hours=5)  # over lunch
        WorkingInterval.objects.filter(calendar=calendar, start=dt.time(13)).update(start=dt.time(12))
        calendar.stamp = __import__("uuid").uuid4()
        calendar.save()
        assert clocks_recompute_calendar(calendar_id=calendar.pk) == 1
    resolve = clocks(ticket)["resolve"]
    assert resolve.due_at == MONDAY_9 + dt.timedelta(hours=4)
    assert fresh(ticket).next_deadline == resolve.due_at
    assert fresh(ticket).queue_key == resolve.due_at


def test_breaching_soon_lists_warned_and_nearly_due_clocks_for_staff_only(
    staff: User, client_a_user: User, client_a: Client, default_policy: None
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        soon = list(breaching_soon(actor=staff, hours=2))
        assert [c.metric for c in soon] == ["response"]
        assert {c.ticket_id for c in breaching_soon(actor=staff, hours=9)} == {ticket.pk}
    from weibao.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        breaching_soon(actor=client_a_user)


@pytest.mark.usefixtures("default_policy")
def test_compliance_counts_met_breached_and_waived_per_metric_and_keeps_clients_apart(
    staff: User, admin: User, client_a_user: User, client_a: Client, client_b: Client
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        on_time = make_ticket(actor=staff, client=client_a)
        late = make_ticket(actor=staff, client=client_a)
        other = make_ticket(actor=staff, client=client_b)
        ticket_reply(actor=staff, ticket_id=on_time.pk, body="好的")
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        clocks_tick()
        clock_waive(actor=admin, clock_id=clocks(late)["resolve"].pk, reason="协商", agreed_by="李科长")
    window: dict[str, Any] = {"start": MONDAY_9 - dt.timedelta(days=1), "end": MONDAY_9 + dt.timedelta(days=1)}
    rows = {r.metric: r for r in sla_compliance(actor=staff, client_id=client_a.pk, **window)}
    assert (rows["response"].met, rows["response"].breached, rows["response"].met_percent) == (1, 1, 50.0)
    assert rows["resolve"].waived == 1
    mine = {r.metric: r for r in sla_compliance(actor=client_a_user, **window)}
    assert mine["response"].breached == 1  # client b's miss is not counted
    everyone = {r.metric: r for r in sla_compliance(actor=staff, **window)}
    assert everyone["response"].breached == 2
    assert other.pk
    from weibao.core.errors import ObjectNotFoundError

    with pytest.raises(ObjectNotFoundError):
        sla_compliance(actor=client_a_user, client_id=client_b.pk, **window)


def test_a_calendar_edit_that_moves_no_deadline_writes_no_clock_and_no_request(staff: User, client_a: Client) -> None:
    calendar = office_calendar()
    policy_with("Office", calendar, {"response": HOUR, "resolve": 16 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        before = {c.metric: (c.version, c.due_at) for c in clocks(ticket).values()}
        CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 5, 4), kind=CalendarDay.Kind.HOLIDAY)
        calendar.stamp = uuid.uuid4()
        calendar.save()
        with CaptureQueriesContext(connection) as queries:
            assert clocks_recompute_calendar(calendar_id=calendar.pk) == 0
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert {c.metric: (c.version, c.due_at) for c in clocks(ticket).values()} == before


def test_a_request_whose_clocks_lose_their_deadline_to_a_shortened_calendar_has_none(
    staff: User, client_a: Client
) -> None:
    calendar = office_calendar()
    policy_with("Office", calendar, {"resolve": 16 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        assert fresh(ticket).next_deadline is not None
        calendar.last_day = MONDAY_9.date()  # the range now ends before the two working days run out
        calendar.stamp = uuid.uuid4()
        calendar.save()
        assert clocks_recompute_calendar(calendar_id=calendar.pk) == 1
    assert clocks(ticket)["resolve"].due_at is None
    assert fresh(ticket).next_deadline is None
    assert fresh(ticket).queue_key == NO_DEADLINE


def test_a_recompute_leaves_a_clock_written_since_it_was_read_as_that_write_left_it(
    staff: User, client_a: Client
) -> None:
    from weibao.sla.selectors import calendar_compiled
    from weibao.tickets import clock_bulk

    calendar = office_calendar()
    policy_with("Office", calendar, {"resolve": 4 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a)
        resolve = clocks(ticket)["resolve"]
        row = SlaClock.objects.filter(pk=resolve.pk).values_list(
            "id", "ticket_id", "segment_start", "used_seconds", "target_seconds", "warn_percent", "warned_at",
            "due_at", "warn_at", "next_check_at", "version",
        ).get()  # fmt: skip
        WorkingInterval.objects.filter(calendar=calendar, start=dt.time(13)).update(start=dt.time(12))
        calendar.stamp = uuid.uuid4()
        calendar.save()
        changed, _tickets = clock_bulk.changes_of(calendar_compiled(calendar_id=calendar.pk), [row])
        assert len(changed) == 1
        SlaClock.objects.filter(pk=resolve.pk).update(version=resolve.version + 1)  # the scheduler got there first
        clock_bulk._write(changed)
    assert clocks(ticket)["resolve"].due_at == resolve.due_at
