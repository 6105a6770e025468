"""schemathesis over the whole OpenAPI document, as every persona (issue 7: API fuzzing).

Five personas call every operation: anonymous, a user of client A, a user of client B,
an agent and an administrator, each with a personal access token. Path ids are made up
or point at the archive fixtures (own client and, for client users, the other client);
data is valid or deliberately invalid. Checks: no server error, every status code and
body as documented, authentication never ignored (anonymous gets 401; a read-only token
gets 403 on writes).

``make test`` runs a bounded, deterministic sample (``WEIBAO_FUZZ_EXAMPLES``, default
10 per operation and persona); ``make soak`` runs 500 and writes the figures to the file
named by ``WEIBAO_FUZZ_FIGURES``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import ClientArchive
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient

from tests.fuzz.runner import (
    UNSAFE_METHODS,
    Fuzzer,
    FuzzReport,
    Persona,
    anonymous_is_refused,
    ignored_auth_once_per_operation,
    openapi_document,
    read_only_token_cannot_write,
)
from tests.isolation_registry import collect
from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.tokens import token_create
from weibao.catalog.models import Product
from weibao.contracts.models import Contract
from weibao.customers.models import Contact, Site

EXAMPLES = int(os.environ.get("WEIBAO_FUZZ_EXAMPLES", "10"))
FIGURES = os.environ.get("WEIBAO_FUZZ_FIGURES", "")
PERSONAS = ["anonymous", "client_a", "client_b", "agent", "administrator"]


def targets(archive: ClientArchive) -> dict[str, dict[str, Any]]:
    """Operation id -> path params naming ``archive``'s objects (from the isolation registry)."""
    coverage = collect()
    return {operation_id: params(archive) for operation_id, params in {**coverage.api, **coverage.shared_api}.items()}


def bearer(user: User, scope: str = AccessToken.Scope.READ_WRITE) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(actor=user, name='fuzz', scope=scope).plaintext}"}


@pytest.fixture
def personas(  # noqa: PLR0917 -- pytest passes fixtures by name
    settings: Any,
    archive_a: ClientArchive,
    archive_b: ClientArchive,
    admin: User,
    staff: User,
    client_a_user: User,
    client_b_user: User,
) -> dict[str, Persona]:
    # schemathesis' in-process client sends ``Host: localhost``.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    in_a, in_b = targets(archive_a), targets(archive_b)
    probe = ignored_auth_once_per_operation
    return {
        "anonymous": Persona("anonymous", {}, (anonymous_is_refused,), (("a", in_a),)),
        "client_a": Persona("client_a", bearer(client_a_user), (probe(),), (("own", in_a), ("other", in_b))),
        "client_b": Persona("client_b", bearer(client_b_user), (probe(),), (("own", in_b), ("other", in_a))),
        "agent": Persona("agent", bearer(staff), (probe(),), (("a", in_a),)),
        "administrator": Persona("administrator", bearer(admin), (probe(),), (("a", in_a),)),
        "read_only": Persona(
            "read_only", bearer(admin, AccessToken.Scope.READ), (read_only_token_cannot_write,), (("a", in_a),)
        ),
    }


def _record(name: str, report: FuzzReport, examples: int) -> None:
    print(f"\napi fuzz [{name}, {connection.vendor}]: {report.summary()}")  # noqa: T201 -- the soak's figures
    if FIGURES:
        with Path(FIGURES).open("a", encoding="utf-8") as figures:
            line = {"persona": name, "database": connection.vendor, "examples_per_operation": examples}
            figures.write(json.dumps({**line, **report.as_dict()}) + "\n")


def _get_operations() -> list[tuple[str, str]]:
    return [
        (operation["operationId"], path)
        for path, methods in openapi_document()["paths"].items()
        for method, operation in methods.items()
        if method == "get"
    ]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_fuzzing_finds_no_server_error_schema_violation_or_ignored_auth(
    name: str, personas: dict[str, Persona]
) -> None:
    # Without credentials nothing is parsed before the 401, so fewer examples say as much.
    examples = max(2, EXAMPLES // 2) if name == "anonymous" else EXAMPLES
    report = Fuzzer(max_examples=examples).run(personas[name])
    _record(name, report, examples)
    assert report.examples >= report.operations * min(examples, 2)
    assert report.findings == {}, report.problems()
    if name == "administrator":
        # The fuzzer must get past 404s: every read answered 2xx at least once.
        unreached = [
            label
            for label in {label for (_who, label, _status) in report.statuses}
            if label.startswith("GET ") and not report.reached(name, label, range(200, 300))
        ]
        assert unreached == []


@pytest.mark.slow
@pytest.mark.django_db
def test_read_only_token_gets_403_on_every_write(personas: dict[str, Persona]) -> None:
    examples = max(2, EXAMPLES // 3)
    report = Fuzzer(max_examples=examples).run(
        personas["read_only"], operations=lambda operation: operation.method.upper() in UNSAFE_METHODS
    )
    _record("read_only", report, examples)
    assert report.findings == {}, report.problems()


@pytest.mark.django_db
def test_administrator_gets_2xx_from_every_read_operation(
    personas: dict[str, Persona], archive_a: ClientArchive
) -> None:
    params = targets(archive_a)
    http = HttpClient(headers=dict(personas["administrator"].headers))
    answers = {
        operation_id: http.get(path.format(**params.get(operation_id, {}))).status_code
        for operation_id, path in _get_operations()
    }
    assert len(answers) >= 20
    assert {operation_id: status for operation_id, status in answers.items() if not 200 <= status < 300} == {}


@pytest.mark.django_db
def test_every_operation_answers_401_without_credentials(archive_a: ClientArchive) -> None:
    params = targets(archive_a)
    http = HttpClient()
    answers = {}
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            url = path.format(**params.get(operation["operationId"], {}))
            answers[operation["operationId"]] = getattr(http, method)(url).status_code
    assert {operation_id: status for operation_id, status in answers.items() if status != 401} == {}


# Regressions: each bug the fuzzer found, named after it.


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/products", "/api/v1/tokens", "/api/v1/clients", "/api/v1/contracts"])
def test_huge_page_number_is_a_422_not_a_500(as_admin: HttpClient, url: str) -> None:
    response = as_admin.get(url, {"page": 10**25})
    assert response.status_code == 422
    assert "page" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/nodes", "client_id"),
        ("/api/v1/deployments", "release_id"),
        ("/api/v1/sites", "client_id"),
        ("/api/v1/technical-files", "deployment_id"),
        ("/api/v1/contracts", "client"),
    ],
)
def test_huge_id_in_a_filter_is_a_422_not_a_500(as_admin: HttpClient, url: str, field: str) -> None:
    response = as_admin.get(url, {field: 10**25})
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_huge_id_in_a_contracts_deployment_list_is_a_422_not_a_500(
    as_admin: HttpClient, archive_a: ClientArchive
) -> None:
    response = as_admin.patch(
        f"/api/v1/contracts/{archive_a.contract.pk}", {"deployments": [10**25]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "deployments" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/clients/{}", "/api/v1/products/{}", "/api/v1/contracts/{}/phase"])
def test_huge_id_in_a_path_is_a_404_not_a_500(as_admin: HttpClient, url: str) -> None:
    assert as_admin.get(url.format(10**25)).status_code == 404


@pytest.mark.django_db
def test_null_for_an_optional_text_field_is_a_field_error_not_a_500(
    as_admin: HttpClient, archive_a: ClientArchive
) -> None:
    cases = [
        (f"/api/v1/products/{archive_a.deployment.product_id}", "description", Product),
        (f"/api/v1/sites/{archive_a.site.pk}", "address", Site),
        (f"/api/v1/contacts/{archive_a.contact.pk}", "email", Contact),
        (f"/api/v1/contracts/{archive_a.contract.pk}", "scope", Contract),
    ]
    events = AuditEvent.objects.count()
    for url, field, model in cases:
        before = model.objects.values_list(field, flat=True).get(pk=url.rsplit("/", 1)[1])
        response = as_admin.patch(url, {field: None}, content_type="application/json")
        assert response.status_code == 422, url
        assert field in response.json()["errors"], url
        assert model.objects.values_list(field, flat=True).get(pk=url.rsplit("/", 1)[1]) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_nul_character_in_a_json_field_is_a_field_error_not_a_500(
    as_admin: HttpClient, archive_a: ClientArchive
) -> None:
    events = AuditEvent.objects.count()
    response = as_admin.post(
        f"/api/v1/products/{archive_a.deployment.product_id}/releases",
        {"version": "9.0\u0000", "released_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_nul_character_in_a_query_filter_is_a_field_error_not_a_500(as_admin: HttpClient) -> None:
    response = as_admin.get("/api/v1/clients", {"q": "a\u0000b"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["q"]


@pytest.mark.django_db
def test_nul_character_in_a_form_field_is_a_field_error_not_a_500(
    as_admin: HttpClient, archive_a: ClientArchive
) -> None:
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = as_admin.post(
        f"/api/v1/clients/{archive_a.client.pk}/technical-files",
        {"title": "x\u0000", "kind": "other", "file": upload},
    )
    assert response.status_code == 422
    assert "title" in response.json()["errors"]


@pytest.mark.django_db
def test_time_zone_offset_postgresql_cannot_store_is_converted_not_a_500(as_auditor: HttpClient) -> None:
    response = as_auditor.get("/api/v1/audit-events", {"until": "0291-04-13T13:36:48.1499-16:50"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_token_expiry_with_an_offset_postgresql_cannot_store_is_stored_in_utc(as_admin: HttpClient) -> None:
    response = as_admin.post(
        "/api/v1/tokens", {"name": "far", "expires_at": "2099-01-01T00:00:00-16:50"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert AccessToken.objects.get(pk=response.json()["id"]).expires_at.isoformat() == "2099-01-01T16:50:00+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00", "0001-01-01T00:00:00+12:00"])
def test_date_time_beyond_the_calendar_in_utc_is_a_422_not_a_500(
    as_admin: HttpClient, archive_a: ClientArchive, at: str
) -> None:
    response = as_admin.get(f"/api/v1/contracts/{archive_a.contract.pk}/phase", {"at": at})
    assert response.status_code == 422
    assert "at" in response.json()["errors"]


@pytest.mark.django_db
def test_anonymous_write_gets_401_not_a_csrf_403(archive_a: ClientArchive) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.patch(f"/api/v1/clients/{archive_a.client.pk}", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_signed_in_write_without_csrf_token_is_still_refused_with_403(admin: User, archive_a: ClientArchive) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(admin)
    response = http.patch(f"/api/v1/clients/{archive_a.client.pk}", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_every_operation_documents_its_error_answers() -> None:
    missing = []
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            wanted = {"401", "429"} | ({"404"} if "{" in path else set())
            if operation.get("parameters") or operation.get("requestBody"):
                wanted |= {"422"}
            if method.upper() in UNSAFE_METHODS:
                wanted |= {"403"}
            if wanted - codes:
                missing.append(f"{method.upper()} {path}: {sorted(wanted - codes)}")
    assert missing == []
