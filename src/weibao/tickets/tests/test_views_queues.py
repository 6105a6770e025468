"""The queue page: tabs, filters, search, keyset pages, saved filters, bulk actions, query budget."""

from __future__ import annotations

import re

import pytest
from conftest import make_user
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from weibao.accounts.models import Role
from weibao.tickets.models import SavedFilter, Team, Ticket
from weibao.tickets.selectors import PAGE_SIZE
from weibao.tickets.services.assignment import ticket_assign, ticket_follow
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db
QUEUE = reverse("tickets:queue")


@pytest.fixture
def engineer(db):
    return make_user("engineer", Role.FIELD_ENGINEER, first_name="工程师")


def page_of(http, **params) -> str:
    response = http.get(QUEUE, params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_sidebar_links_requests_to_the_queue(as_staff):
    page = page_of(as_staff)
    assert f'href="{QUEUE}"' in page
    assert "/area/tickets/" not in page


def test_the_queue_shows_number_summary_client_type_level_status_and_assignee(as_staff, staff, archive_a):
    ticket = make_ticket(
        actor=staff, client=archive_a.client, deployment=archive_a.deployment, title="门禁系统无法开门"
    )
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=staff)
    page = page_of(as_staff)
    shown = (ticket.number, "门禁系统无法开门", archive_a.client.short_name, "staff")
    labels = (ticket.get_kind_display(), ticket.get_level_display(), ticket.get_status_display())
    for text in (*shown, *labels):
        assert str(text) in page


def test_each_tab_shows_its_queue(as_staff, staff, engineer, archive_a):
    mine = make_ticket(actor=staff, client=archive_a.client, title="分给我的")
    ticket_assign(actor=staff, ticket_id=mine.pk, assignee=staff)
    theirs = make_ticket(actor=staff, client=archive_a.client, title="分给别人的")
    ticket_assign(actor=staff, ticket_id=theirs.pk, assignee=engineer)
    unassigned = make_ticket(actor=staff, client=archive_a.client, title="没人接的")
    waiting = make_ticket(actor=staff, client=archive_a.client, title="等客户的")
    ticket_transition(actor=staff, ticket_id=waiting.pk, action="wait_client", reason="等客户提供截图")
    closed = make_ticket(actor=staff, client=archive_a.client, title="已关闭的")
    ticket_transition(actor=staff, ticket_id=closed.pk, action="close", reason="重复")

    assert "分给我的" in page_of(as_staff, queue="mine")
    assert "分给别人的" not in page_of(as_staff, queue="mine")
    unassigned_page = page_of(as_staff, queue="unassigned")
    assert "没人接的" in unassigned_page
    assert "分给我的" not in unassigned_page
    assert "等客户的" in page_of(as_staff, queue="waiting")
    assert "没人接的" not in page_of(as_staff, queue="waiting")
    closed_page = page_of(as_staff, queue="closed")
    assert "已关闭的" in closed_page
    assert "没人接的" not in closed_page
    assert "已关闭的" not in page_of(as_staff, queue="open")
    assert unassigned.number in page_of(as_staff)


def test_the_team_followed_and_supervised_tabs(as_staff, staff, archive_a):
    team = Team.objects.create(name="二线支持")
    team.members.add(staff)
    teamed = make_ticket(actor=staff, client=archive_a.client, title="团队的")
    ticket_assign(actor=staff, ticket_id=teamed.pk, assignee=None, team=team)
    followed = make_ticket(actor=staff, client=archive_a.client, title="关注的")
    ticket_follow(actor=staff, ticket_id=followed.pk)
    make_ticket(actor=staff, client=archive_a.client, title="别的")

    team_page = page_of(as_staff, queue="team")
    assert "团队的" in team_page
    assert "别的" not in team_page
    followed_page = page_of(as_staff, queue="followed")
    assert "关注的" in followed_page
    assert "别的" not in followed_page
    as_staff.post(reverse("tickets:supervise", args=[teamed.pk]), {"note": "今天必须解决"})
    supervised_page = page_of(as_staff, queue="supervised")
    assert "团队的" in supervised_page
    assert "关注的" not in supervised_page


def test_filters_narrow_the_queue(as_staff, staff, archive_a, archive_b):
    make_ticket(actor=staff, client=archive_a.client, title="甲的故障", level=1, channel="onsite")
    make_ticket(actor=staff, client=archive_b.client, title="乙的咨询", kind="consultation", level=4)

    by_client = page_of(as_staff, client=archive_b.client.pk)
    assert "乙的咨询" in by_client
    assert "甲的故障" not in by_client
    assert "乙的咨询" not in page_of(as_staff, kind="fault")
    assert "甲的故障" not in page_of(as_staff, level=4)
    assert "乙的咨询" not in page_of(as_staff, channel="onsite")
    assert "甲的故障" not in page_of(as_staff, status="in_progress")
    assert "甲的故障" in page_of(as_staff, status="registered", deployment="")


def test_the_deployment_filter_offers_the_chosen_clients_deployments(as_staff, staff, archive_a, archive_b):
    page = page_of(as_staff, client=archive_a.client.pk)
    assert archive_a.deployment.name in page
    assert archive_b.deployment.name not in page


def test_search_finds_by_number_text_contact_and_phone(as_staff, staff, archive_a, archive_b):
    first = make_ticket(actor=staff, client=archive_a.client, title="打印机卡纸", contact=archive_a.contact)
    make_ticket(actor=staff, client=archive_b.client, title="网络中断", contact=archive_b.contact)

    by_number = page_of(as_staff, q=first.number)
    assert "打印机卡纸" in by_number
    assert "网络中断" not in by_number
    assert "网络中断" in page_of(as_staff, q="网络")
    mobile = archive_b.contact.mobile
    assert "网络中断" in page_of(as_staff, q=f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}")
    by_contact = page_of(as_staff, q=archive_a.contact.name)  # exact contact name
    assert "打印机卡纸" in by_contact
    assert "网络中断" not in by_contact


def test_junk_filters_are_reported_and_ignored_never_an_error(as_staff, staff, archive_a):
    make_ticket(actor=staff, client=archive_a.client, title="照常显示")
    junk = {
        "queue": "everything",
        "status": "exploded",
        "client": "99999999999999999999999",
        "deployment": "x",
        "level": "9",
        "kind": "<script>",
        "sort": "random",
        "assignee": "-1",
        "team": "1e9",
        "after": "not-a-cursor",
    }
    response = as_staff.get(QUEUE, junk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "照常显示" in page
    assert "errorlist-block" in page
    assert "<script>" not in page


def test_pages_follow_the_cursor_without_offsets_or_page_numbers(as_staff, staff, archive_a):
    tickets = [
        make_ticket(actor=staff, client=archive_a.client, title=f"第{i:02d}号问题") for i in range(PAGE_SIZE + 5)
    ]
    first = page_of(as_staff)
    assert tickets[0].number in first
    assert tickets[-1].number not in first
    assert "page=" not in first
    link = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', first)
    assert link is not None
    second = as_staff.get(f"{QUEUE}?{link.group(1).replace('&amp;', '&')}").content.decode()
    assert tickets[-1].number in second
    assert tickets[0].number not in second
    assert 'rel="next"' not in second


def test_the_newest_sort_puts_the_latest_request_first(as_staff, staff, archive_a):
    make_ticket(actor=staff, client=archive_a.client, title="较早的请求")
    make_ticket(actor=staff, client=archive_a.client, title="最新的请求")
    page = page_of(as_staff, sort="newest")
    assert page.index("最新的请求") < page.index("较早的请求")
    page = page_of(as_staff, sort="oldest")
    assert page.index("较早的请求") < page.index("最新的请求")


QUEUE_QUERY_BUDGET = 12


def test_the_queue_runs_the_same_bounded_number_of_queries_for_5_or_50_rows(
    as_staff, staff, engineer, archive_a, django_assert_max_num_queries
):
    team = Team.objects.create(name="一线")
    team.members.add(engineer)
    SavedFilter.objects.create(owner=staff, name="我的", query="queue=mine")

    def add(count: int) -> None:
        for i in range(count):
            ticket = make_ticket(
                actor=staff, client=archive_a.client, deployment=archive_a.deployment, title=f"问题{i}"
            )
            ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=engineer, team=team if i % 2 else None)

    def queries(rows: int) -> int:
        with django_assert_max_num_queries(QUEUE_QUERY_BUDGET), CaptureQueriesContext(connection) as captured:
            response = as_staff.get(QUEUE, {"sort": "newest"})
        assert response.content.decode().count('name="ticket"') == min(rows, PAGE_SIZE)
        return len(captured)

    add(5)
    few = queries(5)
    add(45)
    assert queries(50) == few


def test_a_saved_filter_is_listed_as_a_link_and_can_be_deleted(as_staff, staff, archive_a):
    response = as_staff.post(
        reverse("tickets:saved_filter_create"),
        {"name": "明日星城的故障", "query": f"queue=open&client={archive_a.client.pk}&kind=fault&after=abc"},
    )
    saved = SavedFilter.objects.get(owner=staff)
    assert saved.query == f"client={archive_a.client.pk}&kind=fault&queue=open"
    assert response.status_code == 302
    page = page_of(as_staff)
    assert "明日星城的故障" in page
    assert f'href="?{saved.query}"'.replace("&", "&amp;") in page
    response = as_staff.post(reverse("tickets:saved_filter_delete"), {"id": saved.pk})
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_a_saved_filter_needs_a_name_and_something_to_save(as_staff):
    response = as_staff.post(reverse("tickets:saved_filter_create"), {"name": " ", "query": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "这个字段是必填项" in page
    assert not SavedFilter.objects.exists()
    response = as_staff.post(reverse("tickets:saved_filter_create"), {"name": "空", "query": "after=x"})
    assert "field-errors" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_nobody_deletes_another_users_saved_filter(as_staff, admin):
    theirs = SavedFilter.objects.create(owner=admin, name="管理员的", query="queue=open")
    assert as_staff.post(reverse("tickets:saved_filter_delete"), {"id": theirs.pk}).status_code == 404
    assert as_staff.post(reverse("tickets:saved_filter_delete"), {"id": "x"}).status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_bulk_assign_assigns_every_ticked_request(as_staff, staff, engineer, archive_a):
    tickets = [make_ticket(actor=staff, client=archive_a.client) for _ in range(3)]
    response = as_staff.post(
        reverse("tickets:bulk"),
        {"op": "assign", "ticket": [t.pk for t in tickets[:2]], "assignee": engineer.pk, "next": f"{QUEUE}?queue=mine"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?queue=mine"
    assert list(Ticket.objects.filter(assignee=engineer).order_by("pk")) == tickets[:2]
    assert Ticket.objects.get(pk=tickets[2].pk).assignee is None


def test_bulk_close_closes_every_ticked_request_with_one_reason(as_staff, staff, archive_a):
    tickets = [make_ticket(actor=staff, client=archive_a.client) for _ in range(2)]
    response = as_staff.post(
        reverse("tickets:bulk"), {"op": "close", "ticket": [t.pk for t in tickets], "reason": "演练工单，批量关闭"}
    )
    assert response.status_code == 302
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        assert ticket.status == Status.ARCHIVED
        assert ticket.close_reason == "演练工单，批量关闭"


def test_bulk_close_without_a_reason_changes_nothing_and_says_why(as_staff, staff, archive_a):
    tickets = [make_ticket(actor=staff, client=archive_a.client) for _ in range(2)]
    response = as_staff.post(reverse("tickets:bulk"), {"op": "close", "ticket": [t.pk for t in tickets], "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist-block" in page
    assert page.count("checked") >= 2
    assert not Ticket.objects.filter(status=Status.ARCHIVED).exists()


def test_bulk_with_nothing_ticked_or_a_junk_id_changes_nothing(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client)
    assert as_staff.post(reverse("tickets:bulk"), {"op": "close", "reason": "x"}).status_code == 200
    response = as_staff.post(reverse("tickets:bulk"), {"op": "close", "reason": "x", "ticket": [ticket.pk, "1; DROP"]})
    assert response.status_code == 200
    assert as_staff.post(reverse("tickets:bulk"), {"op": "explode", "ticket": [ticket.pk]}).status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED


def test_bulk_never_redirects_off_the_site(as_staff, staff, archive_a):
    ticket = make_ticket(actor=staff, client=archive_a.client)
    response = as_staff.post(
        reverse("tickets:bulk"), {"op": "close", "reason": "x", "ticket": [ticket.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


def test_an_engineer_without_dispatch_rights_sees_no_bulk_controls(engineer, archive_a, staff):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(engineer)
    make_ticket(actor=staff, client=archive_a.client)
    page = page_of(http)
    assert 'name="op"' not in page
    ticket = Ticket.objects.get()
    response = http.post(reverse("tickets:bulk"), {"op": "close", "reason": "x", "ticket": [ticket.pk]})
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED


def test_a_client_user_is_sent_to_the_portal_instead_of_the_queue(as_client_a):
    response = as_client_a.get(QUEUE)
    assert response.status_code == 302
    assert not response["Location"].startswith(QUEUE)
