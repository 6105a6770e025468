"""The printed-form pages: /documents/<pk>/ lists a request's forms, /documents/<pk>/<form>.pdf downloads one."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from weibao.accounts.models import AuditEvent
from weibao.tickets import documents
from weibao.tickets.documents import Form
from weibao.tickets.models import Ticket
from weibao.tickets.tests import documents_procedure as proc
from weibao.tickets.tests.documents_procedure import pdf_text

pytestmark = pytest.mark.django_db


def form_url(ticket: Ticket, form: str) -> str:
    return reverse("ticket_documents:form", kwargs={"pk": ticket.pk, "form": form})


def index_url(ticket: Ticket) -> str:
    return reverse("ticket_documents:index", kwargs={"pk": ticket.pk})


@pytest.fixture
def done(staff, client_a_user, archive_a) -> Ticket:
    return proc.full_procedure(staff=staff, client_user=client_a_user, archive=archive_a)


@pytest.fixture
def fresh(staff, archive_a) -> Ticket:
    return proc.new_request(staff=staff, archive=archive_a)


def test_the_form_urls_read_as_documents_of_a_request(done) -> None:
    assert form_url(done, "acceptance") == f"/documents/{done.pk}/acceptance.pdf"
    assert index_url(done) == f"/documents/{done.pk}/"


def test_staff_download_a_form_as_a_pdf_attachment_named_in_utf8(as_staff, done) -> None:
    response = as_staff.get(form_url(done, "acceptance"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    with translation.override("zh-hans"):
        name = f"{done.number}-{translation.gettext('Maintenance acceptance form')}.pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1


def test_the_clients_user_downloads_the_forms_of_their_own_request(as_client_a, done) -> None:
    response = as_client_a.get(form_url(done, "service_report"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "明日星城社区" in text
    assert proc.WORK_DONE in text


def test_a_client_users_pdf_never_contains_internal_notes_or_attachments(as_client_a, done) -> None:
    for form in documents.forms_available(ticket=done):
        response = as_client_a.get(form_url(done, form))
        assert response.status_code == 200, form
        assert proc.CANARY not in pdf_text(response.content), form


def test_another_clients_request_is_404_exactly_like_a_missing_one(as_client_b, done) -> None:
    foreign = as_client_b.get(form_url(done, "registration"))
    missing = as_client_b.get(reverse("ticket_documents:form", kwargs={"pk": done.pk + 1000, "form": "registration"}))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert as_client_b.get(index_url(done)).status_code == 404


def test_a_form_the_request_does_not_have_yet_is_404(as_staff, as_client_a, fresh) -> None:
    assert as_staff.get(form_url(fresh, "acceptance")).status_code == 404
    assert as_client_a.get(form_url(fresh, "archive")).status_code == 404


@pytest.mark.parametrize("form", ["unknown", "Registration", "registration-", "_"])
def test_a_name_that_is_no_form_is_404(as_staff, done, form) -> None:
    assert as_staff.get(f"/documents/{done.pk}/{form}.pdf").status_code == 404


def test_signing_in_is_required(client, done) -> None:
    response = client.get(form_url(done, "registration"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert client.get(index_url(done)).status_code == 302


def test_the_pages_answer_only_get(as_staff, done) -> None:
    assert as_staff.post(form_url(done, "registration")).status_code == 405
    assert as_staff.post(index_url(done)).status_code == 405


def test_each_download_writes_an_audit_row_naming_the_form(as_client_a, client_a_user, done) -> None:
    as_client_a.get(form_url(done, "acceptance"))
    as_client_a.get(form_url(done, "acceptance"))
    events = AuditEvent.objects.filter(action="ticket.document_download").order_by("id")
    assert [(e.actor_id, e.after["form"], e.object_id) for e in events] == [
        (client_a_user.pk, "acceptance", str(done.pk)),
        (client_a_user.pk, "acceptance", str(done.pk)),
    ]
    assert events[0].client_id == done.client_id


def test_a_refused_download_writes_no_audit_row(as_client_b, as_staff, done, fresh) -> None:
    as_client_b.get(form_url(done, "acceptance"))
    as_staff.get(form_url(fresh, "acceptance"))
    assert not AuditEvent.objects.filter(action="ticket.document_download").exists()


def test_the_index_links_every_form_the_request_has_and_renders_none(as_client_a, done, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the list of forms must not render them")

    monkeypatch.setattr(documents, "pdf_render", refuse)
    page = as_client_a.get(index_url(done)).content.decode()
    for form in Form:
        assert (form_url(done, form) in page) == (form != Form.RECEIPT), form
    assert proc.SIGNER in page


def test_the_index_of_a_new_request_offers_only_the_registration_form(as_staff, fresh) -> None:
    page = as_staff.get(index_url(fresh)).content.decode()
    assert form_url(fresh, "registration") in page
    assert form_url(fresh, "acceptance") not in page


def test_the_index_costs_a_fixed_number_of_queries(as_staff, done, django_assert_max_num_queries) -> None:
    as_staff.get(index_url(done))
    with django_assert_max_num_queries(12):
        assert as_staff.get(index_url(done)).status_code == 200
