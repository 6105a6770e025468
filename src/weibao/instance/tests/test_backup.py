"""weibao backup / weibao restore: contents, file modes, checksum refusal, never served by URL."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient

from weibao.accounts.models import AuditEvent, User
from weibao.instance.backup import BackupError, BackupResult, backup_create
from weibao.instance.files import sha256_file
from weibao.instance.restore import backup_restore
from weibao.instance.tests.conftest import psycopg_connect, table_counts

pytestmark = pytest.mark.django_db(transaction=True)


def restored_actions(database: dict[str, Any] | None, data_dir: Path) -> list[str]:
    query = "SELECT action FROM accounts_auditevent ORDER BY id"
    if database is None:
        with closing(sqlite3.connect(data_dir / "weibao.sqlite3")) as restored:
            return [row[0] for row in restored.execute(query)]
    with psycopg_connect(database, database["NAME"]) as restored:
        return [row[0] for row in restored.execute(query).fetchall()]


@pytest.fixture
def backup(archive_a: Any, admin: User, tmp_path: Path) -> BackupResult:
    return backup_create(actor=admin, output=tmp_path / "backups")


def test_backup_holds_the_database_uploads_and_a_checksum_manifest(backup: BackupResult, archive_a: Any) -> None:
    manifest = json.loads((backup.path / "manifest.json").read_text())
    vendor = connection.vendor
    assert manifest["format"] == 1
    assert manifest["weibao_version"]
    assert manifest["created_at"]
    assert manifest["database"] == {
        "vendor": vendor,
        "file": "database.sqlite3" if vendor == "sqlite" else "database.dump",
    }
    assert "accounts.0001_initial" in manifest["migrations"]
    assert manifest["row_counts"]["customers_client"] == 1
    assert manifest["row_counts"]["catalog_product"] == 1
    upload = Path(archive_a.technical_file.file.path)
    entry = manifest["files"][f"uploads/{archive_a.technical_file.file.name}"]
    assert entry == {"sha256": sha256_file(upload), "bytes": upload.stat().st_size}
    for name, listed in manifest["files"].items():
        assert sha256_file(backup.path / name) == listed["sha256"]


def test_backup_is_audited_with_file_count_bytes_and_manifest_checksum(backup: BackupResult, admin: User) -> None:
    event = AuditEvent.objects.get(action="instance.backup")
    assert event.actor == admin
    assert event.after["files"] == backup.file_count
    assert event.after["bytes"] == backup.total_bytes
    assert event.after["manifest_sha256"] == sha256_file(backup.path / "manifest.json")


def test_backup_files_are_mode_0600_and_directories_0700(backup: BackupResult) -> None:
    paths = [backup.path, *backup.path.rglob("*")]
    assert len(paths) > 3
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_restore_brings_the_backup_up_in_a_new_data_directory(
    backup: BackupResult, tmp_path: Path, restore_database: dict[str, Any] | None, archive_a: Any
) -> None:
    data_dir = tmp_path / "restored"
    result = backup_restore(actor=None, path=backup.path, data_dir=data_dir, database=restore_database)

    assert result.data_dir == data_dir
    manifest = backup.manifest
    tables = sorted(manifest["row_counts"])
    counts = table_counts(restore_database, data_dir, tables)
    expected = dict(manifest["row_counts"])
    expected["accounts_auditevent"] += 1  # the restore's own event
    assert counts == expected
    assert restored_actions(restore_database, data_dir)[-1] == "instance.restore"
    upload = data_dir / "uploads" / archive_a.technical_file.file.name
    assert sha256_file(upload) == sha256_file(Path(archive_a.technical_file.file.path))
    for path in [data_dir, *data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


@pytest.mark.parametrize("damage", ["changed upload", "missing upload", "extra file", "changed database"])
def test_tampered_backup_is_refused_and_nothing_is_restored(
    backup: BackupResult, tmp_path: Path, restore_database: dict[str, Any] | None, damage: str, archive_a: Any
) -> None:
    upload = backup.path / "uploads" / archive_a.technical_file.file.name
    if damage == "changed upload":
        upload.write_bytes(b"MANUAL")
    elif damage == "missing upload":
        upload.unlink()
    elif damage == "extra file":
        (backup.path / "uploads" / "planted.sh").write_text("#!/bin/sh\n")
    else:
        database = backup.path / backup.manifest["database"]["file"]
        data = bytearray(database.read_bytes())
        data[len(data) // 2] ^= 0xFF
        database.write_bytes(bytes(data))
    data_dir = tmp_path / "restored"

    with pytest.raises(BackupError, match="checksum check failed"):
        backup_restore(actor=None, path=backup.path, data_dir=data_dir, database=restore_database)
    with pytest.raises(CommandError, match="checksum check failed"):
        call_command("restore", str(backup.path), data_dir=str(data_dir))
    assert not data_dir.exists()
    if restore_database is not None:
        with psycopg_connect(restore_database, restore_database["NAME"]) as restored:
            assert restored.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_restore_refuses_a_data_directory_that_is_not_empty(backup: BackupResult, tmp_path: Path) -> None:
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    (data_dir / "weibao.sqlite3").write_bytes(b"precious")

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(actor=None, path=backup.path, data_dir=data_dir)
    assert (data_dir / "weibao.sqlite3").read_bytes() == b"precious"


def test_restore_refuses_a_backup_from_a_newer_weibao(backup: BackupResult, tmp_path: Path) -> None:
    manifest_path = backup.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"].append("accounts.9999_from_the_future")
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match="newer Weibao"):
        backup_restore(actor=None, path=backup.path, data_dir=tmp_path / "restored")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_restore_refuses_a_database_with_tables_unless_forced(
    backup: BackupResult, tmp_path: Path, restore_database: dict[str, Any] | None
) -> None:
    backup_restore(actor=None, path=backup.path, data_dir=tmp_path / "first", database=restore_database)

    with pytest.raises(BackupError, match=r"has \d+ tables"):
        backup_restore(actor=None, path=backup.path, data_dir=tmp_path / "second", database=restore_database)
    backup_restore(actor=None, path=backup.path, data_dir=tmp_path / "third", database=restore_database, force=True)
    assert restored_actions(restore_database, tmp_path)[-1] == "instance.restore"


@pytest.mark.parametrize("place", ["static", "uploads"])
def test_backup_refuses_to_write_under_served_or_backed_up_directories(
    place: str, settings: Any, tmp_path: Path, db: None
) -> None:
    output = Path(settings.STATIC_ROOT) / "b" if place == "static" else tmp_path / "uploads" / "b"
    with pytest.raises(BackupError, match="refusing to write backups"):
        backup_create(actor=None, output=output)
    assert not output.exists()


def test_backup_command_writes_to_the_data_directory_by_default(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path / "data"
    call_command("backup")
    (made,) = (tmp_path / "data" / "backups").iterdir()
    assert (made / "manifest.json").is_file()
    assert stat.S_IMODE((tmp_path / "data" / "backups").stat().st_mode) == 0o700


def test_no_url_serves_the_backups_directory(settings: Any, as_admin: HttpClient, tmp_path: Path) -> None:
    data_dir = Path(settings.DATA_DIR)
    made = backup_create(actor=None)
    name = made.path.name
    try:
        probes = [
            f"/backups/{name}/manifest.json",
            f"/static/../backups/{name}/manifest.json",
            f"/static/%2e%2e/backups/{name}/manifest.json",
            f"/static/..%2fbackups/{name}/manifest.json",
            f"/media/{name}/manifest.json",
            f"/media/../backups/{name}/manifest.json",
            f"/uploads/../backups/{name}/manifest.json",
            f"/data/backups/{name}/manifest.json",
            f"/{data_dir.name}/backups/{name}/manifest.json",
        ]
        for probe in probes:
            for http in (as_admin, HttpClient()):
                response = http.get(probe)
                assert response.status_code == 404, f"{probe}: {response.status_code}"
                body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
                assert b"row_counts" not in body
    finally:
        shutil.rmtree(made.path)
