"""Every kind of page we serve runs under the strict Content Security Policy.

Chromium reports each script, style or image the policy blocks as a console error
that names the Content Security Policy; a page that still needs inline code shows one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from weibao.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-42"  # the root conftest's persona password


# Playwright injects this through the DevTools protocol, so the policy under test
# does not block it; it records every violation the page's own document reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class Violations:
    """Policy violations, console messages about the policy, and uncaught script errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.seen.append(f"console: {message.text}")

    def _page_error(self, error: Error) -> None:
        self.seen.append(f"pageerror: {error.message}")

    @property
    def messages(self) -> list[str]:
        """Everything seen so far, including the current document's recorded violations."""
        recorded: list[str] = self.page.evaluate("window.__cspViolations || []")
        return self.seen + [f"violation: {text}" for text in recorded]


@pytest.fixture
def violations(page: Page) -> Violations:
    return Violations(page)


@pytest.fixture
def signed_in_admin(page: Page, live_server: Any, admin: User) -> Page:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav.usermenu")).to_be_visible()
    return page


def test_pages_run_under_the_policy_without_violations(
    signed_in_admin: Page, live_server: Any, violations: Violations, archive_a: Any
) -> None:
    page = signed_in_admin
    response = page.goto(f"{live_server.url}/clients/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    links = page.locator("nav.sidebar a").evaluate_all("links => links.map(link => link.href)")
    assert len(links) > 5
    details = [
        reverse("customers:client_detail", kwargs={"pk": archive_a.client.pk}),
        reverse("customers:deployment_detail", kwargs={"pk": archive_a.deployment.pk}),
        reverse("contracts:contract_detail", kwargs={"pk": archive_a.contract.pk}),
    ]
    for url in [*links, *(f"{live_server.url}{path}" for path in details)]:
        if "/admin/" in url or "/api/" in url:
            continue  # their own tests below
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
    page.goto(f"{live_server.url}/clients/new/")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    assert violations.messages == []


def test_api_docs_render_under_the_policy_without_violations(
    signed_in_admin: Page, live_server: Any, violations: Violations
) -> None:
    page = signed_in_admin
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None
    assert "content-security-policy" in response.headers
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Weibao API")
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert violations.messages == []


def test_django_admin_works_under_the_policy_without_violations(
    signed_in_admin: Page, live_server: Any, violations: Violations
) -> None:
    page = signed_in_admin
    response = page.goto(f"{live_server.url}/admin/")
    assert response is not None
    assert "content-security-policy" in response.headers
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/user/add/")
    expect(page.locator("#user_form")).to_be_visible()
    assert violations.messages == []
