"""The portal in Chromium: the signature pad (mouse and touch), pasted screenshots, and the strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_csp import Violations
from weibao.accounts.models import User
from weibao.tickets.models import SignOff, Ticket
from weibao.tickets.tests.procedure_factories import fresh, ticket_awaiting_acceptance
from weibao.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-42"  # the root conftest's persona password


def _sign_in(tab: Page, live_server: Any, user: User) -> Page:
    tab.goto(f"{live_server.url}/accounts/login/")
    tab.fill("input[name=username]", user.username)
    tab.fill("input[name=password]", PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator("nav.usermenu")).to_be_visible()
    return tab


@pytest.fixture
def touch_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 420, "height": 900}, has_touch=True)
    touch = context.new_page()
    touch.set_default_timeout(15_000)
    yield touch
    context.close()


def _pad_corner(tab: Page) -> tuple[float, float]:
    canvas = tab.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    return box["x"], box["y"]


def _draw(tab: Page) -> None:
    x, y = _pad_corner(tab)
    tab.mouse.move(x + 20, y + 40)
    tab.mouse.down()
    for step in range(1, 12):
        tab.mouse.move(x + 20 + step * 25, y + 40 + (step % 3) * 20)
    tab.mouse.up()


def test_the_client_draws_clears_and_signs_the_acceptance_with_the_mouse(
    page: Page,
    live_server: Any,
    client_a_user: User,
    staff: User,
    client_a: Any,
) -> None:
    violations = Violations(page)
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    _sign_in(page, live_server, client_a_user)
    page.goto(live_server.url + reverse("portal:acceptance", kwargs={"pk": ticket.pk}))
    field = page.locator("input[name=signature]")
    assert field.input_value() == ""
    _draw(page)
    assert field.input_value().startswith("data:image/png;base64,")
    page.locator("[data-signature-clear]").click()
    assert field.input_value() == ""
    _draw(page)
    page.locator("input[name=accept][value=yes]").check()
    page.fill("input[name=signer_name]", "王丽")
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(ticket.number)
    signoff = SignOff.objects.get(ticket=ticket, form=SignOff.Form.ACCEPTANCE)
    assert signoff.signature.startswith("data:image/png;base64,")
    assert fresh(ticket).status == Status.FEEDBACK
    assert violations.messages == []


def test_a_finger_signs_on_a_touch_screen(
    touch_page: Page, live_server: Any, client_a_user: User, staff: User, client_a: Any
) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    _sign_in(touch_page, live_server, client_a_user)
    touch_page.goto(live_server.url + reverse("portal:acceptance", kwargs={"pk": ticket.pk}))
    x, y = _pad_corner(touch_page)
    touch_page.touchscreen.tap(x + 40, y + 40)
    assert touch_page.locator("input[name=signature]").input_value().startswith("data:image/png;base64,")


PASTE_SCREENSHOT = """
(textarea) => {
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "image.png", { type: "image/png" }));
  textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}
"""


def test_a_pasted_screenshot_is_attached_to_the_new_request(
    page: Page,
    live_server: Any,
    client_a_user: User,
) -> None:
    violations = Violations(page)
    _sign_in(page, live_server, client_a_user)
    page.goto(live_server.url + reverse("portal:create"))
    page.fill("input[name=title]", "审批页面白屏")
    page.locator("textarea[name=description]").fill("见截图")
    page.locator("textarea[name=description]").evaluate(PASTE_SCREENSHOT)
    expect(page.locator("[data-files-for=attachments] li")).to_have_count(1)
    assert page.locator("input[name=attachments]").evaluate("input => input.files.length") == 1
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("审批页面白屏")
    ticket = Ticket.objects.get(title="审批页面白屏")
    name = ticket.attachments.get().original_name
    assert name.startswith("screenshot-")
    assert name.endswith(".png")
    expect(page.locator("img.portal-thumb")).to_have_count(1)
    assert violations.messages == []
