"""Complaints, corrective actions, surveys, callbacks and links between requests through the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import ClientArchive, make_user
from django.test import Client as HttpClient
from django.utils import timezone

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import CallbackTask, Survey, Ticket
from weibao.tickets.services import procedure
from weibao.tickets.services.quality import survey_token_issue
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.test_api_tickets import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.pk}{tail}"


@pytest.fixture
def quality_user(db: None) -> User:
    return make_user("quality", Role.QUALITY, display_name="质量专员")


@pytest.fixture
def complaint(client_a: Client, staff: User) -> Ticket:
    return make_ticket(actor=staff, client=client_a, kind="complaint", title="工程师迟到")


def archived(client: Client, staff: User) -> Ticket:
    ticket = make_ticket(actor=staff, client=client)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="close", reason="已解决")
    return ticket


# Complaints


def test_the_complaint_record_names_its_first_responder_and_takes_a_tracker(
    complaint: Ticket, staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    tracker = make_user("tracker", Role.SERVICE_MANAGER, display_name="赵经理")
    response = as_staff.patch(
        url(complaint, "/complaint"),
        {"tracker_id": tracker.pk, "about": "服务态度", "handling": "致电道歉", "satisfaction": 4},
        content_type=JSON,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["first_responder_id"], body["tracker_name"], body["satisfaction"]) == (staff.pk, "赵经理", 4)
    # Nothing in a complaint record is internal: the client reads it too.
    assert as_client_a.get(url(complaint, "/complaint")).json()["about"] == "服务态度"


def test_a_request_that_is_not_a_complaint_has_no_complaint_record(
    client_a: Client, staff: User, as_staff: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    assert as_staff.get(url(ticket, "/complaint")).json() is None
    response = as_staff.patch(url(ticket, "/complaint"), {"about": "x"}, content_type=JSON)
    assert response.status_code == 422
    assert "ticket_id" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"satisfaction": 6}, "satisfaction"),
        ({"about": "长" * 201}, "about"),
        ({"tracker_id": 999_999}, "tracker_id"),
        ({"tracker_id": "x"}, "tracker_id"),
    ],
)
def test_bad_complaint_input_is_a_422_naming_the_field(
    complaint: Ticket, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    response = as_staff.patch(url(complaint, "/complaint"), body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_a_client_tracker_is_refused(complaint: Ticket, client_a_user: User, as_staff: HttpClient) -> None:
    response = as_staff.patch(url(complaint, "/complaint"), {"tracker_id": client_a_user.pk}, content_type=JSON)
    assert response.status_code == 422
    assert "tracker_id" in response.json()["errors"]


def test_client_users_cannot_fill_in_the_complaint_record(complaint: Ticket, as_client_a: HttpClient) -> None:
    assert as_client_a.patch(url(complaint, "/complaint"), {"about": "x"}, content_type=JSON).status_code == 403


# Corrective and preventive actions


def test_corrective_actions_are_the_vendors_own_work(
    complaint: Ticket, staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"kind": "preventive", "description": "准时到场培训", "owner_id": staff.pk, "due_on": due}
    created = as_staff.post(url(complaint, "/corrective-actions"), body, content_type=JSON)
    assert created.status_code == 201
    action = created.json()
    assert (action["kind"], action["owner_id"], action["due_on"]) == ("preventive", staff.pk, due)
    assert [a["id"] for a in as_staff.get(url(complaint, "/corrective-actions")).json()] == [action["id"]]
    assert as_client_a.get(url(complaint, "/corrective-actions")).json() == []
    timeline = json.dumps(as_client_a.get(url(complaint, "/timeline")).json(), ensure_ascii=False)
    assert "准时到场培训" not in timeline
    complete = f"/api/v1/tickets/corrective-actions/{action['id']}/complete"
    assert as_client_a.post(complete, {"outcome": "完成"}, content_type=JSON).status_code == 404
    missing = as_staff.post(complete, {"outcome": ""}, content_type=JSON)
    assert missing.status_code == 422
    assert "outcome" in missing.json()["errors"]
    done = as_staff.post(complete, {"outcome": "已培训全体工程师"}, content_type=JSON)
    assert done.status_code == 200
    assert done.json()["done_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "magic", "description": "x", "due_on": "2099-01-01"}, "kind"),
        ({"kind": "corrective", "description": "", "due_on": "2099-01-01"}, "description"),
        ({"kind": "corrective", "description": "x"}, "due_on"),
        ({"kind": "corrective", "description": "x", "due_on": "2000-01-01"}, "due_on"),
        ({"kind": "corrective", "description": "x", "due_on": "2099-13-01"}, "due_on"),
        ({"kind": "corrective", "description": "x", "due_on": "2099-01-01", "owner_id": 999_999}, "owner_id"),
        ({"kind": "corrective", "description": "x", "due_on": "2099-01-01"}, "owner_id"),
    ],
)
def test_bad_corrective_action_input_is_a_422_naming_the_field(
    complaint: Ticket, staff: User, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    if field != "owner_id":
        body = {"owner_id": staff.pk, **body}
    response = as_staff.post(url(complaint, "/corrective-actions"), body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]


# Surveys


def test_a_client_rates_an_archived_request_once(client_a: Client, staff: User, as_client_a: HttpClient) -> None:
    ticket = archived(client_a, staff)
    response = as_client_a.post(
        "/api/v1/surveys", {"ticket_id": ticket.pk, "rating": 4, "comment": "不错"}, content_type=JSON
    )
    assert response.status_code == 201
    assert (response.json()["via"], response.json()["follow_up_id"]) == ("portal", None)
    again = as_client_a.post("/api/v1/surveys", {"ticket_id": ticket.pk, "rating": 5}, content_type=JSON)
    assert again.status_code == 409


def test_a_low_rating_opens_a_follow_up(client_a: Client, staff: User, as_client_a: HttpClient) -> None:
    ticket = archived(client_a, staff)
    response = as_client_a.post("/api/v1/surveys", {"ticket_id": ticket.pk, "rating": 1}, content_type=JSON)
    follow_up = response.json()["follow_up_id"]
    assert follow_up is not None
    assert as_client_a.get(f"/api/v1/tickets/{follow_up}").json()["status"] == "registered"


def test_the_survey_link_token_rates_the_request(client_a: Client, staff: User, client_b_user: User) -> None:
    ticket = archived(client_a, staff)
    token = survey_token_issue(ticket=ticket)
    response = bearer(client_b_user).post("/api/v1/surveys", {"token": token, "rating": 5}, content_type=JSON)
    assert response.status_code == 201
    survey = Survey.objects.get(ticket=ticket)
    # Someone of another client holding the link rates anonymously.
    assert (survey.via, survey.respondent_id) == ("link", None)


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"rating": 5}, "ticket_id", 422),
        ({"rating": 0, "ticket_id": 0}, "ticket_id", 422),
        ({"rating": "five"}, "rating", 422),
        ({"rating": 9, "ticket_id": "own"}, "rating", 422),
        ({"rating": 5, "token": "not-a-token"}, None, 404),
        ({"rating": 5, "token": "t" * 101}, "token", 422),
    ],
)
def test_bad_survey_input_is_refused_naming_the_field(  # noqa: PLR0917 -- pytest passes fixtures by name
    client_a: Client, staff: User, as_client_a: HttpClient, body: dict[str, Any], field: str | None, status: int
) -> None:
    ticket = archived(client_a, staff)
    if body.get("ticket_id") == "own":
        body = {**body, "ticket_id": ticket.pk}
    response = as_client_a.post("/api/v1/surveys", body, content_type=JSON)
    assert response.status_code == status
    if field is not None:
        assert field in response.json()["errors"]
    assert not Survey.objects.exists()


def test_an_open_request_cannot_be_rated_and_another_clients_is_not_found(
    archive_b: ClientArchive, client_a: Client, staff: User, as_client_a: HttpClient
) -> None:
    open_one = make_ticket(actor=staff, client=client_a)
    assert (
        as_client_a.post("/api/v1/surveys", {"ticket_id": open_one.pk, "rating": 5}, content_type=JSON).status_code
        == 409
    )
    theirs = archived(archive_b.client, staff)
    assert (
        as_client_a.post("/api/v1/surveys", {"ticket_id": theirs.pk, "rating": 5}, content_type=JSON).status_code == 404
    )
    assert as_client_a.get(url(theirs, "/survey")).status_code == 404


# Callbacks


def test_quality_staff_list_and_record_callbacks(
    client_a: Client, staff: User, quality_user: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    ticket = archived(client_a, staff)
    task = CallbackTask.objects.create(ticket=ticket, week=dt.date(2026, 11, 16), assignee=quality_user)
    http = bearer(quality_user)
    listing = http.get("/api/v1/callbacks", {"mine": "true", "pending": "true"}).json()
    assert [(item["id"], item["ticket_number"]) for item in listing["items"]] == [(task.pk, ticket.number)]
    assert as_staff.get("/api/v1/callbacks").json()["count"] == 0
    assert as_client_a.get("/api/v1/callbacks").json()["count"] == 0
    record = f"/api/v1/callbacks/{task.pk}/record"
    assert as_client_a.post(record, {"outcome": "satisfied"}, content_type=JSON).status_code == 404
    assert as_staff.post(record, {"outcome": "satisfied"}, content_type=JSON).status_code == 403
    words = http.post(record, {"outcome": "dissatisfied"}, content_type=JSON)
    assert words.status_code == 422
    assert "note" in words.json()["errors"]
    done = http.post(record, {"outcome": "satisfied", "note": "客户满意"}, content_type=JSON)
    assert (done.status_code, done.json()["outcome"]) == (200, "satisfied")
    assert http.post(record, {"outcome": "unreachable"}, content_type=JSON).status_code == 422


@pytest.mark.parametrize("params", [{"week": "2026-13-01"}, {"mine": "perhaps"}, {"page": 0}])
def test_bad_callback_filters_are_a_422(quality_user: User, params: dict[str, Any]) -> None:
    response = bearer(quality_user).get("/api/v1/callbacks", params)
    assert response.status_code == 422
    assert set(params) <= set(response.json()["errors"])


# Links


def test_related_parent_and_merge(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    outage, first, second, duplicate = (make_ticket(actor=staff, client=client_a) for _ in range(4))
    linked = as_staff.post(url(first, "/links"), {"other_id": second.pk}, content_type=JSON)
    assert linked.status_code == 200
    assert as_staff.post(url(first, "/parent"), {"parent_id": outage.pk}, content_type=JSON).json()["parent_id"] == (
        outage.pk
    )
    merged = as_staff.post(url(duplicate, "/merge"), {"into_id": first.pk, "reason": "重复报障"}, content_type=JSON)
    assert merged.status_code == 200
    assert (merged.json()["status"], merged.json()["merged_into_id"]) == ("merged", first.pk)
    links = as_staff.get(url(first, "/links")).json()
    assert links["parent"]["id"] == outage.pk
    assert [t["id"] for t in links["related"]] == [second.pk]
    assert [t["id"] for t in links["merged_requests"]] == [duplicate.pk]
    assert [t["id"] for t in as_staff.get(url(outage, "/links")).json()["children"]] == [first.pk]
    unlinked = as_staff.post(url(first, "/links"), {"other_id": second.pk, "link": False}, content_type=JSON)
    assert unlinked.status_code == 200
    assert as_staff.get(url(first, "/links")).json()["related"] == []


def test_a_client_sees_no_request_of_another_client_among_the_links(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    mine = make_ticket(actor=staff, client=archive_a.client)
    outage = make_ticket(actor=staff, client=archive_b.client)
    as_staff.post(url(mine, "/links"), {"other_id": outage.pk}, content_type=JSON)
    as_staff.post(url(mine, "/parent"), {"parent_id": outage.pk}, content_type=JSON)
    links = as_client_a.get(url(mine, "/links")).json()
    assert (links["parent"], links["related"]) == (None, [])
    assert outage.number not in json.dumps(as_client_a.get(url(mine, "/timeline")).json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("tail", "body", "field"),
    [
        ("/links", {"other_id": "self"}, "other_id"),
        ("/links", {}, "other_id"),
        ("/parent", {"parent_id": "self"}, "parent_id"),
        ("/parent", {"parent_id": 0}, "parent_id"),
        ("/merge", {"into_id": "self", "reason": "x"}, "into_id"),
        ("/merge", {"into_id": "other", "reason": ""}, "reason"),
    ],
)
def test_bad_link_input_is_a_422_naming_the_field(  # noqa: PLR0917 -- pytest passes fixtures by name
    client_a: Client, staff: User, as_staff: HttpClient, tail: str, body: dict[str, Any], field: str
) -> None:
    ticket, other = make_ticket(actor=staff, client=client_a), make_ticket(actor=staff, client=client_a)
    ids = {"self": ticket.pk, "other": other.pk}
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = as_staff.post(url(ticket, tail), body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_linking_to_a_request_the_client_cannot_see_is_not_found(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User
) -> None:
    agent = make_user("agent2", Role.AGENT)
    mine = make_ticket(actor=staff, client=archive_a.client)
    response = bearer(agent).post(url(mine, "/links"), {"other_id": 999_999}, content_type=JSON)
    assert response.status_code == 404


def test_feedback_with_a_rating_answers_the_survey_too(
    client_a: Client, staff: User, client_a_user: User, as_client_a: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="处理")
    procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已处理")
    procedure.acceptance_sign(actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王")
    bad = as_client_a.post(
        url(ticket, "/feedback"), {"signer_name": "王", "opinion": "好", "rating": 8}, content_type=JSON
    )
    assert bad.status_code == 422
    assert "rating" in bad.json()["errors"]
    assert as_client_a.get(url(ticket, "/survey")).json() is None
