"""Reads of the procedure's records: what a client user sees, service minutes, paid-or-free terms."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user

from weibao.accounts.models import Role
from weibao.contracts.phases import Phase
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets.models import SignOff, Ticket
from weibao.tickets.procedure_selectors import (
    charging_terms,
    procedure_records,
    remote_consent_get,
    service_minutes,
    service_minutes_by_ticket,
    signoff_get,
    signoff_latest,
    task_order_get,
)
from weibao.tickets.services import procedure
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import ticket_in_progress

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def worked(staff, client_a):
    """A request with a task order, a consent, remote and on-site logs by two engineers, and a sign-off."""
    engineer = make_user("engineer", Role.FIELD_ENGINEER, first_name="工", last_name="李")
    with time_machine.travel(NOW - dt.timedelta(hours=5), tick=False):
        ticket = ticket_in_progress(staff=staff, client=client_a)
    with time_machine.travel(NOW, tick=False):
        order = procedure.task_order_create(
            actor=staff, ticket_id=ticket.pk, engineer=engineer, content="x", onsite=True
        )
        consent = procedure.remote_consent_record(
            actor=staff,
            ticket_id=ticket.pk,
            granted_by_name="王丽",
            granted_via="电话",
            scope="app01",
            minutes_allowed=120,
            granted_at=NOW - dt.timedelta(hours=2),
        )
        procedure.work_log_add(
            actor=staff,
            ticket_id=ticket.pk,
            mode="remote",
            started_at=NOW - dt.timedelta(hours=2),
            minutes=45,
            description="远程",
        )
        procedure.work_log_add(
            actor=engineer,
            ticket_id=ticket.pk,
            mode="onsite",
            started_at=NOW - dt.timedelta(hours=4),
            minutes=90,
            description="现场",
            task_order_id=order.pk,
        )
        procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="完成")
    return {"ticket": Ticket.objects.get(pk=ticket.pk), "order": order, "consent": consent, "engineer": engineer}


def test_a_client_user_sees_every_record_of_their_request(worked, client_a_user) -> None:
    records = procedure_records(actor=client_a_user, ticket=worked["ticket"])
    assert [r.decision for r in records.reviews] == ["handle"]
    assert records.task_orders == [worked["order"]]
    assert records.consents == [worked["consent"]]
    assert [log.minutes for log in records.work_logs] == [90, 45]  # by start time
    assert records.work_minutes == 135
    assert records.latest_review is not None
    assert records.current_plan is None
    assert records.signoff(SignOff.Form.ACCEPTANCE) is None


def test_another_client_sees_none_of_the_records(worked, client_b_user) -> None:
    with pytest.raises(ObjectNotFoundError):
        procedure_records(actor=client_b_user, ticket=worked["ticket"])
    with pytest.raises(ObjectNotFoundError):
        service_minutes(actor=client_b_user, ticket=worked["ticket"])
    with pytest.raises(ObjectNotFoundError):
        task_order_get(actor=client_b_user, task_order_id=worked["order"].pk)
    with pytest.raises(ObjectNotFoundError):
        remote_consent_get(actor=client_b_user, consent_id=worked["consent"].pk)
    with pytest.raises(ObjectNotFoundError):
        signoff_latest(actor=client_b_user, ticket=worked["ticket"], form=SignOff.Form.ACCEPTANCE)
    assert service_minutes_by_ticket(actor=client_b_user, ticket_ids=[worked["ticket"].pk]) == {}


def test_service_minutes_are_summed_per_mode_and_engineer(worked, client_a_user) -> None:
    minutes = service_minutes(actor=client_a_user, ticket=worked["ticket"])
    assert minutes.total == 135
    assert minutes.by_mode == {"remote": 45, "onsite": 90}
    assert minutes.by_engineer == [("李工", 90), ("staff", 45)]
    assert service_minutes_by_ticket(actor=client_a_user, ticket_ids=[worked["ticket"].pk]) == {
        worked["ticket"].pk: 135
    }


def test_the_task_order_and_consent_are_read_one_by_one(worked, client_a_user) -> None:
    assert task_order_get(actor=client_a_user, task_order_id=worked["order"].pk) == worked["order"]
    assert remote_consent_get(actor=client_a_user, consent_id=worked["consent"].pk) == worked["consent"]


def test_a_signoff_is_read_for_printing_by_its_client_only(worked, client_a_user, client_b_user) -> None:
    ticket = worked["ticket"]
    signoff = procedure.acceptance_sign(
        actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="好", signer_name="王丽"
    )
    assert signoff_get(actor=client_a_user, signoff_id=signoff.pk) == signoff
    assert signoff_latest(actor=client_a_user, ticket=ticket, form=SignOff.Form.ACCEPTANCE) == signoff
    with pytest.raises(ObjectNotFoundError):
        signoff_get(actor=client_b_user, signoff_id=signoff.pk)


# Paid or free (R1.8). The archive's contract: accepted 2025-03-01, twelve months of warranty.


@pytest.mark.parametrize(
    ("when", "kind", "expected"),
    [
        (dt.datetime(2025, 6, 1, 2, tzinfo=dt.UTC), "fault", ("free", True, Phase.IN_WARRANTY)),
        (dt.datetime(2025, 6, 1, 2, tzinfo=dt.UTC), "personalised", ("free", False, Phase.IN_WARRANTY)),
        (dt.datetime(2025, 2, 1, 2, tzinfo=dt.UTC), "corrective", ("free", True, Phase.NOT_ACCEPTED)),
        (dt.datetime(2026, 11, 21, 2, tzinfo=dt.UTC), "fault", ("free", False, Phase.POST_WARRANTY)),
        (dt.datetime(2026, 11, 21, 2, tzinfo=dt.UTC), "optimization", ("paid", False, Phase.POST_WARRANTY)),
    ],
)
def test_paid_or_free_follows_the_contract_phase_and_the_request_type(staff, archive_a, when, kind, expected) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment, kind=kind)
    terms = charging_terms(ticket, when)
    assert (terms.default, terms.free_only, terms.phase) == expected
    assert terms.contract == archive_a.contract
    assert archive_a.contract.number in terms.basis


def test_an_expired_contract_makes_work_paid_by_default(staff, archive_a) -> None:
    archive_a.contract.ends_on = dt.date(2026, 6, 30)
    archive_a.contract.save()
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    terms = charging_terms(ticket, dt.datetime(2026, 11, 21, 2, tzinfo=dt.UTC))
    assert (terms.default, terms.free_only, terms.phase) == ("paid", False, Phase.EXPIRED)
    assert "2026-06-30" in terms.basis


def test_without_a_contract_paid_or_free_is_left_to_the_reviewer(staff, archive_a) -> None:
    archive_a.contract.deployments.clear()
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    assert charging_terms(ticket).default == ""
    assert charging_terms(make_ticket(actor=staff, client=archive_a.client)).default == ""
