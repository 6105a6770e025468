"""Hotline intake (R1.1) and the general "new request" form, through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weibao.accounts.models import Role
from weibao.customers.models import Contact, Deployment
from weibao.tickets.models import Ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db
HOTLINE = reverse("tickets:hotline")
CREATE = reverse("tickets:create")
LOOKUP = reverse("tickets:caller_lookup")
NOW = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.UTC)


@pytest.fixture
def caller(archive_a):
    return Contact.objects.create(client=archive_a.client, name="王主任", title="信息科", mobile="13912345678")


def spaced(number: str) -> str:
    return f"+86 {number[:3]} {number[3:7]} {number[7:]}"


@time_machine.travel(NOW, tick=False)
def test_an_agent_logs_a_hotline_call_end_to_end(as_staff, staff, archive_a, caller):
    lookup = as_staff.get(LOOKUP, {"form": "hotline", "caller_phone": spaced(caller.mobile)})
    fragment = lookup.content.decode()
    assert lookup.status_code == 200
    assert "<html" not in fragment
    assert "王主任" in fragment
    assert f'<option value="{archive_a.client.pk}" selected>' in fragment
    assert f'<option value="{caller.pk}" selected>' in fragment
    # The client has exactly one deployment: it is chosen outright.
    assert f'<option value="{archive_a.deployment.pk}" selected>' in fragment

    response = as_staff.post(
        HOTLINE,
        {
            "caller_phone": spaced(caller.mobile),
            "caller_name": "王主任",
            "client": archive_a.client.pk,
            "contact": caller.pk,
            "deployment": archive_a.deployment.pk,
            "kind": "fault",
            "level": "2",
            "title": "居民信息系统登录后提示会话过期",
            "description": "上午九点起全部社区工作人员无法登录",
            "call_started_at": "2026-11-21T10:28",
            "call_seconds": "1:35",
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("tickets:detail", args=[ticket.pk])
    assert ticket.number == "WB-20261121-0001"
    assert ticket.number in response.content.decode()
    assert (ticket.channel, ticket.kind, ticket.level, ticket.status) == ("hotline", "fault", 2, Status.REGISTERED)
    assert (ticket.client, ticket.contact, ticket.deployment) == (archive_a.client, caller, archive_a.deployment)
    assert (ticket.caller_name, ticket.caller_phone, ticket.call_seconds) == ("王主任", spaced(caller.mobile), 95)
    assert ticket.call_started_at == dt.datetime(2026, 11, 21, 2, 28, tzinfo=dt.UTC)
    assert ticket.created_by == staff


def test_the_lookup_finds_a_contact_by_a_number_with_spaces_dashes_or_plus_86(as_staff, caller):
    for typed in (spaced(caller.mobile), "139-1234-5678", "0086 13912345678", "13912345678"):
        assert "王主任" in as_staff.get(LOOKUP, {"caller_phone": typed}).content.decode(), typed


def test_the_lookup_says_when_no_contact_has_the_number(as_staff, caller):
    page = as_staff.get(LOOKUP, {"caller_phone": "021 5555 0000"}).content.decode()
    assert "王主任" not in page
    assert "warn-notice" in page


def test_a_chosen_client_lists_its_contacts_and_deployments_only(as_staff, archive_a, archive_b):
    Deployment.objects.create(
        client=archive_b.client,
        name="海源测试环境",
        product=archive_b.deployment.product,
        release=archive_b.deployment.release,
    )
    page = as_staff.get(LOOKUP, {"form": "hotline", "client": archive_b.client.pk}).content.decode()
    assert archive_b.contact.name in page
    assert archive_a.contact.name not in page
    assert "海源测试环境" in page
    assert archive_a.deployment.name not in page
    # Two deployments: none is chosen for the agent.
    deployments = page[page.index('name="deployment"') :]
    assert f'{archive_b.deployment.pk}" selected>' not in deployments[: deployments.index("</select>")]


def test_the_hotline_page_opened_with_a_number_proposes_the_caller(as_staff, archive_a, caller):
    page = as_staff.get(HOTLINE, {"phone": caller.mobile}).content.decode()
    assert f'value="{caller.mobile}"' in page
    assert f'<option value="{caller.pk}" selected>' in page


def test_the_look_up_button_works_without_script(as_staff, caller, archive_a):
    response = as_staff.post(HOTLINE, {"caller_phone": caller.mobile, "lookup": "1", "title": "先记下的摘要"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{caller.pk}" selected>' in page
    assert "先记下的摘要" in page
    assert not Ticket.objects.exists()


def test_a_hotline_call_with_missing_fields_shows_each_field_error_in_chinese(as_staff):
    response = as_staff.post(HOTLINE, {"caller_phone": "", "call_started_at": "", "call_seconds": "很久"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("这个字段是必填项") >= 4
    assert "has-error" in page
    assert not Ticket.objects.exists()


def test_a_deployment_of_another_client_is_refused_on_its_field(as_staff, archive_a, archive_b):
    response = as_staff.post(
        HOTLINE,
        {
            "caller_phone": "13800000000",
            "client": archive_a.client.pk,
            "deployment": archive_b.deployment.pk,
            "kind": "fault",
            "level": "3",
            "title": "摘要",
            "call_started_at": "2026-01-01T09:00",
        },
    )
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("typed", "seconds"), [("95", 95), ("1:35", 95), ("1分35秒", 95), ("2分钟", 120), ("", None)])
def test_the_call_duration_takes_seconds_or_minutes_and_seconds(as_staff, archive_a, typed, seconds):
    as_staff.post(
        HOTLINE,
        {
            "caller_phone": "13800000000",
            "client": archive_a.client.pk,
            "kind": "consultation",
            "level": "4",
            "title": "咨询导出功能",
            "call_started_at": "2026-01-01T09:00",
            "call_seconds": typed,
        },
    )
    assert Ticket.objects.get().call_seconds == seconds


@pytest.mark.parametrize("typed", ["-5", "99999999", "1:99", "abc"])
def test_a_nonsense_call_duration_is_refused(as_staff, archive_a, typed):
    response = as_staff.post(
        HOTLINE,
        {
            "caller_phone": "13800000000",
            "client": archive_a.client.pk,
            "kind": "consultation",
            "level": "4",
            "title": "摘要",
            "call_started_at": "2026-01-01T09:00",
            "call_seconds": typed,
        },
    )
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_call_cannot_start_in_the_future(as_staff, archive_a):
    response = as_staff.post(
        HOTLINE,
        {
            "caller_phone": "13800000000",
            "client": archive_a.client.pk,
            "kind": "fault",
            "level": "3",
            "title": "摘要",
            "call_started_at": "2099-01-01T09:00",
        },
    )
    assert "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_request_is_logged_by_hand_with_its_channel_and_attachments(as_staff, archive_a):
    files = [
        SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png"),
        SimpleUploadedFile("日志.txt", "错误日志".encode(), content_type="text/plain"),
    ]
    response = as_staff.post(
        CREATE,
        {
            "channel": "onsite",
            "client": archive_a.client.pk,
            "deployment": archive_a.deployment.pk,
            "kind": "upgrade",
            "level": "3",
            "title": "现场巡检发现需要升级",
            "description": "<p>版本过旧</p><script>alert(1)</script>",
            "files": files,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.channel == "onsite"
    assert "<script>" not in ticket.description
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == ["日志.txt", "现场照片.png"]


def test_a_request_submitted_on_behalf_of_a_client_user_names_them_as_requester(
    as_staff, archive_a, client_a_user, client_b_user
):
    page = as_staff.get(LOOKUP, {"form": "create", "client": archive_a.client.pk}).content.decode()
    assert f'<option value="{client_a_user.pk}">' in page
    assert f'<option value="{client_b_user.pk}">' not in page
    response = as_staff.post(
        CREATE,
        {
            "channel": "wechat",
            "client": archive_a.client.pk,
            "requester": client_a_user.pk,
            "kind": "consultation",
            "level": "4",
            "title": "微信群里问的导出问题",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.on_behalf, ticket.channel) == (client_a_user, True, "wechat")


def test_a_requester_of_another_client_is_refused(as_staff, archive_a, client_b_user):
    response = as_staff.post(
        CREATE,
        {
            "channel": "qq",
            "client": archive_a.client.pk,
            "requester": client_b_user.pk,
            "kind": "fault",
            "level": "3",
            "title": "摘要",
        },
    )
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_portal_and_api_channels_are_not_offered_for_hand_logging(as_staff, archive_a):
    response = as_staff.post(
        CREATE, {"channel": "portal", "client": archive_a.client.pk, "kind": "fault", "level": "3", "title": "x"}
    )
    assert "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_auditor_cannot_register_a_request(as_auditor, archive_a):
    response = as_auditor.post(
        CREATE, {"channel": "qq", "client": archive_a.client.pk, "kind": "fault", "level": "3", "title": "x"}
    )
    assert response.status_code == 200
    assert "errorlist-block" in response.content.decode()
    assert not Ticket.objects.exists()


def test_client_users_are_sent_to_the_portal_from_every_intake_page(as_client_a):
    for url in (HOTLINE, CREATE, LOOKUP):
        response = as_client_a.get(url)
        assert response.status_code == 302, url
    response = as_client_a.post(HOTLINE, {"caller_phone": "1"})
    assert response.status_code == 302
    assert not Ticket.objects.exists()


def test_the_lookup_offers_a_client_user_nothing_of_another_client(archive_a, archive_b):
    leader = make_user("leader_b", Role.CLIENT_LEADER, client=archive_b.client)
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(leader)
    response = http.get(LOOKUP, {"caller_phone": archive_a.contact.mobile})
    assert archive_a.contact.name not in response.content.decode()
