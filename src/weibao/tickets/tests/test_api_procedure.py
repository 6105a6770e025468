"""The maintenance procedure's steps and records through the API, as agent and as client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import ClientArchive, make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import Review, Ticket
from weibao.tickets.services import procedure
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.test_api_tickets import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.pk}{tail}"


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.values_list("status", flat=True).get(pk=ticket.pk)


def signed(**values: Any) -> dict[str, Any]:
    return {"signer_name": "王主任", **values}


@pytest.fixture
def leader(client_a: Client) -> User:
    return make_user("leader", Role.CLIENT_LEADER, client=client_a)


@pytest.fixture
def ticket(client_a: Client, staff: User) -> Ticket:
    return make_ticket(actor=staff, client=client_a)


def in_progress(ticket: Ticket, staff: User) -> Ticket:
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="立即处理")
    return ticket


def test_a_fault_walks_the_whole_procedure_through_the_api(
    ticket: Ticket, staff: User, as_staff: HttpClient, client_a_user: User
) -> None:
    client = bearer(client_a_user)
    review = as_staff.post(url(ticket, "/review"), {"decision": "handle", "opinion": "远程排查"}, content_type=JSON)
    assert review.status_code == 201
    assert (review.json()["decision"], review.json()["reviewer_id"]) == ("handle", staff.pk)
    order = as_staff.post(
        url(ticket, "/task-orders"), {"engineer_id": staff.pk, "content": "检查会话配置"}, content_type=JSON
    )
    assert order.status_code == 201
    assert order.json()["number"] == f"{ticket.number}-T01"
    done = as_staff.post(
        f"/api/v1/tickets/task-orders/{order.json()['id']}/complete", {"result": "已修复"}, content_type=JSON
    )
    assert done.status_code == 200
    assert done.json()["done_at"]
    started = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    log = as_staff.post(
        url(ticket, "/work-logs"),
        {"mode": "desk", "started_at": started, "minutes": 45, "description": "分析日志"},
        content_type=JSON,
    )
    assert log.status_code == 201
    resolved = as_staff.post(url(ticket, "/resolve"), {"resolution": "调整会话超时"}, content_type=JSON)
    assert (resolved.status_code, resolved.json()["status"]) == (200, "acceptance")
    accepted = client.post(url(ticket, "/acceptance"), signed(accepted=True), content_type=JSON)
    assert accepted.status_code == 201
    assert (accepted.json()["form"], accepted.json()["approved"]) == ("acceptance", True)
    feedback = client.post(
        url(ticket, "/feedback"), signed(opinion="响应及时", rating=5, comment="满意"), content_type=JSON
    )
    assert feedback.status_code == 201
    assert status_of(ticket) == "archived"
    records = client.get(url(ticket, "/records")).json()
    assert [len(records[k]) for k in ("reviews", "task_orders", "work_logs", "signoffs")] == [1, 1, 1, 2]
    assert records["work_minutes"] == 45
    assert client.get(url(ticket, "/survey")).json()["rating"] == 5


def test_a_step_the_procedure_does_not_allow_is_a_409_saying_why(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    response = as_staff.post(url(ticket, "/resolve"), {"resolution": "已处理"}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["detail"]
    client_review = as_client_a.post(url(ticket, "/review"), {"decision": "handle", "opinion": "x"}, content_type=JSON)
    assert client_review.status_code in {403, 409}
    staff_acceptance = as_staff.post(url(ticket, "/acceptance"), signed(accepted=True), content_type=JSON)
    assert staff_acceptance.status_code == 409
    assert status_of(ticket) == "registered"


def test_a_plan_needs_its_dates_and_the_client_confirms_it(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    body: dict[str, Any] = {"decision": "plan", "opinion": "需上门", "plan": {"mode": "onsite", "details": "更换硬盘"}}
    refused = as_staff.post(url(ticket, "/review"), body, content_type=JSON)
    assert refused.status_code == 422
    assert {"plan.planned_start", "plan.planned_end"} <= set(refused.json()["errors"])
    body["plan"].update(
        {"planned_start": "2026-12-01", "planned_end": "2026-12-03", "charging": "paid", "amount": "800.00"}
    )
    review = as_staff.post(url(ticket, "/review"), body, content_type=JSON)
    assert review.status_code == 201, review.json()
    assert status_of(ticket) == "plan_pending"
    declined = as_client_a.post(url(ticket, "/plan/response"), signed(confirm=False), content_type=JSON)
    assert declined.status_code == 422
    assert "reason" in declined.json()["errors"]
    confirmed = as_client_a.post(url(ticket, "/plan/response"), signed(confirm=True), content_type=JSON)
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed_at"]
    assert status_of(ticket) == "in_progress"


def test_an_optimization_is_signed_by_the_leader_reviewed_tested_and_accepted(
    client_a: Client, staff: User, leader: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="optimization")
    as_leader = bearer(leader)
    signed_off = as_leader.post(url(ticket, "/leader-signoff"), signed(approve=True), content_type=JSON)
    assert signed_off.status_code == 201
    assert status_of(ticket) == "registered"
    missing = as_staff.post(url(ticket, "/review"), {"decision": "handle", "opinion": "可行"}, content_type=JSON)
    assert missing.status_code == 422
    assert {"reasonable", "feasible"} <= set(missing.json()["errors"])
    review = {"decision": "handle", "opinion": "合理可行", "reasonable": True, "feasible": True}
    assert as_staff.post(url(ticket, "/review"), review, content_type=JSON).status_code == 201
    assert as_staff.post(url(ticket, "/resolve"), {"resolution": "已实现"}, content_type=JSON).json()["status"] == (
        "testing"
    )
    failed = as_staff.post(url(ticket, "/tests"), {"passed": False}, content_type=JSON)
    assert failed.status_code == 422
    assert "notes" in failed.json()["errors"]
    passed = as_staff.post(url(ticket, "/tests"), {"passed": True}, content_type=JSON)
    assert passed.json()["status"] == "acceptance"


def test_a_client_user_who_is_not_the_leader_cannot_sign_off(
    client_a: Client, staff: User, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="optimization")
    response = as_client_a.post(url(ticket, "/leader-signoff"), signed(approve=True), content_type=JSON)
    assert response.status_code == 409
    assert status_of(ticket) == "leader_signoff"


def test_data_changes_wait_for_the_leader_and_carry_their_files(
    client_a: Client, staff: User, leader: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="data")
    form = {"description": "更正户籍地址", "before": "旧地址", "after": "新地址", "rows_affected": "3"}
    early = as_staff.post(url(ticket, "/data-changes"), form)
    assert early.status_code == 409
    procedure.leader_signoff(actor=leader, ticket_id=ticket.pk, approve=True, opinion="", signer_name="李局")
    in_progress(ticket, staff)
    files = [SimpleUploadedFile("更正前.csv", "id,地址\n1,旧\n".encode(), content_type="text/csv")]
    response = as_staff.post(url(ticket, "/data-changes"), {**form, "files": files})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rows_affected"], [a["original_name"] for a in body["attachments"]]) == (3, ["更正前.csv"])
    records = as_client_a.get(url(ticket, "/records")).json()
    assert records["data_changes"][0]["attachments"][0]["original_name"] == "更正前.csv"
    without_files = as_staff.post(url(ticket, "/data-changes"), {"description": "补充更正"})
    assert without_files.status_code == 201
    assert without_files.json()["attachments"] == []


def test_remote_work_needs_a_consent_covering_it(
    ticket: Ticket, staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    in_progress(ticket, staff)
    started = (timezone.now() - dt.timedelta(minutes=30)).isoformat()
    work = {"mode": "remote", "started_at": started, "minutes": 20, "description": "远程查看日志"}
    refused = as_staff.post(url(ticket, "/work-logs"), work, content_type=JSON)
    assert refused.status_code == 422
    assert "consent_id" in refused.json()["errors"]
    consent = as_client_a.post(
        url(ticket, "/remote-consents"), {"scope": "查看应用日志", "minutes_allowed": 120}, content_type=JSON
    )
    assert consent.status_code == 201
    assert consent.json()["granted_via"]
    # The client granted it now: work that started before does not fall within it.
    assert as_staff.post(url(ticket, "/work-logs"), work, content_type=JSON).status_code == 422
    later = {**work, "started_at": timezone.now().isoformat(), "minutes": 1}
    logged = as_staff.post(url(ticket, "/work-logs"), later, content_type=JSON)
    assert logged.status_code == 201, logged.json()
    assert logged.json()["consent_id"] == consent.json()["id"]
    revoked = as_client_a.post(f"/api/v1/tickets/remote-consents/{consent.json()['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    again = as_client_a.post(f"/api/v1/tickets/remote-consents/{consent.json()['id']}/revoke")
    assert again.status_code == 409


def test_staff_record_a_consent_given_by_phone(ticket: Ticket, staff: User, as_staff: HttpClient) -> None:
    body = {"scope": "远程重启服务", "minutes_allowed": 60}
    refused = as_staff.post(url(ticket, "/remote-consents"), body, content_type=JSON)
    assert refused.status_code == 422
    assert {"granted_via", "granted_by_name"} <= set(refused.json()["errors"])
    body |= {"granted_via": "电话", "granted_by_name": "王主任"}
    assert as_staff.post(url(ticket, "/remote-consents"), body, content_type=JSON).status_code == 201


def test_milestones_of_an_emergency_are_recorded_once(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="emergency", level=1)
    first = as_staff.post(url(ticket, "/milestones"), {"step": "dispatched", "note": "已派人"}, content_type=JSON)
    assert first.status_code == 201
    assert first.json()["step_label"]
    again = as_staff.post(url(ticket, "/milestones"), {"step": "dispatched"}, content_type=JSON)
    assert again.status_code == 422
    assert "step" in again.json()["errors"]
    wrong = as_staff.post(url(ticket, "/milestones"), {"step": "understood"}, content_type=JSON)
    assert wrong.status_code == 422


def test_an_unanswered_request_is_archived_by_staff(
    ticket: Ticket, staff: User, client_a_user: User, as_staff: HttpClient
) -> None:
    in_progress(ticket, staff)
    procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已处理")
    procedure.acceptance_sign(actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王主任")
    response = as_staff.post(url(ticket, "/archive"), {"note": "客户未反馈"}, content_type=JSON)
    assert (response.status_code, response.json()["status"]) == (200, "archived")


def test_rejected_acceptance_reopens_the_request(ticket: Ticket, staff: User, as_client_a: HttpClient) -> None:
    in_progress(ticket, staff)
    procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已处理")
    refused = as_client_a.post(url(ticket, "/acceptance"), signed(accepted=False), content_type=JSON)
    assert refused.status_code == 422
    assert "opinion" in refused.json()["errors"]
    response = as_client_a.post(
        url(ticket, "/acceptance"), signed(accepted=False, opinion="仍然报错"), content_type=JSON
    )
    assert response.status_code == 201
    reopened = as_client_a.get(url(ticket)).json()
    assert (reopened["status"], reopened["reopen_count"]) == ("in_progress", 1)


def test_a_step_with_a_stale_version_is_a_409(ticket: Ticket, as_staff: HttpClient) -> None:
    as_staff.patch(url(ticket), {"level": 2}, content_type=JSON)
    response = as_staff.post(
        url(ticket, "/review"), {"decision": "handle", "opinion": "处理", "version": 1}, content_type=JSON
    )
    assert response.status_code == 409
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("tail", "body", "field"),
    [
        ("/review", {"decision": "maybe", "opinion": "x"}, "decision"),
        ("/review", {"decision": "handle", "opinion": ""}, "opinion"),
        ("/review", {"decision": "handle", "opinion": "x", "plan": {"mode": "remote"}}, "plan"),
        ("/review", {"decision": "plan", "opinion": "x", "plan": {"mode": "fly"}}, "plan.mode"),
        ("/review", {"decision": "plan", "opinion": "x", "plan": {"mode": "remote", "amount": "-1"}}, "plan.amount"),
        ("/task-orders", {"engineer_id": 999_999, "content": "x"}, "engineer_id"),
        ("/remote-consents", {"scope": "x", "minutes_allowed": 0}, "minutes_allowed"),
        ("/remote-consents", {"scope": "x", "minutes_allowed": 2000}, "minutes_allowed"),
        ("/work-logs", {"mode": "desk", "started_at": "2026-01-01T00:00:00+08:00", "minutes": 10}, "description"),
        ("/work-logs", {"mode": "walk", "started_at": "2026-01-01T00:00:00+08:00", "minutes": 10}, "mode"),
        ("/work-logs", {"mode": "desk", "started_at": "2099-01-01T00:00:00+08:00", "minutes": 9}, "started_at"),
        ("/work-logs", {"mode": "desk", "started_at": "x", "minutes": 10, "description": "x"}, "started_at"),
        ("/milestones", {"step": "dispatched"}, "step"),
        ("/acceptance", {"accepted": "perhaps"}, "accepted"),
        ("/leader-signoff", {"approve": True, "signature": 5}, "signature"),
        ("/feedback", {"opinion": "好", "rating": "five"}, "rating"),
        ("/tests", {}, "passed"),
    ],
)
def test_bad_step_input_is_a_422_naming_the_field(
    ticket: Ticket, as_staff: HttpClient, tail: str, body: dict[str, Any], field: str
) -> None:
    response = as_staff.post(url(ticket, tail), body, content_type=JSON)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_a_forged_signature_is_a_field_error(client_a: Client, staff: User, leader: User) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="optimization")
    response = bearer(leader).post(
        url(ticket, "/leader-signoff"), signed(approve=True, signature="data:image/png;base64,AAAA"), content_type=JSON
    )
    assert response.status_code == 422
    assert "signature" in response.json()["errors"]


def test_another_clients_records_and_steps_are_not_found(
    archive_b: ClientArchive, staff: User, as_client_a: HttpClient
) -> None:
    theirs = make_ticket(actor=staff, client=archive_b.client)
    assert as_client_a.get(url(theirs, "/records")).status_code == 404
    assert as_client_a.post(url(theirs, "/acceptance"), signed(accepted=True), content_type=JSON).status_code == 404
    order = procedure.task_order_create(
        actor=staff, ticket_id=in_progress(theirs, staff).pk, engineer=staff, content="x", onsite=False
    )
    complete = as_client_a.post(f"/api/v1/tickets/task-orders/{order.pk}/complete", {"result": "x"}, content_type=JSON)
    assert complete.status_code == 404


def test_the_records_cost_a_bounded_number_of_queries(
    ticket: Ticket, staff: User, as_staff: HttpClient, django_assert_max_num_queries: Any
) -> None:
    in_progress(ticket, staff)
    for i in range(5):
        procedure.task_order_create(actor=staff, ticket_id=ticket.pk, engineer=staff, content=f"任务{i}", onsite=False)
    with django_assert_max_num_queries(14):
        body = as_staff.get(url(ticket, "/records")).json()
    assert len(body["task_orders"]) == 5
