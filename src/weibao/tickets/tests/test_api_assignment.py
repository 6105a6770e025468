"""Dispatch, claim, return, follow, supervise and the bulk operations through the API."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ClientArchive, make_user
from django.test import Client as HttpClient

from weibao.accounts.models import AuditEvent, Role, User
from weibao.customers.models import Client
from weibao.tickets.models import Team, Ticket, TicketEvent
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.test_api_tickets import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def engineer(db: None) -> User:
    return make_user("engineer", Role.FIELD_ENGINEER, display_name="李工")


@pytest.fixture
def team(engineer: User) -> Team:
    team = Team.objects.create(name="一线支持组", on_duty_contact="值班电话 400-000")
    team.members.add(engineer)
    return team


@pytest.fixture
def ticket(client_a: Client, staff: User) -> Ticket:
    return make_ticket(actor=staff, client=client_a)


def url(ticket: Ticket, tail: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}{tail}"


def as_user(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_dispatch_to_an_engineer_of_a_team(ticket: Ticket, engineer: User, team: Team, as_staff: HttpClient) -> None:
    response = as_staff.post(
        url(ticket, "/assign"),
        {"assignee_id": engineer.pk, "team_id": team.pk, "note": "优先处理", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["assignee_id"], body["assignee_name"], body["team_name"], body["version"]) == (
        engineer.pk,
        "李工",
        "一线支持组",
        2,
    )
    note = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED)
    assert (note.body, note.internal) == ("优先处理", True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "assignee_id"),
        ({"assignee_id": 999_999}, "assignee_id"),
        ({"team_id": 999_999}, "team_id"),
        ({"assignee_id": "me"}, "assignee_id"),
        ({"team_id": 1, "version": -1}, "version"),
    ],
)
def test_bad_dispatch_input_is_a_422_naming_the_field(
    ticket: Ticket, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    response = as_staff.post(url(ticket, "/assign"), body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_dispatch_to_a_client_user_is_refused(ticket: Ticket, client_a_user: User, as_staff: HttpClient) -> None:
    response = as_staff.post(url(ticket, "/assign"), {"assignee_id": client_a_user.pk}, content_type=JSON)
    assert response.status_code == 422
    assert "assignee_id" in response.json()["errors"]


def test_dispatch_to_someone_outside_the_team_is_refused(
    ticket: Ticket, staff: User, team: Team, as_staff: HttpClient
) -> None:
    response = as_staff.post(url(ticket, "/assign"), {"assignee_id": staff.pk, "team_id": team.pk}, content_type=JSON)
    assert response.status_code == 422
    assert "assignee_id" in response.json()["errors"]


def test_only_dispatchers_may_dispatch(ticket: Ticket, engineer: User, as_client_a: HttpClient) -> None:
    for http in (as_user(engineer), as_client_a):
        response = http.post(url(ticket, "/assign"), {"assignee_id": engineer.pk}, content_type=JSON)
        assert response.status_code == 403


def test_a_stale_dispatch_is_a_409(ticket: Ticket, engineer: User, as_staff: HttpClient) -> None:
    as_staff.patch(f"/api/v1/tickets/{ticket.pk}", {"level": 1}, content_type=JSON)
    response = as_staff.post(url(ticket, "/assign"), {"assignee_id": engineer.pk, "version": 1}, content_type=JSON)
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_an_engineer_claims_an_unassigned_request_and_returns_it(ticket: Ticket, engineer: User) -> None:
    http = as_user(engineer)
    claimed = http.post(url(ticket, "/claim"), {}, content_type=JSON)
    assert claimed.status_code == 200
    assert claimed.json()["assignee_id"] == engineer.pk
    refused = http.post(url(ticket, "/return"), {"reason": ""}, content_type=JSON)
    assert refused.status_code == 422
    assert "reason" in refused.json()["errors"]
    returned = http.post(url(ticket, "/return"), {"reason": "不属于本组"}, content_type=JSON)
    assert returned.status_code == 200
    assert returned.json()["assignee_id"] is None


def test_another_engineers_request_cannot_be_claimed(ticket: Ticket, engineer: User, as_staff: HttpClient) -> None:
    as_staff.post(url(ticket, "/assign"), {"assignee_id": engineer.pk}, content_type=JSON)
    response = as_staff.post(url(ticket, "/claim"), {}, content_type=JSON)
    assert response.status_code == 422
    assert "assignee_id" in response.json()["errors"]


def test_follow_and_unfollow(ticket: Ticket, engineer: User) -> None:
    http = as_user(engineer)
    assert http.post(url(ticket, "/follow")).json() == {"ticket_id": ticket.pk, "following": True}
    assert ticket.followers.filter(pk=engineer.pk).exists()
    followed = http.get("/api/v1/tickets", {"queue": "followed"}).json()
    assert [item["id"] for item in followed["items"]] == [ticket.pk]
    assert http.post(url(ticket, "/unfollow")).json() == {"ticket_id": ticket.pk, "following": False}
    assert not ticket.followers.filter(pk=engineer.pk).exists()


def test_client_users_do_not_follow_through_the_vendors_queue(ticket: Ticket, as_client_a: HttpClient) -> None:
    assert as_client_a.post(url(ticket, "/follow")).status_code == 403


def test_supervise_needs_a_note(ticket: Ticket, as_staff: HttpClient) -> None:
    refused = as_staff.post(url(ticket, "/supervise"), {"note": " "}, content_type=JSON)
    assert refused.status_code == 422
    assert "note" in refused.json()["errors"]
    response = as_staff.post(url(ticket, "/supervise"), {"note": "今天必须回复客户"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["supervised"] is True


def test_bulk_close_closes_every_request_with_one_reason(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    tickets = [make_ticket(actor=staff, client=client_a) for _ in range(3)]
    response = as_staff.post(
        "/api/v1/tickets/bulk/close", {"ticket_ids": [t.pk for t in tickets], "reason": "重复报障"}, content_type=JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {item["status"] for item in body["items"]} == {"archived"}
    assert set(Ticket.objects.values_list("close_reason", flat=True)) == {"重复报障"}


def test_bulk_close_with_one_request_the_caller_cannot_see_writes_nothing(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User, client_a_user: User
) -> None:
    agent_b = bearer(make_user("agent_b", Role.AGENT))
    client_a = as_user(client_a_user)
    mine = [make_ticket(actor=staff, client=archive_a.client) for _ in range(2)]
    hidden = make_ticket(actor=staff, client=archive_b.client)
    audit = AuditEvent.objects.filter(action__startswith="ticket.").count()
    ids = [mine[0].pk, 999_999, mine[1].pk]
    response = agent_b.post("/api/v1/tickets/bulk/close", {"ticket_ids": ids, "reason": "批量关闭"}, content_type=JSON)
    assert response.status_code == 404
    # A client user's batch with another client's request: refused, nothing written.
    client_batch = client_a.post(
        "/api/v1/tickets/bulk/close", {"ticket_ids": [hidden.pk], "reason": "批量关闭"}, content_type=JSON
    )
    assert client_batch.status_code in {403, 404}
    assert set(Ticket.objects.values_list("status", flat=True)) == {"registered"}
    assert AuditEvent.objects.filter(action__startswith="ticket.").count() == audit


def test_bulk_close_with_one_refused_step_writes_nothing(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    open_one = make_ticket(actor=staff, client=client_a)
    closed = make_ticket(actor=staff, client=client_a)
    as_staff.post(url(closed, "/transitions"), {"action": "close", "reason": "已解决"}, content_type=JSON)
    response = as_staff.post(
        "/api/v1/tickets/bulk/close", {"ticket_ids": [open_one.pk, closed.pk], "reason": "批量"}, content_type=JSON
    )
    assert response.status_code == 409
    assert Ticket.objects.get(pk=open_one.pk).status == "registered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ticket_ids": [], "reason": "x"}, "ticket_ids"),
        ({"ticket_ids": "1,2", "reason": "x"}, "ticket_ids"),
        ({"ticket_ids": [0], "reason": "x"}, "ticket_ids"),
        ({"ticket_ids": list(range(1, 502)), "reason": "x"}, "ticket_ids"),
        ({"reason": "x"}, "ticket_ids"),
        ({"ticket_ids": [1], "reason": ""}, "reason"),
    ],
)
def test_bad_bulk_close_input_is_a_422_naming_the_field(
    ticket: Ticket, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    body = {**body, "ticket_ids": [ticket.pk]} if body.get("ticket_ids") == [1] else body
    response = as_staff.post("/api/v1/tickets/bulk/close", body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).status == "registered"


def test_bulk_assign_is_all_or_none(
    client_a: Client, staff: User, engineer: User, team: Team, as_staff: HttpClient
) -> None:
    tickets = [make_ticket(actor=staff, client=client_a) for _ in range(3)]
    ids = [t.pk for t in tickets]
    refused = as_staff.post(
        "/api/v1/tickets/bulk/assign", {"ticket_ids": [*ids, 999_999], "assignee_id": engineer.pk}, content_type=JSON
    )
    assert refused.status_code == 404
    assert not Ticket.objects.filter(assignee__isnull=False).exists()
    response = as_staff.post(
        "/api/v1/tickets/bulk/assign",
        {"ticket_ids": ids, "assignee_id": engineer.pk, "team_id": team.pk, "note": "本周处理"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert set(Ticket.objects.values_list("assignee_id", "team_id")) == {(engineer.pk, team.pk)}


def test_bulk_assign_names_the_bad_reference(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.post(
        "/api/v1/tickets/bulk/assign", {"ticket_ids": [ticket.pk], "team_id": 999_999}, content_type=JSON
    )
    assert response.status_code == 422
    assert "team_id" in response.json()["errors"]


def test_teams_list_with_members_for_staff_and_empty_for_clients(
    team: Team, engineer: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    body = as_staff.get("/api/v1/teams").json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "id": team.pk,
        "name": "一线支持组",
        "on_duty_contact": "值班电话 400-000",
        "members": [{"id": engineer.pk, "name": "李工"}],
    }
    assert as_client_a.get("/api/v1/teams").json() == {"items": [], "count": 0}
