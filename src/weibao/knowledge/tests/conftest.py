"""The knowledge base's tests read its messages in English, the language they are written in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield
