"""The whole maintenance procedure in Chromium, as the agent and as the client user.

The agent logs a hotline call, reviews it with a maintenance plan; the client
confirms the plan in the portal; the agent resolves; the client accepts with a
drawn signature, downloads the acceptance form (its PDF text holds the Chinese
field values), gives feedback with a rating; the request ends archived.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ClientArchive
from django.test import Client as HttpClient
from django.utils import translation
from playwright.sync_api import Page, expect

from weibao.accounts.models import Role, User
from weibao.customers.models import ClientMembership, Contact
from weibao.tickets.models import SignOff, Survey, Ticket
from weibao.tickets.workflow import STATUS_LABELS, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(status: Status) -> str:
    """The status as the zh-Hans pages show it."""
    with translation.override("zh-hans"):
        return str(STATUS_LABELS[status])


def signed_in(page: Page, base: str, user: User) -> None:
    http = HttpClient()
    http.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": http.cookies["sessionid"].value, "url": base}])


def draw_signature(page: Page) -> None:
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()


def test_agent_and_client_walk_the_whole_procedure(
    page: Page, live_server: Any, archive_a: ClientArchive, tmp_path: Path
) -> None:
    base = live_server.url
    agent = User.objects.create_user(username="walk-agent", password="x", role=Role.AGENT, first_name="李妍")
    client_user = User.objects.create_user(username="walk-client", password="x", role=Role.CLIENT_USER)
    ClientMembership.objects.create(user=client_user, client=archive_a.client)
    Contact.objects.create(client=archive_a.client, name="赵主任", mobile="13912340000")

    # The agent logs the call: the number finds the caller, client and deployment.
    signed_in(page, base, agent)
    page.goto(f"{base}/tickets/hotline/")
    page.fill("input[name=caller_phone]", "139 1234 0000")
    expect(page.locator("#party .match")).to_contain_text("赵主任")
    expect(page.locator("select[name=deployment]")).to_have_value(str(archive_a.deployment.pk))
    page.fill("input[name=title]", "居民信息模块会话频繁过期")
    page.locator("form[data-call-form] > button[type=submit]").click()
    ticket = Ticket.objects.get(title="居民信息模块会话频繁过期")
    expect(page.locator("h1")).to_contain_text(ticket.number)
    Ticket.objects.filter(pk=ticket.pk).update(requester=client_user)

    # Technical review: a plan is needed, agreed with the client.
    page.locator("#review input[name=decision][value=plan]").check()
    page.fill("#review textarea[name=opinion]", "会话超时参数被误改，需调整配置并重启服务。")
    page.select_option("#review select[name=mode]", "remote")
    page.fill("#review textarea[name=details]", "远程调整会话超时为 30 分钟，变更前备份配置。")
    page.select_option("#review select[name=charging]", "free")
    page.fill("#review input[name=planned_start]", "2026-11-23")
    page.fill("#review input[name=planned_end]", "2026-11-24")
    page.locator("#review button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(label(Status.PLAN_PENDING))

    # The client confirms the plan in the portal.
    signed_in(page, base, client_user)
    page.goto(f"{base}/portal/{ticket.pk}/plan/")
    page.locator("input[name=confirm][value=yes]").check()
    page.fill("input[name=signer_name]", "赵主任")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(label(Status.IN_PROGRESS))

    # The agent resolves.
    signed_in(page, base, agent)
    page.goto(f"{base}/tickets/{ticket.pk}/")
    page.fill("#resolve textarea[name=resolution]", "已将会话超时恢复为 30 分钟，验证正常。")
    page.locator("#resolve button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(label(Status.ACCEPTANCE))

    # The client accepts with a drawn signature and downloads the acceptance form.
    signed_in(page, base, client_user)
    page.goto(f"{base}/portal/{ticket.pk}/acceptance/")
    page.locator("input[name=accept][value=yes]").check()
    page.fill("textarea[name=opinion]", "问题已解决，同意验收。")
    page.fill("input[name=signer_name]", "赵主任")
    draw_signature(page)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(label(Status.FEEDBACK))
    signoff = SignOff.objects.get(ticket=ticket, form=SignOff.Form.ACCEPTANCE)
    assert signoff.signature.startswith("data:image/png;base64,")

    page.goto(f"{base}/documents/{ticket.pk}/")
    with page.expect_download() as download_info:
        page.locator("a[href$='acceptance.pdf']").click()
    pdf = tmp_path / "acceptance.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for value in (ticket.number, "明日星城社区", "居民信息模块会话频繁过期", "问题已解决，同意验收", "赵主任"):
        assert value in text, value

    # Feedback with a rating archives the request.
    page.goto(f"{base}/portal/{ticket.pk}/feedback/")
    page.fill("textarea[name=opinion]", "工程师响应及时，处理专业。")
    page.fill("input[name=signer_name]", "赵主任")
    page.locator("input[name=rating][value='5']").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(label(Status.ARCHIVED))
    assert Ticket.objects.get(pk=ticket.pk).status == "archived"
    assert Survey.objects.get(ticket=ticket).rating == 5
