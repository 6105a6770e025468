"""Downloading the audit trail from its page: CSV for Excel, guarded, audited."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.audit import event_record
from weibao.accounts.audit_export import cell_safe
from weibao.accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db
URL = "/accounts/audit/export/"


def _download(http: HttpClient, **params: str) -> tuple[Any, str]:
    response = http.get(URL, params)
    body = b"".join(response.streaming_content).decode("utf-8") if response.status_code == 200 else ""  # type: ignore[attr-defined]
    return response, body


def _rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_export_url_is_named_audit_export() -> None:
    assert reverse("accounts:audit_export") == URL


def test_the_audit_page_links_to_the_export_with_its_filters(as_auditor: HttpClient) -> None:
    html = as_auditor.get("/accounts/audit/", {"action": "token."}).content.decode()
    assert f'href="{URL}?action=token.' in html


def test_auditor_downloads_csv_that_excel_reads_as_utf8(staff: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="client.update", before={"name": "旧名称"}, after={"name": "新名称"})
    response, body = _download(as_auditor, action="client.")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="weibao-audit-')
    assert body.startswith("\ufeff")
    header, *rows = _rows(body)
    assert header[0] == "序号"
    assert [row[4] for row in rows] == ["client.update"]
    assert "新名称" in rows[0][10]


def test_export_follows_the_page_filters(staff: User, admin: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="token.create")
    event_record(actor=admin, action="token.create")
    event_record(actor=staff, action="client.update")
    _response, body = _download(as_auditor, action="token.", actor="staff")
    assert [(row[2], row[4]) for row in _rows(body)[1:]] == [("staff", "token.create")]


def test_every_export_is_audited_with_actor_filters_and_row_count(
    staff: User, auditor: User, as_auditor: HttpClient
) -> None:
    for _number in range(3):
        event_record(actor=staff, action="client.update")
    _download(as_auditor, action="client.")
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor == auditor
    assert event.address == "127.0.0.1"
    assert event.after == {"format": "csv", "filters": {"action": "client."}, "rows": 3}


def test_export_holds_exactly_the_rows_its_event_counts(staff: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="client.update")
    _response, body = _download(as_auditor, action="client.")
    # The export's own event is written first but is not part of the file.
    assert len(_rows(body)) - 1 == AuditEvent.objects.get(action="audit.export").after["rows"] == 1


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(
    dangerous: str, staff: User, as_auditor: HttpClient
) -> None:
    event_record(actor=None, actor_label=dangerous, action="user.login_failed")
    _response, body = _download(as_auditor, action="user.login_failed")
    row = _rows(body)[1]
    assert row[2] == "'" + dangerous
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in row)


def test_cell_safe_leaves_ordinary_text_alone() -> None:
    assert cell_safe("社区服务中心") == "社区服务中心"
    assert cell_safe("10.0.0.1") == "10.0.0.1"


def test_header_follows_the_users_language(staff: User, auditor: User) -> None:
    auditor.language = "en"
    auditor.save()
    http = HttpClient()
    http.force_login(auditor)
    event_record(actor=staff, action="client.update")
    _response, body = _download(http)
    assert _rows(body)[0][:2] == ["Sequence", "Time (Asia/Shanghai)"]


def test_jsonl_export_on_request(staff: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="client.update", after={"name": "新"})
    response, body = _download(as_auditor, format="jsonl", action="client.")
    assert response["Content-Type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in body.splitlines()]
    assert [r["action"] for r in records] == ["client.update"]
    assert records[0]["after"] == {"name": "新"}


def test_staff_without_the_audit_right_gets_403_and_nothing_is_exported(as_staff: HttpClient) -> None:
    response, _body = _download(as_staff)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_client_user_gets_404(as_client_a: HttpClient) -> None:
    response, _body = _download(as_client_a)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_export_reads_in_a_bounded_number_of_queries(
    staff: User, as_auditor: HttpClient, django_assert_max_num_queries: Any
) -> None:
    for number in range(60):
        event_record(actor=staff, action=f"client.n{number}")
    with django_assert_max_num_queries(25):
        _response, body = _download(as_auditor, action="client.")
    assert len(_rows(body)) == 61
