"""Printed procedure forms (R1.4) and service reports (R1.13): which exist, what they print, who may print them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, cast

import pytest
from conftest import make_user
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from weibao.accounts.models import Role
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets import documents
from weibao.tickets.documents import Form, ServiceReportKind
from weibao.tickets.models import MaintenancePlan, Review, SignOff, Ticket, WorkLog
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests import documents_procedure as proc
from weibao.tickets.tests.documents_procedure import pdf_text, squeeze

pytestmark = pytest.mark.django_db

CLIENT_NAME = "明日星城社区"

# What each form prints from the records, beyond the request's header.
FORM_VALUES = {
    Form.REGISTRATION: ["登录截图.png", "社区工作人员反映登录后提示会话过期", proc.SIGNER],
    Form.REVIEW: [proc.REVIEW_OPINION, proc.PLAN_DETAILS, "质保期内"],
    Form.TASK_ORDER: [proc.TASK_CONTENT, proc.TASK_RESULT, "应用服务器日志只读"],
    Form.FEEDBACK: [proc.RESOLUTION, proc.FEEDBACK_OPINION, proc.SURVEY_COMMENT],
    Form.ACCEPTANCE: [proc.RESOLUTION, proc.TASK_RESULT, proc.ACCEPTANCE_OPINION],
    Form.ARCHIVE: [proc.SIGNER],
    Form.SERVICE_REPORT: [proc.WORK_DONE, proc.TASK_CONTENT, proc.RESOLUTION, "75"],
}


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def done(staff, client_a_user, archive_a) -> Ticket:
    return proc.full_procedure(staff=staff, client_user=client_a_user, archive=archive_a)


@pytest.fixture
def receipt_request(staff, archive_a) -> Ticket:
    return proc.no_action_request(staff=staff, archive=archive_a)


def render_text(actor: Any, ticket: Ticket, form: str) -> str:
    filename, content = documents.document_render(actor=actor, ticket=ticket, form=form)
    assert filename.endswith(".pdf")
    assert len(PdfReader(io.BytesIO(content)).pages) >= 1
    return pdf_text(content)


def html_of(actor: Any, ticket: Ticket, form: str) -> str:
    """The form's HTML before WeasyPrint: what the PDF is made from, at a fraction of the cost."""
    context = documents.document_context(actor=actor, ticket=ticket, form=form)
    return render_to_string(f"{documents.TEMPLATE_DIR}/{form}.html", context)


def images_in(content: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        xobjects = resources.get("/XObject")
        if xobjects is None:
            continue
        for ref in cast(DictionaryObject, xobjects.get_object()).values():
            count += str(cast(DictionaryObject, ref.get_object())["/Subtype"]) == "/Image"
    return count


# --- which forms a request has ---------------------------------------------------------------


def test_a_new_request_has_only_its_registration_form(staff, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    assert documents.forms_available(ticket=ticket) == [Form.REGISTRATION]


def test_a_request_through_the_whole_procedure_has_every_form_but_the_receipt(done) -> None:
    assert documents.forms_available(ticket=done) == [form for form in Form if form != Form.RECEIPT]


def test_a_request_needing_no_maintenance_has_a_review_a_receipt_and_an_archive_record(receipt_request) -> None:
    assert documents.forms_available(ticket=receipt_request) == [
        Form.REGISTRATION,
        Form.REVIEW,
        Form.RECEIPT,
        Form.ARCHIVE,
    ]


def test_a_resolved_request_has_acceptance_and_service_report_but_no_feedback_yet(staff, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="resolve")
    assert documents.forms_available(ticket=ticket) == [Form.REGISTRATION, Form.ACCEPTANCE, Form.SERVICE_REPORT]


def test_a_request_taken_through_the_procedures_services_prints_its_signed_forms(
    staff, client_a_user, client_a
) -> None:
    from weibao.tickets.services import procedure
    from weibao.tickets.tests.procedure_factories import ticket_awaiting_feedback

    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.feedback_give(
        actor=client_a_user,
        ticket_id=ticket.pk,
        opinion="响应迅速，问题已解决。",
        signer_name="王丽",
        signature=proc.png_data_url(),
        rating=5,
        comment="满意",
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert documents.forms_available(ticket=ticket) == [
        Form.REGISTRATION,
        Form.REVIEW,
        Form.FEEDBACK,
        Form.ACCEPTANCE,
        Form.ARCHIVE,
        Form.SERVICE_REPORT,
    ]
    acceptance = render_text(client_a_user, ticket, Form.ACCEPTANCE)
    assert "王丽" in acceptance
    assert "已清理过期会话" in acceptance  # the resolution
    feedback = render_text(client_a_user, ticket, Form.FEEDBACK)
    assert "响应迅速，问题已解决。" in feedback
    assert "满意" in feedback


def test_the_index_data_says_who_signed_each_form(done) -> None:
    listed = {info.form: info for info in documents.documents_available(ticket=done)}
    signed = listed[Form.ACCEPTANCE].signed
    assert signed is not None
    assert signed.signer_name == proc.SIGNER
    assert listed[Form.ACCEPTANCE].signoff_form == SignOff.Form.ACCEPTANCE
    assert listed[Form.ARCHIVE].signoff_form is None


# --- what each form prints -------------------------------------------------------------------


@pytest.mark.parametrize("form", list(FORM_VALUES))
def test_every_form_prints_in_chinese_with_the_requests_records(done, client_a_user, form) -> None:
    text = render_text(client_a_user, done, form)
    assert CLIENT_NAME in text
    assert squeeze(done.number) in text
    assert proc.SUMMARY in text
    assert "明日星城社区生产环境" in text  # the deployment
    assert squeeze(documents.document_title(ticket=done, form=form)) in text
    for value in FORM_VALUES[form]:
        assert value in text, f"{value} missing from {form}"


def test_the_receipt_prints_the_review_opinion_that_no_maintenance_is_needed(receipt_request, staff) -> None:
    text = render_text(staff, receipt_request, Form.RECEIPT)
    assert proc.NO_ACTION_OPINION in text
    assert CLIENT_NAME in text
    assert "如何导出房屋信息" in text


def test_no_form_printed_for_a_client_user_shows_an_internal_note_or_attachment(done, client_a_user) -> None:
    for form in documents.forms_available(ticket=done):
        assert proc.CANARY not in render_text(client_a_user, done, form), form


def test_forms_printed_by_staff_are_the_clients_document_without_internal_notes_either(done, staff) -> None:
    for form in documents.forms_available(ticket=done):
        assert proc.CANARY not in html_of(staff, done, form), form


def test_the_signoff_block_shows_the_signer_the_time_and_the_drawn_signature(done, client_a_user) -> None:
    _filename, content = documents.document_render(actor=client_a_user, ticket=done, form=Form.ACCEPTANCE)
    text = pdf_text(content)
    signed = SignOff.objects.get(ticket=done, form=SignOff.Form.ACCEPTANCE)
    assert proc.SIGNER in text
    assert squeeze(translation.gettext("Signed at")) in text
    assert timezone.localtime(signed.signed_at).strftime("%Y-%m-%d%H:%M") in text
    assert images_in(content) == 1


def test_an_unsigned_form_has_lines_to_sign_by_hand(staff, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    _filename, content = documents.document_render(actor=staff, ticket=ticket, form=Form.REGISTRATION)
    assert squeeze(translation.gettext("Signature and date in the client's own hand.")) in pdf_text(content)
    assert images_in(content) == 0


def test_a_drawn_signature_that_is_not_an_inline_image_is_left_out(staff, client_a_user, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    proc.sign(ticket, client_a_user, SignOff.Form.REGISTRATION, signature="https://evil.example/track.png")
    _filename, content = documents.document_render(actor=staff, ticket=ticket, form=Form.REGISTRATION)
    assert proc.SIGNER in pdf_text(content)
    assert images_in(content) == 0


def test_the_latest_signoff_of_a_form_is_the_one_printed(done, client_a_user) -> None:
    proc.sign(done, client_a_user, SignOff.Form.ACCEPTANCE, signer_name="李四", approved=False, opinion="仍无法登录")
    text = render_text(client_a_user, done, Form.ACCEPTANCE)
    assert "李四" in text
    assert "仍无法登录" in text
    assert squeeze(translation.gettext("Not accepted, to be reworked")) in text


def test_after_a_rejected_fix_the_acceptance_form_waits_for_a_new_signature(staff, client_a_user, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="resolve")
    proc.sign(ticket, client_a_user, SignOff.Form.ACCEPTANCE, approved=False, opinion="仍然白屏")
    ticket_transition(actor=client_a_user, ticket_id=ticket.pk, action="reject_fix", reason="仍然白屏")
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="resolve")
    ticket.refresh_from_db()
    context = documents.document_context(actor=staff, ticket=ticket, form=Form.ACCEPTANCE)
    assert context["signoff"] is None
    assert [round_.opinion for round_ in context["earlier_rounds"]] == ["仍然白屏"]
    text = render_text(staff, ticket, Form.ACCEPTANCE)
    assert "仍然白屏" in text
    assert squeeze(translation.gettext("Signature and date in the client's own hand.")) in text
    listed = {info.form: info for info in documents.documents_available(ticket=ticket)}
    assert listed[Form.ACCEPTANCE].signed is None


def test_a_plan_confirmed_without_a_signoff_still_names_who_confirmed_it(staff, client_a_user, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    Review.objects.create(ticket=ticket, decision=Review.Decision.PLAN, opinion=proc.REVIEW_OPINION, reviewer=staff)
    client_a_user.display_name = "赵主任"
    client_a_user.save()
    MaintenancePlan.objects.create(
        ticket=ticket,
        mode=MaintenancePlan.Mode.ONSITE,
        details=proc.PLAN_DETAILS,
        charging=MaintenancePlan.Charging.PAID,
        amount="1200.00",
        author=staff,
        confirmed_by=client_a_user,
        confirmed_at=proc.STARTED,
    )
    text = render_text(staff, ticket, Form.REVIEW)
    assert "赵主任" in text
    assert "1200.00" in text
    assert squeeze(translation.gettext("Signature and date in the client's own hand.")) not in text


def test_an_optimization_request_prints_the_client_leaders_signoff_on_its_registration(
    staff, client_a_user, archive_a
) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a, kind="optimization")
    leader = make_user("leader_a", Role.CLIENT_LEADER, client=archive_a.client)
    proc.sign(ticket, leader, SignOff.Form.LEADER, signer_name="钱社长", opinion="同意优化")
    text = render_text(staff, ticket, Form.REGISTRATION)
    assert "钱社长" in text
    assert "同意优化" in text


# --- the service report ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "report"),
    [
        ("emergency", ServiceReportKind.EMERGENCY),
        ("upgrade", ServiceReportKind.UPGRADE),
        ("fault", ServiceReportKind.DAILY),
        ("consultation", ServiceReportKind.DAILY),
    ],
)
def test_the_service_report_kind_follows_the_request_type(staff, client_a_user, archive_a, kind, report) -> None:
    ticket = proc.full_procedure(staff=staff, client_user=client_a_user, archive=archive_a, kind=kind)
    context = documents.document_context(actor=staff, ticket=ticket, form=Form.SERVICE_REPORT)
    assert context["report_kind"] == report
    text = render_text(staff, ticket, Form.SERVICE_REPORT)
    assert squeeze(documents.SERVICE_REPORT_LABELS[report]) in text


def test_the_service_report_totals_the_service_minutes_and_names_the_engineers(done, staff) -> None:
    context = documents.document_context(actor=staff, ticket=done, form=Form.SERVICE_REPORT)
    assert context["total_minutes"] == 75
    assert context["total_hours"] == "1.3"
    assert context["engineers"] == [str(staff)]
    assert context["period_start"] == proc.STARTED
    assert context["signoff"].signer_name == proc.SIGNER


def test_a_request_with_work_logged_has_a_service_report_before_it_is_resolved(staff, archive_a) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    WorkLog.objects.create(
        ticket=ticket, engineer=staff, mode="desk", started_at=proc.STARTED, minutes=20, description="电话指导"
    )
    assert Form.SERVICE_REPORT in documents.forms_available(ticket=ticket)
    assert "电话指导" in render_text(staff, ticket, Form.SERVICE_REPORT)


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [Form.RECEIPT, Form.ACCEPTANCE, Form.FEEDBACK, Form.ARCHIVE, Form.TASK_ORDER])
def test_a_form_the_request_does_not_have_yet_is_not_found(staff, archive_a, form) -> None:
    ticket = proc.new_request(staff=staff, archive=archive_a)
    with pytest.raises(ObjectNotFoundError):
        documents.document_render(actor=staff, ticket=ticket, form=form)


@pytest.mark.parametrize("form", ["", "unknown", "REGISTRATION", "registration.pdf", "../registration"])
def test_a_name_that_is_no_form_is_not_found(done, staff, form) -> None:
    with pytest.raises(ObjectNotFoundError):
        documents.document_render(actor=staff, ticket=done, form=form)


def test_another_clients_user_cannot_print_a_form(done, client_b_user) -> None:
    with pytest.raises(ObjectNotFoundError):
        documents.document_render(actor=client_b_user, ticket=done, form=Form.REGISTRATION)


def test_an_inactive_user_cannot_print_a_form(done, client_a_user) -> None:
    client_a_user.is_active = False
    client_a_user.save()
    with pytest.raises(ObjectNotFoundError):
        documents.document_render(actor=client_a_user, ticket=done, form=Form.REGISTRATION)


def test_rendering_writes_nothing_and_a_download_writes_one_audit_row(done, client_a_user) -> None:
    from weibao.accounts.models import AuditEvent

    before = AuditEvent.objects.count()
    documents.document_render(actor=client_a_user, ticket=done, form=Form.ACCEPTANCE)
    assert AuditEvent.objects.count() == before
    filename, _content = documents.document_download(actor=client_a_user, ticket=done, form=Form.ACCEPTANCE)
    event = AuditEvent.objects.latest("id")
    assert event.action == "ticket.document_download"
    assert event.after["form"] == "acceptance"
    assert event.after["file"] == filename
    assert event.client_id == done.client_id
    assert event.object_id == str(done.pk)


def test_the_file_name_is_the_request_number_and_the_forms_name(done, staff) -> None:
    filename, _content = documents.document_render(actor=staff, ticket=done, form=Form.ACCEPTANCE)
    assert filename == f"{done.number}-{translation.gettext('Maintenance acceptance form')}.pdf"


# --- cost -----------------------------------------------------------------------------------

# The request, its forms' flags, its sign-offs and at most four record lists (archive record).
QUERY_BUDGET = 8


@pytest.mark.parametrize("form", [form for form in Form if form != Form.RECEIPT])
def test_printing_a_form_costs_a_fixed_number_of_queries(done, staff, form, django_assert_max_num_queries) -> None:
    with CaptureQueriesContext(connection) as first:
        html_of(staff, done, form)
    for offset in range(10):
        WorkLog.objects.create(
            ticket=done,
            engineer=make_user(f"engineer{offset}", Role.OM_ENGINEER),
            mode="remote",
            started_at=proc.STARTED,
            minutes=10 + offset,
            description=proc.WORK_DONE,
        )
        proc.sign(done, staff, SignOff.Form.TASK_ORDER)
    with CaptureQueriesContext(connection) as second:
        html_of(staff, done, form)
    assert len(second.captured_queries) == len(first.captured_queries)
    with django_assert_max_num_queries(QUERY_BUDGET):
        html_of(staff, done, form)
