"""Every API operation that takes a body answers bad input with field-level 422s.

Walks the OpenAPI document: for each JSON body, each property is sent with a
value of the wrong type; the answer must be 422 naming that property, in
Chinese by default and in English for ``Accept-Language: en`` — never a 500,
and nothing written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from tests.isolation_registry import collect
from weibao.accounts.models import AuditEvent
from weibao.config.api import api

WRONG_VALUES: dict[str, Any] = {
    "string": {"not": "text"},
    "integer": "not-a-number",
    "number": "not-a-number",
    "boolean": "perhaps",
    "array": "not-a-list",
}
FORMAT_WRONG_VALUES = {"date": "2026-13-45", "date-time": "yesterday-ish", "email": "not an address"}


def _document() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema()))  # type: ignore[no-any-return]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _property_type(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, str | None]:
    schema = _resolve(document, schema)
    for candidate in schema.get("anyOf", []):
        option = _resolve(document, candidate)
        if option.get("type") not in (None, "null"):
            return option.get("type"), option.get("format")
    return schema.get("type"), schema.get("format")


def json_body_operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    document = _document()
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = _resolve(document, content["application/json"]["schema"])
                found.append((operation["operationId"], method, path, schema))
    return found


def _url(path: str, operation_id: str, archive: Any) -> str:
    params: dict[str, Any] = {}
    if "{" in path:
        coverage = collect()
        factory = coverage.api.get(operation_id) or coverage.shared_api[operation_id]
        params = factory(archive)
    return path.format(**params)


def test_some_operations_take_json_bodies() -> None:
    assert len(json_body_operations()) >= 10


@pytest.mark.django_db
def test_every_json_field_with_a_wrong_type_gets_a_field_error(archive_a, as_admin: HttpClient) -> None:
    document = _document()
    problems: list[str] = []
    for operation_id, method, path, schema in json_body_operations():
        url = _url(path, operation_id, archive_a)
        for name, prop in schema.get("properties", {}).items():
            kind, fmt = _property_type(document, prop)
            value = FORMAT_WRONG_VALUES.get(fmt or "", WRONG_VALUES.get(kind or ""))
            if value is None:
                continue
            events_before = AuditEvent.objects.count()
            response = getattr(as_admin, method)(url, data={name: value}, content_type="application/json")
            if response.status_code != 422:
                problems.append(f"{operation_id} {name}={value!r}: {response.status_code}")
                continue
            errors = response.json().get("errors", {})
            if name not in errors:
                problems.append(f"{operation_id} {name}: errors name {sorted(errors)}")
            if AuditEvent.objects.count() != events_before:
                problems.append(f"{operation_id} {name}: something was written")
    assert problems == []


@pytest.mark.django_db
def test_malformed_json_is_a_clear_422_never_a_500(archive_a, as_admin: HttpClient) -> None:
    problems = []
    for operation_id, method, path, _schema in json_body_operations():
        url = _url(path, operation_id, archive_a)
        for body in ("{not json", "[1, 2]", '"text"'):
            response = getattr(as_admin, method)(url, data=body, content_type="application/json")
            if response.status_code != 400:
                problems.append(f"{operation_id} {body!r}: {response.status_code}")
            elif "JSON" not in response.json().get("detail", ""):
                problems.append(f"{operation_id} {body!r}: {response.json()}")
    assert problems == []


@pytest.mark.django_db
def test_field_errors_speak_the_users_language(archive_a, admin, as_admin: HttpClient) -> None:
    response = as_admin.post("/api/v1/clients", data={"name": {"x": 1}}, content_type="application/json")
    assert response.status_code == 422
    chinese = json.dumps(response.json(), ensure_ascii=False)
    admin.language = "en"
    admin.save(update_fields=["language"])
    english_response = as_admin.post("/api/v1/clients", data={"name": {"x": 1}}, content_type="application/json")
    english = json.dumps(english_response.json(), ensure_ascii=False)
    assert "请" in chinese or "字段" in chinese
    assert "Enter" in english or "field" in english
    assert chinese != english
