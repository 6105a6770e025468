"""The request page: header, timeline, the actions possible now, forms, conflicts, downloads."""

from __future__ import annotations

import pytest
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import Role
from weibao.tickets import workflow
from weibao.tickets.forms import PLAIN_ACTIONS
from weibao.tickets.models import Team, Ticket, TicketEvent
from weibao.tickets.services.assignment import ticket_assign
from weibao.tickets.services.tickets import ticket_reply, ticket_transition, ticket_update
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db
CANARY = "INTERNAL-CANARY-7f3a9"


@pytest.fixture
def ticket(staff, archive_a):
    return make_ticket(
        actor=staff, client=archive_a.client, deployment=archive_a.deployment, contact=archive_a.contact, level=2
    )


@pytest.fixture
def engineer(db):
    return make_user("engineer", Role.FIELD_ENGINEER)


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.pk])


def page(http, ticket: Ticket) -> str:
    response = http.get(url("detail", ticket))
    assert response.status_code == 200
    return str(response.content.decode())


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_the_header_shows_number_status_type_level_client_deployment_contact_and_version(as_staff, ticket, archive_a):
    shown = page(as_staff, ticket)
    for text in (
        ticket.number,
        ticket.title,
        ticket.get_status_display(),
        ticket.get_kind_display(),
        ticket.get_level_display(),
        archive_a.client.name,
        archive_a.deployment.name,
        archive_a.contact.name,
    ):
        assert str(text) in shown
    assert "<dd>1</dd>" in shown


def test_the_page_offers_exactly_the_steps_possible_now(as_staff, ticket):
    shown = page(as_staff, ticket)
    offered = workflow.actions_available(status=Status.REGISTERED, kind=workflow.Kind.FAULT, side=workflow.Side.STAFF)
    for action in PLAIN_ACTIONS:
        assert (f'id="action-{action.value}"' in shown) == (action in offered), action
    # The review decisions offered are the review steps possible for a fault report.
    assert 'value="handle"' in shown
    assert 'value="no_action"' in shown
    assert 'value="reject"' not in shown
    assert 'id="resolve"' not in shown
    assert 'id="action-resume"' not in shown


def test_a_plain_step_moves_the_request_and_writes_the_timeline(as_staff, ticket):
    response = as_staff.post(url("transition", ticket), {"action": "suspend", "reason": "客户机房停电", "version": 1})
    assert response.status_code == 302
    assert refreshed(ticket).status == Status.SUSPENDED
    shown = page(as_staff, ticket)
    assert str(workflow.ACTION_LABELS[workflow.Action.SUSPEND]) in shown
    assert "客户机房停电" in shown
    assert 'id="action-resume"' in shown


def test_steps_that_write_a_record_are_not_taken_as_plain_steps(as_staff, ticket):
    response = as_staff.post(url("transition", ticket), {"action": "review_handle", "version": 1})
    assert response.status_code == 200
    assert refreshed(ticket).status == Status.REGISTERED


def test_an_illegal_step_shows_why_and_changes_nothing(as_staff, ticket):
    response = as_staff.post(url("transition", ticket), {"action": "resume", "version": ticket.version})
    assert response.status_code == 409
    shown = response.content.decode()
    assert 'class="error"' in shown
    assert str(workflow.ACTION_LABELS[workflow.Action.RESUME]) in shown
    after = refreshed(ticket)
    assert (after.status, after.version) == (Status.REGISTERED, ticket.version)
    assert after.events.count() == 1


def test_withdrawing_while_the_client_verifies_the_fix_is_refused(as_staff, ticket):
    ticket_transition(actor=ticket.created_by, ticket_id=ticket.pk, action="review_handle")
    ticket_transition(actor=ticket.created_by, ticket_id=ticket.pk, action="resolve")
    response = as_staff.post(url("transition", ticket), {"action": "withdraw", "reason": "不要了"})
    assert response.status_code == 409
    assert refreshed(ticket).status == Status.ACCEPTANCE


def test_a_step_that_needs_a_reason_shows_the_error_on_its_field(as_staff, ticket):
    response = as_staff.post(url("transition", ticket), {"action": "close", "reason": "  ", "version": ticket.version})
    assert response.status_code == 200
    shown = response.content.decode()
    form = shown[shown.index('id="action-close"') :]
    assert "field-errors" in form[: form.index("</form>")]
    assert refreshed(ticket).status == Status.REGISTERED


def test_closing_with_a_reason_closes(as_staff, ticket):
    as_staff.post(
        url("transition", ticket), {"action": "close", "reason": "客户电话确认已恢复", "version": ticket.version}
    )
    assert refreshed(ticket).status == Status.ARCHIVED
    assert "客户电话确认已恢复" in page(as_staff, ticket)


def test_an_unknown_step_is_a_form_error_not_a_crash(as_staff, ticket):
    response = as_staff.post(url("transition", ticket), {"action": "explode"})
    assert response.status_code == 200
    assert refreshed(ticket).status == Status.REGISTERED


def test_a_step_against_an_old_version_is_a_conflict(as_staff, staff, ticket):
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"title": "别人改过的摘要"})
    response = as_staff.post(url("transition", ticket), {"action": "close", "reason": "重复", "version": 1})
    assert response.status_code == 409
    assert refreshed(ticket).status == Status.REGISTERED


def test_a_stale_edit_shows_the_conflict_instead_of_overwriting(as_staff, staff, ticket):
    form = as_staff.get(url("update", ticket)).content.decode()
    assert 'name="version" value="1"' in form
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"title": "同事先改的摘要"})
    response = as_staff.post(
        url("update", ticket), {"title": "我改的摘要", "kind": "fault", "level": "2", "version": "1"}
    )
    assert response.status_code == 409
    shown = response.content.decode()
    assert "errorlist-block" in shown
    assert ticket.number in shown
    assert refreshed(ticket).title == "同事先改的摘要"


def test_an_edit_with_the_current_version_is_saved_and_listed_on_the_timeline(as_staff, ticket, archive_a):
    response = as_staff.post(
        url("update", ticket),
        {
            "title": "新的摘要",
            "kind": "fault",
            "level": "1",
            "deployment": archive_a.deployment.pk,
            "contact": archive_a.contact.pk,
            "charging": "free",
            "description": ticket.description,
            "version": str(ticket.version),
        },
    )
    assert response.status_code == 302
    after = refreshed(ticket)
    assert (after.title, after.level, after.charging, after.version) == ("新的摘要", 1, "free", 2)
    changed = after.events.get(kind=TicketEvent.Kind.CHANGED)
    assert "description" not in changed.data["fields"]


def test_an_edit_with_a_deployment_of_another_client_is_refused(as_staff, ticket, archive_b):
    response = as_staff.post(
        url("update", ticket),
        {"title": "x", "kind": "fault", "level": "1", "deployment": archive_b.deployment.pk, "version": "1"},
    )
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert refreshed(ticket).deployment_id != archive_b.deployment.pk


def test_a_reply_and_an_internal_note_with_several_files(as_staff, ticket):
    response = as_staff.post(
        url("reply", ticket),
        {
            "body": f"<p>{CANARY}</p>",
            "internal": "on",
            "files": [
                SimpleUploadedFile("a.txt", b"first", content_type="text/plain"),
                SimpleUploadedFile("b.txt", b"second", content_type="text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    note = ticket.events.get(kind=TicketEvent.Kind.NOTE)
    assert note.internal
    assert note.attachments.count() == 2
    as_staff.post(url("reply", ticket), {"body": "已远程排查，请再试一次"})
    shown = page(as_staff, ticket)
    assert CANARY in shown
    assert "internal-badge" in shown
    assert "已远程排查，请再试一次" in shown


def test_an_empty_reply_shows_its_field_error(as_staff, ticket):
    response = as_staff.post(url("reply", ticket), {"body": ""})
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert ticket.events.count() == 1


def test_rich_text_in_replies_is_sanitised_on_the_page(as_staff, ticket):
    as_staff.post(url("reply", ticket), {"body": '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">点</a>'})
    shown = page(as_staff, ticket)
    assert "onerror" not in shown
    assert "javascript:alert" not in shown


def test_an_internal_note_is_never_shown_to_a_client_user(as_staff, as_client_a, staff, ticket):
    ticket_reply(actor=staff, ticket_id=ticket.pk, body=CANARY, internal=True)
    response = as_client_a.get(url("detail", ticket), follow=True)
    assert CANARY not in response.content.decode()
    first = as_client_a.get(url("detail", ticket))
    assert first.status_code == 302
    assert first["Location"] != url("detail", ticket)


def test_client_users_are_sent_to_the_portal_and_nothing_is_done_for_them(as_client_a, ticket):
    response = as_client_a.post(url("transition", ticket), {"action": "withdraw", "reason": "不需要了"})
    assert response.status_code == 302
    assert refreshed(ticket).status == Status.REGISTERED


def test_another_clients_request_is_not_found_exactly_like_a_missing_one(as_client_b, ticket):
    for name in ("detail", "update", "transition", "reply", "assign", "claim", "return", "follow", "supervise"):
        assert as_client_b.get(url(name, ticket)).status_code == 404, name
        allowed = {404, 405} if name == "detail" else {404}  # the page itself is GET only
        assert as_client_b.post(url(name, ticket)).status_code in allowed, name
    assert as_client_b.get(reverse("tickets:detail", args=[999999])).status_code == 404


def test_get_on_an_action_url_goes_back_to_the_request(as_staff, ticket):
    response = as_staff.get(url("claim", ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(url("detail", ticket))


def test_dispatching_to_an_engineer_and_a_team(as_staff, engineer, ticket):
    team = Team.objects.create(name="二线支持")
    team.members.add(engineer)
    response = as_staff.post(
        url("assign", ticket), {"assignee": engineer.pk, "team": team.pk, "note": "请今天处理", "version": 1}
    )
    assert response.status_code == 302
    after = refreshed(ticket)
    assert (after.assignee, after.team) == (engineer, team)


def test_dispatching_to_a_non_member_of_the_team_shows_the_error(as_staff, engineer, ticket):
    team = Team.objects.create(name="二线支持")
    response = as_staff.post(url("assign", ticket), {"assignee": engineer.pk, "team": team.pk})
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert refreshed(ticket).assignee is None


def test_claim_then_return_with_a_reason(engineer, ticket):
    http = HttpClient()
    http.force_login(engineer)
    assert http.post(url("claim", ticket)).status_code == 302
    assert refreshed(ticket).assignee == engineer
    response = http.post(url("return", ticket), {"reason": ""})
    assert "field-errors" in response.content.decode()
    assert refreshed(ticket).assignee == engineer
    http.post(url("return", ticket), {"reason": "不是我负责的系统"})
    assert refreshed(ticket).assignee is None


def test_claiming_another_engineers_request_is_refused(as_staff, staff, engineer, ticket):
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=engineer)
    response = as_staff.post(url("claim", ticket))
    assert response.status_code == 200
    assert refreshed(ticket).assignee == engineer


def test_follow_and_stop_following(as_staff, staff, ticket):
    as_staff.post(url("follow", ticket), {"follow": "1"})
    assert ticket.followers.filter(pk=staff.pk).exists()
    assert "Stop following" in page(as_staff, ticket) or 'value="0"' in page(as_staff, ticket)
    as_staff.post(url("follow", ticket), {"follow": "0"})
    assert not ticket.followers.filter(pk=staff.pk).exists()


def test_supervising_needs_a_note(as_staff, ticket):
    response = as_staff.post(url("supervise", ticket), {"note": ""})
    assert "field-errors" in response.content.decode()
    assert not refreshed(ticket).supervised
    as_staff.post(url("supervise", ticket), {"note": "客户领导来电催办"})
    assert refreshed(ticket).supervised


def test_an_auditor_reads_the_request_but_is_offered_no_forms(as_auditor, ticket):
    shown = page(as_auditor, ticket)
    assert ticket.number in shown
    assert 'id="action-' not in shown
    response = as_auditor.post(url("transition", ticket), {"action": "close", "reason": "x"})
    assert response.status_code == 403
    assert refreshed(ticket).status == Status.REGISTERED


def test_an_attachment_downloads_with_safe_headers(as_staff, staff, ticket):
    upload = SimpleUploadedFile("<svg onload=alert(1)>.txt", b"<script>alert(1)</script>", content_type="text/html")
    event = ticket_reply(actor=staff, ticket_id=ticket.pk, body="", files=[upload])
    attachment = event.attachments.get()
    response = as_staff.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_a_client_user_never_downloads_an_internal_attachment(as_client_a, staff, ticket):
    upload = SimpleUploadedFile("内部.txt", b"internal", content_type="text/plain")
    internal = ticket_reply(actor=staff, ticket_id=ticket.pk, body="内部", internal=True, files=[upload])
    shared = ticket_reply(
        actor=staff, ticket_id=ticket.pk, body="", files=[SimpleUploadedFile("给客户.txt", b"shared")]
    )
    assert as_client_a.get(reverse("tickets:attachment", args=[internal.attachments.get().pk])).status_code == 404
    assert as_client_a.get(reverse("tickets:attachment", args=[shared.attachments.get().pk])).status_code == 200


def test_the_timeline_says_who_did_what_for_each_kind_of_entry(as_staff, staff, engineer, ticket):
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=engineer, note="交给现场工程师")
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"level": 1})
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="wait_client", reason="等待客户提供账号")
    shown = page(as_staff, ticket)
    assert "engineer" in shown
    assert "交给现场工程师" in shown
    assert "等待客户提供账号" in shown
    assert str(Ticket._meta.get_field("level").verbose_name) in shown
    assert str(workflow.STATUS_LABELS[Status.PENDING_CLIENT]) in shown
    assert shown.count('class="event ') == 4


def test_the_request_page_runs_a_bounded_number_of_queries(as_staff, staff, ticket, django_assert_max_num_queries):
    for i in range(10):
        ticket_reply(
            actor=staff, ticket_id=ticket.pk, body=f"第{i}次回复", files=[SimpleUploadedFile(f"{i}.txt", b"x")]
        )
    with django_assert_max_num_queries(28):  # includes the clock panel (clocks, history)
        assert as_staff.get(url("detail", ticket)).status_code == 200


def test_the_procedure_region_is_on_the_page(as_staff, ticket):
    assert 'id="procedure"' in page(as_staff, ticket)
