"""An agent's hotline call and the request page in Chromium, under the strict Content Security Policy."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_csp import PASSWORD, Violations
from weibao.customers.models import Contact
from weibao.tickets.models import Ticket
from weibao.tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("WEIBAO_SCREENSHOTS", "")


def shot(tab: Page, name: str) -> None:
    if SCREENSHOTS:
        tab.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def agent_page(page: Page, live_server: Any, staff: Any) -> Page:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav.usermenu")).to_be_visible()
    return page


def test_an_agent_logs_a_call_and_works_the_request_without_policy_violations(
    agent_page: Page, live_server: Any, archive_a: Any, archive_b: Any, staff: Any
) -> None:
    tab = agent_page
    violations = Violations(tab)
    caller = Contact.objects.create(client=archive_a.client, name="王主任", mobile="13912345678")
    make_ticket(actor=staff, client=archive_a.client, title="上周的打印问题")

    tab.goto(f"{live_server.url}/tickets/hotline/")
    tab.fill("input[name=caller_phone]", "+86 139 1234 5678")
    # htmx asks the lookup endpoint and swaps in the proposal: contact, client and deployment.
    expect(tab.locator("#party .match")).to_contain_text("王主任")
    expect(tab.locator("select[name=contact]")).to_have_value(str(caller.pk))
    expect(tab.locator("select[name=client]")).to_have_value(str(archive_a.client.pk))
    expect(tab.locator("select[name=deployment]")).to_have_value(str(archive_a.deployment.pk))
    expect(tab.locator("input[name=caller_name]")).to_have_value("王主任")
    expect(tab.locator("#party .recent")).to_contain_text("上周的打印问题")
    tab.select_option("select[name=level]", "2")
    tab.fill("input[name=title]", "居民信息系统无法登录")
    shot(tab, "hotline")
    tab.locator("form[data-call-form] > button[type=submit]").click()

    ticket = Ticket.objects.get(title="居民信息系统无法登录")
    expect(tab.locator("h1")).to_contain_text(ticket.number)
    assert ticket.call_seconds is not None  # filled from the call timer
    assert (ticket.contact_id, ticket.deployment_id, ticket.level) == (caller.pk, archive_a.deployment.pk, 2)

    tab.fill("textarea[name=body]", "<p>先远程看一下</p>")
    tab.check("input[name=internal]")
    tab.locator("form.reply-form button[type=submit]").click()
    expect(tab.locator(".timeline .event.internal")).to_contain_text("先远程看一下")
    tab.locator("#review input[name=decision][value=handle]").check()
    tab.fill("#review textarea[name=opinion]", "账号配置问题，立即处理")
    tab.locator("#review button[type=submit]").click()
    expect(tab.locator("#resolve")).to_be_visible()
    tab.locator("#action-suspend > summary").click()
    expect(tab.locator("#action-suspend textarea[name=reason]")).to_be_visible()
    shot(tab, "detail")

    tab.goto(f"{live_server.url}/tickets/")
    tab.locator("input[data-check-all]").check()
    expect(tab.locator("input[name=ticket]").first).to_be_checked()
    shot(tab, "queue")
    assert violations.messages == []
