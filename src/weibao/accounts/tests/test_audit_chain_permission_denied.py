"""Every 403 the web UI or the API answers is a ``security.permission_denied`` event; 404s are not."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory

from weibao.accounts.models import AuditEvent, User
from weibao.accounts.security_events import PermissionDeniedAuditMiddleware
from weibao.accounts.tokens import token_create
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


def _denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="security.permission_denied").order_by("sequence"))


def test_a_403_page_is_audited_with_actor_address_path_and_method(staff: User, as_staff: HttpClient) -> None:
    assert as_staff.get("/accounts/audit/?action=x", REMOTE_ADDR="10.8.0.7").status_code == 403
    [event] = _denied()
    assert event.actor == staff
    assert event.address == "10.8.0.7"
    assert event.after == {"path": "/accounts/audit/", "method": "GET"}


def test_a_read_only_token_writing_through_the_api_is_audited(staff: User) -> None:
    issued = token_create(actor=staff, name="只读", scope="read")
    bearer = f"Bearer {issued.plaintext}"
    response = HttpClient().post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", HTTP_AUTHORIZATION=bearer
    )
    assert response.status_code == 403
    [event] = _denied()
    assert event.actor == staff
    assert event.after == {"path": "/api/v1/tokens", "method": "POST"}


def test_a_csrf_failure_of_an_anonymous_visitor_is_audited() -> None:
    http = HttpClient(enforce_csrf_checks=True)
    assert http.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403
    [event] = _denied()
    assert event.actor is None
    assert event.actor_label == "anonymous"


def test_a_404_is_not_audited(as_client_a: HttpClient) -> None:
    assert as_client_a.get("/accounts/audit/").status_code == 404
    assert as_client_a.get("/no-such-page/").status_code == 404
    assert _denied() == []


def test_an_allowed_page_is_not_audited(as_auditor: HttpClient) -> None:
    assert as_auditor.get("/accounts/audit/").status_code == 200
    assert _denied() == []


def test_an_uncaught_permission_denied_error_becomes_a_403() -> None:
    middleware = PermissionDeniedAuditMiddleware(lambda request: HttpResponse())
    request: HttpRequest = RequestFactory().get("/somewhere/")
    with pytest.raises(PermissionDenied, match="不可以"):
        middleware.process_exception(request, PermissionDeniedError("不可以"))
    assert middleware.process_exception(request, ValueError("other")) is None
