from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage

from weibao.demo.loader import DEFAULT_PASSWORD, DemoSummary, demo_load

# The day the demo data set was written for: every contract phase is present then.
DEMO_TODAY = dt.datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def demo_today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(DEMO_TODAY, tick=False)


@pytest.fixture(autouse=True)
def uploads(settings: Any, tmp_path: Path) -> Path:
    """Technical files go to a per-test directory, so leftovers can be counted."""
    root = tmp_path / "uploads"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    assert Path(default_storage.path("x")).parent == root
    return root


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    # Argon2 makes one load take seconds; the demo only needs *a* working password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db: None) -> DemoSummary:
    return demo_load(password=DEFAULT_PASSWORD)
