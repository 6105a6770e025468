"""REST API of the accounts area: the caller's profile, their tokens, the audit trail.

No ``from __future__ import annotations`` here: ninja reads ``Query[...]`` at runtime.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts import selectors
from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.schemas import (
    AuditEventFilters,
    AuditEventOut,
    MeOut,
    MeUpdateIn,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
)
from weibao.accounts.services import user_update_profile
from weibao.accounts.tokens import token_create, token_revoke
from weibao.core.api_errors import LIST_ERRORS, ErrorOut, Pagination, error_responses

router = Router()
# Documented error answers; the bodies come from the handlers in core/api_errors.py.
UNAUTHENTICATED = error_responses(401, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 422, 429)


@router.get("/me", response={200: MeOut, **UNAUTHENTICATED}, operation_id="me_read", summary="The signed-in user")
def me_read(request: HttpRequest) -> User:
    return acting_user(request)


@router.patch("/me", response={200: MeOut, **WRITE_ERRORS}, operation_id="me_update", summary="Change your own profile")
def me_update(request: HttpRequest, payload: MeUpdateIn) -> User:
    return user_update_profile(actor=acting_user(request), **payload.model_dump(exclude_unset=True))


@router.get(
    "/tokens", response={200: list[TokenOut], **LIST_ERRORS}, operation_id="token_list", summary="Your access tokens"
)
@paginate(Pagination, page_size=50)
def token_list(request: HttpRequest) -> QuerySet[AccessToken]:
    return selectors.token_list(actor=acting_user(request))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    operation_id="token_create",
    summary="Issue an access token",
)
def token_create_endpoint(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    issued = token_create(
        actor=acting_user(request), name=payload.name, scope=payload.scope, expires_at=payload.expires_at
    )
    body = TokenOut.from_orm(issued.token).model_dump()
    return Status(201, {**body, "token": issued.plaintext})


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="token_revoke",
    summary="Revoke an access token",
)
def token_revoke_endpoint(request: HttpRequest, token_id: int) -> Status[None]:
    token_revoke(actor=acting_user(request), token_id=token_id)
    return Status(204, None)


@router.get(
    "/audit-events",
    response={200: list[AuditEventOut], **LIST_ERRORS, 403: ErrorOut},
    operation_id="audit_event_list",
    summary="The audit trail",
)
@paginate(Pagination, page_size=50)
def audit_event_list(request: HttpRequest, filters: Query[AuditEventFilters]) -> QuerySet[AuditEvent]:
    return selectors.audit_event_list(
        actor=acting_user(request),
        action=filters.action,
        actor_label=filters.actor,
        object_type=filters.object_type,
        since=filters.since,
        until=filters.until,
        q=filters.q,
    )
