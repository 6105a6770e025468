"""The client portal's request pages: the list, opening a request, its page, replying, withdrawing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import Attachment, Ticket, TicketEvent
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import PLAN, png_bytes
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def _png(name: str = "截图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _log(name: str = "error.log") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "2026-11-22 会话过期\n".encode(), content_type="text/plain")


def _opened(actor: User, client: Client, **overrides: object) -> Ticket:
    return make_ticket(actor=actor, client=client, channel="portal", **overrides)


@pytest.fixture
def leader(client_a: Client) -> User:
    return make_user("leader", Role.CLIENT_LEADER, client=client_a)


@pytest.fixture
def as_leader(leader: User) -> HttpClient:
    http = HttpClient()
    http.force_login(leader)
    return http


# Opening a request -------------------------------------------------------------------------


def test_client_user_opens_a_request_with_attachments_and_lands_on_its_page(
    as_client_a: HttpClient, client_a_user: User, archive_a
) -> None:
    response = as_client_a.post(
        reverse("portal:create"),
        {
            "title": "低保审批页面打不开",
            "kind": "fault",
            "level": "2",
            "deployment": str(archive_a.deployment.pk),
            "description": "点击“审批”后白屏。\n从今天上午开始。",
            "attachments": [_png(), _log()],
        },
    )
    ticket = Ticket.objects.get(title="低保审批页面打不开")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:detail", kwargs={"pk": ticket.pk})
    assert ticket.requester == client_a_user
    assert ticket.channel == "portal"
    assert ticket.level == 2
    assert ticket.deployment == archive_a.deployment
    assert "<br>" in ticket.description or "</p><p>" in ticket.description
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == ["error.log", "截图.png"]
    page = as_client_a.get(response["Location"]).content.decode()
    assert ticket.number in page
    assert "截图.png" in page
    assert "error.log" in page
    assert "?inline=1" in page  # the screenshot shows as a picture


def test_an_optimization_request_waits_for_the_leader(as_client_a: HttpClient) -> None:
    as_client_a.post(
        reverse("portal:create"),
        {"title": "增加按社区导出报表", "kind": "optimization", "level": "4", "description": "希望能按社区导出。"},
    )
    ticket = Ticket.objects.get(title="增加按社区导出报表")
    assert ticket.status == Status.LEADER_SIGNOFF
    guidance = as_client_a.get(reverse("portal:detail", kwargs={"pk": ticket.pk})).context["guidance"]
    assert guidance.client_turn


def test_opening_a_request_without_a_summary_shows_the_message_at_the_field(as_client_a: HttpClient) -> None:
    response = as_client_a.post(reverse("portal:create"), {"title": "", "kind": "fault", "level": "3"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert Ticket.objects.count() == 0


def test_a_refused_file_type_is_named_at_the_attachments_field(as_client_a: HttpClient) -> None:
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = as_client_a.post(
        reverse("portal:create"), {"title": "附件", "kind": "fault", "level": "3", "attachments": [upload]}
    )
    assert response.status_code == 200
    assert "run.exe" in str(response.context["form"].errors["attachments"])
    assert Ticket.objects.count() == 0


def test_the_type_list_offers_only_what_a_client_raises(as_client_a: HttpClient) -> None:
    response = as_client_a.post(reverse("portal:create"), {"title": "扩容", "kind": "expansion", "level": "3"})
    assert "kind" in response.context["form"].errors
    kinds = [value for value, _label in response.context["form"].fields["kind"].choices]
    assert "fault" in kinds
    assert "optimization" in kinds
    assert "data" in kinds
    assert "corrective" not in kinds
    assert "emergency" not in kinds


def test_levels_are_explained_on_the_form(as_client_a: HttpClient, client_a_user: User) -> None:
    client_a_user.language = "en"
    client_a_user.save(update_fields=["language"])
    page = as_client_a.get(reverse("portal:create")).content.decode()
    assert "paralysed" in page
    assert "No function is lost" in page


def test_another_clients_deployment_cannot_be_chosen(as_client_a: HttpClient, archive_b) -> None:
    response = as_client_a.post(
        reverse("portal:create"),
        {"title": "别家系统", "kind": "fault", "level": "3", "deployment": str(archive_b.deployment.pk)},
    )
    assert "deployment" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_a_client_user_without_a_client_cannot_open_a_request(db: None) -> None:
    loner = make_user("loner", Role.CLIENT_USER)
    http = HttpClient()
    http.force_login(loner)
    assert http.get(reverse("portal:create")).status_code == 403
    assert http.get(reverse("portal:list")).status_code == 200


# The list ----------------------------------------------------------------------------------


def test_everyone_of_a_client_sees_the_clients_requests_and_no_others(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, client_b: Client, staff: User
) -> None:
    colleague = make_user("colleague", Role.CLIENT_USER, client=client_a)
    theirs = _opened(colleague, client_a, title="同事提的工单")
    by_phone = make_ticket(actor=staff, client=client_a, title="电话报修的工单")
    other = make_ticket(actor=staff, client=client_b, title="别家客户的工单")
    page = as_client_a.get(reverse("portal:list")).content.decode()
    assert theirs.number in page
    assert by_phone.number in page
    assert other.number not in page
    assert "别家客户的工单" not in page
    mine_only = as_client_a.get(reverse("portal:list"), {"mine": "1"}).content.decode()
    assert theirs.number not in mine_only


def test_tabs_split_open_waiting_on_us_and_closed(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, staff: User
) -> None:
    open_one = _opened(client_a_user, client_a, title="处理中")
    waiting = _opened(client_a_user, client_a, title="等待客户")
    from weibao.tickets.services import procedure

    procedure.review_record(
        actor=staff, ticket_id=waiting.pk, decision="plan", opinion="需方案。", plan={**PLAN, "charging": "free"}
    )
    closed = _opened(client_a_user, client_a, title="已撤销")
    ticket_transition(actor=client_a_user, ticket_id=closed.pk, action="withdraw", reason="已自行解决")

    def numbers(tab: str) -> set[str]:
        response = as_client_a.get(reverse("portal:list"), {"tab": tab})
        return {ticket.number for ticket in response.context["page"].items}

    assert numbers("open") == {open_one.number, waiting.number}
    assert numbers("waiting") == {waiting.number}
    assert numbers("closed") == {closed.number}
    assert as_client_a.get(reverse("portal:list"), {"tab": "waiting"}).context["waiting_count"] == 1


def test_search_finds_by_number_and_text(as_client_a: HttpClient, client_a_user: User, client_a: Client) -> None:
    one = _opened(client_a_user, client_a, title="打印机无法连接")
    two = _opened(client_a_user, client_a, title="居民档案导入失败")
    by_text = as_client_a.get(reverse("portal:list"), {"q": "打印机"}).context["page"].items
    assert [t.pk for t in by_text] == [one.pk]
    by_number = as_client_a.get(reverse("portal:list"), {"q": two.number}).context["page"].items
    assert [t.pk for t in by_number] == [two.pk]


def test_the_list_pages_by_cursor_newest_first(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, django_assert_max_num_queries
) -> None:
    start = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    made = []
    for index in range(30):
        with time_machine.travel(start + dt.timedelta(minutes=index), tick=False):
            made.append(_opened(client_a_user, client_a, title=f"工单{index}"))
    with django_assert_max_num_queries(12):
        first = as_client_a.get(reverse("portal:list"))
    items = first.context["page"].items
    assert [t.pk for t in items] == [t.pk for t in reversed(made)][:25]
    cursor = first.context["page"].next_cursor
    assert cursor
    second = as_client_a.get(reverse("portal:list"), {"after": cursor})
    assert [t.pk for t in second.context["page"].items] == [t.pk for t in reversed(made)][25:]
    assert second.context["page"].next_cursor is None


def test_a_broken_cursor_shows_the_first_page_with_a_message(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    _opened(client_a_user, client_a)
    response = as_client_a.get(reverse("portal:list"), {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert len(response.context["page"].items) == 1
    assert [str(m) for m in response.context["messages"]]


# The request page --------------------------------------------------------------------------


def test_the_request_page_shows_status_in_words_next_step_and_timeline(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, staff: User
) -> None:
    ticket = _opened(client_a_user, client_a, description="<p>登录后提示会话过期。</p>")
    from weibao.tickets.services.tickets import ticket_reply

    ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>请提供出错时间。</p>")
    response = as_client_a.get(reverse("portal:detail", kwargs={"pk": ticket.pk}))
    page = response.content.decode()
    assert response.context["guidance"].who
    assert "登录后提示会话过期" in page
    assert "请提供出错时间" in page
    assert str(Ticket.objects.get(pk=ticket.pk).get_status_display()) in page
    whats = [entry.what for entry in response.context["entries"]]
    assert len(whats) == 2


def test_a_reply_with_files_while_waiting_on_the_client_resumes_the_request(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, staff: User
) -> None:
    from weibao.tickets.services import procedure

    ticket = _opened(client_a_user, client_a)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="处理。")
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="wait_client", reason="请提供截图")
    response = as_client_a.post(
        reverse("portal:reply", kwargs={"pk": ticket.pk}), {"body": "截图见附件。", "attachments": [_png()]}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    reply = ticket.events.get(kind=TicketEvent.Kind.REPLY)
    assert "截图见附件" in reply.body
    assert reply.attachments.get().original_name == "截图.png"


def test_an_empty_reply_shows_the_message_on_the_request_page(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = _opened(client_a_user, client_a)
    response = as_client_a.post(reverse("portal:reply", kwargs={"pk": ticket.pk}), {"body": "  "})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]


def test_a_reply_to_a_closed_request_is_refused_with_a_message(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = _opened(client_a_user, client_a)
    ticket_transition(actor=client_a_user, ticket_id=ticket.pk, action="withdraw", reason="不需要了")
    response = as_client_a.post(reverse("portal:reply", kwargs={"pk": ticket.pk}), {"body": "还有问题"})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]


def test_replying_needs_the_csrf_token(client_a_user: User, client_a: Client) -> None:
    ticket = _opened(client_a_user, client_a)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(client_a_user)
    response = http.post(reverse("portal:reply", kwargs={"pk": ticket.pk}), {"body": "你好"})
    assert response.status_code == 403
    assert not ticket.events.filter(kind=TicketEvent.Kind.REPLY).exists()


def test_a_get_of_the_reply_address_goes_to_the_reply_form(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = _opened(client_a_user, client_a)
    response = as_client_a.get(reverse("portal:reply", kwargs={"pk": ticket.pk}))
    assert response.status_code == 302
    assert response["Location"].endswith("#reply")


def test_an_attachment_downloads_and_a_screenshot_shows_inline(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal", files=[_png(), _log()])
    png = Attachment.objects.get(ticket=ticket, original_name="截图.png")
    log = Attachment.objects.get(ticket=ticket, original_name="error.log")
    download = as_client_a.get(reverse("portal:attachment", kwargs={"pk": log.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"2026")  # type: ignore[attr-defined]
    inline = as_client_a.get(reverse("portal:attachment", kwargs={"pk": png.pk}), {"inline": "1"})
    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline;")
    assert "sandbox" in inline["Content-Security-Policy"]
    # A non-image never shows inline.
    assert as_client_a.get(reverse("portal:attachment", kwargs={"pk": log.pk}), {"inline": "1"})["Content-Type"] == (
        "application/octet-stream"
    )


# Withdrawing ------------------------------------------------------------------------------


def test_the_proposer_withdraws_with_a_reason(as_client_a: HttpClient, client_a_user: User, client_a: Client) -> None:
    ticket = _opened(client_a_user, client_a)
    url = reverse("portal:withdraw", kwargs={"pk": ticket.pk})
    refused = as_client_a.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    done = as_client_a.post(url, {"reason": "问题已自行解决"})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WITHDRAWN


def test_a_colleague_may_not_withdraw_but_the_leader_may(
    client_a_user: User, client_a: Client, as_leader: HttpClient
) -> None:
    colleague = make_user("colleague", Role.CLIENT_USER, client=client_a)
    http = HttpClient()
    http.force_login(colleague)
    ticket = _opened(client_a_user, client_a)
    url = reverse("portal:withdraw", kwargs={"pk": ticket.pk})
    response = http.post(url, {"reason": "撤销"})
    assert response.status_code == 200
    assert response.context["refusal"]
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED
    assert as_leader.post(url, {"reason": "领导撤销"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WITHDRAWN


# Vendor staff -------------------------------------------------------------------------------


def test_staff_opening_portal_pages_are_sent_to_the_staff_pages(
    as_staff: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal", files=[_log()])
    attachment = ticket.attachments.get()
    assert as_staff.get(reverse("portal:list"))["Location"] == reverse("tickets:queue")
    assert as_staff.get(reverse("portal:create"))["Location"] == reverse("tickets:queue")
    staff_page = reverse("tickets:detail", kwargs={"pk": ticket.pk})
    for name in ("detail", "reply", "withdraw", "signoff", "plan", "remote_consent", "acceptance", "feedback", "rate"):
        response = as_staff.get(reverse(f"portal:{name}", kwargs={"pk": ticket.pk}))
        assert (response.status_code, response["Location"]) == (302, staff_page), name
    assert as_staff.get(reverse("portal:attachment", kwargs={"pk": attachment.pk}))["Location"] == staff_page
    assert as_staff.get(reverse("portal:detail", kwargs={"pk": 999_999})).status_code == 404


def test_client_users_see_my_requests_in_the_sidebar_and_not_the_vendor_areas(
    as_client_a: HttpClient, as_staff: HttpClient
) -> None:
    client_page = as_client_a.get(reverse("portal:list")).content.decode()
    assert reverse("portal:list") in client_page
    assert reverse("customers:client_list") not in client_page
    staff_page = as_staff.get(reverse("core:home")).content.decode()
    assert reverse("customers:client_list") in staff_page


def test_the_request_page_costs_the_same_queries_with_a_long_timeline(
    as_client_a: HttpClient, client_a_user: User, client_a: Client, staff: User, django_assert_max_num_queries
) -> None:
    from weibao.tickets.services.tickets import ticket_reply

    ticket = _opened(client_a_user, client_a)
    for index in range(30):
        actor = staff if index % 2 else client_a_user
        ticket_reply(actor=actor, ticket_id=ticket.pk, body=f"第{index}条", files=[_log(f"{index}.log")])
    with django_assert_max_num_queries(22):  # the page includes the service-level clock panel
        response = as_client_a.get(reverse("portal:detail", kwargs={"pk": ticket.pk}))
    assert len(response.context["entries"]) == 31
