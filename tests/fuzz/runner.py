"""Drives schemathesis over the whole OpenAPI document, in-process, inside the test's database.

Every generated request goes through Django's WSGI handler in the test's own thread, so it
sees the fixtures' rows; each example runs in a savepoint that is rolled back, so a DELETE
in one example never starves the next and a run is repeatable. Failures are collected, not
raised, so one run reports every distinct problem (and hypothesis does not spend the budget
shrinking the first one).
"""

from __future__ import annotations

import json
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from weibao.config.api import api

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONFORMANCE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
Check = Callable[[CheckContext, Response, Case], bool | None]
# Path parameters of one operation, pointing at real objects; None: let schemathesis make them up.
PathParams = dict[str, Any] | None


class AnonymousNotRefused(Failure):
    """An operation answered something other than 401 to a request without credentials."""

    code = "WB401"
    checks = ("anonymous_is_refused",)
    kind_title = "Anonymous request not refused"


class ReadOnlyTokenWrote(Failure):
    """A write answered something other than 401/403 to a read-only token."""

    code = "WB403"
    checks = ("read_only_token_cannot_write",)
    kind_title = "Read-only token not refused"


def anonymous_is_refused(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if response.status_code != 401:
        raise AnonymousNotRefused(
            operation=case.operation.label,
            message=f"Expected 401 without credentials, got {response.status_code}.",
        )
    return None


def read_only_token_cannot_write(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if case.method.upper() in UNSAFE_METHODS and response.status_code != 403:
        raise ReadOnlyTokenWrote(
            operation=case.operation.label,
            message=f"Expected 403 for a write with a read-only token, got {response.status_code}.",
        )
    return None


def ignored_auth_once_per_operation() -> Check:
    """schemathesis' ``ignored_auth``, probing each operation only at its first 2xx.

    The probes (the same request without and with wrong credentials) cost two more
    requests; whether an operation enforces authentication does not change between
    examples, so once per operation and persona keeps ``make test`` fast.
    """
    confirmed: set[str] = set()

    def check(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        label = case.operation.label
        if label in confirmed or not 200 <= response.status_code < 300:
            return None
        confirmed.add(label)
        return ignored_auth(ctx, response, case)

    return check


@dataclass(frozen=True)
class Persona:
    """Who calls: headers sent with every request, the extra checks, where path ids point."""

    name: str
    headers: Mapping[str, str]
    checks: tuple[Check, ...] = ()
    # Each entry: a label and operation id -> path params (operations missing get made-up ids).
    targets: tuple[tuple[str, Mapping[str, dict[str, Any]]], ...] = ()


@dataclass(frozen=True)
class Finding:
    persona: str
    operation: str
    check: str
    status: int
    message: str
    reproduce: str
    server_traceback: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.persona, self.operation, self.check)

    def describe(self) -> str:
        lines = [f"[{self.persona}] {self.operation}: {self.check} (HTTP {self.status})", f"  {self.message}"]
        lines.append(f"  {self.reproduce}")
        if self.server_traceback:
            lines.append("  server: " + self.server_traceback.strip().splitlines()[-1])
        return "\n".join(lines)


@dataclass
class FuzzReport:
    operations: int = 0
    examples: int = 0
    seconds: float = 0.0
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    occurrences: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, finding: Finding) -> None:
        self.findings.setdefault(finding.key, finding)
        self.occurrences[finding.key] += 1

    @property
    def failures(self) -> int:
        return sum(self.occurrences.values())

    def reached(self, persona: str, operation: str, status_range: range) -> bool:
        return any(
            count
            for (who, label, status), count in self.statuses.items()
            if who == persona and label == operation and status in status_range
        )

    def summary(self) -> str:
        return (
            f"{self.operations} operations, {self.examples} examples, {self.failures} failures "
            f"({len(self.findings)} distinct), {self.seconds:.1f} s"
        )

    def problems(self) -> str:
        return "\n".join(f.describe() + f"\n  ({self.occurrences[k]} times)" for k, f in sorted(self.findings.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "examples": self.examples,
            "failures": self.failures,
            "distinct_failures": len(self.findings),
            "seconds": round(self.seconds, 1),
        }


def openapi_document() -> dict[str, Any]:
    """The document as clients receive it: JSON, so status codes are strings."""
    return json.loads(json.dumps(api.get_openapi_schema()))  # type: ignore[no-any-return]


def load_schema(app: WSGIHandler) -> Any:
    schema = schemathesis.openapi.from_dict(openapi_document())
    # Checks that send probes of their own (ignored_auth) reach the same in-process app.
    schema.app = app
    return schema


@contextmanager
def in_process_requests() -> Iterator[Callable[[], str]]:
    """Requests through Django's WSGI handler keep the test's connection and transaction.

    Django's own test client disconnects ``close_old_connections`` for the same reason:
    after each request it would close the connection the test's transaction lives on.
    Yields a function that returns (and forgets) the last server traceback.
    """
    last: list[str] = []

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        last[:] = [traceback.format_exc()]

    def take() -> str:
        text = last[0] if last else ""
        last.clear()
        return text

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(remember)
    try:
        yield take
    finally:
        signals.got_request_exception.disconnect(remember)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class Fuzzer:
    """Runs every operation of the document as one persona after another.

    For each operation and persona, ``max_examples`` requests are drawn from one
    strategy that mixes made-up path ids with the persona's real targets, and
    valid (positive) with invalid (negative) data.
    """

    def __init__(self, *, max_examples: int, modes: tuple[GenerationMode, ...] | None = None) -> None:
        self.app = WSGIHandler()
        self.schema = load_schema(self.app)
        self.max_examples = max_examples
        self.modes = modes or (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        self.report = FuzzReport()
        self.operations = [result.ok() for result in self.schema.get_all_operations()]
        self.report.operations = len(self.operations)

    def run(self, persona: Persona, *, operations: Callable[[Any], bool] | None = None) -> FuzzReport:
        started = time.monotonic()
        with in_process_requests() as take_traceback:
            for operation in self.operations:
                if operations is None or operations(operation):
                    self._run_operation(persona, operation, take_traceback)
        self.report.seconds += time.monotonic() - started
        return self.report

    @staticmethod
    def _targets(persona: Persona, operation: Any) -> list[PathParams]:
        targets: list[PathParams] = [None]
        operation_id = operation.definition.raw.get("operationId")
        for _label, params in persona.targets:
            if operation_id in params:
                targets.append(params[operation_id])
        return targets

    def _run_operation(self, persona: Persona, operation: Any, take_traceback: Callable[[], str]) -> None:
        checks = [*CONFORMANCE_CHECKS, *persona.checks]
        headers = dict(persona.headers)
        strategy = st.one_of(
            *(
                operation.as_strategy(generation_mode=mode, path_parameters=params)
                for params in self._targets(persona, operation)
                for mode in self.modes
            )
        )

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def example(case: Case) -> None:
            # A savepoint per example: a DELETE here never starves the next example.
            with transaction.atomic():
                try:
                    self._send(persona, case, headers, checks, take_traceback)
                finally:
                    transaction.set_rollback(True)

        example()

    def _send(
        self,
        persona: Persona,
        case: Case,
        headers: dict[str, str],
        checks: list[Check],
        take_traceback: Callable[[], str],
    ) -> None:
        response = case.call(app=self.app, headers=headers)
        self.report.examples += 1
        self.report.statuses[(persona.name, case.operation.label, response.status_code)] += 1
        failures: tuple[Failure, ...] = ()
        try:
            case.validate_response(response, checks=checks, headers=headers, transport_kwargs={"app": self.app})
        except FailureGroup as group:
            failures = group.exceptions
        except Failure as failure:
            failures = (failure,)
        server = take_traceback()
        for failure in failures:
            self.report.add(self._finding(persona, case, response, failure, server))

    @staticmethod
    def _finding(persona: Persona, case: Case, response: Response, failure: Failure, server: str) -> Finding:
        message = (failure.message or failure.title or "").strip()
        return Finding(
            persona=persona.name,
            operation=case.operation.label,
            check=type(failure).__name__,
            status=response.status_code,
            message=message[:800],
            reproduce=case.as_curl_command(headers=dict(persona.headers))[:800],
            server_traceback=server,
        )
