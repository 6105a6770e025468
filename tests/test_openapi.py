"""The OpenAPI document is valid, lists every API route and is served offline."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver
from openapi_spec_validator import validate

from weibao.config.api import api


def _api_routes() -> set[str]:
    """Every path Django routes under /api/v1/, in OpenAPI's {name} form."""
    routes: set[str] = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "api/v1/":
            for child in entry.url_patterns:
                route = "/api/v1/" + str(child.pattern)
                routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def _document() -> dict[str, Any]:
    """The document as clients receive it: JSON, so status codes are strings."""
    return json.loads(json.dumps(api.get_openapi_schema()))  # type: ignore[no-any-return]


def test_openapi_document_is_valid() -> None:
    validate(_document())


def test_openapi_document_lists_every_api_route() -> None:
    documented = set(api.get_openapi_schema()["paths"])
    # The API root, the document itself and its docs page are not operations.
    served = {route for route in _api_routes() if not route.endswith(("/v1/", "openapi.json", "docs"))}
    assert served, "no API routes found"
    assert served - documented == set()


def test_every_operation_has_an_id_and_a_response_schema() -> None:
    problems = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            if not operation.get("operationId"):
                problems.append(f"{method} {path}: no operationId")
            if not operation.get("responses"):
                problems.append(f"{method} {path}: no responses")
    assert problems == []


@pytest.mark.django_db
def test_api_docs_are_served_without_a_cdn(as_staff: HttpClient) -> None:
    response = as_staff.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", html)


@pytest.mark.django_db
def test_openapi_json_is_served(as_staff: HttpClient) -> None:
    response = as_staff.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Weibao API"
