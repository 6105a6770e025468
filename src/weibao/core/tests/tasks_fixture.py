"""A background task for the worker tests."""

from __future__ import annotations

from django.tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b
