"""The settings the product ships with, read from the module (not the test overrides)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from weibao.config import settings as shipped


def test_passwords_are_hashed_with_argon2() -> None:
    assert shipped.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sqlite_runs_in_wal_mode_with_full_sync() -> None:
    options = shipped._databases()["default"].get("OPTIONS", {})
    if shipped.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in options["init_command"]
        assert "synchronous=FULL" in options["init_command"]


def test_a_new_data_directory_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    env = {**os.environ, "WEIBAO_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-c", "import weibao.config.settings"], env=env, check=True)
    assert data_dir.stat().st_mode & 0o777 == 0o700
