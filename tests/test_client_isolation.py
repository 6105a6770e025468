"""Client A walks every page and API operation that takes an id, at client B's objects.

Every one must answer 404 — never 200, never 403 (which would confirm that the
object exists). A URL pattern or API operation with an id that no app's
``tests/isolation.py`` covers fails ``test_every_route_with_an_id_is_covered``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from tests.isolation_registry import collect
from weibao.config.api import api

# Django's admin is for administrators only (client users are bounced to its login)
# and the API is walked through its OpenAPI document below.
EXCLUDED_PREFIXES = ("admin:", "api:")
EXCLUDED_NAMESPACES_PATHS = ("admin/", "api/v1/", "i18n/")

WRITE_METHODS = ("post", "patch", "put", "delete")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str, list[str]]]:
    found: list[tuple[str, str, list[str]]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(EXCLUDED_NAMESPACES_PATHS):
                continue
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}{entry.namespace}:"
            found.extend(_walk(entry.url_patterns, route, child_ns))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            # Object ids are int or uuid path parameters; string parameters such as
            # the password-reset token are not object references.
            converters = getattr(entry.pattern, "converters", {})
            params = [name for name, conv in converters.items() if isinstance(conv, IntConverter | UUIDConverter)]
            params += re.findall(r"\(\?P<(\w*(?:pk|id))>", route)
            if entry.name:
                found.append((f"{namespace}{entry.name}", route, params))
    return found


def page_routes_with_ids() -> list[tuple[str, str]]:
    return [(name, route) for name, route, params in _walk(get_resolver().url_patterns) if params]


def api_operations_with_ids() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        if "{" not in path:
            continue
        for method, operation in methods.items():
            operations.append((operation["operationId"], method, path))
    return operations


def test_every_route_with_an_id_is_covered() -> None:
    coverage = collect()
    pages = set(coverage.routes) | set(coverage.shared_routes)
    missing_pages = [name for name, _route in page_routes_with_ids() if name not in pages]
    operations = set(coverage.api) | set(coverage.shared_api)
    missing_api = [op for op, _m, _p in api_operations_with_ids() if op not in operations]
    assert missing_pages == [], f"pages with ids not covered by any tests/isolation.py: {missing_pages}"
    assert missing_api == [], f"API operations with ids not covered by any tests/isolation.py: {missing_api}"
    assert page_routes_with_ids(), "the walker found no page routes with ids at all"
    assert api_operations_with_ids(), "the walker found no API operations with ids at all"


def _api_url(path: str, params: dict[str, Any]) -> str:
    return "/api/v1" + path.replace("/api/v1", "").format(**params)


@pytest.mark.django_db
def test_client_a_gets_404_for_every_page_of_client_b(archive_a, archive_b, as_client_a: HttpClient) -> None:
    coverage = collect()
    leaks: list[str] = []
    for name, _route in page_routes_with_ids():
        if name not in coverage.routes:
            continue
        url = reverse(name, kwargs=coverage.routes[name](archive_b))
        for method in ("get", "post"):
            status = getattr(as_client_a, method)(url).status_code
            if status != 404 and not (method == "post" and status == 405):
                leaks.append(f"{method.upper()} {url} ({name}) -> {status}")
    assert leaks == []


@pytest.mark.django_db
def test_client_a_reaches_its_own_pages(archive_a, archive_b, as_client_a: HttpClient) -> None:
    """The positive control: the same routes with client A's own ids are not 404."""
    coverage = collect()
    hidden = []
    for name, _route in page_routes_with_ids():
        if name not in coverage.routes:
            continue
        url = reverse(name, kwargs=coverage.routes[name](archive_a))
        status = as_client_a.get(url).status_code
        if status == 404:
            hidden.append(f"GET {url} ({name})")
    assert hidden == []


@pytest.mark.django_db
def test_client_a_gets_404_for_every_api_operation_on_client_b(archive_a, archive_b, as_client_a: HttpClient) -> None:
    coverage = collect()
    leaks: list[str] = []
    for operation_id, method, path in api_operations_with_ids():
        if operation_id not in coverage.api:
            continue
        url = _api_url(path, coverage.api[operation_id](archive_b))
        kwargs: dict[str, Any] = {}
        if method in WRITE_METHODS and method != "delete":
            kwargs = {"data": {}, "content_type": "application/json"}
        status = getattr(as_client_a, method)(url, **kwargs).status_code
        # An empty body may be refused (422) before the object is looked up; that
        # answer is the same whether or not the object exists, so it leaks nothing.
        if status != 404 and not (method in {"post", "put"} and status == 422):
            leaks.append(f"{method.upper()} {url} ({operation_id}) -> {status}")
    assert leaks == []


@pytest.mark.django_db
def test_client_a_reaches_its_own_api_objects(archive_a, archive_b, as_client_a: HttpClient) -> None:
    coverage = collect()
    hidden = []
    for operation_id, method, path in api_operations_with_ids():
        if operation_id not in coverage.api or method != "get":
            continue
        url = _api_url(path, coverage.api[operation_id](archive_a))
        if as_client_a.get(url).status_code == 404:
            hidden.append(f"GET {url} ({operation_id})")
    assert hidden == []
