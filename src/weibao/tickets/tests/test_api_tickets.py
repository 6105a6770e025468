"""The request API: create, read, edit with versions, move through the procedure."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ClientArchive, make_user
from django.db import connection
from django.test import Client as HttpClient

from weibao.accounts.models import AccessToken, AuditEvent, Role, User
from weibao.accounts.tokens import token_create
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
JSON = "application/json"
URL = "/api/v1/tickets"


def bearer(user: User) -> HttpClient:
    token = token_create(actor=user, name="集成", scope=AccessToken.Scope.READ_WRITE).plaintext
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def hotline_call(archive: ClientArchive, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_id": archive.client.pk,
        "title": "社区服务平台无法登录",
        "kind": "fault",
        "level": 2,
        "channel": "hotline",
        "description": "<p>登录后提示会话过期</p>",
        "deployment_id": archive.deployment.pk,
        "contact_id": archive.contact.pk,
        "caller_name": "王主任",
        "caller_phone": "13800001234",
        "call_started_at": "2026-11-21T09:30:00+08:00",
        "call_seconds": 185,
    }
    body.update(overrides)
    return body


# Create


def test_agent_logs_a_hotline_call_and_gets_the_request_with_its_number(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    response = as_staff.post(URL, hotline_call(archive_a), content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["number"] == ticket.number
    assert body["status"] == "registered"
    assert body["version"] == 1
    assert (body["client_id"], body["client_name"]) == (archive_a.client.pk, archive_a.client.name)
    assert (body["deployment_id"], body["contact_id"]) == (archive_a.deployment.pk, archive_a.contact.pk)
    assert (body["channel"], body["level"], body["call_seconds"]) == ("hotline", 2, 185)
    assert body["created_by_id"] == staff.pk
    assert ticket.call_started_at is not None
    assert ticket.call_started_at.isoformat() == "2026-11-21T01:30:00+00:00"


def test_create_through_a_token_works_like_the_session(archive_a: ClientArchive, staff: User) -> None:
    response = bearer(staff).post(URL, hotline_call(archive_a), content_type=JSON)
    assert response.status_code == 201
    assert AuditEvent.objects.filter(action="ticket.create", actor=staff).count() == 1


def test_the_channel_defaults_to_the_api(archive_a: ClientArchive, as_staff: HttpClient) -> None:
    response = as_staff.post(
        URL, {"client_id": archive_a.client.pk, "title": "接口提单", "kind": "consultation"}, content_type=JSON
    )
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["level"]) == ("api", 3)


def test_client_user_creates_for_their_own_client_without_naming_it(
    archive_a: ClientArchive, client_a_user: User, as_client_a: HttpClient
) -> None:
    response = as_client_a.post(
        URL, {"title": "报表导出失败", "kind": "fault", "channel": "hotline"}, content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["client_id"] == archive_a.client.pk
    assert body["requester_id"] == client_a_user.pk
    # A client user does not log hotline calls: the request came in by the portal.
    assert body["channel"] == "portal"


def test_client_user_cannot_create_for_another_client(
    archive_a: ClientArchive, archive_b: ClientArchive, as_client_a: HttpClient
) -> None:
    response = as_client_a.post(
        URL, {"client_id": archive_b.client.pk, "title": "越权", "kind": "fault"}, content_type=JSON
    )
    assert response.status_code == 422
    assert "client_id" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_client_user_cannot_use_another_clients_deployment(
    archive_a: ClientArchive, archive_b: ClientArchive, as_client_a: HttpClient
) -> None:
    response = as_client_a.post(
        URL, {"title": "越权", "kind": "fault", "deployment_id": archive_b.deployment.pk}, content_type=JSON
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["deployment_id"]


def test_a_deployment_of_another_client_is_a_field_error_for_staff_too(
    archive_a: ClientArchive, archive_b: ClientArchive, as_staff: HttpClient
) -> None:
    response = as_staff.post(URL, hotline_call(archive_a, deployment_id=archive_b.deployment.pk), content_type=JSON)
    assert response.status_code == 422
    assert "deployment_id" in response.json()["errors"]


def test_agent_submits_on_behalf_of_a_client_user(
    archive_a: ClientArchive, client_a_user: User, as_staff: HttpClient
) -> None:
    response = as_staff.post(URL, hotline_call(archive_a, requester_id=client_a_user.pk), content_type=JSON)
    assert response.status_code == 201
    assert response.json()["requester_id"] == client_a_user.pk
    assert response.json()["on_behalf"] is True


def test_a_requester_of_another_client_is_a_field_error(
    archive_a: ClientArchive, client_b_user: User, as_staff: HttpClient
) -> None:
    response = as_staff.post(URL, hotline_call(archive_a, requester_id=client_b_user.pk), content_type=JSON)
    assert response.status_code == 422
    assert "requester_id" in response.json()["errors"]


def test_a_child_request_names_its_parent(archive_a: ClientArchive, staff: User, as_staff: HttpClient) -> None:
    parent = make_ticket(actor=staff, client=archive_a.client, title="机房断电")
    response = as_staff.post(URL, hotline_call(archive_a, parent_id=parent.pk), content_type=JSON)
    assert response.status_code == 201
    assert response.json()["parent_id"] == parent.pk


def test_an_optimization_request_waits_for_the_client_leader(archive_a: ClientArchive, as_staff: HttpClient) -> None:
    response = as_staff.post(URL, hotline_call(archive_a, kind="optimization"), content_type=JSON)
    assert response.json()["status"] == "leader_signoff"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"kind": "wish"}, "kind"),
        ({"level": 7}, "level"),
        ({"channel": "pigeon"}, "channel"),
        ({"client_id": 0}, "client_id"),
        ({"client_id": 999_999}, "client_id"),
        ({"deployment_id": 999_999}, "deployment_id"),
        ({"contact_id": 999_999}, "contact_id"),
        ({"requester_id": 999_999}, "requester_id"),
        ({"parent_id": 999_999}, "parent_id"),
        ({"caller_phone": "1" * 40}, "caller_phone"),
        ({"call_seconds": -1}, "call_seconds"),
        ({"call_started_at": "yesterday"}, "call_started_at"),
        ({"call_started_at": "9999-12-31T23:59:59-10:00"}, "call_started_at"),
        ({"title": "a\u0000b"}, "title"),
    ],
)
def test_bad_create_input_is_a_422_naming_the_field_and_writes_nothing(
    archive_a: ClientArchive, as_staff: HttpClient, change: dict[str, Any], field: str
) -> None:
    response = as_staff.post(URL, hotline_call(archive_a, **change), content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.filter(action="ticket.create").exists()


def test_staff_must_name_the_client(archive_a: ClientArchive, as_staff: HttpClient) -> None:
    response = as_staff.post(URL, {"title": "无客户", "kind": "fault"}, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["client_id"]


def test_an_auditor_may_not_create(archive_a: ClientArchive, as_auditor: HttpClient) -> None:
    assert as_auditor.post(URL, hotline_call(archive_a), content_type=JSON).status_code == 403


def test_a_read_only_token_may_not_create(archive_a: ClientArchive, staff: User) -> None:
    token = token_create(actor=staff, name="只读", scope=AccessToken.Scope.READ).plaintext
    http = HttpClient(headers={"Authorization": f"Bearer {token}"})
    assert http.post(URL, hotline_call(archive_a), content_type=JSON).status_code == 403


def test_create_makes_a_bounded_number_of_queries(
    archive_a: ClientArchive, as_staff: HttpClient, django_assert_max_num_queries: Any
) -> None:
    as_staff.post(URL, hotline_call(archive_a), content_type=JSON)  # the day's number counter exists
    # Sign-in 2, client 1, deployment and contact 2, number 1, request 1, search entry 1, timeline 1;
    # the service-level clocks 9 (contract, policy, targets 3, calendar, clocks, history, deadline);
    # audit 4 (savepoint, chain head, row, release; PostgreSQL one more, the chain's advisory lock);
    # notification 5 (rule, row, people, endpoints, deliveries). The delivery tasks are queued after
    # the commit, all in one transaction.
    budget = 30 if connection.vendor == "postgresql" else 29
    with django_assert_max_num_queries(budget):
        assert as_staff.post(URL, hotline_call(archive_a), content_type=JSON).status_code == 201


# Read


def test_get_shows_the_request_with_its_relations(archive_a: ClientArchive, staff: User, as_staff: HttpClient) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, contact=archive_a.contact)
    body = as_staff.get(f"{URL}/{ticket.pk}").json()
    assert (body["id"], body["number"], body["contact_name"]) == (ticket.pk, ticket.number, archive_a.contact.name)
    assert body["description"] == ticket.description
    assert body["status_label"]


def test_get_makes_a_bounded_number_of_queries(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient, django_assert_max_num_queries: Any
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    with django_assert_max_num_queries(4):
        assert as_staff.get(f"{URL}/{ticket.pk}").status_code == 200


def test_another_clients_request_is_not_found(archive_b: ClientArchive, staff: User, as_client_a: HttpClient) -> None:
    ticket = make_ticket(actor=staff, client=archive_b.client)
    assert as_client_a.get(f"{URL}/{ticket.pk}").status_code == 404


def test_a_huge_id_is_not_found(as_staff: HttpClient) -> None:
    assert as_staff.get(f"{URL}/{10**25}").status_code == 404


# Edit


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    response = as_staff.patch(
        f"{URL}/{ticket.pk}", {"level": 1, "deployment_id": archive_a.deployment.pk, "version": 1}, content_type=JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["deployment_id"], body["version"]) == (1, archive_a.deployment.pk, 2)
    assert body["title"] == ticket.title
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.CHANGED).count() == 1


def test_a_stale_version_is_a_409_with_the_conflict_message(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    as_staff.patch(f"{URL}/{ticket.pk}", {"level": 2, "version": 1}, content_type=JSON)
    response = as_staff.patch(f"{URL}/{ticket.pk}", {"title": "旧副本", "version": 1}, content_type=JSON)
    assert response.status_code == 409
    assert ticket.number in response.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).title == ticket.title


def test_patch_can_clear_the_deployment(archive_a: ClientArchive, staff: User, as_staff: HttpClient) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    response = as_staff.patch(f"{URL}/{ticket.pk}", {"deployment_id": None}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["deployment_id"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"level": 0}, "level"),
        ({"kind": "optimization"}, "kind"),
        ({"kind": "wish"}, "kind"),
        ({"charging": "maybe"}, "charging"),
        ({"deployment_id": 999_999}, "deployment_id"),
        ({"contact_id": 999_999}, "contact_id"),
        ({"version": 0}, "version"),
        ({"description": None}, "description"),
    ],
)
def test_bad_patch_input_is_a_422_naming_the_field(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient, change: dict[str, Any], field: str
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    response = as_staff.patch(f"{URL}/{ticket.pk}", change, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_a_client_user_may_not_edit_their_request(
    archive_a: ClientArchive, staff: User, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    assert as_client_a.patch(f"{URL}/{ticket.pk}", {"title": "改"}, content_type=JSON).status_code == 403


# The procedure


def test_a_step_moves_the_request_and_a_wrong_step_is_a_409_saying_why(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    moved = as_staff.post(f"{URL}/{ticket.pk}/transitions", {"action": "review_handle"}, content_type=JSON)
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["version"]) == ("in_progress", 2)
    refused = as_staff.post(f"{URL}/{ticket.pk}/transitions", {"action": "plan_confirm"}, content_type=JSON)
    assert refused.status_code == 409
    assert "“" in refused.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_a_client_user_is_told_that_review_is_for_the_vendor(
    archive_a: ClientArchive, staff: User, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    response = as_client_a.post(f"{URL}/{ticket.pk}/transitions", {"action": "review_handle"}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["detail"]


def test_a_transition_with_a_stale_version_is_a_409(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    as_staff.patch(f"{URL}/{ticket.pk}", {"level": 2}, content_type=JSON)
    response = as_staff.post(
        f"{URL}/{ticket.pk}/transitions", {"action": "review_handle", "version": 1}, content_type=JSON
    )
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).status == "registered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "fly"}, "action"),
        ({}, "action"),
        ({"action": "close"}, "reason"),
        ({"action": "merge"}, "merge_into_id"),
        ({"action": "merge", "merge_into_id": 999_999}, "merge_into_id"),
        ({"action": "review_handle", "version": "one"}, "version"),
    ],
)
def test_bad_transition_input_is_a_422_naming_the_field(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    response = as_staff.post(f"{URL}/{ticket.pk}/transitions", body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_merge_into_a_request_of_the_same_client(archive_a: ClientArchive, staff: User, as_staff: HttpClient) -> None:
    duplicate = make_ticket(actor=staff, client=archive_a.client)
    kept = make_ticket(actor=staff, client=archive_a.client)
    response = as_staff.post(
        f"{URL}/{duplicate.pk}/transitions", {"action": "merge", "merge_into_id": kept.pk}, content_type=JSON
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into_id"]) == ("merged", kept.pk)


def test_merge_into_a_request_of_another_client_is_refused(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    duplicate = make_ticket(actor=staff, client=archive_a.client)
    other = make_ticket(actor=staff, client=archive_b.client)
    response = as_staff.post(
        f"{URL}/{duplicate.pk}/transitions", {"action": "merge", "merge_into_id": other.pk}, content_type=JSON
    )
    assert response.status_code == 422
    assert "merge_into_id" in response.json()["errors"]


def test_actions_list_what_the_caller_may_do_now(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    staff_actions = {a["action"]: a for a in as_staff.get(f"{URL}/{ticket.pk}/actions").json()}
    assert {"review_handle", "review_plan", "review_no_action", "close", "withdraw"} <= set(staff_actions)
    assert staff_actions["close"]["reason_required"] is True
    assert staff_actions["review_handle"]["label"]
    client_actions = [a["action"] for a in as_client_a.get(f"{URL}/{ticket.pk}/actions").json()]
    # The agent opened it without a requester: the client may withdraw it, nothing else.
    assert client_actions == ["withdraw"]


def test_an_auditor_sees_no_actions(archive_a: ClientArchive, staff: User, as_auditor: HttpClient) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client)
    assert as_auditor.get(f"{URL}/{ticket.pk}/actions").json() == []


def test_a_client_user_who_did_not_open_it_cannot_withdraw_it(archive_a: ClientArchive, staff: User) -> None:
    opener = make_user("opener", Role.CLIENT_USER, client=archive_a.client)
    colleague = make_user("colleague", Role.CLIENT_USER, client=archive_a.client)
    ticket = make_ticket(actor=opener, client=archive_a.client, channel="portal")
    http = HttpClient()
    http.force_login(colleague)
    assert "withdraw" not in [a["action"] for a in http.get(f"{URL}/{ticket.pk}/actions").json()]
