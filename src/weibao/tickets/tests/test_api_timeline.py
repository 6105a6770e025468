"""The timeline, replies, internal notes and files through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ClientArchive
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from weibao.accounts.models import AuditEvent, User
from weibao.tickets.models import Attachment, Ticket, TicketEvent
from weibao.tickets.services.tickets import ticket_reply
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.test_api_tickets import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"
CANARY = "内部备注-CANARY-7f3a9c"


@pytest.fixture
def ticket(archive_a: ClientArchive, staff: User) -> Ticket:
    return make_ticket(actor=staff, client=archive_a.client)


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.pk}{tail}"


def upload(name: str = "截图.png", content: bytes = b"\x89PNG\r\n\x1a\n-screenshot-") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_the_timeline_says_who_when_and_what(ticket: Ticket, staff: User, as_staff: HttpClient) -> None:
    as_staff.post(url(ticket, "/transitions"), {"action": "review_handle"}, content_type=JSON)
    body = as_staff.get(url(ticket, "/timeline")).json()
    assert body["count"] == 2
    created, moved = body["items"]
    assert (created["kind"], moved["kind"]) == ("created", "status")
    assert moved["actor_id"] == staff.pk
    assert moved["actor_label"] == "staff"
    assert moved["data"] == {"action": "review_handle", "from": "registered", "to": "in_progress"}
    assert moved["created_at"]
    assert moved["kind_label"]


def test_a_reply_is_added_and_the_client_sees_it(ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient) -> None:
    response = as_staff.post(url(ticket, "/replies"), {"text": "<p>请重启浏览器后再试</p>"}, content_type=JSON)
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["internal"]) == ("reply", False)
    bodies = [e["body"] for e in as_client_a.get(url(ticket, "/timeline")).json()["items"]]
    assert "<p>请重启浏览器后再试</p>" in bodies


def test_reply_text_is_sanitised(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.post(
        url(ticket, "/replies"),
        {"text": '<img src=x onerror="alert(1)"><script>alert(2)</script>好'},
        content_type=JSON,
    )
    assert response.status_code == 201
    assert "onerror" not in response.json()["body"]
    assert "<script" not in response.json()["body"]


def test_an_internal_note_never_reaches_a_client_user(
    ticket: Ticket, staff: User, client_a_user: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    response = as_staff.post(url(ticket, "/replies"), {"text": CANARY, "internal": True}, content_type=JSON)
    assert response.status_code == 201
    files = {"files": [upload("内部.txt", CANARY.encode())], "text": CANARY, "internal": "true"}
    assert as_staff.post(url(ticket, "/attachments"), files).status_code == 201
    assert CANARY in json.dumps(as_staff.get(url(ticket, "/timeline")).json(), ensure_ascii=False)
    internal_file = Attachment.objects.get(ticket=ticket, internal=True)
    for http in (as_client_a, bearer(client_a_user)):
        for path in ("", "/timeline", "/actions"):
            assert CANARY not in json.dumps(http.get(url(ticket, path)).json(), ensure_ascii=False)
        listing = http.get("/api/v1/tickets", {"queue": "all"}).json()
        assert CANARY not in json.dumps(listing, ensure_ascii=False)
        assert http.get(f"/api/v1/tickets/attachments/{internal_file.pk}").status_code == 404


def test_a_client_user_cannot_write_an_internal_note(ticket: Ticket, as_client_a: HttpClient) -> None:
    response = as_client_a.post(url(ticket, "/replies"), {"text": "悄悄话", "internal": True}, content_type=JSON)
    assert response.status_code == 403
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NOTE).exists()


def test_a_client_reply_resumes_a_request_waiting_on_the_client(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    as_staff.post(url(ticket, "/transitions"), {"action": "review_handle"}, content_type=JSON)
    as_staff.post(url(ticket, "/transitions"), {"action": "wait_client", "reason": "请提供截图"}, content_type=JSON)
    assert as_client_a.post(url(ticket, "/replies"), {"text": "已上传"}, content_type=JSON).status_code == 201
    assert as_client_a.get(url(ticket)).json()["status"] == "in_progress"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 5}, "text"),
        ({"text": "好", "internal": "perhaps"}, "internal"),
        ({"text": "好", "version": 0}, "version"),
    ],
)
def test_bad_reply_input_is_a_422_naming_the_field(
    ticket: Ticket, as_staff: HttpClient, body: dict[str, Any], field: str
) -> None:
    events = TicketEvent.objects.count()
    response = as_staff.post(url(ticket, "/replies"), body, content_type=JSON)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert TicketEvent.objects.count() == events


def test_a_reply_with_a_stale_version_is_a_409(ticket: Ticket, as_staff: HttpClient) -> None:
    as_staff.patch(url(ticket), {"level": 2}, content_type=JSON)
    response = as_staff.post(url(ticket, "/replies"), {"text": "好", "version": 1}, content_type=JSON)
    assert response.status_code == 409


def test_several_files_are_uploaded_as_one_reply_and_downloaded_safely(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    files = [upload("截图一.png"), upload("日志.txt", "错误日志".encode())]
    response = as_client_a.post(url(ticket, "/attachments"), {"files": files, "text": "见附件"})
    assert response.status_code == 201
    body = response.json()
    assert body["body"] == "见附件"
    assert [a["original_name"] for a in body["attachments"]] == ["截图一.png", "日志.txt"]
    log = body["attachments"][1]
    assert log["size"] == len("错误日志".encode())
    download = as_staff.get(log["download_url"])
    assert download.status_code == 200
    assert download.getvalue() == "错误日志".encode()
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "attachment" in download["Content-Disposition"]
    timeline = as_client_a.get(url(ticket, "/timeline")).json()["items"]
    assert [a["original_name"] for a in timeline[-1]["attachments"]] == ["截图一.png", "日志.txt"]


def test_a_refused_file_stores_none_of_the_files(ticket: Ticket, as_staff: HttpClient) -> None:
    files = [upload("好.png"), SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")]
    response = as_staff.post(url(ticket, "/attachments"), {"files": files})
    assert response.status_code == 422
    assert "files" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_an_upload_without_files_is_a_422_naming_files(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.post(url(ticket, "/attachments"), {"text": "无附件"})
    assert response.status_code == 422
    assert "files" in response.json()["errors"]


def test_more_than_ten_files_are_refused(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.post(url(ticket, "/attachments"), {"files": [upload(f"{i}.png") for i in range(11)]})
    assert response.status_code == 422
    assert "files" in response.json()["errors"]


def test_another_clients_files_are_not_found(archive_b: ClientArchive, staff: User, as_client_a: HttpClient) -> None:
    theirs = make_ticket(actor=staff, client=archive_b.client)
    event = ticket_reply(actor=staff, ticket_id=theirs.pk, body="", files=[upload()])
    attachment = event.attachments.get()
    assert as_client_a.get(f"/api/v1/tickets/attachments/{attachment.pk}").status_code == 404
    assert as_client_a.get(url(theirs, "/timeline")).status_code == 404
    assert as_client_a.post(url(theirs, "/attachments"), {"files": [upload()]}).status_code == 404
    assert Attachment.objects.count() == 1


def test_a_missing_stored_file_is_a_404(ticket: Ticket, staff: User, as_staff: HttpClient) -> None:
    event = ticket_reply(actor=staff, ticket_id=ticket.pk, body="", files=[upload()])
    attachment = event.attachments.get()
    attachment.file.storage.delete(attachment.file.name or "")
    assert as_staff.get(f"/api/v1/tickets/attachments/{attachment.pk}").status_code == 404


def test_the_timeline_costs_the_same_queries_for_many_entries(
    ticket: Ticket, staff: User, as_staff: HttpClient, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        ticket_reply(actor=staff, ticket_id=ticket.pk, body=f"第{i}条", files=[upload()] if i % 3 == 0 else [])
    with django_assert_max_num_queries(6):
        body = as_staff.get(url(ticket, "/timeline")).json()
    assert body["count"] == 31


def test_nothing_is_written_when_an_upload_is_refused(ticket: Ticket, as_staff: HttpClient) -> None:
    audit = AuditEvent.objects.count()
    as_staff.post(url(ticket, "/attachments"), {"files": [SimpleUploadedFile("空.txt", b"")]})
    assert AuditEvent.objects.count() == audit
