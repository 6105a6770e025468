"""A person signs in and walks the archive in a real browser (Debian's Chromium).

The demo data set is loaded, as `make run` does, so the pages show what a
person evaluating Weibao sees.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from weibao.customers.models import Client
from weibao.demo.loader import demo_load

PASSWORD = "Browser-Test-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load(password=PASSWORD)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav.usermenu")).to_be_visible()


def test_staff_signs_in_and_walks_the_archive(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    sign_in(page, base, "liyan")
    page.locator("nav.sidebar").get_by_role("link", name="客户", exact=True).click()
    expect(page.locator("h1")).to_have_text("客户")
    expect(page.locator("main table")).to_contain_text("明日星城社区")
    expect(page.locator("main table")).to_contain_text("海州区实验中学")

    page.fill("input[name=q]", "星城")
    page.locator("form.filters button[type=submit]").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="明日星城社区").click()

    expect(page.locator("h1")).to_have_text("明日星城社区")
    main = page.locator("main")
    expect(main).to_contain_text("地点")
    expect(main).to_contain_text("联系人")
    expect(main).to_contain_text("社区综合服务平台")

    main.locator("a[href*='/clients/deployments/']").first.click()
    expect(page.locator("main")).to_contain_text(re.compile(r"10\.\d+\.\d+\.\d+"))

    page.locator("nav.sidebar").get_by_role("link", name="合同", exact=True).click()
    page.locator("main table tbody tr a").first.click()
    expect(page.locator("main")).to_contain_text("质保金")


def test_staff_fixes_field_errors_and_creates_a_client(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    sign_in(page, base, "liyan")
    page.goto(f"{base}/clients/new/")
    page.get_by_role("button", name="保存").click()
    errors = page.locator(".field.has-error")
    expect(errors.first).to_be_visible()
    expect(page.locator(".field.has-error .field-errors").first).to_contain_text("必填")

    page.fill("input[name=name]", "青石桥社区")
    page.fill("input[name=code]", "qsq")
    page.select_option("select[name=kind]", "community")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("青石桥社区")
    expect(page.locator("main")).to_contain_text("client.create")


def test_client_user_sees_only_their_own_organisation(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    sign_in(page, base, "mrxc.staff")
    page.goto(f"{base}/clients/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("明日星城社区")

    other = Client.objects.get(code="hz-syzx")
    response = page.goto(f"{base}/clients/{other.pk}/")
    assert response is not None
    assert response.status == 404

    page.goto(f"{base}/contracts/")
    expect(page.locator("main table")).not_to_contain_text("实验中学")
    expect(page.locator("main")).not_to_contain_text("新建合同")


def test_keyboard_user_can_skip_to_content(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    sign_in(page, base, "liyan")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
