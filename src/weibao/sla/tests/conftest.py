"""Service-level tests read messages in English; a manager persona and the shipped calendars."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import make_user
from django.test import Client as HttpClient
from django.utils import translation

from weibao.accounts.models import Role, User
from weibao.sla import registry
from weibao.sla.models import Calendar
from weibao.sla.seed import ALWAYS, STATUTORY


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _request_kinds() -> None:
    registry.request_kinds_register([("fault", "Fault report"), ("complaint", "Complaint"), ("emergency", "Emergency")])


@pytest.fixture
def manager(db: None) -> User:
    return make_user("manager", Role.SERVICE_MANAGER, language="en")


@pytest.fixture
def as_manager(manager: User) -> HttpClient:
    http = HttpClient()
    http.force_login(manager)
    return http


@pytest.fixture
def statutory(db: None) -> Calendar:
    return Calendar.objects.get(name=STATUTORY)


@pytest.fixture
def always(db: None) -> Calendar:
    return Calendar.objects.get(name=ALWAYS)
