"""The procedure's records from the staff request page: review, plan, task orders, consents, work logs …"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.models import Role
from weibao.tickets.models import CorrectiveAction, Milestone, RemoteConsent, Review, TaskOrder, Ticket, WorkLog
from weibao.tickets.services.procedure import leader_signoff, review_record, task_order_create
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff, archive_a):
    return make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.pk])


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def in_progress(staff, ticket: Ticket) -> Ticket:
    review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="立即处理")
    return refreshed(ticket)


def local(instant: dt.datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def test_a_review_to_handle_at_once_records_the_opinion_and_starts_the_work(as_staff, ticket):
    response = as_staff.post(
        url("review", ticket), {"decision": "handle", "opinion": "配置问题，立即处理", "version": 1}
    )
    assert response.status_code == 302
    assert refreshed(ticket).status == Status.IN_PROGRESS
    assert Review.objects.get(ticket=ticket).opinion == "配置问题，立即处理"
    page = as_staff.get(url("detail", ticket)).content.decode()
    assert "配置问题，立即处理" in page
    assert 'id="resolve"' in page


def test_a_review_with_a_plan_waits_for_the_client(as_staff, ticket):
    response = as_staff.post(
        url("review", ticket),
        {
            "decision": "plan",
            "opinion": "需要升级数据库",
            "mode": "onsite",
            "details": "周六现场升级",
            "charging": "free",
            "planned_start": "2030-01-05",
            "planned_end": "2030-01-06",
        },
    )
    assert response.status_code == 302
    after = refreshed(ticket)
    assert after.status == Status.PLAN_PENDING
    plan = after.plans.get()
    assert (plan.mode, plan.details, plan.charging) == ("onsite", "周六现场升级", "free")


def test_a_review_without_an_opinion_or_plan_dates_shows_each_field_error(as_staff, ticket):
    response = as_staff.post(url("review", ticket), {"decision": "plan", "opinion": "", "mode": "remote"})
    assert response.status_code == 200
    page = response.content.decode()
    review_form = page[page.index('id="review"') :]
    review_form = review_form[: review_form.index("</form>")]
    assert review_form.count("field-errors") >= 3
    assert refreshed(ticket).status == Status.REGISTERED


def test_resolving_needs_a_description_and_then_asks_for_acceptance(as_staff, staff, ticket):
    in_progress(staff, ticket)
    response = as_staff.post(url("resolve", ticket), {"resolution": ""})
    assert "field-errors" in response.content.decode()
    as_staff.post(url("resolve", ticket), {"resolution": "已清理会话缓存"})
    after = refreshed(ticket)
    assert (after.status, after.resolution) == (Status.ACCEPTANCE, "已清理会话缓存")


def test_a_task_order_is_issued_and_completed(as_staff, staff, ticket):
    in_progress(staff, ticket)
    response = as_staff.post(
        url("task_order", ticket), {"engineer": staff.pk, "content": "检查数据库连接池", "onsite": "on"}
    )
    assert response.status_code == 302
    order = TaskOrder.objects.get(ticket=ticket)
    assert order.number == f"{ticket.number}-T01"
    assert order.onsite
    assert order.number in as_staff.get(url("detail", ticket)).content.decode()
    as_staff.post(url("task_order_complete", ticket), {"record": order.pk, "result": ""})
    assert TaskOrder.objects.get(pk=order.pk).done_at is None
    as_staff.post(url("task_order_complete", ticket), {"record": order.pk, "result": "连接池参数已调整"})
    assert TaskOrder.objects.get(pk=order.pk).result == "连接池参数已调整"


def test_a_record_of_another_request_cannot_be_completed_through_this_one(as_staff, staff, ticket, archive_a):
    other = in_progress(staff, make_ticket(actor=staff, client=archive_a.client))
    order = task_order_create(actor=staff, ticket_id=other.pk, engineer=staff, content="别的工单的任务", onsite=False)
    response = as_staff.post(url("task_order_complete", ticket), {"record": order.pk, "result": "x"})
    assert response.status_code == 404
    assert TaskOrder.objects.get(pk=order.pk).done_at is None


def test_remote_work_is_logged_under_the_consent_the_client_gave(as_staff, staff, ticket):
    in_progress(staff, ticket)
    given = timezone.now() - dt.timedelta(minutes=30)
    response = as_staff.post(
        url("consent", ticket),
        {
            "granted_by_name": "王主任",
            "granted_via": "电话",
            "scope": "应用服务器远程排查",
            "minutes_allowed": "120",
            "granted_at": local(given),
        },
    )
    assert response.status_code == 302
    consent = RemoteConsent.objects.get(ticket=ticket)
    response = as_staff.post(
        url("work_log", ticket),
        {
            "mode": "remote",
            "started_at": local(given + dt.timedelta(minutes=5)),
            "minutes": "20",
            "description": "远程查看日志",
            "consent": consent.pk,
        },
    )
    assert response.status_code == 302
    log = WorkLog.objects.get(ticket=ticket)
    assert (log.minutes, log.consent_id) == (20, consent.pk)
    page = as_staff.get(url("detail", ticket)).content.decode()
    assert "应用服务器远程排查" in page
    assert "远程查看日志" in page


def test_remote_work_without_a_consent_is_refused_on_its_field(as_staff, staff, ticket):
    in_progress(staff, ticket)
    response = as_staff.post(
        url("work_log", ticket),
        {
            "mode": "remote",
            "started_at": local(timezone.now() - dt.timedelta(hours=1)),
            "minutes": "20",
            "description": "x",
        },
    )
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert not WorkLog.objects.exists()


def test_a_consent_can_be_revoked(as_staff, staff, ticket):
    as_staff.post(
        url("consent", ticket),
        {"granted_by_name": "王主任", "granted_via": "电话", "scope": "远程", "minutes_allowed": "60"},
    )
    consent = RemoteConsent.objects.get()
    as_staff.post(url("consent_revoke", ticket), {"record": consent.pk})
    assert RemoteConsent.objects.get().revoked_at is not None


def test_a_data_change_is_recorded_after_the_leader_signed(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, kind="data", title="修正居民户籍数据")
    leader = make_user("leader", Role.CLIENT_LEADER, client=archive_a.client)
    leader_signoff(actor=leader, ticket_id=ticket.pk, approve=True, opinion="同意", signer_name="李书记")
    in_progress(staff, ticket)
    response = as_staff.post(
        url("data_change", ticket),
        {
            "description": "更正3户户籍地址",
            "before": "旧地址",
            "after": "新地址",
            "rows_affected": "3",
            "files": [SimpleUploadedFile("变更前.csv", "id,addr\n1,旧".encode(), content_type="text/csv")],
        },
    )
    assert response.status_code == 302
    change = ticket.data_changes.get()
    assert (change.rows_affected, change.before, change.after) == (3, "旧地址", "新地址")
    assert ticket.attachments.filter(original_name="变更前.csv").exists()


def test_an_emergency_records_its_milestones_once_each(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, kind="emergency", level=1)
    page = as_staff.get(url("detail", ticket)).content.decode()
    assert 'value="dispatched"' in page
    assert 'value="understood"' not in page
    response = as_staff.post(url("milestone", ticket), {"step": "dispatched", "note": "张工已出发"})
    assert response.status_code == 302
    assert Milestone.objects.get(ticket=ticket).step == "dispatched"
    again = as_staff.post(url("milestone", ticket), {"step": "dispatched"})
    assert again.status_code == 200
    assert Milestone.objects.filter(ticket=ticket).count() == 1


def test_a_complaint_gets_its_record_and_corrective_actions(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, kind="complaint", title="工程师迟到投诉")
    response = as_staff.post(
        url("complaint", ticket),
        {"tracker": staff.pk, "about": "响应不及时", "handling": "已致歉", "result": "客户接受", "satisfaction": "4"},
    )
    assert response.status_code == 302
    assert refreshed(ticket).complaint.satisfaction == 4
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = as_staff.post(
        url("corrective_action", ticket),
        {"kind": "preventive", "description": "增加值班工程师", "owner": staff.pk, "due_on": due},
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get(ticket=ticket)
    page = as_staff.get(url("detail", ticket)).content.decode()
    assert "增加值班工程师" in page
    as_staff.post(url("corrective_action_complete", ticket), {"record": action.pk, "outcome": "已排班"})
    assert CorrectiveAction.objects.get(pk=action.pk).done_at is not None


def test_a_corrective_action_due_in_the_past_shows_its_field_error(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client, kind="complaint")
    response = as_staff.post(
        url("corrective_action", ticket),
        {"kind": "corrective", "description": "x", "owner": staff.pk, "due_on": "2000-01-01"},
    )
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()


def test_linking_parenting_and_merging_by_number(as_staff, staff, ticket, archive_a):
    other = make_ticket(actor=staff, client=archive_a.client, title="同一故障的另一报修")
    outage = make_ticket(actor=staff, client=archive_a.client, title="机房断电")
    assert as_staff.post(url("link", ticket), {"number": other.number}).status_code == 302
    assert refreshed(ticket).related.filter(pk=other.pk).exists()
    assert as_staff.post(url("parent", ticket), {"number": outage.number}).status_code == 302
    assert refreshed(ticket).parent == outage
    as_staff.post(url("link", ticket), {"number": other.number, "link": "0"})
    assert not refreshed(ticket).related.exists()
    response = as_staff.post(url("merge", other), {"into_id": ticket.number, "reason": "重复报修"})
    assert response.status_code == 302
    assert refreshed(other).merged_into == ticket


def test_an_unknown_number_is_refused_on_its_field(as_staff, ticket):
    for name, data in (("link", {"number": "WB-20990101-0001"}), ("merge", {"into_id": "nope", "reason": "x"})):
        response = as_staff.post(url(name, ticket), data)
        assert response.status_code == 200, name
        assert "field-errors" in response.content.decode(), name
    assert refreshed(ticket).status == Status.REGISTERED


def test_client_users_are_sent_to_the_portal_from_every_procedure_form(as_client_a, ticket):
    for name in ("review", "resolve", "task_order", "consent", "work_log", "merge"):
        response = as_client_a.post(url(name, ticket), {"decision": "handle", "opinion": "x"})
        assert response.status_code == 302, name
    assert refreshed(ticket).status == Status.REGISTERED
