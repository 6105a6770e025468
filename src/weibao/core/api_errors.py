"""One error shape for the whole REST API, in the caller's language.

Every error body is ``{"detail": <sentence>, "errors": {<field>: [<message>]}}``;
``errors`` is present for 422 and names each field at fault. Routes declare the
error answers they may give with the ``*_ERRORS`` maps below, so the OpenAPI
document lists every status code a client can meet.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from pydantic import AfterValidator

from weibao.core.errors import WeibaoError
from weibao.core.ratelimit import RateLimitedError


class ErrorOut(Schema):
    """The one error shape of the API."""

    detail: str
    errors: dict[str, list[str]] | None = Field(default=None, description="Field name -> messages (422 only).")


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


# 401: no or bad credentials; 422: a path or query value of the wrong type;
# 429: a rate limit (token use); 404: an id the caller cannot see; 400: a body
# that is not a JSON object; 403: no write permission or a read-only token;
# 409: a write refused by the object's state (in use, used up).
LIST_ERRORS = error_responses(401, 422, 429)
READ_ERRORS = error_responses(401, 404, 422, 429)
CREATE_ERRORS = error_responses(400, 401, 403, 409, 422, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)
DELETE_ERRORS = error_responses(401, 403, 404, 409, 422, 429)

# An id in a query or a body that no 64-bit key can hold: as a filter on a foreign
# key it overflowed the database driver (a 500 the fuzzer found); now a field error.
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


POSTGRESQL_MAX_OFFSET = dt.timedelta(hours=16)


def _storable_instant(value: dt.datetime) -> dt.datetime:
    # A naive time is local time, as in the UI. Offsets of 16 hours or more reached
    # PostgreSQL, which refuses them, and times at the calendar's ends overflowed
    # when converted to UTC (500s the fuzzer found): such offsets are moved to UTC,
    # times that UTC cannot hold are refused (422); anything else keeps its offset.
    try:
        aware = timezone.make_aware(value) if timezone.is_naive(value) else value
        in_utc = aware.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("date-time out of range") from None
    offset = aware.utcoffset() or dt.timedelta(0)
    return in_utc if abs(offset) >= POSTGRESQL_MAX_OFFSET else aware


Instant = Annotated[dt.datetime, AfterValidator(_storable_instant)]

# Beyond this, (page - 1) * page_size no longer fits the databases' 64-bit
# OFFSET and the query fails (a 500 the fuzzer found); no archive has that many pages.
MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    """Page-number pagination whose page number is refused (422) when absurdly large."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


CSRF_FAILED = "CSRF check Failed"  # ninja's message, see ninja.security.apikey
_CONTAINERS = {"body", "payload", "query", "path", "form", "file", "header", "cookie", "data"}


class BodyNotAnObjectError(ValueError):
    """A JSON body that is valid JSON but not an object (a list, a string …)."""


def _fields_with_nul(data: Any, name: str = "") -> list[str]:
    if isinstance(data, str):
        return [name or "__all__"] if "\x00" in data else []
    if isinstance(data, dict):
        return [
            found
            for key, value in data.items()
            for found in _fields_with_nul(value, f"{name}.{key}" if name else str(key))
        ]
    if isinstance(data, list):
        return [found for value in data for found in _fields_with_nul(value, name)]
    return []


def _refuse_nul(data: Any) -> None:
    """PostgreSQL cannot store NUL in text: refuse it up front as a field error.

    Django's forms refuse it with this message; without it an API value with
    ``\u0000`` reached the database as a DataError on PostgreSQL (a 500 the fuzzer found).
    """
    fields = _fields_with_nul(data)
    if fields:
        message = str(ProhibitNullCharactersValidator.message)
        raise DjangoValidationError({field: [message] for field in dict.fromkeys(fields)})


class ObjectBodyParser(Parser):
    """Parses JSON bodies and refuses anything but an object; refuses NUL in any text.

    Without the first, a list or a string sent to an operation whose fields are all
    optional would be taken as "change nothing" and answered 200.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObjectError
        _refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed: dict[str, Any] = super().parse_querydict(data, list_fields, request)
        _refuse_nul(parsed)
        return parsed


# pydantic error type (or its prefix) -> the message shown for it.
_MESSAGES: list[tuple[tuple[str, ...], Any]] = [
    (("missing",), gettext_lazy("This field is required.")),
    (("int_parsing", "int_type", "int_from_float"), gettext_lazy("Enter a whole number.")),
    (("decimal_parsing", "decimal_type", "float_parsing", "float_type"), gettext_lazy("Enter a number.")),
    (("decimal_max", "decimal_whole_digits"), gettext_lazy("Enter a number with fewer digits.")),
    (("datetime",), gettext_lazy("Enter a valid date/time.")),
    (("date",), gettext_lazy("Enter a valid date.")),
    (("string_too_short",), gettext_lazy("This field cannot be blank.")),
    (("bool_parsing", "bool_type"), gettext_lazy("Enter true or false.")),
    (("enum", "literal_error"), gettext_lazy("Select a valid choice.")),
    (("greater_than", "less_than"), gettext_lazy("The value is out of range.")),
    (("string_type",), gettext_lazy("Enter text.")),
    (("list_type",), gettext_lazy("Enter a list.")),
    (("json_invalid",), gettext_lazy("The request body is not valid JSON.")),
    (("model_attributes_type", "dict_type", "model_type"), gettext_lazy("The request body must be a JSON object.")),
]


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "string_too_long":
        limit = int((error.get("ctx") or {}).get("max_length", 0))
        return _("Ensure this value has at most %(limit_value)d characters.") % {"limit_value": limit}
    for prefixes, message in _MESSAGES:
        if kind.startswith(prefixes):
            return str(message)
    return _("Enter a valid value.")


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # django-ninja reports ("body", "payload", <field>, …): the location, then the
    # parameter. Only those two are dropped, so that a field itself named "body" or
    # "data" keeps its name.
    parts = [str(part) for part in loc if not isinstance(part, int)]
    for _prefix in range(2):
        if parts and parts[0] in _CONTAINERS:
            parts.pop(0)
    return ".".join(parts) or "__all__"


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for error in errors:
        collected.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return collected


def field_errors_from_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("__all__" if key == "__all__" else key): [str(m) for m in msgs] for key, msgs in exc.message_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            api, request, 422, _("Some fields are not valid."), field_errors_from_pydantic(list(exc.errors))
        )

    @api.exception_handler(DjangoValidationError)
    def _invalid_domain(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(api, request, 422, _("Some fields are not valid."), field_errors_from_django(exc))

    @api.exception_handler(WeibaoError)
    def _refused(request: HttpRequest, exc: WeibaoError) -> HttpResponse:
        return error_response(api, request, exc.status_code, exc.message)

    @api.exception_handler(RateLimitedError)
    def _rate_limited(request: HttpRequest, exc: RateLimitedError) -> HttpResponse:
        response = error_response(api, request, 429, exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, _("Sign in or send a valid access token."))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # The session authenticator checks CSRF before it knows whether anyone is
        # signed in; a write with no credentials at all is unauthenticated (401), not forged.
        if exc.status_code == 403 and str(exc) == CSRF_FAILED and not request.user.is_authenticated:
            return _unauthenticated(request, AuthenticationError())
        # ninja reports any body it cannot parse with one fixed English sentence;
        # the cause tells what was wrong with it.
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            if isinstance(exc.__cause__, DjangoValidationError):
                return _invalid_domain(request, exc.__cause__)
            if isinstance(exc.__cause__, BodyNotAnObjectError):
                return error_response(api, request, 400, _("The request body must be a JSON object."))
            return error_response(api, request, 400, _("The request body is not valid JSON."))
        return error_response(api, request, exc.status_code, str(exc))
