"""A backup taken while writers commit is one consistent snapshot, and restores exactly.

The writer commits a product and a release of it in each transaction, so a snapshot
that is consistent holds as many writer products as writer releases. The manifest's
row counts are taken inside the backup's snapshot; the restored copy must hold
exactly those counts, and every upload with the same checksum.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import pytest
from django.db import connection, transaction

from weibao.catalog.models import Product, Release
from weibao.instance.backup import backup_create
from weibao.instance.files import sha256_file
from weibao.instance.restore import backup_restore
from weibao.instance.tests.conftest import child_environment, run_weibao, table_counts, writer

pytestmark = pytest.mark.slow


def write_uploads(root: Path) -> dict[str, str]:
    """A few uploads in nested directories, as the technical-file storage lays them out."""
    made = {}
    for number in range(5):
        relative = f"technical/2026/{number:02d}/{secrets.token_hex(8)}.bin"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(1000 + number * 4096))
        made[relative] = sha256_file(path)
    return made


def assert_private(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


class CommitCounter:
    """Counts the writer's commit lines from a thread, so a full pipe never stalls the writer."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen = 0
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: IO[str]) -> None:
        for _line in stream:
            with self._changed:
                self.seen += 1
                self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.seen >= count, timeout=timeout)


def writer_pairs(database: sqlite3.Connection) -> tuple[int, int]:
    products = database.execute("SELECT count(*) FROM catalog_product WHERE code LIKE 'load-%'").fetchone()[0]
    releases = database.execute(
        "SELECT count(*) FROM catalog_release r JOIN catalog_product p ON p.id = r.product_id "
        "WHERE p.code LIKE 'load-%'"
    ).fetchone()[0]
    return products, releases


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass runs it")
def test_sqlite_backup_under_write_load_restores_the_snapshot(sqlite_data_dir: Path, tmp_path: Path) -> None:
    env = child_environment(sqlite_data_dir)
    uploads = write_uploads(sqlite_data_dir / "uploads")
    child = writer("pairs", env=env)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready wal 2"
        commits = CommitCounter(child.stdout)
        assert commits.wait_for(30), "the writer did not start committing"
        made = run_weibao("backup", "--output", str(tmp_path / "backups"), env=env)
        assert made.returncode == 0, made.stderr
        assert commits.wait_for(commits.seen + 30), "the writer stopped during the backup"
    finally:
        child.kill()
        child.wait(timeout=60)
    backup = Path(made.stdout.splitlines()[0])
    manifest = json.loads((backup / "manifest.json").read_text())
    with closing(sqlite3.connect(sqlite_data_dir / "weibao.sqlite3")) as source:
        after = writer_pairs(source)
        (backup_event,) = source.execute(
            "SELECT after FROM accounts_auditevent WHERE action = 'instance.backup'"
        ).fetchone()
    snapshot_products = manifest["row_counts"]["catalog_product"]
    assert 30 <= snapshot_products < after[0], "the backup did not run while the writer wrote"
    assert json.loads(backup_event)["manifest_sha256"] == sha256_file(backup / "manifest.json")
    assert_private(backup)

    restored_dir = tmp_path / "restored"
    restored = run_weibao("restore", str(backup), "--data-dir", str(restored_dir), env=child_environment(restored_dir))
    assert restored.returncode == 0, restored.stderr

    with closing(sqlite3.connect(restored_dir / "weibao.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {
            table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - names from the manifest
            for table in manifest["row_counts"]
        }
        products, releases = writer_pairs(copy)
        last_action = copy.execute("SELECT action FROM accounts_auditevent ORDER BY id DESC LIMIT 1").fetchone()[0]
    expected = dict(manifest["row_counts"])
    expected["accounts_auditevent"] += 1  # the restore's own event
    assert counts == expected
    assert products == releases == snapshot_products
    assert last_action == "instance.restore"
    for relative, checksum in uploads.items():
        assert sha256_file(restored_dir / "uploads" / relative) == checksum
        assert manifest["files"][f"uploads/{relative}"]["sha256"] == checksum
    assert (restored_dir / "secret_key").read_bytes() == (sqlite_data_dir / "secret_key").read_bytes()
    assert_private(restored_dir / "uploads")
    assert stat.S_IMODE((restored_dir / "weibao.sqlite3").stat().st_mode) == 0o600


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_under_write_load_restores_the_snapshot(
    settings: Any, tmp_path: Path, restore_database: dict[str, Any]
) -> None:
    uploads = write_uploads(Path(settings.STORAGES["default"]["OPTIONS"]["location"]))
    stop = threading.Event()
    written = threading.Semaphore(0)
    failures: list[BaseException] = []

    def write_pairs() -> None:
        try:
            number = 0
            while not stop.is_set():
                with transaction.atomic():
                    product = Product.objects.create(code=f"load-{number}", name=f"load-{number}")
                    Release.objects.create(product=product, version="1.0", released_on=dt.date(2026, 1, 1))
                written.release()
                number += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=write_pairs)
    thread.start()
    try:
        for _ in range(30):
            assert written.acquire(timeout=30)
        backup = backup_create(actor=None, output=tmp_path / "backups")
        for _ in range(30):
            assert written.acquire(timeout=30), "the writer stopped during the backup"
    finally:
        stop.set()
        thread.join(timeout=60)
    assert failures == []
    manifest = backup.manifest
    snapshot_products = manifest["row_counts"]["catalog_product"]
    assert 30 <= snapshot_products < Product.objects.count()
    assert_private(backup.path)

    data_dir = tmp_path / "restored"
    backup_restore(actor=None, path=backup.path, data_dir=data_dir, database=restore_database)

    counts = table_counts(restore_database, data_dir, sorted(manifest["row_counts"]))
    expected = dict(manifest["row_counts"])
    expected["accounts_auditevent"] += 1  # the restore's own event
    assert counts == expected
    assert counts["catalog_release"] == counts["catalog_product"] == snapshot_products
    for relative, checksum in uploads.items():
        assert sha256_file(data_dir / "uploads" / relative) == checksum
    assert_private(data_dir)
