"""Helpers for tests that run Weibao in child processes against their own data directory."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import psycopg.sql
import pytest
from django.db import connection

PYTHON = sys.executable


def child_environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a fresh install: the test run's WEIBAO_*/DJANGO_* variables removed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WEIBAO_", "DJANGO_"))}
    env["WEIBAO_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "weibao.config.settings"
    if database_url:
        env["WEIBAO_DATABASE_URL"] = database_url
    return env


def run_weibao(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "weibao.cli", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def writer(mode: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a writer child (weibao.instance.tests.writers) with its stdout piped line by line."""
    return subprocess.Popen(
        [PYTHON, "-m", "weibao.instance.tests.writers", mode, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated SQLite database file, made once per run and copied by each test."""
    data_dir = tmp_path_factory.mktemp("migrated-sqlite")
    result = run_weibao("migrate", "--no-input", env=child_environment(data_dir))
    assert result.returncode == 0, result.stderr
    yield data_dir / "weibao.sqlite3"
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def sqlite_data_dir(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A fresh data directory holding a migrated database, as after `weibao migrate`."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(migrated_sqlite, data_dir / "weibao.sqlite3")
    return data_dir


def psycopg_connect(database: dict[str, Any], name: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
    )


@pytest.fixture
def restore_database() -> Iterator[dict[str, Any] | None]:
    """PostgreSQL: a new empty database to restore into, dropped afterwards. SQLite: None."""
    if connection.vendor != "postgresql":
        yield None
        return
    current = connection.settings_dict
    name = f"wb_ops_restore_{uuid4().hex[:10]}"
    with psycopg_connect(current, "postgres") as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    try:
        yield {**current, "NAME": name}
    finally:
        with psycopg_connect(current, "postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def table_counts(database: dict[str, Any] | None, data_dir: Path, tables: list[str]) -> dict[str, int]:
    """Row counts of ``tables`` in a restored database, read without Django."""
    if database is None:
        with closing(sqlite3.connect(data_dir / "weibao.sqlite3")) as restored:
            query = 'SELECT count(*) FROM "{}"'
            return {table: restored.execute(query.format(table)).fetchone()[0] for table in tables}
    with psycopg_connect(database, database["NAME"]) as restored:
        counts = {}
        for table in tables:
            row = restored.execute(
                psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table))
            ).fetchone()
            assert row is not None
            counts[table] = row[0]
        return counts
