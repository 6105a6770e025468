"""Notifications tests read messages in English; a local fake of the robot platforms is at hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from weibao.notifications.tests.fakes import FakePlatforms


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def platforms(settings: Any) -> Iterator[FakePlatforms]:
    """The fake WeCom / DingTalk / Feishu / webhook receiver on 127.0.0.1, allow-listed."""
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]
    fake = FakePlatforms()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
