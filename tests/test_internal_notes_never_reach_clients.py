"""Internal notes never reach client users: a canary in an internal note and in an
internal attachment's name appears in no portal page, API response, PDF or export
a client user can fetch. The staff side sees it (the positive control).
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import ClientArchive
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver, reverse

from weibao.accounts.models import User
from weibao.config.api import api
from weibao.tickets.documents import forms_available
from weibao.tickets.models import Ticket
from weibao.tickets.services.procedure import ticket_resolve
from weibao.tickets.services.tickets import ticket_reply, ticket_transition
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a9c-内部备注"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def ticket(staff: User, archive_a: ClientArchive, client_a_user: User) -> Ticket:
    ticket = make_ticket(actor=staff, client=archive_a.client, requester=client_a_user, deployment=archive_a.deployment)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    ticket_reply(
        actor=staff,
        ticket_id=ticket.pk,
        body=f"<p>{CANARY} 客户系统管理员密码为 Abc12345</p>",
        internal=True,
        files=[SimpleUploadedFile(f"{CANARY}.txt", b"internal log", content_type="text/plain")],
    )
    ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>已安排工程师处理。</p>")
    ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已修复会话超时配置。")
    return Ticket.objects.get(pk=ticket.pk)


def portal_urls(ticket: Ticket) -> list[str]:
    urls = [reverse("portal:list") + "?tab=all"]
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) != "portal":
            continue
        for entry in pattern.url_patterns:
            if isinstance(entry, URLPattern) and "pk" in entry.pattern.converters and "attachment" not in entry.name:
                urls.append(reverse(f"portal:{entry.name}", kwargs={"pk": ticket.pk}))
    return urls


def api_urls(ticket: Ticket) -> list[str]:
    urls = ["/api/v1/tickets?queue=all"]
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "get" in methods and "{ticket_id}" in path and path.count("{") == 1:
            urls.append(path.replace("{ticket_id}", str(ticket.pk)))
    return urls


def document_urls(ticket: Ticket) -> list[str]:
    urls = [reverse("ticket_documents:index", kwargs={"pk": ticket.pk})]
    return urls + [
        reverse("ticket_documents:form", kwargs={"pk": ticket.pk, "form": form.value})
        for form in forms_available(ticket=ticket)
    ]


def export_urls() -> list[str]:
    return [reverse("tickets:export") + "?queue=all&format=csv", reverse("tickets:export") + "?queue=all&format=xlsx"]


def as_text(content_type: str, body: bytes) -> str:
    if content_type.startswith("application/pdf"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "form.pdf"
            path.write_bytes(body)
            return subprocess.run(
                ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
    if content_type.startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    if content_type.startswith("application/json"):
        # JSON escapes non-ASCII (\u5185…): compare against the decoded text.
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode("utf-8", errors="replace")


def fetch_all(http: HttpClient, urls: list[str]) -> list[tuple[str, int, str]]:
    fetched = []
    for url in urls:
        response: Any = http.get(url, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fetched.append((url, response.status_code, as_text(response.get("Content-Type", ""), body)))
    return fetched


def test_the_canary_reaches_no_client_page_api_response_pdf_or_export(ticket: Ticket, as_client_a: HttpClient) -> None:
    urls = portal_urls(ticket) + api_urls(ticket) + document_urls(ticket) + export_urls()
    fetched = fetch_all(as_client_a, urls)
    served = [url for url, status, _ in fetched if status == 200]
    assert len(served) >= 10, fetched
    assert any(ticket.number in text for _, _, text in fetched), "the client never saw its own request"
    assert [url for url, _status, text in fetched if CANARY in text] == []


def test_staff_see_the_canary_where_internal_notes_belong(ticket: Ticket, as_staff: HttpClient) -> None:
    """The positive control: the canary is there to be found."""
    page = as_staff.get(reverse("tickets:detail", kwargs={"pk": ticket.pk}))
    assert CANARY in page.content.decode()
    timeline = as_staff.get(f"/api/v1/tickets/{ticket.pk}/timeline")
    assert CANARY in as_text(timeline["Content-Type"], timeline.content)


def test_staff_exports_and_printed_forms_leave_internal_notes_out(ticket: Ticket, as_staff: HttpClient) -> None:
    fetched = fetch_all(as_staff, document_urls(ticket)[1:] + export_urls())
    assert all(status == 200 for _, status, _ in fetched), [(u, s) for u, s, _ in fetched]
    assert [url for url, _status, text in fetched if CANARY in text] == []
