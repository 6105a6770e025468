"""The queue API: filters, keyset pages, the total count, query budgets."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from conftest import ClientArchive
from django.test import Client as HttpClient

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.tickets.models import Ticket
from weibao.tickets.services.assignment import ticket_assign
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.test_api_tickets import bearer

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def many(actor: User, client: Client, n: int, **values: Any) -> list[Ticket]:
    return [make_ticket(actor=actor, client=client, title=f"工单 {i}", **values) for i in range(n)]


def walk(http: HttpClient, params: dict[str, Any], between: Any = None) -> tuple[list[int], list[int]]:
    """Every page's ids in order, and the counts reported; ``between`` runs after each page."""
    ids: list[int] = []
    counts: list[int] = []
    cursor = ""
    while True:
        response = http.get(URL, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        counts.append(body["count"])
        cursor = body["next_cursor"]
        if between is not None:
            between()
        if not cursor:
            return ids, counts


def forged(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_sixty_requests_in_pages_of_25_each_once_with_the_total(
    client_a: Client, staff: User, as_staff: HttpClient
) -> None:
    made = many(staff, client_a, 60)
    ids, counts = walk(as_staff, {"limit": 25})
    assert sorted(ids) == sorted(t.pk for t in made)
    assert len(ids) == len(set(ids)) == 60
    assert counts == [60, 60, 60]


def test_pages_stay_whole_while_new_requests_arrive(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    made = many(staff, client_a, 60)
    arrivals: list[Ticket] = []

    def arrive() -> None:
        arrivals.append(make_ticket(actor=staff, client=client_a, title="新到工单"))

    for sort in ("deadline", "newest", "oldest"):
        ids, _counts = walk(as_staff, {"limit": 25, "sort": sort}, between=arrive)
        assert len(ids) == len(set(ids)), sort
        assert {t.pk for t in made} <= set(ids), sort


def test_the_queue_runs_by_the_next_deadline(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    late, soon, never = many(staff, client_a, 3)
    now = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
    for ticket, deadline in ((late, now + dt.timedelta(hours=8)), (soon, now + dt.timedelta(hours=1))):
        ticket.next_deadline = deadline
        ticket.save(update_fields=["next_deadline"])
    ids = [item["id"] for item in as_staff.get(URL).json()["items"]]
    assert ids == [soon.pk, late.pk, never.pk]
    newest = [item["id"] for item in as_staff.get(URL, {"sort": "newest"}).json()["items"]]
    assert newest == [never.pk, soon.pk, late.pk]


def test_filters_narrow_the_queue_and_the_count(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User, as_staff: HttpClient
) -> None:
    fault = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    question = make_ticket(actor=staff, client=archive_a.client, kind="consultation", level=4, channel="wechat")
    other = make_ticket(actor=staff, client=archive_b.client)
    ticket_transition(actor=staff, ticket_id=question.pk, action="review_handle")
    ticket_assign(actor=staff, ticket_id=fault.pk, assignee=staff)
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({"client_id": archive_a.client.pk}, [fault.pk, question.pk]),
        ({"deployment_id": archive_a.deployment.pk}, [fault.pk]),
        ({"status": "in_progress"}, [question.pk]),
        ({"status": "registered,in_progress", "client_id": archive_b.client.pk}, [other.pk]),
        ({"kind": "consultation"}, [question.pk]),
        ({"level": "4"}, [question.pk]),
        ({"level": "3,4", "kind": "fault"}, [fault.pk, other.pk]),
        ({"channel": "wechat"}, [question.pk]),
        ({"queue": "mine"}, [fault.pk]),
        ({"assignee_id": staff.pk}, [fault.pk]),
        ({"queue": "unassigned"}, [question.pk, other.pk]),
        ({"q": fault.number}, [fault.pk]),
        ({"queue": "closed"}, []),
    ]
    for params, expected in cases:
        body = as_staff.get(URL, params).json()
        assert sorted(item["id"] for item in body["items"]) == sorted(expected), params
        assert body["count"] == len(expected), params
    repeated = as_staff.get(f"{URL}?status=registered&status=in_progress&client_id={archive_a.client.pk}").json()
    assert repeated["count"] == 2


def test_client_users_see_only_their_clients_requests(
    archive_a: ClientArchive, archive_b: ClientArchive, staff: User, as_client_a: HttpClient
) -> None:
    mine = make_ticket(actor=staff, client=archive_a.client)
    make_ticket(actor=staff, client=archive_b.client)
    for params in ({}, {"client_id": archive_b.client.pk}, {"queue": "all"}, {"queue": "mine"}):
        body = as_client_a.get(URL, params).json()
        expected = [mine.pk] if params.get("client_id") != archive_b.client.pk else []
        assert [item["id"] for item in body["items"]] == expected, params
        assert body["count"] == len(expected), params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"queue": "everything"}, "queue"),
        ({"status": "lost"}, "status"),
        ({"status": "registered,lost"}, "status"),
        ({"kind": "wish"}, "kind"),
        ({"level": "9"}, "level"),
        ({"level": "x"}, "level"),
        ({"channel": "pigeon"}, "channel"),
        ({"sort": "random"}, "sort"),
        ({"client_id": "abc"}, "client_id"),
        ({"client_id": 10**25}, "client_id"),
        ({"team_id": 0}, "team_id"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"q": "a\u0000b"}, "q"),
    ],
)
def test_bad_filters_are_a_422_naming_the_field(
    as_staff: HttpClient, params: dict[str, Any], field: str, db: None
) -> None:
    response = as_staff.get(URL, params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    "values",
    [
        ["deadline", "9999-12-31T00:00:00+00:00", 10**25],
        ["deadline", "9999-12-31T23:59:59-10:00", 1],
        ["deadline", "2026-01-01T00:00:00-16:50", 1],
        ["deadline", "2026-01-01T00:00:00", 1],
        ["deadline", "2026-01-01T00:00:00+00:00", "1"],
        ["newest", "2026-01-01T00:00:00+00:00", 1],
        {"a": 1},
        [1, 2],
    ],
)
def test_a_forged_cursor_is_a_422_naming_the_cursor_never_a_500(as_staff: HttpClient, values: Any, db: None) -> None:
    response = as_staff.get(URL, {"cursor": forged(values)})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["cursor"]


def test_a_cursor_of_another_sort_order_is_refused(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    many(staff, client_a, 3)
    cursor = as_staff.get(URL, {"limit": 1}).json()["next_cursor"]
    assert cursor
    assert as_staff.get(URL, {"limit": 1, "cursor": cursor}).status_code == 200
    response = as_staff.get(URL, {"limit": 1, "cursor": cursor, "sort": "newest"})
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize("n", [5, 50])
def test_the_queue_costs_the_same_queries_for_5_or_50_requests(
    archive_a: ClientArchive, staff: User, as_staff: HttpClient, django_assert_max_num_queries: Any, n: int
) -> None:
    team_ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    ticket_assign(actor=staff, ticket_id=team_ticket.pk, assignee=staff)
    many(staff, archive_a.client, n - 1, deployment=archive_a.deployment)
    with django_assert_max_num_queries(5):
        body = as_staff.get(URL, {"limit": 100}).json()
    assert len(body["items"]) == body["count"] == n


def test_the_queue_through_a_token_answers_the_same(client_a: Client, staff: User, as_staff: HttpClient) -> None:
    many(staff, client_a, 3)
    assert bearer(staff).get(URL).json() == as_staff.get(URL).json()
